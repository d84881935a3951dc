"""The gateway's long-lived objects, built once per app and reached from views and the CLI."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from flask import current_app, request
from flask_limiter import Limiter

from consent_gateway.consent import ReceiptKeys, ReceiptSigner
from consent_gateway.declaration import SitesConfig
from consent_gateway.enrich import GeoIP
from consent_gateway.settings import Settings
from consent_gateway.workflows import DecisionBatches


def client_key() -> str:
    """The client a rate limit counts: a keyed hash of its address (after ``TRUSTED_PROXIES``), so
    that no limit storage, Redis included, ever holds an IP address. The key derives from the
    newest signing key, which every instance shares, so that instances count a client alike."""
    secret = current_app.extensions["ratelimit_key"]
    return hmac.new(secret, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()[:32]


# Created without an app (nothing is touched at import); bound in create_app (web.limits).
limiter = Limiter(key_func=client_key, headers_enabled=True)


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
