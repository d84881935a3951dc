"""Operations endpoints: liveness with a database check, the well-known files (GPC, JWKS) and the
JSON Schema of ``sites.yaml``."""

from __future__ import annotations

import functools
import hashlib
import json

from flask import Blueprint, Response, jsonify, request

from consent_gateway.db import get_engine
from consent_gateway.db.health import database_problem
from consent_gateway.errors import DatabaseUnavailable
from consent_gateway.web.extensions import gateway

bp = Blueprint("ops", __name__)
_PROBLEMS = {
    "unreachable": "the database cannot be reached",
    "read_only": "the database is read-only: no decision can be recorded",
}


@bp.get("/healthz")
def healthz():
    """200 only when a decision could be recorded now: the database answers and takes writes."""
    problem = database_problem(get_engine())
    if problem is None:
        return jsonify({"status": "ok", "database": "ok"})
    response = jsonify({"status": "error", "database": problem, "error": DatabaseUnavailable.code,
                        "message": _PROBLEMS[problem]})
    response.headers["Retry-After"] = str(DatabaseUnavailable.retry_after)
    return response, 503


@bp.get("/.well-known/gpc.json")
def gpc_json():
    # https://privacycg.github.io/gpc-spec/: we honour the signal on every site we serve.
    response = jsonify({"gpc": True, "lastUpdate": "2026-11-01"})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/.well-known/jwks.json")
def jwks_json():
    """The Ed25519 public keys that verify receipts' JWS and ledger checkpoints, old ones included:
    anyone may fetch and cache them (they change only when the operator rotates keys)."""
    body = json.dumps(gateway().receipt_keys.jwks(), separators=(",", ":")).encode()
    return _public_json(body, "application/jwk-set+json")


@bp.get("/sites.schema.json")
def sites_schema_json():
    """The JSON Schema of ``sites.yaml``, generated from the declaration's models, for an
    operator's editor (``# yaml-language-server: $schema=<this URL>``): public, cacheable."""
    return _public_json(_sites_schema(), "application/schema+json")


@functools.cache
def _sites_schema() -> bytes:
    """The schema's bytes, generated once per process: they change only with the code."""
    # Imported here: `python -m consent_gateway.declaration.docs` imports the package (and so this
    # module) before running that module as __main__, which must not be imported twice.
    from consent_gateway.declaration import docs

    return json.dumps(docs.json_schema(), ensure_ascii=False, separators=(",", ":")).encode()


def _public_json(body: bytes, content_type: str) -> Response:
    """``body`` as a public document anyone may fetch and cache, with an ETag (304 when it holds)."""
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=3600",
               "Access-Control-Allow-Origin": "*"}
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(body, status=200, headers=headers, content_type=content_type)
