"""Undeclared cookies: the banner reports first-party cookie names that no purpose of its site
declares (names only, at most once a day per browser); the DPO reads the list per site."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from consent_gateway import cookie_audit
from consent_gateway.db import get_session, utcnow
from consent_gateway.web.auth import require_role
from consent_gateway.web.http import check_origin, preflight, read_json, site_or_404, with_cors
from consent_gateway.web.platform.limits import UNDECLARED_COOKIES, limited

bp = Blueprint("cookies", __name__, url_prefix="/api/v1")
bp.after_request(with_cors)
# 50 names of 128 characters, as JSON, with room to spare.
REPORT_BODY_LIMIT = 8 * 1024


@bp.route("/sites/<site_id>/undeclared-cookies", methods=["OPTIONS"])
def undeclared_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/undeclared-cookies")
@limited(UNDECLARED_COOKIES)
def report_undeclared(site_id: str):
    """A banner's report: the names the site declares are ignored, the others counted. 204."""
    site = site_or_404(site_id)
    check_origin(site)
    names = cookie_audit.parse_names(read_json(REPORT_BODY_LIMIT))
    cookie_audit.record_undeclared(get_session(), site, names, utcnow())
    return Response(status=204)


@bp.get("/sites/<site_id>/undeclared-cookies")
@require_role("dpo")
def list_undeclared(site_id: str):
    """DPO: the undeclared names of the site, the most recently seen first."""
    return jsonify(cookie_audit.undeclared_report(get_session(), site_or_404(site_id)))
