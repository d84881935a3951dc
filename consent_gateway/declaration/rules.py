"""The checks of ``sites.yaml`` that relate keys to each other, with their key paths.

The models of ``document.py`` check each value; these check what a value means for another: a
purpose a site or a field names is declared, a tracker purpose is consent-based, a vendor serves
one of the site's purposes, a tracker cookie lives at most 13 months, a `file` field has its
limits. They read the raw tree leniently (a part of the wrong shape is the models' to report), so
one run reports every problem of the file.
"""

from __future__ import annotations

from typing import Any

from consent_gateway.declaration.model import (
    EEA_COUNTRIES,
    FILE_TYPES,
    LANGUAGES,
    LEGAL_BASES,
    TRACKER_MAX_DAYS,
)

# What these checks make sure of, in words (docs/sites-yaml.md lists them).
RULES = (
    "a purpose that sets or reads trackers (`trackers: true`) has the legal basis `consent`;",
    "a consent-based purpose is not `required` (it must be refusable);",
    "`texts.fr` and `texts.en` have the same keys;",
    "a vendor's `purpose` is declared under `purposes`, and a vendor outside the EEA declares its "
    "`transfer` safeguard;",
    "a site's `purposes` are declared, and at least one of them is consent-based;",
    "a site's `vendors` are vendors of the catalogue, each listed once, each serving one of the "
    "site's purposes (its own or the `purpose` the site gives it);",
    "a cookie of a vendor that serves a tracker purpose lives at most 13 months (395 days);",
    "a contact field's name is declared once per form, its `purpose` is declared, and a consent-based "
    "one is offered by the site's banner;",
    "a field of kind `pattern` has a `pattern`; only a field of kind `file` takes `accept` and "
    "`max_size_kb`, and it needs both;",
    "each `demo_tags` entry names one of the site's consent-based purposes;",
    "a purpose's `pii_categories` list the same number of categories in every language;",
    "each page of a site's `scan.pages` is on one of the site's `origins`.",
)


