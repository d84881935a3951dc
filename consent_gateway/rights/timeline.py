"""The DPO's view of one visitor of one site, found from whatever the visitor or a request gives:
a receipt token (as pasted from the banner's cookie or a receipt page), a receipt id, or a rights
request's reference. Every decision in order with what was shown, the searched receipt's
signature and ledger inclusion checked now, the contact data and the requests linked to the
visitor. Opening it is written to the access log."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import (
    ConsentEvent,
    InvalidReceipt,
    ReceiptKeys,
    ReceiptSigner,
    build_receipt,
    event_facts,
    receipt_status,
    shown_config,
    signed_event,
    verify_receipt_jws,
)
from consent_gateway.consent.jws import verify_signature
from consent_gateway.consent.ledger import event_digest, inclusion_proof
from consent_gateway.consent.snapshots import receipt_snapshot_variant
from consent_gateway.contact import PIICipher, PurposeObjection
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import NotFound
from consent_gateway.rights.export import visitor_submissions
from consent_gateway.rights.models import RightsRequest
from consent_gateway.staff import StaffToken, log_access

_REFERENCE = re.compile(r"^DR-[A-Z0-9]{4}-[A-Z0-9]{4}$")
_RECEIPT_ID = re.compile(r"^[0-9a-f]{32}$")
# The longest text worth trying as a token (a receipt token is a few hundred characters).
MAX_QUERY = 4000


@dataclass(frozen=True)
class Choice:
    purpose: str
    label: str
    legal_basis: str
    required: bool
    granted: bool


@dataclass(frozen=True)
class Decision:
    """One decision of the visitor, as the timeline shows it."""

    event: ConsentEvent
    status: str
    choices: list[Choice]
    # The banner screenshot's variant for this configuration, when one was taken.
    snapshot_variant: str | None


@dataclass(frozen=True)
class Check:
    """One verification made while the page was built: ``ok`` None means "not yet possible"
    (an event not sealed yet), which the page shows apart from a failure."""

    code: str
    ok: bool | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeline:
    site: Site
    found_by: str  # token, receipt_id or reference
    query: str
    visitor_id: str | None
    focus: ConsentEvent | None
    decisions: list[Decision]
    checks: list[Check]
    submissions: list[dict[str, Any]]
    requests: list[RightsRequest]
    objections: list[PurposeObjection]
    request: RightsRequest | None = None


def unwrap(query: str) -> str:
    """A receipt token from what a visitor may paste: the token itself, or the banner's
    ``iq_consent`` cookie value (base64url JSON holding ``token``)."""
    text = query.strip().strip('"')
    if "." in text:
        return text
    try:
        doc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error):
        return text
    return str(doc["token"]) if isinstance(doc, dict) and isinstance(doc.get("token"), str) else text


def find_timeline(session: Session, sites: SitesConfig, signer: ReceiptSigner, keys: ReceiptKeys,
                  cipher: PIICipher, query: str, staff: StaffToken, *, lang: str) -> Timeline:
    """The timeline ``query`` leads to; NotFound (``field="q"``) when it leads nowhere, its
    message saying why (no such receipt or request, or a token this gateway did not sign).
    The read is logged for ``staff`` and committed once."""
    query = query.strip()[:MAX_QUERY]
    request: RightsRequest | None = None
    if _REFERENCE.match(query.upper()):
        found_by = "reference"
        reference = query.upper()
        request = session.scalars(select(RightsRequest).where(RightsRequest.reference == reference)).first()
        if request is None:
            raise NotFound(f"no rights request {query.upper()!r}", field="q", code="no_request")
        site_id, visitor_id = request.site_id, request.visitor_id
        focus = _event(session, request.receipt_id) if request.receipt_id else None
    elif _RECEIPT_ID.match(query.lower()):
        found_by = "receipt_id"
        focus = _event(session, query.lower())
        if focus is None:
            raise NotFound(f"no receipt {query.lower()!r}", field="q", code="no_receipt")
        site_id, visitor_id = focus.site_id, focus.visitor_id
    else:
        found_by = "token"
        try:
            focus = signed_event(session, signer, unwrap(query))
        except InvalidReceipt as exc:
            raise NotFound(f"not a receipt token this gateway signed ({exc.reason})", field="q",
                           code=f"token_{exc.reason}") from None
        site_id, visitor_id = focus.site_id, focus.visitor_id
    site = sites.site(site_id)
    if site is None:
        raise NotFound(f"the site {site_id!r} is no longer declared", field="q", code="no_site")
    decisions = _decisions(session, sites, site, visitor_id, lang) if visitor_id else []
    checks = _checks(session, sites, keys, focus, found_by) if focus is not None else []
    timeline = Timeline(
        site=site, found_by=found_by, query=query, visitor_id=visitor_id, focus=focus, decisions=decisions,
        checks=checks,
        submissions=_dated(visitor_submissions(session, sites, site, visitor_id, cipher, lang))
        if visitor_id else [],
        requests=_requests(session, site, visitor_id, request),
        objections=list(session.scalars(select(PurposeObjection).where(
            PurposeObjection.site_id == site.id, PurposeObjection.visitor_id == visitor_id)
            .order_by(PurposeObjection.id))) if visitor_id else [],
        request=request,
    )
    subject = request.reference if request is not None else focus.receipt_id if focus is not None else None
    log_access(session, staff, "timeline.read", site_id=site.id, subject=subject)
    session.commit()
    return timeline


def _dated(submissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export's submissions with their times as datetimes, for the page to show in its zone."""
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return [{**s, "received_at": at(s["received_at"]),
             "fields": [{**f, "kept_until": at(f["kept_until"])} for f in s["fields"]]} for s in submissions]


