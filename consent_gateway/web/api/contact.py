"""The contact-form API: gated capture (docs/embedding.md) and objections/restrictions of a purpose."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from consent_gateway import contact
from consent_gateway.db import get_session
from consent_gateway.errors import InvalidFields
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import (
    check_origin,
    preflight,
    read_json,
    read_multipart,
    site_or_404,
    with_cors,
)
from consent_gateway.web.platform import metrics
from consent_gateway.web.platform.limits import APPLICATION, CONTACT, OBJECTIONS, limited
from consent_gateway.web.refusals import localised

bp = Blueprint("contact_api", __name__, url_prefix="/api/v1")
CONTACT_BODY_LIMIT = contact.TEXT_LIMIT
bp.after_request(with_cors)


def takes_no_files() -> bool:
    """Flask-Limiter's ``exempt_when``: the application limit counts only forms with files."""
    site = gateway().sites.site((request.view_args or {}).get("site_id", ""))
    return site is None or site.contact is None or not site.contact.file_fields


@bp.route("/sites/<site_id>/contact", methods=["OPTIONS"], provide_automatic_options=False)
def contact_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/contact", provide_automatic_options=False)
@limited(CONTACT)
@limited(APPLICATION, exempt_when=takes_no_files)
def submit_contact(site_id: str):
    """Store the fields whose purpose is active for the visitor; 201 says what was kept and dropped.

    The body is JSON ``{consent_token?, fields}``, or multipart/form-data with one part per field
    (files for ``file`` fields) and ``consent_token``.
    """
    gw = gateway()
    site = site_or_404(site_id)
    check_origin(site)
    if request.mimetype == "multipart/form-data":
        values, uploads = read_multipart(contact.request_limit(site.contact))
        submission = contact.parse_form_submission(site, values, uploads)
    else:
        submission = contact.parse_submission(read_json(CONTACT_BODY_LIMIT))
    try:
        result = contact.submit_contact(get_session(), gw.sites, site, submission, gw.signer,
                                        contact.cipher_for(gw.settings.pii_keys), channel="api")
    except InvalidFields as exc:
        raise localised(exc) from None
    metrics.contact_captured(site, result)
    return jsonify(result.to_dict()), 201


@bp.route("/sites/<site_id>/objections", methods=["OPTIONS"], provide_automatic_options=False)
def objections_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/objections", provide_automatic_options=False)
@limited(OBJECTIONS)
def record_objection(site_id: str):
    """The visitor (identified by a receipt token) objects to or restricts a non-consent purpose."""
    gw = gateway()
    site = site_or_404(site_id)
    check_origin(site)
    recorded = contact.record_objection(get_session(), gw.sites, gw.signer, site, read_json())
    return jsonify(recorded.to_dict()), 201 if recorded.created else 200
