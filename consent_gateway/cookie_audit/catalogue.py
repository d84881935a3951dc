"""The vendor catalogue held against the Open Cookie Database: what ``sites check`` warns about.

Two warnings, each with the key path to edit:
- the database lists, for a vendor's platform, a cookie of the same family as those the vendor
  declares (``_gcl_au`` beside ``_gcl_aw``) that the vendor does not declare: the banner would
  never delete it on withdrawal, and the preferences would not name it;
- a declared lifetime is shorter than the database's: the visitor is told less than the truth
  (unless the tool is configured shorter, which the DPO confirms).

A vendor's platforms are those the database gives for the cookies it declares, and the one that
bears its name. Only the families the vendor already declares, and only trackers (analytics,
marketing, personalisation), are compared: a platform's list also holds its own site's cookies
(Google's sign-in, LinkedIn's members'), which no embedding site sets.
"""

from __future__ import annotations

import re

from consent_gateway.cookie_audit.database import CookieDatabase, KnownCookie, cookie_database
from consent_gateway.declaration import SitesConfig
from consent_gateway.declaration.model import Vendor, VendorCookie

# A cookie's family: its leading underscores and first word with the separator after it
# ("_gcl_", "_pk_", "li_"), or the whole name when it has no separator ("_fbp", "__hstc").
_FAMILY = re.compile(r"^(_*[A-Za-z0-9]+[_.-])")
# The database's categories of cookies a withdrawal must delete (its "Functional" ones are the
# platform's own site's: sign-in, captcha, theme).
TRACKING_CATEGORIES = {"analytics", "marketing", "personalization"}
# A declared lifetime within a day or 2% of the database's is the same one ("13 months" is 395.7
# days, "3 months" 91.3).
_TOLERANCE_DAYS, _TOLERANCE_SHARE = 1.0, 0.02


def family(name: str) -> str:
    name = name.rstrip("*")
    match = _FAMILY.match(name)
    return match.group(1) if match else name


def covers(declared: str, entry: KnownCookie) -> bool:
    """Whether the declared name (maybe ending with *) names every cookie ``entry`` names."""
    if entry.wildcard:
        return declared.rstrip("*").startswith(entry.name)
    if declared.endswith("*"):
        return entry.name.startswith(declared[:-1])
    return declared == entry.name


def known_for(declared: VendorCookie, db: CookieDatabase) -> KnownCookie | None:
    """The database's entry for a declared cookie (a wildcard is looked up by its prefix)."""
    return next((e for e in db.entries if covers(declared.name, e) or e.matches(declared.name.rstrip("*"))),
                None) if declared.name.endswith("*") else db.lookup(declared.name)


def vendor_warnings(vendor: Vendor, db: CookieDatabase) -> list[str]:
    p = f"vendors.{vendor.id}.cookies"
    warnings = []
    platforms = {vendor.name.casefold()}
    for i, cookie in enumerate(vendor.cookies):
        entry = known_for(cookie, db)
        if entry is None:
            continue
        platforms.add(entry.platform.casefold())
        days = entry.retention_days
        if days is not None and cookie.duration_days + max(_TOLERANCE_DAYS, days * _TOLERANCE_SHARE) < days:
            warnings.append(
                f"{p}[{i}].duration_days: {vendor.name} declares {cookie.name} for {cookie.duration_days} "
                f"days; the Open Cookie Database gives {entry.retention} ({entry.platform}): declare "
                "the longer lifetime, or confirm the tool is configured shorter")
    families = {family(c.name) for c in vendor.cookies}
    missing = [e for e in db.entries
               if e.platform.casefold() in platforms and family(e.name) in families
               and e.category.casefold() in TRACKING_CATEGORIES
               and not any(covers(c.name, e) for c in vendor.cookies)]
    for entry in missing:
        name = f"{entry.name}*" if entry.wildcard else entry.name
        warnings.append(
            f"{p}: {vendor.name} does not declare {name}, which the Open Cookie Database lists for "
            f"{entry.platform} ({entry.category}, {entry.retention or 'lifetime not given'}: "
            f"{entry.description}): the banner would never delete it on withdrawal")
    return warnings


def catalogue_warnings(config: SitesConfig, db: CookieDatabase | None = None) -> list[str]:
    """Every warning for the catalogue of ``config``, vendor by vendor, in declaration order."""
    db = db or cookie_database()
    return [w for vendor in config.vendors.values() for w in vendor_warnings(vendor, db)]
