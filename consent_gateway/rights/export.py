"""Everything the gateway holds about one pseudonymous visitor of one site, as one JSON document:
the answer to an access request and the portability format (Art. 15 and 20 GDPR)."""

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
from consent_gateway.rights.models import RightsRequest

FORMAT = "iqera-consent-gateway/visitor-export/v1"


def visitor_export(session: Session, sites: SitesConfig, site: Site, visitor_id: str, cipher: PIICipher,
                   *, lang: str, now: datetime | None = None) -> dict[str, Any]:
    """The visitor's consent history (each decision with its Kantara receipt and status now), their
    contact submissions decrypted, their objections and their rights requests, on ``site`` only."""
    now = now or utcnow()
    return {
        "format": FORMAT,
        "generated_at": iso(now),
        "site": {"id": site.id, "name": site.name, "controller": site.entity},
        "visitor_id": visitor_id,
        "consents": _consents(session, sites, site, visitor_id, now),
        "contact_submissions": visitor_submissions(session, sites, site, visitor_id, cipher, lang),
        "objections": [
            {"purpose": o.purpose, "purpose_label": _label(sites, o.purpose, lang), "kind": o.kind,
             "receipt_id": o.receipt_id, "recorded_at": iso(o.created_at)}
            for o in session.scalars(select(PurposeObjection).where(
                PurposeObjection.site_id == site.id, PurposeObjection.visitor_id == visitor_id)
                .order_by(PurposeObjection.id))
        ],
        "rights_requests": [_request(r, cipher) for r in session.scalars(
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


def visitor_submissions(session: Session, sites: SitesConfig, site: Site, visitor_id: str, cipher: PIICipher,
                 lang: str) -> list[dict[str, Any]]:
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
                "value": cipher.decrypt(f.ciphertext),
                "kept_until": iso(f.expires_at),
            } for f in fields if f.submission_id == submission.id],
        })
    return out


def _request(row: RightsRequest, cipher: PIICipher) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "kind": row.kind,
        "channel": row.channel,
        "purpose": row.purpose,
        "received_at": iso(row.received_at),
        "due_at": iso(row.deadline),
        "closed_at": iso(row.closed_at) if row.closed_at else None,
        "outcome": row.outcome,
        "details": json.loads(cipher.decrypt(row.details_ciphertext)) if row.details_ciphertext else {},
    }


def _label(sites: SitesConfig, purpose_id: str, lang: str) -> str:
    purpose = sites.purposes.get(purpose_id)
    return purpose.label.get(lang) if purpose is not None else purpose_id