def _map(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def check_rules(raw: Any) -> list[str]:
    """Every cross-key problem of the raw tree, ``key.path: problem`` each."""
    root = _map(raw)
    purposes = {pid: _map(item) for pid, item in _map(root.get("purposes")).items()}
    catalogue = {vid: _map(item) for vid, item in _map(root.get("vendors")).items()}
    problems = _purposes(purposes) + _texts(_map(root.get("texts")))
    if not purposes:
        return problems  # nothing could name a declared purpose: the models say purposes is missing
    problems += _vendors(catalogue, purposes)
    for sid, site in _map(root.get("sites")).items():
        problems += _site(f"sites.{sid}", _map(site), purposes, catalogue)
    return problems


def _consent_based(purposes: dict[Any, dict[Any, Any]], pid: Any) -> bool:
    """A declared purpose whose basis is consent, or unknown (the models report that one)."""
    basis = purposes.get(pid, {}).get("legal_basis") if isinstance(pid, str) and pid in purposes else None
    return pid in purposes and basis not in LEGAL_BASES[1:]


def _purposes(purposes: dict[Any, dict[Any, Any]]) -> list[str]:
    out = []
    for pid, item in purposes.items():
        basis = item.get("legal_basis")
        if item.get("trackers") is True and isinstance(basis, str) and basis != "consent":
            out.append(f"purposes.{pid}.legal_basis: a purpose that sets or reads non-essential trackers "
                       f"must have the legal basis 'consent', not {basis!r}")
        if item.get("required") is True and basis == "consent":
            out.append(f"purposes.{pid}.required: a consent-based purpose cannot be required: it must be "
                       "refusable")
        pii = _map(item.get("pii_categories"))
        lists = {lang: _list(pii.get(lang)) for lang in LANGUAGES if lang in pii}
        if len({len(v) for v in lists.values()}) > 1:
            out.append(f"purposes.{pid}.pii_categories: must list the same categories in every language ("
                       + ", ".join(f"{lang}: {len(v)}" for lang, v in lists.items()) + ")")
    return out


def _texts(texts: dict[Any, Any]) -> list[str]:
    keys = {lang: set(_map(texts.get(lang))) for lang in LANGUAGES}
    out = []
    for lang in LANGUAGES:
        other = next(x for x in LANGUAGES if x != lang)
        if lang in texts and other in texts:
            out += [f"texts.{lang}.{key}: is missing (it exists in texts.{other})"
                    for key in sorted(keys[other] - keys[lang], key=str)]
    return out


def _vendors(catalogue: dict[Any, dict[Any, Any]], purposes: dict[Any, dict[Any, Any]]) -> list[str]:
    out = []
    for vid, item in catalogue.items():
        purpose = item.get("purpose")
        if "purpose" in item and (not isinstance(purpose, str) or purpose not in purposes):
            out.append(f"vendors.{vid}.purpose: {purpose!r} is not declared under purposes")
        country = item.get("country")
        if (isinstance(country, str) and len(country) == 2 and country.isupper()
                and country not in EEA_COUNTRIES and "transfer" not in item):
            out.append(f"vendors.{vid}.transfer: {country} is outside the EEA: declare the transfer's "
                       "safeguard (adequacy decision, standard contractual clauses, ...) in fr and en")
    return out


def _site(p: str, site: dict[Any, Any], purposes: dict[Any, dict[Any, Any]],
          catalogue: dict[Any, dict[Any, Any]]) -> list[str]:
    out = []
    offered = [pid for pid in _list(site.get("purposes")) if isinstance(pid, str)]
    for i, pid in enumerate(_list(site.get("purposes"))):
        if not isinstance(pid, str) or pid not in purposes:
            out.append(f"{p}.purposes[{i}]: {pid!r} is not declared under purposes")
    if "purposes" in site and not any(_consent_based(purposes, pid) for pid in offered):
        out.append(f"{p}.purposes: the banner must offer at least one consent-based purpose")
    out += _site_vendors(p, site, purposes, catalogue, offered)
    contact = _map(site.get("contact"))
    out += _contact(f"{p}.contact", contact, purposes, offered)
    for tag, pid in _map(site.get("demo_tags")).items():
        if pid is not None and (pid not in offered or not _consent_based(purposes, pid)):
            out.append(f"{p}.demo_tags.{tag}: {pid!r} is not one of this site's consent-based purposes")
    origins = [o.rstrip("/") for o in _list(site.get("origins")) if isinstance(o, str)]
    for i, url in enumerate(_list(_map(site.get("scan")).get("pages"))):
        if isinstance(url, str) and not any(url == o or url.startswith(o + "/") for o in origins):
            out.append(f"{p}.scan.pages[{i}]: {url!r} is not on one of the site's origins")
    return out


def _site_vendors(p: str, site: dict[Any, Any], purposes: dict[Any, dict[Any, Any]],
                  catalogue: dict[Any, dict[Any, Any]], offered: list[str]) -> list[str]:
    out, seen = [], set()
    for i, item in enumerate(_list(site.get("vendors"))):
        vp = f"{p}.vendors[{i}]"
        vid, purpose = (item.get("id"), item.get("purpose")) if isinstance(item, dict) else (item, None)
        if not isinstance(vid, str) or vid not in catalogue:
            out.append(f"{vp}: {vid!r} is not a vendor of the catalogue (top-level vendors)")
            continue
        if vid in seen:
            out.append(f"{vp}: {vid!r} is listed twice")
            continue
        seen.add(vid)
        vendor = catalogue[vid]
        serves = purpose or vendor.get("purpose")
        if serves not in offered:
            out.append(f"{vp}.purpose: " if purpose else f"{vp}: ")
            out[-1] += (f"{vendor.get('name', vid)} serves {serves!r}, which is not one of this site's "
                        "purposes (override it with {id: ..., purpose: ...})")
            continue
        if _map(purposes.get(serves)).get("trackers") is True:
            for j, cookie in enumerate(_list(vendor.get("cookies"))):
                days = _map(cookie).get("duration_days")
                if isinstance(days, int) and days > TRACKER_MAX_DAYS:
                    out.append(f"vendors.{vid}.cookies[{j}].duration_days: {days} days is longer than "
                               f"the 13 months ({TRACKER_MAX_DAYS} days) a tracker may live (used by {vp})")
    return out


def _contact(p: str, contact: dict[Any, Any], purposes: dict[Any, dict[Any, Any]],
             offered: list[str]) -> list[str]:
    out, seen = [], set()
    for i, item in enumerate(_list(contact.get("fields"))):
        fp, item = f"{p}.fields[{i}]", _map(item)
        name = item.get("name")
        if isinstance(name, str) and name in seen:
            out.append(f"{fp}.name: {name!r} is declared twice")
        seen.add(name)
        purpose = item.get("purpose")
        if "purpose" in item and (not isinstance(purpose, str) or purpose not in purposes):
            out.append(f"{fp}.purpose: {purpose!r} is not declared under purposes")
        elif _consent_based(purposes, purpose) and purpose not in offered:
            out.append(f"{fp}.purpose: {purpose!r} is consent-based but this site's banner does not "
                       "offer it, so it could never be granted")
        kind = item.get("kind")
        if kind == "pattern" and not item.get("pattern"):
            out.append(f"{fp}.pattern: a field of kind 'pattern' needs a pattern")
        if kind == "file":
            if not item.get("accept"):
                out.append(f"{fp}.accept: a file field must accept at least one of {', '.join(FILE_TYPES)}")
            if "max_size_kb" not in item:
                out.append(f"{fp}.max_size_kb: a file field needs a size limit, in KiB")
        else:
            out += [f"{fp}.{key}: only a field of kind 'file' takes this key"
                    for key in ("accept", "max_size_kb") if key in item]
    return out
