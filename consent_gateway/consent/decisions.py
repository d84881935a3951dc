"""Decisions: validate a consent POST against the declaration, append it to the ledger, sign it."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from consent_gateway.consent.configs import snapshot_banner_config
from consent_gateway.consent.jws import ReceiptKeys
from consent_gateway.consent.models import ConsentEvent
from consent_gateway.consent.receipts import ReceiptSigner, build_receipt, iso
from consent_gateway.consent.verification import claims_of, event_facts
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import StalePolicy, ValidationError, expect_object

ACTIONS = ("accept_all", "reject_all", "custom", "withdraw")
_BODY_KEYS = {"previous_token", "action", "choices", "vendors", "policy_version", "config_hash", "lang",
              "gpc", "ui", "decided_at"}
# The actions a browser may take at once and send later with the visitor's time (``decided_at``):
# refusals only. A grant is never back-dated: it takes effect only once its receipt exists.
PENDING_ACTIONS = ("reject_all", "withdraw", "custom")
# A visitor's clock may run a little ahead of ours: a time up to this far in the future is taken
# as now; further is refused.
CLOCK_SKEW = timedelta(minutes=2)
UI_LAYERS = ("first", "preferences", "placeholder", "close", "api")
# A banner left open for hours says nothing more about effort; longer times are kept as this.
UI_MS_MAX = 3_600_000
# Built once: the statement is the same for every decision (its compiled form is cached too).
_INSERT_EVENT = cast(Table, ConsentEvent.__table__).insert()


@dataclass(frozen=True)
class Decision:
    """A validated decision, with a choice for every purpose of the site. ``previous_token`` (not yet
    verified) is the receipt token of the decision it continues; None for a new visitor."""

    previous_token: str | None
    action: str
    choices: dict[str, bool]
    policy_version: str
    config_hash: str
    lang: str
    gpc: bool
    ui_layer: str | None = None
    ui_ms: int | None = None
    # The effective choice for every vendor of a consent-based purpose of the site.
    vendors: dict[str, bool] = field(default_factory=dict)
    # When the visitor chose, for a refusal their browser kept pending until the gateway answered.
    decided_at: datetime | None = None


@dataclass(frozen=True)
class RequestContext:
    """What the request says about the visitor, already reduced to non-identifying facts."""

    country: str | None = None
    browser_family: str | None = None
    device_class: str | None = None
    is_bot: bool = False
    gpc_header: bool = False


@dataclass(frozen=True)
class RecordedConsent:
    """A committed decision and its token. The 201 carries what the banner stores (``to_dict``);
    the Kantara receipt and its JWS are built on demand (``receipt``), and served by the receipt's
    ``GET`` (the receipt page and its ``receipt.json``/``receipt.jws``)."""

    event: ConsentEvent
    token: str
    sites: SitesConfig = field(repr=False, compare=False)
    receipt_keys: ReceiptKeys | None = field(default=None, repr=False, compare=False)

    @property
    def receipt(self) -> dict[str, Any]:
        site = self.sites.site(self.event.site_id)
        assert site is not None
        shown = self.sites.banner_config(site, self.event.lang)
        return build_receipt(event_facts(self.event), shown, self.sites)

    @property
    def receipt_jws(self) -> str | None:
        """The receipt as a compact JWS (EdDSA), verifiable offline with /.well-known/jwks.json."""
        return self.receipt_keys.sign_receipt(self.receipt) if self.receipt_keys is not None else None

    def to_dict(self) -> dict[str, Any]:
        """What the banner keeps in ``iq_consent`` (the HTTP API: under 1,000 bytes)."""
        e = self.event
        return {
            "receipt_id": e.receipt_id,
            "visitor_id": e.visitor_id,
            "token": self.token,
            "expires_at": iso(e.expires_at),
            "action": e.action,
            "choices": e.choices,
            "vendors": e.vendors or {},
            "policy_version": e.policy_version,
            "config_hash": e.config_hash,
            "consent_hash": e.consent_hash,
            "gpc": e.gpc,
        }


def parse_decision(sites: SitesConfig, site: Site, body: Any, *, gpc_header: bool = False) -> Decision:
    """Check a consent POST body against the site's declaration (docs/http-api.md) and complete it.

    Raises ValidationError (400) naming the field, or StalePolicy (409) when the visitor was shown
    another policy version or banner than the current one and must be asked again. The previous
    token is only checked for shape here; ``consent.continued_visitor`` verifies it.
    """
    if isinstance(body, dict) and "visitor_id" in body:
        raise ValidationError(
            "visitor_id is not accepted: knowing a visitor id never lets anyone act for that visitor; "
            "to continue your decision, send previous_token, the receipt token it gave you",
            field="visitor_id", code="visitor_id_refused")
    body = expect_object(body, _BODY_KEYS)
    action = body.get("action")
    if action not in ACTIONS:
        raise ValidationError(f"action must be one of {', '.join(ACTIONS)}", field="action")
    previous_token = body.get("previous_token")
    if previous_token is not None and (not isinstance(previous_token, str) or not previous_token):
        raise ValidationError("previous_token must be the receipt token of your previous decision",
                              field="previous_token")
    if action == "withdraw" and previous_token is None:
        raise ValidationError("withdraw needs previous_token, the receipt token of the decision to withdraw",
                              field="previous_token")
    lang = body.get("lang")
    if lang not in site.languages:
        raise ValidationError(f"lang must be one of {', '.join(site.languages)}", field="lang")
    gpc = body.get("gpc", False)
    if not isinstance(gpc, bool):
        raise ValidationError("gpc must be true or false", field="gpc")
    gpc = gpc or gpc_header
    for key in ("policy_version", "config_hash"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise ValidationError(f"{key} is required", field=key)
    if body["policy_version"] != site.policy_version:
        raise StalePolicy(
            f"policy version {body['policy_version']!r} is not the current one "
            f"({site.policy_version!r}): show the banner again and ask anew",
            field="policy_version",
        )
    if body["config_hash"] != sites.banner_config(site, lang)["config_hash"]:
        raise StalePolicy("the banner configuration changed since it was shown: ask anew",
                          field="config_hash")
    choices = _complete_choices(sites, site, action, body.get("choices", {}), gpc)
    vendors = _complete_vendors(sites, site, action, body.get("vendors", {}), choices)
    layer, ms = _parse_ui(body.get("ui"))
    grants = any(choices[p.id] for p in sites.site_purposes(site) if p.consent_based and not p.required)
    decided_at = _parse_decided_at(body.get("decided_at"), action, site, grants and previous_token is None)
    return Decision(previous_token, action, choices, site.policy_version, body["config_hash"], lang, gpc,
                    layer, ms, vendors, decided_at)


def _parse_decided_at(raw: Any, action: str, site: Site, grants_new: bool,
                      now: datetime | None = None) -> datetime | None:
    """``decided_at``: when the visitor chose a refusal their browser kept pending. Within the
    consent lifetime, never in the future (a clock a little ahead is taken as now). A custom
    decision that continues a visitor is checked against their current one when it is recorded
    (``check_pending``): it may only take back."""
    if raw is None:
        return None
    if action not in PENDING_ACTIONS:
        raise ValidationError(f"decided_at is only for a refusal ({', '.join(PENDING_ACTIONS)}): "
                              "a grant takes effect when it is recorded", field="decided_at")
    if action == "custom" and grants_new:
        raise ValidationError("decided_at is only for a refusal: this custom decision grants a purpose",
                              field="decided_at")
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError("decided_at must be an ISO 8601 time with its offset, e.g. "
                              "2026-12-05T09:30:00Z", field="decided_at")
    now = now or utcnow()
    if moment > now + CLOCK_SKEW:
        raise ValidationError("decided_at is in the future", field="decided_at")
    if moment < now - timedelta(days=site.consent_lifetime_days):
        raise ValidationError(f"decided_at is older than the site's consent lifetime "
                              f"({site.consent_lifetime_days} days)", field="decided_at")
    return min(moment, now).astimezone(UTC).replace(microsecond=0)


def _parse_ui(raw: Any) -> tuple[str | None, int | None]:
    """``ui: {layer, ms}``: where the decision was taken and how long after the banner showed."""
    if raw is None:
        return None, None
    ui = expect_object(raw, {"layer", "ms"})
    layer = ui.get("layer")
    if layer not in UI_LAYERS:
        raise ValidationError(f"ui.layer must be one of {', '.join(UI_LAYERS)}", field="ui.layer")
    ms = ui.get("ms")
    if ms is not None and (isinstance(ms, bool) or not isinstance(ms, int) or ms < 0):
        raise ValidationError("ui.ms must be a whole number of milliseconds, 0 or more", field="ui.ms")
    return layer, None if ms is None else min(ms, UI_MS_MAX)


def _complete_choices(sites: SitesConfig, site: Site, action: str, raw: Any, gpc: bool) -> dict[str, bool]:
    if not isinstance(raw, dict):
        raise ValidationError("choices must be an object of purpose: true|false", field="choices")
    purposes = {p.id: p for p in sites.site_purposes(site)}
    for pid, value in raw.items():
        if pid not in purposes:
            raise ValidationError(f"{pid!r} is not a purpose of site {site.id!r}",
                                  field=f"choices.{pid}", code="unknown_purpose")
        if not isinstance(value, bool):
            raise ValidationError(f"the choice for {pid!r} must be true or false",
                                  field=f"choices.{pid}")
    choices: dict[str, bool] = {}
    for pid, purpose in purposes.items():
        given = raw.get(pid)
        if purpose.required or not purpose.consent_based:
            if given is False:
                raise ValidationError(f"{pid!r} is required for the site to work and cannot be refused",
                                      field=f"choices.{pid}", code="required_purpose")
            choices[pid] = True
        elif action == "custom":
            if given is None:
                raise ValidationError(f"an explicit choice for {pid!r} is required",
                                      field=f"choices.{pid}", code="missing_choice")
            choices[pid] = given
        elif action == "accept_all":
            if given is False:
                raise ValidationError(f"accept_all cannot refuse {pid!r}: use custom",
                                      field=f"choices.{pid}")
            # Global Privacy Control: a blanket "accept all" does not override the signal for
            # sensitive purposes; only a purpose-by-purpose opt-in (custom) does.
            choices[pid] = not (gpc and purpose.gpc_sensitive)
        else:
            if given is True:
                raise ValidationError(f"{action} cannot grant {pid!r}: use custom", field=f"choices.{pid}")
            choices[pid] = False
    return choices


def _complete_vendors(sites: SitesConfig, site: Site, action: str, raw: Any,
                      choices: dict[str, bool]) -> dict[str, bool]:
    """Each consent-based purpose's vendors, granted with their purpose unless refused one by one
    (a placeholder grants only its own vendor: YouTube does not unlock Google Maps)."""
    if not isinstance(raw, dict):
        raise ValidationError("vendors must be an object of vendor id: true|false", field="vendors")
    for vid, value in raw.items():
        vendor = site.vendor(vid)
        if vendor is None:
            raise ValidationError(f"{vid!r} is not a vendor of site {site.id!r}", field="vendors",
                                  code="unknown_vendor")
        if not isinstance(value, bool):
            raise ValidationError(f"the choice for vendor {vid!r} must be true or false", field="vendors")
        purpose = sites.purposes[vendor.purpose]
        if (purpose.required or not purpose.consent_based) and value is False:
            raise ValidationError(f"{vid!r} serves {vendor.purpose!r}, which is required for the site "
                                  "to work: it cannot be refused", field="vendors", code="required_purpose")
        if value and not choices[vendor.purpose]:
            raise ValidationError(f"{vid!r} cannot be granted while its purpose {vendor.purpose!r} is "
                                  "refused", field="vendors")
        if action == "accept_all" and value is False:
            raise ValidationError(f"accept_all cannot refuse vendor {vid!r}: use custom", field="vendors")
    return {v.id: choices[v.purpose] and raw.get(v.id, True)
            for v in site.vendors if sites.purposes[v.purpose].consent_based}


def append_decision(
    session: Session,
    sites: SitesConfig,
    site: Site,
    decision: Decision,
    context: RequestContext,
    *,
    visitor_id: str | None = None,
    script_hash: str | None = None,
    known_configs: set[str] | None = None,
    now: datetime | None = None,
) -> ConsentEvent:
    """Append the decision to the ledger in the caller's transaction (no commit).

    ``visitor_id`` is the visitor the decision continues, as its previous token proved
    (``continued_visitor``); without it a new pseudonymous visitor id is issued.
    The caller commits once, then signs (``issue_receipt``): an acknowledged consent is durable.
    """
    now = now or utcnow()
    if decision.action == "withdraw" and visitor_id is None:
        raise ValidationError("withdraw needs previous_token, the receipt token of the decision to withdraw",
                              field="previous_token")
    shown = sites.banner_config(site, decision.lang)
    if known_configs is None or shown["config_hash"] not in known_configs:
        snapshot_banner_config(session, site, decision.lang, shown, now)
    values = {
        "receipt_id": uuid.uuid4().hex,
        "site_id": site.id,
        "visitor_id": visitor_id or secrets.token_urlsafe(16),
        "action": decision.action,
        "choices": decision.choices,
        "vendors": decision.vendors,
        "policy_version": decision.policy_version,
        "config_hash": decision.config_hash,
        "consent_hash": shown["consent_hash"],
        "lang": decision.lang,
        "gpc": decision.gpc,
        "country": context.country,
        "browser_family": context.browser_family,
        "device_class": context.device_class,
        "is_bot": context.is_bot,
        "script_hash": script_hash,
        "ui_layer": decision.ui_layer,
        "ui_ms": decision.ui_ms,
        "created_at": now.replace(microsecond=0),
        # A pending refusal lasts from when the visitor chose it, like the browser's copy.
        "expires_at": ((decision.decided_at or now) + timedelta(days=site.consent_lifetime_days))
        .replace(microsecond=0),
        "decided_at": decision.decided_at,
    }
    # A Core INSERT on the session's connection: the event is never read back or changed in this
    # unit of work, and the ORM's flush and bulk-insert machinery cost more than the INSERT itself.
    session.connection().execute(_INSERT_EVENT, values)
    return ConsentEvent(**values)


def issue_receipt(sites: SitesConfig, site: Site, event: ConsentEvent, signer: ReceiptSigner,
                  known_configs: set[str] | None = None,
                  receipt_keys: ReceiptKeys | None = None) -> RecordedConsent:
    """Sign the committed ``event``'s token. The Kantara receipt (and, with ``receipt_keys``, its
    JWS that anyone can verify offline) is built only when asked for: the banner does not need it."""
    if known_configs is not None:
        known_configs.add(sites.banner_config(site, event.lang)["config_hash"])
    return RecordedConsent(event, signer.sign(claims_of(event)), sites, receipt_keys)


def check_pending(decision: Decision, current: ConsentEvent | None) -> None:
    """A decision sent with ``decided_at`` takes back and never grants: a custom one may only keep
    what the visitor's current decision granted (400 otherwise)."""
    if decision.decided_at is None or decision.action != "custom":
        return
    held = current.choices if current is not None and current.action != "withdraw" else {}
    extra = sorted(pid for pid, granted in decision.choices.items() if granted and not held.get(pid, False))
    if extra:
        raise ValidationError(f"decided_at is only for a refusal: this decision grants {', '.join(extra)}",
                              field="decided_at")
