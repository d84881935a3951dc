"""The contact-form API: gated capture (DESIGN §5) and objections/restrictions of a purpose."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from consent_gateway import contact
from consent_gateway.db import get_session
from consent_gateway.errors import GatewayError
from consent_gateway.web.extensions import gateway, limiter
from consent_gateway.web.http import check_origin, preflight, read_json, site_or_404, with_cors

bp = Blueprint("contact_api", __name__, url_prefix="/api/v1")
CONTACT_BODY_LIMIT = 64 * 1024
CONTACT_RATE = "10/minute;100/hour"


@bp.after_request
def _cors_on_every_answer(response: Response) -> Response:
    """Errors (400, 403, 413, 429) carry CORS headers too, so a site's form can read why it failed."""
    if request.method == "OPTIONS" or "Access-Control-Allow-Origin" in response.headers:
        return response
    site_id = (request.view_args or {}).get("site_id")
    site = gateway().sites.site(site_id) if site_id else None
    if site is not None:
        try:
            with_cors(response, check_origin(site))
        except GatewayError:
            return response
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response


@bp.route("/sites/<site_id>/contact", methods=["OPTIONS"], provide_automatic_options=False)
def contact_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/contact", provide_automatic_options=False)
@limiter.limit(CONTACT_RATE)
def submit_contact(site_id: str):
    """Store the fields whose purpose is active for the visitor; 201 says what was kept and dropped."""
    gw = gateway()
    site = site_or_404(site_id)
    origin = check_origin(site)
    submission = contact.parse_submission(read_json(CONTACT_BODY_LIMIT))
    result = contact.submit_contact(get_session(), gw.sites, site, submission, gw.signer,
                                    contact.cipher_for(gw.settings.pii_keys), channel="api")
    return with_cors(jsonify(result.to_dict()), origin), 201


@bp.route("/sites/<site_id>/objections", methods=["OPTIONS"], provide_automatic_options=False)
def objections_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/objections", provide_automatic_options=False)
@limiter.limit(CONTACT_RATE)
def record_objection(site_id: str):
    """The visitor (identified by a receipt token) objects to or restricts a non-consent purpose."""
    gw = gateway()
    site = site_or_404(site_id)
    origin = check_origin(site)
    recorded = contact.record_objection(get_session(), gw.sites, gw.signer, site, read_json())
    return with_cors(jsonify(recorded.to_dict()), origin), 201 if recorded.created else 200
