"""Visitors: who a decision continues, and the lock that serialises every write of one visitor.

A visitor id is pseudonymous but not secret (every receipt shows it as ``piiPrincipalId``, and the
token's payload is readable), so a decision continues a visitor only when it presents
``previous_token``, a receipt token this gateway signed for the same site.

A withdrawal erases the contact fields of the withdrawn purposes, and a contact capture stores
fields after checking the visitor's receipt. Were they to interleave (the capture checks, the
withdrawal commits, the capture commits), fields of a withdrawn purpose would survive the
acknowledged withdrawal. So each write of a known visitor takes ``lock_visitor`` before it reads
what it decides on, and holds it until it commits.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from consent_gateway.consent.receipts import InvalidReceipt, ReceiptSigner
from consent_gateway.consent.verification import signed_event
from consent_gateway.db import lock_for_transaction
from consent_gateway.declaration import Site
from consent_gateway.errors import ValidationError

_WHY = {
    "malformed": "it is malformed",
    "bad_signature": "its signature is not ours",
    "unknown_receipt": "no such receipt was issued",
    "mismatch": "it does not match the receipt we issued",
}


def continued_visitor(session: Session, signer: ReceiptSigner, site: Site,
                      previous_token: str | None) -> str | None:
    """The visitor id that ``previous_token`` proves, or None (a new visitor) without a token.

    Any genuine receipt of the site will do, whatever its status: a superseded, expired or withdrawn
    receipt still proves its holder is that visitor. That is what lets a visitor consent again
    after withdrawing or after their consent expired, and a banner whose newer receipt was lost on
    the way continue with the one it holds. Raises ValidationError (400, ``previous_token``) for a
    token that is not ours, altered, unknown, or of another site.
    """
    if previous_token is None:
        return None
    try:
        event = signed_event(session, signer, previous_token)
    except InvalidReceipt as exc:
        raise ValidationError(
            f"previous_token is not a receipt of this gateway: {_WHY.get(exc.reason, exc.reason)}",
            field="previous_token", code="invalid_receipt") from exc
    if event.site_id != site.id:
        raise ValidationError(f"previous_token is a receipt of another site, not of {site.id!r}",
                              field="previous_token", code="invalid_receipt")
    return event.visitor_id


def lock_visitor(session: Session, site_id: str, visitor_id: str) -> None:
    """Serialise the rest of the session's transaction with every other write of this visitor.

    Call it before reading anything the write depends on (a receipt's status, objections, the
    fields to erase) and before the transaction's first write; the lock lasts until the commit or
    rollback. A write that waits for it then reads what the other one committed.

    The lock is named by a 64-bit digest of (site, visitor): on PostgreSQL only writes of the same
    visitor wait, and nothing is stored, so no visitor id outlives its retention in a lock table
    (``db.lock_for_transaction``).
    """
    lock_for_transaction(session, _lock_key(site_id, visitor_id))


def _lock_key(site_id: str, visitor_id: str) -> int:
    digest = hashlib.blake2b(f"{site_id}\0{visitor_id}".encode(), digest_size=8, person=b"iq-visitor-lock")
    return int.from_bytes(digest.digest(), "big", signed=True)
