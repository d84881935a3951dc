"""The declaration as frozen dataclasses, and the banner configuration derived from it (with its hash).

Validation of the raw file lives in ``schema``; nothing here reads a file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale

from consent_gateway.declaration.durations import duration_words

LEGAL_BASES = ("consent", "contract", "legal_obligation", "legitimate_interest")
GCM_TYPES = (
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)
LANGUAGES = ("fr", "en")
FAB_POSITIONS = ("bottom-left", "bottom-right")
FIELD_KINDS = ("text", "email", "phone", "pattern", "datetime", "country", "url_list", "file")
# The file types a `file` field may accept: each is recognised by its content (magic bytes), and
# stored and served under this media type and extension, whatever the uploader called it.
FILE_TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
}
MAX_FILE_KB = 20 * 1024
TRACKER_MAX_DAYS = 395  # CNIL: a tracker lives at most 13 months
CONSENT_MAX_DAYS = 395
SITE_ID = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")
PURPOSE_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
VENDOR_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# RFC 6265 cookie-name token characters (a declared name may also end with a * wildcard).
COOKIE_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$")
FIRST_PARTY = "first_party"
# The European Economic Area: the EU's 27 members, Iceland, Liechtenstein and Norway. A vendor
# elsewhere must declare the safeguard of the transfer (GDPR chapter V).
EEA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)
# An HTML autocomplete detail token list (e.g. "family-name", "section-a shipping tel").
AUTOCOMPLETE_TOKENS = re.compile(r"^[a-z0-9-]+( [a-z0-9-]+)*$")


@dataclass(frozen=True)
class Text:
    fr: str
    en: str

    def get(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class TextList:
    """A list of short texts in each language, the same items in the same order."""

    fr: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, lang: str) -> tuple[str, ...]:
        return getattr(self, lang) if lang in LANGUAGES else self.fr


@dataclass(frozen=True)
class Transfer:
    country: Text
    safeguard: Text


@dataclass(frozen=True)
class Controller:
    name: str
    country: str
    address: str
    dpo_name: str
    dpo_email: str
    dpo_address: str
    authority_name: str
    authority_url: str
    transfers: tuple[Transfer, ...]
    recipients: Text


@dataclass(frozen=True)
class Purpose:
    id: str
    label: Text
    description: Text
    legal_basis: str
    required: bool
    gpc_sensitive: bool
    gcm: tuple[str, ...]
    trackers: bool
    retention_days: int
    pii_categories: TextList
    retention_note: Text | None = None

    @property
    def consent_based(self) -> bool:
        return self.legal_basis == "consent"

    @property
    def retention(self) -> Text:
        """The retention period in words, derived from ``retention_days`` so the two never disagree,
        continued by the declared ``retention_note`` (what it runs from, a legal nuance): "3 ans" +
        "après notre dernier échange"."""
        words = duration_text(self.retention_days)
        if self.retention_note is None:
            return words
        return Text(**{lang: f"{words.get(lang)} {self.retention_note.get(lang)}" for lang in LANGUAGES})


@dataclass(frozen=True)
class Cookie:
    """A cookie a site declares: one of its vendors' cookies, under the purpose that vendor serves
    there. ``domain`` is an explicit domain or FIRST_PARTY (the embedding site's own domain)."""

    name: str
    provider: str
    purpose: str
    duration_days: int
    domain: str
    vendor: str = ""

    def matches(self, name: str) -> bool:
        """Whether the cookie ``name`` is this one (a declared name may end with a * wildcard)."""
        if self.name.endswith("*"):
            return name.startswith(self.name[:-1])
        return name == self.name


@dataclass(frozen=True)
class VendorCookie:
    name: str
    domain: str
    duration_days: int


@dataclass(frozen=True)
class WithdrawCall:
    """A vendor's opt-out call: ``call`` is a dotted path on ``window``, ``args`` JSON values."""

    call: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Vendor:
    """A vendor of the catalogue (top-level ``vendors``), as one site uses it: ``purpose`` is the
    catalogue's default purpose or the site's override."""

    id: str
    name: str
    provider: str
    purpose: str
    country: str
    privacy_url: str
    transfer: Text | None = None
    cookies: tuple[VendorCookie, ...] = ()
    on_withdraw: tuple[WithdrawCall, ...] = ()
    first_party: bool = False
    # The Consent Mode types this vendor needs; None (not declared): its purpose's ``gcm`` applies.
    gcm: tuple[str, ...] | None = None
    # The hosts its tags, pixels and frames load from (a host also covers its subdomains): how
    # the tracker scan tells this vendor's requests from an undeclared one's.
    hosts: tuple[str, ...] = ()

    def loads_from(self, host: str) -> bool:
        return any(host == h or host.endswith(f".{h}") for h in self.hosts)

    @property
    def outside_eea(self) -> bool:
        return self.country not in EEA_COUNTRIES

    def country_name(self, lang: str) -> str:
        return country_name(self.country, lang)

    def describe(self, lang: str) -> dict[str, Any]:
        """The vendor as the banner shows it in ``lang`` (the privacy centre's partner list too)."""
        return {
            "id": self.id,
            "name": self.name,
            "provider": self.provider,
            "country": self.country_name(lang),
            "outside_eea": self.outside_eea,
            "transfer": self.transfer.get(lang) if self.transfer else None,
            "privacy_url": self.privacy_url,
            "on_withdraw": [{"call": w.call, "args": list(w.args)} for w in self.on_withdraw],
            "cookies": [{"name": c.name, "duration_days": c.duration_days, "domain": c.domain}
                        for c in self.cookies],
        }


@dataclass(frozen=True)
class ContactField:
    name: str
    purpose: str
    required: bool
    kind: str
    label: Text
    pattern: str | None = None
    max_length: int = 200
    hint: Text | None = None
    autocomplete: str = "off"
    # `file` fields only: the accepted FILE_TYPES and the size limit of one file, in bytes.
    accept: tuple[str, ...] = ()
    max_bytes: int = 0

    @property
    def is_file(self) -> bool:
        return self.kind == "file"

    @property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None


@dataclass(frozen=True)
class ContactForm:
    fields: tuple[ContactField, ...]
    notice: Text

    def field(self, name: str) -> ContactField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def file_fields(self) -> tuple[ContactField, ...]:
        return tuple(f for f in self.fields if f.is_file)


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    entity: str
    origins: tuple[str, ...]
    languages: tuple[str, ...]
    policy_url: str
    cookie_policy_url: str
    policy_version: str
    consent_lifetime_days: int
    purpose_ids: tuple[str, ...]
    vendors: tuple[Vendor, ...]
    contact: ContactForm | None
    demo_tags: dict[str, str] = field(default_factory=dict, hash=False)
    reload_on_withdraw: bool = True
    # The pages the tracker scan visits (``scan.pages``; default: each origin's /).
    scan_pages: tuple[str, ...] = ()
    fab_position: str = "bottom-left"

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def cookies(self) -> tuple[Cookie, ...]:
        """The site's declared cookies: its vendors' cookies, each under its vendor's purpose."""
        return tuple(
            Cookie(c.name, v.name, v.purpose, c.duration_days, c.domain, v.id)
            for v in self.vendors for c in v.cookies
        )

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)

    def declares_cookie(self, name: str) -> bool:
        return any(c.matches(name) for c in self.cookies)


