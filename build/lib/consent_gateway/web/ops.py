"""Operations endpoints: liveness with a database check, and the GPC well-known file."""

from __future__ import annotations

from flask import Blueprint, jsonify

from consent_gateway.db import get_engine
from consent_gateway.db.health import database_problem
from consent_gateway.errors import DatabaseUnavailable

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
