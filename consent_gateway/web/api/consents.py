"""The public JSON API v1: banner configuration, contact declaration, decisions, receipts, proof."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, g, jsonify, request

from consent_gateway import consent, staff, workflows
from consent_gateway.db import get_engine, get_session
from consent_gateway.declaration import Site, served_config
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.web.auth import require_role
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import (
    check_origin,
    gpc_header,
    preflight,
    read_json,
    request_context,
    site_or_404,
    with_cors,
)
from consent_gateway.web.i18n import resolve_language
from consent_gateway.web.platform import metrics
from consent_gateway.web.platform.limits import CONSENTS, RECEIPT_VERIFY, limited
from consent_gateway.web.platform.replay import replayable

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.after_request(with_cors)


@bp.get("/sites/<site_id>/banner")
@replayable("Sec-GPC", "Accept-Language", "If-None-Match")
def banner_config(site_id: str):
    """The banner configuration, from memory, with an ETag; varies with Sec-GPC (and with
    Accept-Language when no offered ``?lang=`` is given)."""
    site = site_or_404(site_id)
    lang = resolve_language(site)
    gpc = gpc_header()
    body, etag = _banner_bytes(site, lang, gpc)
    headers = [
        ("ETag", f'"{etag}"'),
        ("Cache-Control", "public, max-age=300"),
        ("Vary", "Sec-GPC"),
        ("Access-Control-Allow-Origin", "*"),
    ]
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers=headers)
    return Response(body, status=200, headers=headers, content_type="application/json")


def _banner_bytes(site: Site, lang: str, gpc: bool) -> tuple[bytes, str]:
    """The answer's bytes and ETag, built once per process; the configuration is kept on record
    before it is first served."""
    gw = gateway()
    key = (site.id, lang, gpc)
    if key not in gw.banner_responses:
        shown = gw.sites.banner_config(site, lang)
        consent.keep_served_config(get_session(), site, lang, shown, gw.snapshotted)
        served = served_config(shown, gw.settings.public_url, gpc)
        body = json.dumps(served, ensure_ascii=False, separators=(",", ":")).encode()
        gw.banner_responses[key] = (body, hashlib.sha256(body).hexdigest()[:32])
    return gw.banner_responses[key]


@bp.get("/sites/<site_id>/contact", provide_automatic_options=False)
def contact_declaration(site_id: str):
    """The contact form's fields with their purposes and legal bases, and its notice."""
    gw = gateway()
    site = site_or_404(site_id)
    if site.contact is None:
        raise NotFound(f"site {site_id!r} has no contact form", field="site")
    lang = resolve_language(site)
    fields = []
    for f in site.contact.fields:
        item = {
            "name": f.name,
            "label": f.label.get(lang),
            "purpose": f.purpose,
            "legal_basis": gw.sites.purposes[f.purpose].legal_basis,
            "required": f.required,
            "kind": f.kind,
            "max_length": f.max_length,
        }
        if f.pattern:
            item["pattern"] = f.pattern
        if f.is_file:
            item.update(accept=list(f.accept), max_bytes=f.max_bytes)
        fields.append(item)
    response = jsonify({"site": site.id, "lang": lang, "fields": fields,
                        "notice": site.contact.notice.get(lang)})
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/sites/<site_id>/consents", methods=["OPTIONS"])
def consents_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/consents")
@limited(CONSENTS)
def record_consent(site_id: str):
    """Record a decision; 201 with the signed receipt once it is committed."""
    gw = gateway()
    site = site_or_404(site_id)
    check_origin(site)
    body = read_json()
    context = request_context()
    decision = consent.parse_decision(gw.sites, site, body, gpc_header=context.gpc_header)
    if decision.previous_token is None:  # a new visitor: written with the decisions arriving with it
        recorded = gw.decision_batches.record(
            get_engine(), gw.sites, site, decision, context, gw.signer, receipt_keys=gw.receipt_keys,
            script_hash=gw.script_hash, known_configs=gw.snapshotted)
    else:
        recorded = workflows.record_decision(
            get_session(), gw.sites, site, decision, context, gw.signer, receipt_keys=gw.receipt_keys,
            script_hash=gw.script_hash, known_configs=gw.snapshotted,
        )
    metrics.decision_recorded(site.id, decision.action)
    return jsonify(recorded.to_dict()), 201


@bp.route("/receipts/verify", methods=["OPTIONS"])
def verify_preflight():
    return preflight()


@bp.post("/receipts/verify")
@limited(RECEIPT_VERIFY)
def verify_receipt():
    """Anyone holding a token may check it: valid or not, and its status now."""
    gw = gateway()
    body = read_json()
    if not isinstance(body, dict) or "token" not in body:
        raise ValidationError("token is required", field="token")
    result = consent.verify_token(get_session(), gw.sites, gw.signer, body["token"])
    return jsonify(result.to_dict())


@bp.get("/sites/<site_id>/proof/<receipt_id>")
@require_role("dpo")
def proof_bundle(site_id: str, receipt_id: str):
    """DPO: everything that proves one consent. The read is written to the access log."""
    gw = gateway()
    site = site_or_404(site_id)
    return jsonify(staff.proof_bundle(get_session(), gw.sites, site, receipt_id, g.staff))
