"""The OpenAPI document as the tests read it: its operations, the Flask routes it must match, and
the schema of a documented answer, checked with jsonschema (Draft 2020-12, as OpenAPI 3.1 says)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator, FormatChecker

from consent_gateway.web.api.openapi import load_document

# The public API: what the document must describe, route for route.
PUBLIC_PREFIXES = ("/api/v1/", "/.well-known/", "/banner/v1/", "/healthz", "/metrics", "/sites.schema.json")
METHODS = ("get", "post", "put", "patch", "delete", "options")
DOCUMENT = load_document()


def operations(document: dict[str, Any] = DOCUMENT) -> set[tuple[str, str]]:
    """Every (METHOD, path) the document describes."""
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in METHODS if method in item}


def flask_path(rule: str) -> str:
    """``/sites/<site_id>`` (or ``<path:x>``) as OpenAPI writes it: ``/sites/{site_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def public_routes(app: Flask) -> set[tuple[str, str]]:
    """Every (METHOD, path) of the app's public API. HEAD comes with GET and the automatic OPTIONS
    with every route (Werkzeug answers both); an OPTIONS view written on purpose (a CORS
    preflight) is part of the API."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PUBLIC_PREFIXES):
            continue
        for method in rule.methods or ():
            automatic = method == "OPTIONS" and getattr(rule, "provide_automatic_options", False)
            if method == "HEAD" or automatic:
                continue
            routes.add((method, flask_path(rule.rule)))
    return routes


def resolve(node: dict[str, Any], document: dict[str, Any] = DOCUMENT) -> dict[str, Any]:
    """Follow a ``$ref`` inside the document (``#/components/...``)."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def validator(schema: dict[str, Any], document: dict[str, Any] = DOCUMENT) -> Draft202012Validator:
    """A validator of ``schema`` whose ``#/components/...`` references resolve in the document."""
    return Draft202012Validator({**schema, "components": document["components"]},
                                format_checker=FormatChecker())


def response_schema(path: str, method: str, status: int, media_type: str = "application/json",
                    document: dict[str, Any] = DOCUMENT) -> dict[str, Any]:
    """The documented schema of an answer; KeyError when that answer is not documented."""
    response = resolve(document["paths"][path][method.lower()]["responses"][str(status)], document)
    return response["content"][media_type]["schema"]


def assert_documented(path: str, method: str, status: int, body: Any,
                      media_type: str = "application/json") -> None:
    """``body`` matches the documented answer ``status`` of ``method path`` (else the errors)."""
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
              for e in validator(response_schema(path, method, status, media_type)).iter_errors(body)]
    assert not errors, f"{method} {path} {status} does not match its documented schema:\n" + "\n".join(errors)
