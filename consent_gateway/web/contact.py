"""The contact-form API: gated capture (DESIGN §5) and objections/restrictions of a purpose."""

from __future__ import annotations

from flask import Blueprint, jsonify

from consent_gateway import contact
from consent_gateway.db import get_session
from consent_gateway.web.extensions import gateway, limiter
from consent_gateway.web.http import (
    check_origin,
    preflight,
    read_json,
    site_or_404,
    with_cors,
)

bp = Blueprint("contact_api", __name__, url_prefix="/api/v1")
CONTACT_BODY_LIMIT = 64 * 1024
CONTACT_RATE = "10/minute;100/hour"
bp.after_request(with_cors)


@bp.route("/sites/<site_id>/contact", methods=["OPTIONS"], provide_automatic_options=False)
def contact_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/contact", provide_automatic_options=False)
@limiter.limit(CONTACT_RATE)
def submit_contact(site_id: str):
    """Store the fields whose purpose is active for the visitor; 201 says what was kept and dropped."""
    gw = gateway()
    site = site_or_404(site_id)
    check_origin(site)
    submission = contact.parse_submission(read_json(CONTACT_BODY_LIMIT))
    result = contact.submit_contact(get_session(), gw.sites, site, submission, gw.signer,
                                    contact.cipher_for(gw.settings.pii_keys), channel="api")
    return jsonify(result.to_dict()), 201


@bp.route("/sites/<site_id>/objections", methods=["OPTIONS"], provide_automatic_options=False)
def objections_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/objections", provide_automatic_options=False)
@limiter.limit(CONTACT_RATE)
def record_objection(site_id: str):
    """The visitor (identified by a receipt token) objects to or restricts a non-consent purpose."""
    gw = gateway()
    site = site_or_404(site_id)
    check_origin(site)
    recorded = contact.record_objection(get_session(), gw.sites, gw.signer, site, read_json())
    return jsonify(recorded.to_dict()), 201 if recorded.created else 200
