"""Validation of the vendor catalogue (top-level ``vendors``) and of each site's references to it.

A vendor is declared once — its provider, country, transfer safeguard, privacy policy, cookies and
opt-out call — and every site that uses it names it by id, optionally under another purpose.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from consent_gateway.declaration.checker import Checker
from consent_gateway.declaration.model import (
    COOKIE_NAME,
    COUNTRY_CODE,
    EEA_COUNTRIES,
    FIRST_PARTY,
    GCM_TYPES,
    TRACKER_MAX_DAYS,
    VENDOR_ID,
    Purpose,
    Vendor,
    VendorCookie,
    WithdrawCall,
)

# A dotted path of JavaScript identifiers on window: "fbq", "_paq.push", "_hsq.push".
CALL_PATH = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
# An explicit cookie domain: a host name, with an optional leading dot.
DOMAIN = re.compile(r"^\.?([a-z0-9-]+\.)*[a-z0-9-]+$")
VENDOR_KEYS = {"name", "provider", "purpose", "country", "transfer", "privacy_url", "cookies",
               "on_withdraw", "first_party", "gcm"}


def parse_catalogue(c: Checker, node: Any, purposes: dict[str, Purpose]) -> dict[str, Vendor]:
    """The top-level ``vendors`` mapping: each vendor by id, with its default purpose."""
    if not isinstance(node, dict) or not node:
        c.fail("vendors", "must declare the vendor catalogue (a mapping of vendor ids)")
        return {}
    out: dict[str, Vendor] = {}
    for vid, item in node.items():
        p = f"vendors.{vid}"
        if not isinstance(vid, str) or not VENDOR_ID.match(vid):
            c.fail(p, "vendor ids are lower-case letters, digits and _")
        item = c.mapping(item, p, VENDOR_KEYS, {"name", "provider", "purpose", "country", "privacy_url"})
        purpose = item.get("purpose")
        if purpose not in purposes:
            c.fail(f"{p}.purpose", f"{purpose!r} is not declared under purposes")
        country = c.string(item, "country", p)
        if country and not COUNTRY_CODE.match(country):
            c.fail(f"{p}.country", f"{country!r} is not an ISO 3166-1 alpha-2 code such as FR or US")
        transfer = c.optional_text(item, "transfer", p)
        if country and country not in EEA_COUNTRIES and transfer is None and COUNTRY_CODE.match(country):
            c.fail(f"{p}.transfer", f"{country} is outside the EEA: declare the transfer's safeguard "
                   "(adequacy decision, standard contractual clauses, ...) in fr and en")
        out[str(vid)] = Vendor(
            id=str(vid),
            name=c.string(item, "name", p),
            provider=c.string(item, "provider", p),
            purpose=str(purpose),
            country=country,
            privacy_url=c.url(item, "privacy_url", p),
            transfer=transfer,
            cookies=_cookies(c, p, item),
            on_withdraw=_on_withdraw(c, p, item),
            first_party=c.boolean(item, "first_party", p),
            gcm=_gcm(c, p, item),
        )
    return out


def _gcm(c: Checker, p: str, item: dict) -> tuple[str, ...] | None:
    """The Consent Mode types the vendor needs (GA4: analytics_storage; Google Ads: the ad_* types;
    ``[]``: none); None when it declares nothing, so that its purpose's ``gcm`` applies."""
    if "gcm" not in item:
        return None
    types = c.items(item, "gcm", p)
    for i, g in enumerate(types):
        if g not in GCM_TYPES:
            c.fail(f"{p}.gcm[{i}]", f"{g!r} is not a Consent Mode type ({', '.join(GCM_TYPES)})")
    return tuple(str(g) for g in types)


def _cookies(c: Checker, p: str, item: dict) -> tuple[VendorCookie, ...]:
    cookies = []
    keys = {"name", "domain", "duration_days"}
    for i, raw in enumerate(c.items(item, "cookies", p)):
        cp = f"{p}.cookies[{i}]"
        raw = c.mapping(raw, cp, keys, keys)
        name = c.string(raw, "name", cp)
        if name and (not COOKIE_NAME.match(name) or "*" in name[:-1]):
            c.fail(f"{cp}.name", f"{name!r} is not a cookie name (RFC 6265 token characters, "
                   "optionally ending with a * wildcard)")
        domain = c.string(raw, "domain", cp)
        if domain and domain != FIRST_PARTY and not DOMAIN.match(domain):
            c.fail(f"{cp}.domain", f"{domain!r} is neither {FIRST_PARTY!r} (the embedding site's own "
                   "domain) nor a domain such as .linkedin.com")
        cookies.append(VendorCookie(name, domain, c.integer(raw, "duration_days", cp, 0, 3660)))
    return tuple(cookies)


def _on_withdraw(c: Checker, p: str, item: dict) -> tuple[WithdrawCall, ...]:
    calls = []
    for i, raw in enumerate(c.items(item, "on_withdraw", p)):
        wp = f"{p}.on_withdraw[{i}]"
        raw = c.mapping(raw, wp, {"call", "args"}, {"call"})
        call = c.string(raw, "call", wp)
        if call and not CALL_PATH.match(call):
            c.fail(f"{wp}.call", f"{call!r} is not a dotted path of JavaScript names on window "
                   "(e.g. fbq, _paq.push)")
        args = c.items(raw, "args", wp)
        try:
            json.dumps(args, allow_nan=False)
        except (TypeError, ValueError):
            c.fail(f"{wp}.args", "must be a list of JSON values")
            args = []
        calls.append(WithdrawCall(call, tuple(args)))
    return tuple(calls)


def site_vendors(c: Checker, p: str, node: dict, catalogue: dict[str, Vendor],
                 purposes: dict[str, Purpose], offered: tuple) -> tuple[Vendor, ...]:
    """A site's ``vendors``: catalogue ids, or ``{id, purpose}`` to use a vendor for another purpose."""
    out: list[Vendor] = []
    for i, item in enumerate(c.items(node, "vendors", p)):
        vp = f"{p}.vendors[{i}]"
        purpose = None
        if isinstance(item, dict):
            item = c.mapping(item, vp, {"id", "purpose"}, {"id"})
            vid, purpose = item.get("id"), item.get("purpose")
        else:
            vid = item
        vendor = catalogue.get(vid) if isinstance(vid, str) else None
        if vendor is None:
            c.fail(vp, f"{vid!r} is not a vendor of the catalogue (top-level vendors)")
            continue
        if any(v.id == vendor.id for v in out):
            c.fail(vp, f"{vid!r} is listed twice")
            continue
        vendor = dataclasses.replace(vendor, purpose=purpose or vendor.purpose)
        where = f"{vp}.purpose" if purpose else vp
        if vendor.purpose not in offered:
            c.fail(where, f"{vendor.name} serves {vendor.purpose!r}, which is not one of this "
                   "site's purposes (override it with {id: ..., purpose: ...})")
            continue
        declared = purposes[vendor.purpose]
        for j, cookie in enumerate(vendor.cookies):
            if declared.trackers and cookie.duration_days > TRACKER_MAX_DAYS:
                c.fail(f"vendors.{vendor.id}.cookies[{j}].duration_days",
                       f"{cookie.duration_days} days is longer than the 13 months "
                       f"({TRACKER_MAX_DAYS} days) a tracker may live (used by {vp})")
        out.append(vendor)
    return tuple(out)
