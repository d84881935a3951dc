"""Staff API of applications (forms with files): recruiters list and download, the DPO erases."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from consent_gateway import contact
from consent_gateway.db import get_session
from consent_gateway.staff import applications
from consent_gateway.web.auth import require_role
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import attachment, site_or_404
from consent_gateway.web.platform.limits import STAFF_ACTIONS, limited

bp = Blueprint("applications", __name__, url_prefix="/api/v1/sites/<site_id>/applications")


@bp.get("")
@require_role("recruiter", admin=False)
def list_applications(site_id: str):
    """The site's applications for its recruiters; the read is written to the access log."""
    gw = gateway()
    site = site_or_404(site_id)
    cipher = contact.cipher_for(gw.settings.pii_keys)
    rows = applications.list_applications(get_session(), site, g.staff, cipher)
    return jsonify({"site": site.id, "applications": rows})


@bp.get("/<submission_id>/files/<field>")
@require_role("recruiter", admin=False)
def download_file(site_id: str, submission_id: str, field: str):
    """One file of an application, as an attachment under its sanitised name; logged."""
    gw = gateway()
    site = site_or_404(site_id)
    found = applications.download_file(get_session(), site, g.staff, contact.cipher_for(gw.settings.pii_keys),
                                       submission_id, field)
    return attachment(found.data, found.media_type, found.filename)


@bp.delete("/<submission_id>")
@limited(STAFF_ACTIONS)
@require_role("dpo")
def erase_application(site_id: str, submission_id: str):
    """The DPO erases an application at the candidate's request, files included; logged."""
    applications.erase_application(get_session(), site_or_404(site_id), g.staff, submission_id)
    return Response(status=204)
