"""The DPO's proof of one consent: the visitor's events on the site, what each was shown, and the
receipt's place in the sealed ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import (
    BannerConfig,
    ConsentEvent,
    build_receipt,
    event_facts,
    event_record,
    iso,
    receipt_status,
    shown_config,
)
from consent_gateway.consent.ledger import inclusion_proof
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import NotFound
from consent_gateway.staff.models import StaffToken
from consent_gateway.staff.tokens import log_access


def receipt_site(session: Session, receipt_id: str) -> str:
    """The site of a receipt (receipt ids are unique across sites); NotFound if none."""
    site_id = session.scalar(select(ConsentEvent.site_id).where(ConsentEvent.receipt_id == receipt_id))
    if site_id is None:
        raise NotFound(f"no receipt {receipt_id!r}", field="receipt_id")
    return site_id


def proof_bundle(session: Session, sites: SitesConfig, site: Site, receipt_id: str,
                 staff: StaffToken) -> dict[str, Any]:
    """The receipt, its status, the visitor's whole history on the site, the configurations
    shown, by hash, and the receipt's inclusion in a signed ledger checkpoint (or "not sealed
    yet"). The read is logged for ``staff`` and committed once."""
    event = session.scalars(
        select(ConsentEvent).where(ConsentEvent.receipt_id == receipt_id, ConsentEvent.site_id == site.id)
    ).first()
    if event is None:
        raise NotFound(f"no receipt {receipt_id!r} on site {site.id!r}", field="receipt_id")
    history = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.site_id == site.id, ConsentEvent.visitor_id == event.visitor_id)
        .order_by(ConsentEvent.id)
    ).all()
    hashes = sorted({e.config_hash for e in history})
    snapshots = {
        s.config_hash: {"first_seen_at": iso(s.first_seen_at), "body": s.body}
        for s in session.scalars(select(BannerConfig).where(BannerConfig.config_hash.in_(hashes)))
    }
    bundle = {
        "receipt_id": event.receipt_id,
        "site": site.id,
        "status": receipt_status(session, event),
        "receipt": build_receipt(event_facts(event), shown_config(session, sites, event.config_hash),
                                 sites),
        "events": [event_record(e) for e in history],
        "configs_shown": snapshots,
        "ledger": inclusion_proof(session, event.id),
    }
    log_access(session, staff, "proof.read", site_id=site.id, subject=receipt_id)
    session.commit()
    return bundle
