"""Validation of the raw ``sites.yaml`` tree: every problem is reported with its key path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from consent_gateway.declaration.checker import Checker
from consent_gateway.declaration.model import (
    AUTOCOMPLETE_TOKENS,
    CONSENT_MAX_DAYS,
    COUNTRY_CODE,
    FAB_POSITIONS,
    FIELD_KINDS,
    FIELD_NAME,
    FILE_TYPES,
    GCM_TYPES,
    LANGUAGES,
    LEGAL_BASES,
    MAX_FILE_KB,
    PURPOSE_ID,
    SITE_ID,
    ContactField,
    ContactForm,
    Controller,
    Purpose,
    Site,
    SitesConfig,
    Transfer,
    Vendor,
)
from consent_gateway.declaration.vendors import parse_catalogue, site_vendors
from consent_gateway.errors import ConfigurationError

# The gated elements of the demo page (/demo/<site>), each activated by the purpose a site names.
DEMO_TAGS = ("analytics", "marketing", "video")


def parse_sites(path: Path, raw: Any) -> SitesConfig:
    c = Checker()
    root = c.mapping(
        raw,
        "(top level)",
        {"controller", "purposes", "texts", "vendors", "sites", "consent_events", "to_confirm"},
        {"controller", "purposes", "texts", "vendors", "sites"},
    )
    controller = _controller(c, root.get("controller", {}))
    purposes = _purposes(c, root.get("purposes", {}))
    texts = _texts(c, root.get("texts", {}))
    catalogue = parse_catalogue(c, root.get("vendors", {}), purposes)
    events = c.mapping(root.get("consent_events", {}), "consent_events", {"retention_days"}, set())
    retention = c.integer(events, "retention_days", "consent_events", 30, 3660, default=1826)
    sites_raw = root.get("sites", {})
    if not isinstance(sites_raw, dict) or not sites_raw:
        c.fail("sites", "must declare at least one site")
        sites_raw = {}
    sites = {sid: _site(c, sid, node, purposes, catalogue) for sid, node in sites_raw.items()}
    to_confirm = tuple(str(x) for x in c.items(root, "to_confirm", "(top level)"))
    if c.problems:
        raise ConfigurationError(
            f"{path} is not valid:\n" + "\n".join(f"{path}: {p}" for p in c.problems)
        )
    return SitesConfig(
        path=path,
        controller=controller,
        purposes=purposes,
        texts=texts,
        sites=sites,
        consent_events_retention_days=retention,
        to_confirm=to_confirm,
    )


def _controller(c: Checker, node: Any) -> Controller:
    p = "controller"
    keys = {"name", "country", "address", "dpo", "authority", "transfers", "recipients"}
    node = c.mapping(node, p, keys, keys)
    dpo_keys = {"name", "email", "address"}
    dpo = c.mapping(node.get("dpo", {}), f"{p}.dpo", dpo_keys, dpo_keys)
    authority = c.mapping(node.get("authority", {}), f"{p}.authority", {"name", "url"}, {"name", "url"})
    transfers = []
    for i, item in enumerate(c.items(node, "transfers", p)):
        tp = f"{p}.transfers[{i}]"
        item = c.mapping(item, tp, {"country", "safeguard"}, {"country", "safeguard"})
        transfers.append(Transfer(c.text(item, "country", tp), c.text(item, "safeguard", tp)))
    email = c.string(dpo, "email", f"{p}.dpo")
    if email and "@" not in email:
        c.fail(f"{p}.dpo.email", f"{email!r} is not an email address")
    country = c.string(node, "country", p)
    if country and not COUNTRY_CODE.match(country):
        c.fail(f"{p}.country", f"{country!r} is not an ISO 3166-1 alpha-2 code such as FR "
               "(it is the receipts' jurisdiction)")
    return Controller(
        name=c.string(node, "name", p),
        country=country,
        address=c.string(node, "address", p),
        dpo_name=c.string(dpo, "name", f"{p}.dpo"),
        dpo_email=email,
        dpo_address=c.string(dpo, "address", f"{p}.dpo"),
        authority_name=c.string(authority, "name", f"{p}.authority"),
        authority_url=c.url(authority, "url", f"{p}.authority"),
        transfers=tuple(transfers),
        recipients=c.text(node, "recipients", p),
    )


def _purposes(c: Checker, node: Any) -> dict[str, Purpose]:
    if not isinstance(node, dict) or not node:
        c.fail("purposes", "must declare at least one purpose")
        return {}
    out: dict[str, Purpose] = {}
    keys = {"label", "description", "legal_basis", "required", "gpc_sensitive", "gcm", "trackers",
            "retention_days", "retention_note", "pii_categories"}
    for pid, item in node.items():
        p = f"purposes.{pid}"
        if not isinstance(pid, str) or not PURPOSE_ID.match(pid):
            c.fail(p, "purpose ids are lower-case letters, digits and _")
        if isinstance(item, dict) and "retention" in item:
            c.fail(f"{p}.retention", "the retention period in words is derived from retention_days; "
                   "put what it runs from or any legal nuance in retention_note")
            item = {k: v for k, v in item.items() if k != "retention"}
        item = c.mapping(item, p, keys, {"label", "description", "legal_basis", "retention_days",
                                         "pii_categories"})
        basis = item.get("legal_basis")
        if basis not in LEGAL_BASES:
            c.fail(f"{p}.legal_basis", f"{basis!r} is not one of {', '.join(LEGAL_BASES)}")
        trackers = c.boolean(item, "trackers", p)
        required = c.boolean(item, "required", p)
        if trackers and basis != "consent":
            c.fail(f"{p}.legal_basis", "a purpose that sets or reads non-essential trackers must "
                   f"have the legal basis 'consent', not {basis!r}")
        if required and basis == "consent":
            c.fail(f"{p}.required", "a consent-based purpose cannot be required: it must be refusable")
        gcm = c.items(item, "gcm", p)
        for i, g in enumerate(gcm):
            if g not in GCM_TYPES:
                c.fail(f"{p}.gcm[{i}]", f"{g!r} is not a Consent Mode type ({', '.join(GCM_TYPES)})")
        out[pid] = Purpose(
            id=pid,
            label=c.text(item, "label", p),
            description=c.text(item, "description", p),
            legal_basis=basis if basis in LEGAL_BASES else "consent",
            required=required,
            gpc_sensitive=c.boolean(item, "gpc_sensitive", p),
            gcm=tuple(str(g) for g in gcm),
            trackers=trackers,
            retention_days=c.integer(item, "retention_days", p, 1, 3660),
            pii_categories=_pii_categories(c, item, p),
            retention_note=c.optional_text(item, "retention_note", p),
        )
    return out


def _pii_categories(c: Checker, item: dict, p: str) -> tuple[str, ...]:
    """Kantara's ``piiCategory``: one English list, the same words in every receipt's language."""
    categories = c.items(item, "pii_categories", p)
    if "pii_categories" in item and not categories:
        c.fail(f"{p}.pii_categories", "must name at least one category of personal data")
    for i, category in enumerate(categories):
        if not isinstance(category, str) or not category.strip():
            c.fail(f"{p}.pii_categories[{i}]", "must be a non-empty string")
    return tuple(str(x).strip() for x in categories)


def _texts(c: Checker, node: Any) -> dict[str, dict[str, str]]:
    node = c.mapping(node, "texts", set(LANGUAGES), set(LANGUAGES))
    out: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        entries = node.get(lang, {})
        if not isinstance(entries, dict):
            c.fail(f"texts.{lang}", "must be a mapping of text keys to strings")
            entries = {}
        out[lang] = {}
        for key, value in entries.items():
            if not isinstance(value, str) or not value.strip():
                c.fail(f"texts.{lang}.{key}", "must be a non-empty string")
            else:
                out[lang][str(key)] = value.strip()
    for lang in LANGUAGES:
        other = next(x for x in LANGUAGES if x != lang)
        for key in sorted(set(out[other]) - set(out[lang])):
            c.fail(f"texts.{lang}.{key}", f"is missing (it exists in texts.{other})")
    return out


def _site(c: Checker, sid: str, node: Any, purposes: dict[str, Purpose],
          catalogue: dict[str, Vendor]) -> Site:
    p = f"sites.{sid}"
    if not isinstance(sid, str) or not SITE_ID.match(sid):
        c.fail(p, "site ids are 2-40 lower-case letters, digits, - and _")
    keys = {"name", "entity", "origins", "origins_confirmed", "languages", "policy_url",
            "cookie_policy_url", "policy_version", "consent_lifetime_days", "purposes", "vendors",
            "cookies", "contact", "demo_tags", "reload_on_withdraw",
            "fab_position"}
    node = c.mapping(node, p, keys, {"name", "entity", "origins", "languages", "policy_url",
                                     "cookie_policy_url", "policy_version", "purposes"})
    origins = tuple(c.check_url(o, f"{p}.origins[{i}]", origin=True)
                    for i, o in enumerate(c.items(node, "origins", p)))
    if not origins:
        c.fail(f"{p}.origins", "must list at least one allowed origin")
    c.boolean(node, "origins_confirmed", p)
    languages = tuple(c.items(node, "languages", p))
    for i, lang in enumerate(languages):
        if lang not in LANGUAGES:
            c.fail(f"{p}.languages[{i}]", f"{lang!r} is not one of {', '.join(LANGUAGES)}")
    if not languages:
        c.fail(f"{p}.languages", "must list at least one language")
    purpose_ids = tuple(c.items(node, "purposes", p))
    for i, pid in enumerate(purpose_ids):
        if pid not in purposes:
            c.fail(f"{p}.purposes[{i}]", f"{pid!r} is not declared under purposes")
    if not any(purposes[x].consent_based for x in purpose_ids if x in purposes):
        c.fail(f"{p}.purposes", "the banner must offer at least one consent-based purpose")
    if "cookies" in node:
        c.fail(f"{p}.cookies", "a site's cookies are its vendors' cookies: declare them once in the "
               "vendor catalogue (top-level vendors) and list the vendors under the site")
    vendors = site_vendors(c, p, node, catalogue, purposes, purpose_ids)
    contact = None
    if "contact" in node:
        contact = _contact(c, f"{p}.contact", node["contact"], purposes, purpose_ids)
    return Site(
        id=sid,
        name=c.string(node, "name", p),
        entity=c.string(node, "entity", p),
        origins=tuple(o.rstrip("/") for o in origins if o),
        languages=tuple(lang for lang in languages if lang in LANGUAGES) or ("fr",),
        policy_url=c.url(node, "policy_url", p),
        cookie_policy_url=c.url(node, "cookie_policy_url", p),
        policy_version=str(node.get("policy_version", "")).strip() or c.string(node, "policy_version", p),
        consent_lifetime_days=c.integer(node, "consent_lifetime_days", p, 1, CONSENT_MAX_DAYS, default=182),
        purpose_ids=purpose_ids,
        vendors=vendors,
        contact=contact,
        reload_on_withdraw=c.boolean(node, "reload_on_withdraw", p, default=True),
        fab_position=_fab_position(c, node, p),
        demo_tags=_demo_tags(c, f"{p}.demo_tags", node.get("demo_tags", {}), purposes, purpose_ids),
    )


def _demo_tags(c: Checker, p: str, node: Any, purposes: dict[str, Purpose], offered: tuple) -> dict[str, str]:
    """Which purpose gates each element of the site's demo page; an element not named is left out."""
    node = c.mapping(node, p, set(DEMO_TAGS), set())
    for tag, pid in node.items():
        if pid not in offered or not purposes[pid].consent_based:
            c.fail(f"{p}.{tag}", f"{pid!r} is not one of this site's consent-based purposes")
    return {str(tag): str(pid) for tag, pid in node.items() if tag in DEMO_TAGS}


