"""Operations endpoints: liveness with a database check, and the GPC well-known file."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from consent_gateway.db import get_session

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        body = {"status": "error", "database": "unreachable", "message": exc.__class__.__name__}
        return jsonify(body), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/.well-known/gpc.json")
def gpc_json():
    # https://privacycg.github.io/gpc-spec/: we honour the signal on every site we serve.
    response = jsonify({"gpc": True, "lastUpdate": "2026-11-01"})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
