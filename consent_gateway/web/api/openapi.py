"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the public API.

Its source is ``openapi.yaml`` beside this module (package data), maintained by hand and kept true
by tests/web/test_openapi.py. It is read once per process; the answer names this gateway's public
URL as the server, carries an ETag and may be cached and read by anyone.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.resources import files
from typing import Any

import yaml
from flask import Blueprint, Response, request

from consent_gateway.web.http import public_url

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
SOURCE = "openapi.yaml"


def load_document() -> dict[str, Any]:
    """The document as its source declares it (no server: that depends on the deployment)."""
    return yaml.safe_load(files(__package__).joinpath(SOURCE).read_text(encoding="utf-8"))


@functools.cache
def _served(server: str) -> tuple[bytes, str]:
    document = {**load_document(), "servers": [{"url": server, "description": "this gateway"}]}
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]


@bp.get("/openapi.json")
def openapi_json():
    """The document, with an ETag (``304`` on ``If-None-Match``), for any origin."""
    body, etag = _served(public_url())
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=3600",
               "Access-Control-Allow-Origin": "*"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(body, status=200, headers=headers, content_type="application/json")
