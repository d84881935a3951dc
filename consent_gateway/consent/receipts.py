"""Receipt tokens (itsdangerous, rotatable keys) and the Kantara Consent Receipt v1.1 document.

No Flask and no database here: the consent service hands in the facts of an event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from consent_gateway.consent.wording import termination
from consent_gateway.declaration import SitesConfig
from consent_gateway.errors import InvalidReceipt

SALT = "iqera.consent-receipt.v1"
KANTARA_VERSION = "KI-CR-v1.1.0"
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class ReceiptClaims:
    """What a token carries: enough to identify the event and show the choices offline."""

    receipt_id: str
    site_id: str
    visitor_id: str
    choices: dict[str, bool]
    policy_version: str
    config_hash: str


class ReceiptSigner:
    """Signs with the newest key (the last), verifies with any: key rotation never breaks receipts."""

    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._serializer = URLSafeTimedSerializer(list(keys), salt=SALT)

    def sign(self, claims: ReceiptClaims) -> str:
        return self._serializer.dumps(
            {
                "r": claims.receipt_id,
                "s": claims.site_id,
                "v": claims.visitor_id,
                "c": {k: int(v) for k, v in sorted(claims.choices.items())},
                "p": claims.policy_version,
                "h": claims.config_hash,
            }
        )

    def unsign(self, token: Any) -> tuple[ReceiptClaims, datetime]:
        """Return the claims and signing time, or raise InvalidReceipt."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidReceipt("malformed")
        try:
            data, signed_at = self._serializer.loads(token, return_timestamp=True)
        except BadSignature as exc:
            raise InvalidReceipt("bad_signature") from exc
        try:
            claims = ReceiptClaims(
                receipt_id=str(data["r"]),
                site_id=str(data["s"]),
                visitor_id=str(data["v"]),
                choices={str(k): bool(v) for k, v in data["c"].items()},
                policy_version=str(data["p"]),
                config_hash=str(data["h"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidReceipt("malformed") from exc
        return claims, signed_at


@dataclass(frozen=True)
class ReceiptFacts:
    """The facts of one consent event that a receipt document states."""

    receipt_id: str
    site_id: str
    visitor_id: str
    action: str
    choices: dict[str, bool]
    policy_version: str
    config_hash: str
    lang: str
    gpc: bool
    created_at: datetime
    expires_at: datetime
    script_hash: str | None
    # The choice per vendor of a consent-based purpose; None on receipts recorded before them.
    vendors: dict[str, bool] | None = None
    consent_hash: str | None = None
    # When the visitor chose a refusal their browser kept pending (``created_at``: when recorded).
    decided_at: datetime | None = None


def build_receipt(facts: ReceiptFacts, shown: dict[str, Any], sites: SitesConfig) -> dict[str, Any]:
    """The Kantara Consent Receipt v1.1 document for ``facts``.

    ``shown`` is the banner configuration the visitor saw (by its hash), so the purposes, vendors
    and links are those of the moment of consent, not of today's ``sites.yaml``. What the banner
    does not show comes from the declaration ``sites``: each purpose's ``pii_categories`` (in the
    receipt's language, like its labels and ``termination``), which
    vendors are first parties, the controller's country (the jurisdiction) and DPO contact.
    """
    controller = sites.controller
    site = sites.site(facts.site_id)
    first_parties = {v.name for v in site.vendors if v.first_party} if site else set()
    texts = shown.get("texts", {})
    privacy = texts.get("privacy_centre_path", f"/privacy/{facts.site_id}/")
    purposes = []
    for purpose in shown.get("purposes", []):
        granted = facts.choices.get(purpose["id"], False)
        if not granted:
            continue
        vendors = purpose.get("vendors", [])
        consented = _vendor_consents(vendors, facts.vendors)
        third_parties = [v["name"] for v in vendors
                         if v["name"] not in first_parties and consented.get(v.get("id", ""), True)]
        declared = sites.purposes.get(purpose["id"])
        entry: dict[str, Any] = {
            "purpose": purpose["label"],
            "purposeCategory": [purpose["id"]],
            "consentType": "EXPLICIT" if purpose["legal_basis"] == "consent" else "NOT_REQUIRED",
            "legalBasis": purpose["legal_basis"],
            "piiCategory": list(declared.pii_categories.get(facts.lang)) if declared else [],
            "primaryPurpose": purpose["required"],
            "termination": termination(facts.lang, facts.expires_at.date(), privacy),
            "thirdPartyDisclosure": bool(third_parties),
            "thirdPartyName": ", ".join(third_parties),
        }
        if facts.vendors is not None:
            entry["vendors"] = [{"id": v["id"], "name": v["name"], "consent": consented[v["id"]]}
                                for v in vendors if "id" in v]
        purposes.append(entry)
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": controller.country,
        "consentTimestamp": int((facts.decided_at or facts.created_at).timestamp()),
        "collectionMethod": "Web consent banner (consent.js v1)"
        if facts.action != "withdraw"
        else "Withdrawal through the consent banner or privacy centre",
        "consentReceiptID": facts.receipt_id,
        "language": facts.lang,
        "piiPrincipalId": facts.visitor_id,
        "piiControllers": [
            {
                "piiController": texts.get("controller", controller.name),
                "onBehalf": False,
                "contact": controller.dpo_name,
                "address": controller.address,
                "email": controller.dpo_email,
                "piiControllerUrl": texts.get("policy_url", ""),
            }
        ],
        "policyUrl": texts.get("policy_url", ""),
        "services": [{"service": texts.get("site_name", facts.site_id), "purposes": purposes}],
        "sensitive": False,
        "spiCat": [],
        "iqera": {
            "site": facts.site_id,
            "action": facts.action,
            "choices": dict(sorted(facts.choices.items())),
            "policy_version": facts.policy_version,
            "config_hash": facts.config_hash,
            **({"consent_hash": facts.consent_hash} if facts.consent_hash is not None else {}),
            **({"decided_at": iso(facts.decided_at), "recorded_at": iso(facts.created_at)}
               if facts.decided_at is not None else {}),
            "gpc": facts.gpc,
            "expires_at": iso(facts.expires_at),
            "script_hash": facts.script_hash,
            **({"vendors": dict(sorted(facts.vendors.items()))} if facts.vendors is not None else {}),
        },
    }


def _vendor_consents(shown_vendors: list[dict[str, Any]], chosen: dict[str, bool] | None) -> dict[str, bool]:
    """The consent of each vendor a purpose showed: as chosen, or (a vendor of a required purpose,
    or a receipt from before vendor-level choices) with its purpose."""
    return {v["id"]: True if chosen is None else chosen.get(v["id"], True)
            for v in shown_vendors if "id" in v}


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
