"""What the receipt page states: a receipt of one site in plain words, its status, its documents.

The holder of a token sees what was chosen for each purpose (with the labels the banner showed),
when, on which banner (policy version and config hash), whether it still holds, and the receipt as
Kantara JSON and as a JWS anyone can verify offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consent_gateway.consent.jws import ReceiptKeys
from consent_gateway.consent.models import ConsentEvent
from consent_gateway.consent.receipts import ReceiptSigner, build_receipt
from consent_gateway.consent.verification import event_facts, receipt_status, shown_config, signed_event
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import InvalidReceipt


@dataclass(frozen=True)
class PurposeChoice:
    id: str
    label: str
    legal_basis: str
    required: bool
    granted: bool
    # (vendor name, consent) for each vendor of a consent-based purpose, when the decision chose
    # vendor by vendor (receipts from before have none).
    vendors: tuple[tuple[str, bool], ...] = ()
    # The categories of personal data the purpose uses, in the receipt's language (its piiCategory).
    data: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptPage:
    event: ConsentEvent
    status: str
    choices: list[PurposeChoice]
    receipt: dict[str, Any]
    receipt_jws: str
    # The screenshot of this banner version (config hash) when one was taken (docs/dpo.md,
    # banner_snapshot): the evidence module fills it; None shows no image.
    snapshot_url: str | None = None

    @property
    def recorded_at(self) -> datetime:
        return self.event.created_at

    @property
    def withdrawable(self) -> bool:
        """One click withdraws it: it is the current decision and grants something optional."""
        return (self.status == "active" and self.event.action != "withdraw"
                and any(c.granted and not c.required and c.legal_basis == "consent" for c in self.choices))


def receipt_page(session: Session, sites: SitesConfig, signer: ReceiptSigner, keys: ReceiptKeys,
                 site: Site, token: str) -> ReceiptPage:
    """The page of ``token`` on ``site``; InvalidReceipt (``malformed``, ``bad_signature``,
    ``unknown_receipt``, ``mismatch``, ``other_site``) when the token is no receipt of this site."""
    event = signed_event(session, signer, token)
    if event.site_id != site.id:
        raise InvalidReceipt("other_site")
    shown = shown_config(session, sites, event.config_hash)
    receipt = build_receipt(event_facts(event), shown, sites)
    choices = [
        PurposeChoice(p["id"], p["label"], p["legal_basis"], p["required"], event.choices.get(p["id"], False),
                      _vendor_choices(p, event), _data(sites, p["id"], event.lang))
        for p in shown.get("purposes", [])
    ]
    return ReceiptPage(event, receipt_status(session, event), choices, receipt, keys.sign_receipt(receipt))


def _data(sites: SitesConfig, purpose_id: str, lang: str) -> tuple[str, ...]:
    declared = sites.purposes.get(purpose_id)
    return declared.pii_categories.get(lang) if declared else ()


def _vendor_choices(purpose: dict[str, Any], event: ConsentEvent) -> tuple[tuple[str, bool], ...]:
    if event.vendors is None or purpose["legal_basis"] != "consent":
        return ()
    granted = event.choices.get(purpose["id"], False)
    return tuple((v["name"], event.vendors.get(v["id"], granted))
                 for v in purpose.get("vendors", []) if "id" in v)
