"""A receipt's status, and the verification of a token against the events we hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent.models import BannerConfig, ConsentEvent
from consent_gateway.consent.receipts import (
    ReceiptClaims,
    ReceiptFacts,
    ReceiptSigner,
    build_receipt,
    iso,
)
from consent_gateway.db import utcnow
from consent_gateway.declaration import SitesConfig
from consent_gateway.errors import InvalidReceipt


def latest_event(session: Session, site_id: str, visitor_id: str | None) -> ConsentEvent | None:
    """The visitor's current decision on the site (the newest event), if any."""
    if visitor_id is None:
        return None
    return session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.site_id == site_id, ConsentEvent.visitor_id == visitor_id)
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    ).first()


def receipt_status(session: Session, event: ConsentEvent, now: datetime | None = None) -> str:
    """``superseded`` or ``withdrawn`` when a later decision exists, else ``active``/``expired``."""
    following = session.scalars(
        select(ConsentEvent)
        .where(
            ConsentEvent.site_id == event.site_id,
            ConsentEvent.visitor_id == event.visitor_id,
            ConsentEvent.id > event.id,
        )
        .order_by(ConsentEvent.id)
        .limit(1)
    ).first()
    if following is not None:
        return "withdrawn" if following.action == "withdraw" else "superseded"
    return "expired" if (now or utcnow()) >= event.expires_at else "active"


@dataclass(frozen=True)
class Verification:
    valid: bool
    status: str | None = None
    event: ConsentEvent | None = None
    receipt: dict[str, Any] | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if not self.valid:
            return {"valid": False, "reason": self.reason}
        return {"valid": True, "status": self.status, "receipt": self.receipt}


def verify_token(session: Session, sites: SitesConfig, signer: ReceiptSigner, token: Any,
                 now: datetime | None = None) -> Verification:
    """Is ``token`` a receipt we signed for an event we hold, and what is its status now?"""
    try:
        event = signed_event(session, signer, token)
    except InvalidReceipt as exc:
        return Verification(False, reason=exc.reason)
    shown = shown_config(session, sites, event.config_hash)
    receipt = build_receipt(event_facts(event), shown, sites)
    return Verification(True, receipt_status(session, event, now), event, receipt)


def signed_event(session: Session, signer: ReceiptSigner, token: Any) -> ConsentEvent:
    """The event that ``token`` stands for, whatever its status; raises InvalidReceipt unless the
    token is one we signed (``malformed``, ``bad_signature``) for an event we hold, unaltered
    (``unknown_receipt``, ``mismatch``). Events are never updated, so the answer never goes stale."""
    claims, _signed_at = signer.unsign(token)
    event = session.scalars(select(ConsentEvent).where(ConsentEvent.receipt_id == claims.receipt_id)).first()
    if event is None:
        raise InvalidReceipt("unknown_receipt")
    if claims != claims_of(event):
        raise InvalidReceipt("mismatch")
    return event


def shown_config(session: Session, sites: SitesConfig, config_hash: str) -> dict[str, Any]:
    """The banner configuration of ``config_hash``: from memory when current, else the snapshot."""
    for site in sites.sites.values():
        for lang in site.languages:
            body = sites.banner_config(site, lang)
            if body["config_hash"] == config_hash:
                return body
    snapshot = session.get(BannerConfig, config_hash)
    return snapshot.body if snapshot is not None else {}


def claims_of(event: ConsentEvent) -> ReceiptClaims:
    return ReceiptClaims(event.receipt_id, event.site_id, event.visitor_id, dict(event.choices),
                         event.policy_version, event.config_hash)


def event_facts(event: ConsentEvent) -> ReceiptFacts:
    return ReceiptFacts(
        receipt_id=event.receipt_id,
        site_id=event.site_id,
        visitor_id=event.visitor_id,
        action=event.action,
        choices=dict(event.choices),
        policy_version=event.policy_version,
        config_hash=event.config_hash,
        lang=event.lang,
        gpc=event.gpc,
        created_at=event.created_at,
        expires_at=event.expires_at,
        script_hash=event.script_hash,
        vendors=dict(event.vendors) if event.vendors is not None else None,
        consent_hash=event.consent_hash,
        decided_at=event.decided_at,
    )


def event_record(event: ConsentEvent) -> dict[str, Any]:
    """One decision as the DPO's proof and the visitor's export show it (no IP: none is kept)."""
    return {
        "receipt_id": event.receipt_id,
        "action": event.action,
        "choices": event.choices,
        **({"vendors": event.vendors} if event.vendors is not None else {}),
        "policy_version": event.policy_version,
        "config_hash": event.config_hash,
        "lang": event.lang,
        "gpc": event.gpc,
        "country": event.country,
        "browser_family": event.browser_family,
        "device_class": event.device_class,
        "recorded_at": iso(event.created_at),
        "expires_at": iso(event.expires_at),
    }