def _event(session: Session, receipt_id: str) -> ConsentEvent | None:
    return session.scalars(select(ConsentEvent).where(ConsentEvent.receipt_id == receipt_id)).first()


def _decisions(session: Session, sites: SitesConfig, site: Site, visitor_id: str,
               lang: str) -> list[Decision]:
    events = session.scalars(select(ConsentEvent).where(
        ConsentEvent.site_id == site.id, ConsentEvent.visitor_id == visitor_id)
        .order_by(ConsentEvent.id)).all()
    now = utcnow()
    out = []
    for event in events:
        shown = shown_config(session, sites, event.config_hash)
        choices = [Choice(p["id"], _label(sites, p, lang), p["legal_basis"], p["required"],
                          bool(event.choices.get(p["id"], p["required"])))
                   for p in shown.get("purposes", [])]
        out.append(Decision(event, receipt_status(session, event, now), choices,
                            receipt_snapshot_variant(session, event.config_hash)))
    return out


def _label(sites: SitesConfig, shown: dict[str, Any], lang: str) -> str:
    purpose = sites.purposes.get(shown["id"])
    return purpose.label.get(lang) if purpose is not None else str(shown.get("label") or shown["id"])


def _checks(session: Session, sites: SitesConfig, keys: ReceiptKeys, event: ConsentEvent,
            found_by: str) -> list[Check]:
    out = []
    if found_by == "token":
        # signed_event found it: the token's signature verified and its claims match the event.
        out.append(Check("token_signature", True))
    receipt = build_receipt(event_facts(event), shown_config(session, sites, event.config_hash), sites)
    public = keys.public_keys()
    jws = keys.sign_receipt(receipt)
    kid = json.loads(base64.urlsafe_b64decode(jws.split(".")[0] + "=="))["kid"]
    try:
        out.append(Check("receipt_jws", verify_receipt_jws(public, jws) == receipt, {"kid": kid}))
    except InvalidReceipt as exc:
        out.append(Check("receipt_jws", False, {"kid": kid, "reason": exc.reason}))
    proof = inclusion_proof(session, event.id)
    if not proof["sealed"]:
        out.append(Check("ledger_inclusion", None))
        return out
    checkpoint = proof["checkpoint"]
    out.append(Check("event_unchanged", event_digest(event) == proof["event_digest"],
                     {"digest": proof["event_digest"]}))
    signed = verify_signature(public, checkpoint["kid"], checkpoint["signature"],
                              checkpoint["statement"].encode())
    out.append(Check("ledger_inclusion", bool(proof["root_matches"]) and signed,
                     {"checkpoint": checkpoint["id"], "root": checkpoint["root_digest"],
                      "kid": checkpoint["kid"],
                      "sealed_at": datetime.fromisoformat(checkpoint["created_at"].replace("Z", "+00:00")),
                      "root_matches": proof["root_matches"], "signature_valid": signed}))
    return out


def _requests(session: Session, site: Site, visitor_id: str | None,
              request: RightsRequest | None) -> list[RightsRequest]:
    rows = list(session.scalars(select(RightsRequest).where(
        RightsRequest.site_id == site.id, RightsRequest.visitor_id == visitor_id)
        .order_by(RightsRequest.id))) if visitor_id else []
    if request is not None and request not in rows:
        rows.insert(0, request)
    return rows
