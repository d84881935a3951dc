"""The consent ledger: decisions, receipts (token and Kantara document), verification, configs shown."""

from consent_gateway.consent.configs import keep_served_config, snapshot_banner_config
from consent_gateway.consent.decisions import (
    ACTIONS,
    Decision,
    RecordedConsent,
    RequestContext,
    append_decision,
    check_pending,
    issue_receipt,
    parse_decision,
)
from consent_gateway.consent.jws import ReceiptKeys, public_keys_of, verify_receipt_jws
from consent_gateway.consent.models import BannerConfig, ConsentEvent
from consent_gateway.consent.receipt_page import PurposeChoice, ReceiptPage, receipt_page
from consent_gateway.consent.receipts import (
    ReceiptClaims,
    ReceiptFacts,
    ReceiptSigner,
    build_receipt,
    iso,
)
from consent_gateway.consent.verification import (
    Verification,
    claims_of,
    event_facts,
    event_record,
    latest_event,
    receipt_status,
    shown_config,
    signed_event,
    verify_token,
)
from consent_gateway.consent.visitors import continued_visitor, lock_visitor
from consent_gateway.errors import InvalidReceipt

__all__ = [
    "ACTIONS",
    "BannerConfig",
    "ConsentEvent",
    "Decision",
    "InvalidReceipt",
    "PurposeChoice",
    "ReceiptClaims",
    "ReceiptFacts",
    "ReceiptKeys",
    "ReceiptPage",
    "ReceiptSigner",
    "RecordedConsent",
    "RequestContext",
    "Verification",
    "append_decision",
    "build_receipt",
    "check_pending",
    "claims_of",
    "continued_visitor",
    "event_facts",
    "event_record",
    "issue_receipt",
    "iso",
    "keep_served_config",
    "latest_event",
    "lock_visitor",
    "parse_decision",
    "public_keys_of",
    "receipt_page",
    "receipt_status",
    "shown_config",
    "signed_event",
    "snapshot_banner_config",
    "verify_receipt_jws",
    "verify_token",
]
