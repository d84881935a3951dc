"""Who a decision continues: a visitor is known only by proof, never by a stated id.

A visitor id is pseudonymous but not secret (every receipt shows it as ``piiPrincipalId``, and the
token's payload is readable), so a decision continues a visitor only when it presents
``previous_token``, a receipt token this gateway signed for the same site.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from consent_gateway.consent.receipts import InvalidReceipt, ReceiptSigner
from consent_gateway.consent.verification import signed_event
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
