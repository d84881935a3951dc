"""The tracker scans of a site, for the DPO: ``GET /api/v1/sites/<site>/scans`` and ``/scans/<id>``."""

from __future__ import annotations

from flask import Blueprint, jsonify

from consent_gateway import scan
from consent_gateway.db import get_session
from consent_gateway.web.auth import require_role
from consent_gateway.web.http import site_or_404

bp = Blueprint("scans", __name__, url_prefix="/api/v1")


@bp.get("/sites/<site_id>/scans")
@require_role("dpo")
def list_scans(site_id: str):
    """The site's scans, the latest first, with its findings still open."""
    site = site_or_404(site_id)
    session = get_session()
    scans = scan.list_scans(session, site.id)
    latest = scans[0] if scans else None
    return jsonify(
        {
            "site": site.id,
            "scans": [scan.scan_json(s) for s in scans],
            "open": [scan.finding_json(f, latest) for f in scan.open_findings(session, site.id)],
        }
    )


@bp.get("/sites/<site_id>/scans/<int:scan_id>")
@require_role("dpo")
def get_scan(site_id: str, scan_id: int):
    """One scan and its findings (new, still open, resolved), with their evidence."""
    site = site_or_404(site_id)
    session = get_session()
    return jsonify(scan.scan_report(session, scan.get_scan(session, site.id, scan_id)))