@dataclass(frozen=True)
class SitesConfig:
    """The whole declaration: controller, purposes, texts and sites."""

    path: Path
    controller: Controller
    purposes: dict[str, Purpose]
    texts: dict[str, dict[str, str]]
    sites: dict[str, Site]
    consent_events_retention_days: int
    to_confirm: tuple[str, ...] = ()
    # The vendor catalogue (top-level ``vendors``) as declared, each under its default purpose.
    vendors: dict[str, Vendor] = field(default_factory=dict, compare=False, repr=False)
    _banner_cache: dict[tuple[str, str], dict[str, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def site(self, site_id: str) -> Site | None:
        return self.sites.get(site_id)

    def site_purposes(self, site: Site) -> list[Purpose]:
        return [self.purposes[p] for p in site.purpose_ids]

    def banner_config(self, site: Site, lang: str) -> dict[str, Any]:
        """What the banner shows for ``site`` in ``lang``, with its ``config_hash``.

        The hash covers every word, purpose, vendor and cookie the visitor is shown, so a receipt
        that names it proves exactly what was on screen. ``gpc`` is per request and not hashed;
        ``partners_url`` is the absolute form of the hashed ``privacy_centre_path`` (see
        ``served_config``), added where the gateway's public URL is known.
        """
        key = (site.id, lang)
        if key not in self._banner_cache:
            body = self._banner_body(site, lang)
            body["config_hash"] = config_hash(body)
            self._banner_cache[key] = body
        return self._banner_cache[key]

    def _banner_body(self, site: Site, lang: str) -> dict[str, Any]:
        texts = dict(self.texts[lang])
        texts.update(
            controller=site.entity,
            site_name=site.name,
            policy_url=site.policy_url,
            cookie_policy_url=site.cookie_policy_url,
            privacy_centre_path=f"/privacy/{site.id}/",
        )
        purposes = []
        for purpose in self.site_purposes(site):
            vendors = [{**v.describe(lang), "gcm": list(purpose.gcm if v.gcm is None else v.gcm)}
                       for v in site.vendors if v.purpose == purpose.id]
            purposes.append(
                {
                    "id": purpose.id,
                    "required": purpose.required,
                    "legal_basis": purpose.legal_basis,
                    "gpc_sensitive": purpose.gpc_sensitive,
                    "gcm": list(purpose.gcm),
                    "label": purpose.label.get(lang),
                    "description": purpose.description.get(lang),
                    "vendors": vendors,
                }
            )
        return {
            "site": site.id,
            "lang": lang,
            "policy_version": site.policy_version,
            "consent_hash": self.consent_hash(site),
            "consent_max_age_days": site.consent_lifetime_days,
            "reload_on_withdraw": site.reload_on_withdraw,
            "fab_position": site.fab_position,
            "texts": texts,
            "purposes": purposes,
        }

    def consent_hash(self, site: Site) -> str:
        """What consent on ``site`` covers, in no language: its policy version, and each purpose's
        legal basis, whether it is required and its vendors. A change here asks every visitor again;
        a change of wording (kept and proven by ``config_hash``) does not."""
        return config_hash({
            "policy_version": site.policy_version,
            "purposes": [{"id": p.id, "legal_basis": p.legal_basis, "required": p.required,
                          "vendors": sorted(v.id for v in site.vendors if v.purpose == p.id)}
                         for p in self.site_purposes(site)],
        })

    def config_hashes(self, site: Site) -> dict[str, str]:
        """The current config hash of ``site`` in each of its languages."""
        return {lang: self.banner_config(site, lang)["config_hash"] for lang in site.languages}


def served_config(shown: dict[str, Any], public_url: str, gpc: bool) -> dict[str, Any]:
    """The configuration as served to a banner: ``shown`` plus what depends on the request or on
    the deployment (the GPC signal, the absolute link to the partner list)."""
    partners = f"{public_url}{shown['texts']['privacy_centre_path']}#partners"
    return {**shown, "gpc": gpc, "partners_url": partners}


def country_name(code: str, lang: str) -> str:
    """The country ``code`` (ISO 3166-1 alpha-2) in ``lang``, from the CLDR territory names."""
    return Locale.parse(lang).territories.get(code, code)


def config_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def duration_text(days: int) -> Text:
    """``days`` in the largest whole unit it amounts to: 1095 is "3 ans"/"3 years", 395 is
    "13 mois"/"13 months", 45 is "45 jours"/"45 days" (a year is 365.25 days, a month a twelfth)."""
    return Text(**duration_words(days))
