"""The gateway's long-lived objects, built once per app and reached from views and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from consent_gateway.consent import ReceiptKeys, ReceiptSigner
from consent_gateway.declaration import SitesConfig
from consent_gateway.enrich import GeoIP
from consent_gateway.settings import Settings
from consent_gateway.workflows import DecisionBatches

# Created without an app (nothing is touched at import); bound in create_app.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


@dataclass
class Gateway:
    settings: Settings
    sites: SitesConfig
    signer: ReceiptSigner
    # Ed25519 keys: each receipt's JWS, the JWKS, ledger checkpoints.
    receipt_keys: ReceiptKeys
    geoip: GeoIP
    script_hash: str | None = None
    # Config hashes already kept in banner_config by this process (saves a lookup per request).
    snapshotted: set[str] = field(default_factory=set)
    # The group commit of new visitors' decisions (one per process).
    decision_batches: DecisionBatches = field(default_factory=DecisionBatches)
    # Banner-config answers ready to send, by (site, lang, gpc): bytes and ETag.
    banner_responses: dict[tuple[str, str, bool], tuple[bytes, str]] = field(default_factory=dict)


def gateway() -> Gateway:
    """The Gateway of the current app."""
    return current_app.extensions["gateway"]
