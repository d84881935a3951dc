"""The gate: which declared purposes are active for the visitor who submits a form.

A consent-based purpose is active only when the submitted receipt token is one we signed, for an
event we hold, of this site, still current (not superseded, withdrawn or expired), and grants it.
A purpose with another legal basis is active unless the visitor objected to it or restricted it.

The receipt's status and the objections are read under the visitor's lock (``lock_visitor``), which
the capture holds until it commits: a withdrawal of that visitor either commits before the check
(and the check sees it) or waits for the capture (and erases what it stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import InvalidReceipt, ReceiptSigner, lock_visitor, receipt_status, signed_event
from consent_gateway.contact.models import PurposeObjection
from consent_gateway.declaration import Purpose, Site, SitesConfig

# signed_event's reasons for a token that is not a receipt of ours, as the visitor should read them.
_INVALID_REASONS = {"bad_signature": "forged", "unknown_receipt": "forged", "mismatch": "forged",
                    "malformed": "malformed"}


@dataclass(frozen=True)
class Drop:
    """A submitted field that was not stored, and why."""

    field: str
    reason: str
    detail: str | None = None

    def to_dict(self) -> dict[str, str]:
        body = {"field": self.field, "reason": self.reason}
        if self.detail:
            body["detail"] = self.detail
        return body


@dataclass(frozen=True)
class Standing:
    """What the gate knows about the visitor: identity (if a token of this site identifies them),
    the consent purposes a valid current receipt grants, and their objections/restrictions."""

    receipt_id: str | None = None
    visitor_id: str | None = None
    granted: frozenset[str] = frozenset()
    receipt_problem: str | None = "missing"
    objections: dict[str, str] = field(default_factory=dict)

    def refusal(self, purpose: Purpose) -> tuple[str, str | None] | None:
        """Why ``purpose`` is not active for this visitor, or None if it is."""
        if purpose.consent_based:
            if purpose.id in self.granted:
                return None
            if self.receipt_problem:
                return "no_valid_receipt", self.receipt_problem
            return "purpose_not_granted", None
        kind = self.objections.get(purpose.id)
        return (kind, None) if kind else None


def visitor_standing(session: Session, sites: SitesConfig, signer: ReceiptSigner, site: Site,
                     token: Any, now: datetime | None = None) -> Standing:
    """Read the receipt token (if any) and the visitor's objections; grant nothing on any doubt.

    A token that identifies a visitor of this site takes their lock for the rest of the caller's
    transaction: call this before the capture's first write, and commit once after storing.
    """
    if token is None or token == "":
        return Standing()
    try:
        event = signed_event(session, signer, token)
    except InvalidReceipt as exc:
        return Standing(receipt_problem=_INVALID_REASONS.get(exc.reason, "forged"))
    if event.site_id != site.id:
        # A receipt of another site says nothing about this one, not even who the visitor is here.
        return Standing(receipt_problem="other_site")
    lock_visitor(session, site.id, event.visitor_id)
    objections = objections_of(session, site.id, event.visitor_id)
    status = receipt_status(session, event, now)
    if status != "active":
        return Standing(event.receipt_id, event.visitor_id, frozenset(), status, objections)
    granted = frozenset(
        pid for pid, chosen in event.choices.items()
        if chosen and pid in sites.purposes and sites.purposes[pid].consent_based
    )
    return Standing(event.receipt_id, event.visitor_id, granted, None, objections)


def objections_of(session: Session, site_id: str, visitor_id: str) -> dict[str, str]:
    """purpose -> ``objection`` or ``restriction`` (an objection wins when both were made)."""
    rows = session.execute(
        select(PurposeObjection.purpose, PurposeObjection.kind).where(
            PurposeObjection.site_id == site_id, PurposeObjection.visitor_id == visitor_id
        )
    ).all()
    found: dict[str, str] = {}
    for purpose, kind in rows:
        if found.get(purpose) != "objection":
            found[purpose] = kind
    return found
