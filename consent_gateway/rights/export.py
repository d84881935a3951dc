"""Everything the gateway holds about one pseudonymous visitor of one site, as one JSON document:
the answer to an access request and the portability format (Art. 15 and 20 GDPR).

A receipt token opens the visitor's consent history and says what else is held, never its values:
the token lives in ``iq_consent``, a cookie any script of the embedding page can read (trackers the
visitor accepted included), so it proves too little to hand over an email or a message. Contact
data and the requester's own words come in clear only in the export the DPO makes for a checked
access request (``export_for_request``), each such read in the access log.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import (
    ConsentEvent,
    build_receipt,
    event_facts,
    event_record,
    iso,
    receipt_status,
    shown_config,
)
from consent_gateway.contact import ContactField, ContactSubmission, PIICipher, PurposeObjection
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.rights.models import RightsRequest
from consent_gateway.staff import StaffToken, log_access

FORMAT = "iqera-consent-gateway/visitor-export/v1"
# What ``values`` says in an export made with a receipt token alone.
WITHHELD = "withheld"
# Requests whose answer is the visitor's data.
EXPORT_KINDS = ("access", "portability")


def visitor_export(session: Session, sites: SitesConfig, site: Site, visitor_id: str, cipher: PIICipher,
                   *, lang: str, now: datetime | None = None, values: bool = False) -> dict[str, Any]:
    """The visitor's consent history (each decision with its Kantara receipt and status now), their
    contact submissions, objections and rights requests, on ``site`` only. Without ``values`` (what
    a receipt token opens) contact fields and request details say what is held, when and until when,
    not what it is; with ``values`` (the DPO's export) they are decrypted."""
    now = now or utcnow()
    return {
        "format": FORMAT,
        "generated_at": iso(now),
        "site": {"id": site.id, "name": site.name, "controller": site.entity},
        "visitor_id": visitor_id,
        "values": "included" if values else WITHHELD,
        **({} if values else {"values_on_request": {
            "how": "an access request, which the DPO checks before answering with the values",
            "where": f"/privacy/{site.id}/rights"}}),
        "consents": _consents(session, sites, site, visitor_id, now),
        "contact_submissions": visitor_submissions(session, sites, site, visitor_id, cipher, lang, values),
        "objections": [
            {"purpose": o.purpose, "purpose_label": _label(sites, o.purpose, lang), "kind": o.kind,
             "receipt_id": o.receipt_id, "recorded_at": iso(o.created_at)}
            for o in session.scalars(select(PurposeObjection).where(
                PurposeObjection.site_id == site.id, PurposeObjection.visitor_id == visitor_id)
                .order_by(PurposeObjection.id))
        ],
        "rights_requests": [_request(r, cipher, values) for r in session.scalars(
            select(RightsRequest)
            .where(RightsRequest.site_id == site.id, RightsRequest.visitor_id == visitor_id)
            .order_by(RightsRequest.id))],
    }


def _consents(session: Session, sites: SitesConfig, site: Site, visitor_id: str,
              now: datetime) -> list[dict[str, Any]]:
    events = session.scalars(select(ConsentEvent).where(
        ConsentEvent.site_id == site.id, ConsentEvent.visitor_id == visitor_id).order_by(ConsentEvent.id))
    return [{
        **event_record(e),
        "status": receipt_status(session, e, now),
        "receipt": build_receipt(event_facts(e), shown_config(session, sites, e.config_hash), sites),
    } for e in events]


def export_for_request(session: Session, sites: SitesConfig, cipher: PIICipher, reference: str,
                       staff: StaffToken, *, now: datetime | None = None) -> dict[str, Any]:
    """The DPO's answer to the access or portability request ``reference``: the visitor's export
    with the values, for the DPO to send once they have checked who asked (the request's
    ``identity`` says whether the visitor's current receipt came with it). Logged, committed once."""
    row = session.scalars(select(RightsRequest).where(RightsRequest.reference == reference)).first()
    if row is None:
        raise NotFound(f"no request {reference!r}", field="reference")
    site = sites.site(row.site_id)
    if row.kind not in EXPORT_KINDS or row.visitor_id is None or site is None:
        raise ValidationError("only an access or portability request linked to a visitor's receipt has an "
                              "export", field="reference", code="no_export")
    export = visitor_export(session, sites, site, row.visitor_id, cipher, lang=row.lang, now=now, values=True)
    log_access(session, staff, "rights_request.export", site_id=site.id, subject=reference)
    session.commit()
    return export


def visitor_submissions(session: Session, sites: SitesConfig, site: Site, visitor_id: str,
                        cipher: PIICipher, lang: str, values: bool = True) -> list[dict[str, Any]]:
    """The visitor's contact submissions on ``site``, their values decrypted unless ``values`` is False."""
    submissions = session.scalars(select(ContactSubmission).where(
        ContactSubmission.site_id == site.id, ContactSubmission.visitor_id == visitor_id)
        .order_by(ContactSubmission.id)).all()
    fields = session.scalars(select(ContactField).where(
        ContactField.submission_id.in_([s.id for s in submissions])).order_by(ContactField.id)).all()
    declared = {f.name: f for f in site.contact.fields} if site.contact else {}
    out = []
    for submission in submissions:
        out.append({
            "submission_id": submission.public_id,
            "channel": submission.channel,
            "receipt_id": submission.receipt_id,
            "received_at": iso(submission.created_at),
            "fields": [{
                "name": f.name,
                "label": declared[f.name].label.get(lang) if f.name in declared else f.name,
                "purpose": f.purpose,
                "purpose_label": _label(sites, f.purpose, lang),
                **({"value": cipher.decrypt(f.ciphertext)} if values else {}),
                "kept_until": iso(f.expires_at),
            } for f in fields if f.submission_id == submission.id],
        })
    return out


def _request(row: RightsRequest, cipher: PIICipher, values: bool) -> dict[str, Any]:
    details = json.loads(cipher.decrypt(row.details_ciphertext)) if row.details_ciphertext else {}
    return {
        "reference": row.reference,
        "kind": row.kind,
        "channel": row.channel,
        "purpose": row.purpose,
        "received_at": iso(row.received_at),
        "due_at": iso(row.deadline),
        "closed_at": iso(row.closed_at) if row.closed_at else None,
        "outcome": row.outcome,
        **({"details": details} if values else {"details_held": sorted(k for k, v in details.items() if v)}),
    }


def _label(sites: SitesConfig, purpose_id: str, lang: str) -> str:
    purpose = sites.purposes.get(purpose_id)
    return purpose.label.get(lang) if purpose is not None else purpose_id
