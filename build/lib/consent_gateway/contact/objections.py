"""Objections (Art. 21 GDPR) and restrictions (Art. 18) of non-consent purposes, per visitor.

The visitor is identified by one of their receipt tokens for the site. Once recorded, the contact
gate keeps no new field of that purpose for them (see ``contact.gate``). Consent purposes are not
objected to: the visitor withdraws their consent instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consent_gateway.consent import InvalidReceipt, ReceiptSigner, lock_visitor, signed_event
from consent_gateway.contact.models import PurposeObjection
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import Forbidden, ValidationError, expect_object

KINDS = ("objection", "restriction")
_BODY_KEYS = {"consent_token", "purpose", "kind"}


@dataclass(frozen=True)
class RecordedObjection:
    row: PurposeObjection
    created: bool

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.row.site_id, "visitor_id": self.row.visitor_id, "purpose": self.row.purpose,
                "kind": self.row.kind, "created_at": self.row.created_at.isoformat()}


def site_purpose_ids(site: Site) -> set[str]:
    """The purposes a visitor of ``site`` can meet: the banner's and the contact form's."""
    ids = set(site.purpose_ids)
    if site.contact is not None:
        ids.update(f.purpose for f in site.contact.fields)
    return ids


def record_objection(session: Session, sites: SitesConfig, signer: ReceiptSigner, site: Site,
                     body: Any, now: datetime | None = None) -> RecordedObjection:
    """Record ``{consent_token, purpose, kind}`` once (idempotent); commit."""
    body = expect_object(body, _BODY_KEYS)
    kind = body.get("kind")
    if kind not in KINDS:
        raise ValidationError("kind must be objection or restriction", field="kind")
    purpose_id = body.get("purpose")
    if not isinstance(purpose_id, str) or purpose_id not in site_purpose_ids(site):
        raise ValidationError(f"purpose must be one of the purposes of site {site.id!r}",
                              field="purpose", code="unknown_purpose")
    purpose = sites.purposes[purpose_id]
    if purpose.consent_based:
        raise ValidationError(f"{purpose_id!r} rests on your consent: withdraw it instead of objecting",
                              field="purpose", code="withdraw_consent_instead")
    if kind == "objection" and purpose.legal_basis != "legitimate_interest":
        raise ValidationError(
            f"the right to object applies to processing based on legitimate interest; {purpose_id!r} "
            f"rests on {purpose.legal_basis}: ask for a restriction instead",
            field="kind", code="objection_not_applicable")
    try:
        event = signed_event(session, signer, body.get("consent_token"))
    except InvalidReceipt as exc:
        raise Forbidden("a receipt token of this site is needed to identify you", field="consent_token",
                        code="invalid_receipt") from exc
    if event.site_id != site.id:
        raise Forbidden("this receipt belongs to another site", field="consent_token",
                        code="invalid_receipt")
    # Serialised with the visitor's contact captures: once the objection is acknowledged, no
    # capture that checked the objections before it can still store a field of that purpose.
    lock_visitor(session, site.id, event.visitor_id)
    existing = _existing(session, site.id, event.visitor_id, purpose_id, kind)
    if existing is not None:
        return RecordedObjection(existing, created=False)
    row = PurposeObjection(site_id=site.id, visitor_id=event.visitor_id, purpose=purpose_id, kind=kind,
                           receipt_id=event.receipt_id, created_at=(now or utcnow()).replace(microsecond=0))
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        # The same objection sent twice at once (a double click, a retried request): the other
        # one won the unique constraint, and this one answers with its row.
        session.rollback()
        existing = _existing(session, site.id, event.visitor_id, purpose_id, kind)
        if existing is None:
            raise
        return RecordedObjection(existing, created=False)
    return RecordedObjection(row, created=True)


def _existing(session: Session, site_id: str, visitor_id: str, purpose: str,
              kind: str) -> PurposeObjection | None:
    return session.scalars(select(PurposeObjection).where(
        PurposeObjection.site_id == site_id, PurposeObjection.visitor_id == visitor_id,
        PurposeObjection.purpose == purpose, PurposeObjection.kind == kind,
    )).first()