def _contact(c: Checker, p: str, node: Any, purposes: dict[str, Purpose], banner: tuple) -> ContactForm:
    node = c.mapping(node, p, {"fields", "notice"}, {"fields", "notice"})
    fields = []
    seen: set[str] = set()
    for i, item in enumerate(c.items(node, "fields", p)):
        fp = f"{p}.fields[{i}]"
        item = c.mapping(item, fp, {"name", "purpose", "required", "kind", "label", "pattern",
                                    "max_length", "hint", "autocomplete", "accept", "max_size_kb"},
                         {"name", "purpose", "kind", "label"})
        autocomplete = c.string(item, "autocomplete", fp, default="off")
        if autocomplete and not AUTOCOMPLETE_TOKENS.match(autocomplete):
            c.fail(f"{fp}.autocomplete", f"{autocomplete!r} is not an HTML autocomplete token "
                   "(e.g. family-name, given-name, email, tel, off)")
        name = c.string(item, "name", fp)
        if name and not FIELD_NAME.match(name):
            c.fail(f"{fp}.name", "field names are lower-case letters, digits and _")
        if name in seen:
            c.fail(f"{fp}.name", f"{name!r} is declared twice")
        seen.add(name)
        purpose = item.get("purpose")
        if purpose not in purposes:
            c.fail(f"{fp}.purpose", f"{purpose!r} is not declared under purposes")
        elif purposes[purpose].consent_based and purpose not in banner:
            c.fail(f"{fp}.purpose", f"{purpose!r} is consent-based but this site's banner does not "
                   "offer it, so it could never be granted")
        kind = item.get("kind")
        if kind not in FIELD_KINDS:
            c.fail(f"{fp}.kind", f"{kind!r} is not one of {', '.join(FIELD_KINDS)}")
        pattern = item.get("pattern")
        if kind == "pattern" and not pattern:
            c.fail(f"{fp}.pattern", "a field of kind 'pattern' needs a pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                c.fail(f"{fp}.pattern", f"not a valid regular expression: {exc}")
                pattern = None
        accept, max_kb = _file_limits(c, fp, item, kind)
        fields.append(ContactField(
            name=name,
            purpose=str(purpose),
            required=c.boolean(item, "required", fp),
            kind=str(kind),
            label=c.text(item, "label", fp),
            pattern=pattern,
            max_length=c.integer(item, "max_length", fp, 1, 20000, default=200),
            hint=c.optional_text(item, "hint", fp),
            autocomplete=autocomplete or "off",
            accept=accept,
            max_bytes=max_kb * 1024,
        ))
    if not fields:
        c.fail(f"{p}.fields", "must declare at least one field")
    return ContactForm(fields=tuple(fields), notice=c.text(node, "notice", p))


def _file_limits(c: Checker, fp: str, item: dict, kind: Any) -> tuple[tuple[str, ...], int]:
    """A `file` field's accepted types and size limit (KiB); other kinds may declare neither."""
    if kind != "file":
        for key in ("accept", "max_size_kb"):
            if key in item:
                c.fail(f"{fp}.{key}", "only a field of kind 'file' takes this key")
        return (), 0
    accept = c.items(item, "accept", fp)
    if not accept:
        c.fail(f"{fp}.accept", f"a file field must accept at least one of {', '.join(FILE_TYPES)}")
    for i, kind_name in enumerate(accept):
        if kind_name not in FILE_TYPES:
            c.fail(f"{fp}.accept[{i}]", f"{kind_name!r} is not one of {', '.join(FILE_TYPES)}")
    if "max_size_kb" not in item:
        c.fail(f"{fp}.max_size_kb", "a file field needs a size limit, in KiB")
    max_kb = c.integer(item, "max_size_kb", fp, 1, MAX_FILE_KB, default=1)
    return tuple(str(a) for a in accept if a in FILE_TYPES), max_kb


def _fab_position(c: Checker, node: dict, p: str) -> str:
    """Where the floating "manage cookies" control sits: a corner the site's own content leaves free."""
    position = c.string(node, "fab_position", p, default="bottom-left")
    if position not in FAB_POSITIONS:
        c.fail(f"{p}.fab_position", f"must be one of {', '.join(FAB_POSITIONS)}")
    return position
