"""What the scan saw, held against the declaration: each cookie, storage key and host is matched
to one of the site's vendors (declared cookie names with wildcards, declared ``hosts``), else to
a catalogue vendor the site does not use, else to the Open Cookie Database, else "unknown"; each
problem becomes one finding with its evidence.

- violation (high): anything optional set, stored or requested before a choice or after a refusal
  (CNIL, article 82): a consent-based vendor's cookie, key or host, or an undeclared one the
  database files under analytics or marketing;
- undeclared (medium): a cookie, key or host no vendor of the site declares;
- lifetime (medium): a cookie that lives longer than declared, or a tracker over 13 months;
- stale (low): a vendor the site declares that was never seen, even after acceptance (full scans);
- page (high): a page that did not answer or carries no banner.
One finding per problem, whatever the number of pages and states it was seen on (all listed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from consent_gateway.cookie_audit.database import CookieDatabase, KnownCookie
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.declaration.model import TRACKER_MAX_DAYS, Vendor
from consent_gateway.scan.observations import ACCEPTED, STATES, PageVisit, SeenCookie

SEVERITY = {"violation": "high", "page": "high", "undeclared": "medium", "lifetime": "medium", "stale": "low"}
SEVERITIES = ("high", "medium", "low")
TRACKING_CATEGORIES = {"analytics", "marketing", "personalization"}
# A lifetime within a day of the declared one is the declared one (clocks, rounding).
_TOLERANCE_DAYS = 1.0


@dataclass
class Finding:
    kind: str
    subject_type: str  # cookie, storage, request, vendor, page
    subject: str
    message: str
    vendor_id: str | None = None
    known: dict[str, str] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    @property
    def fingerprint(self) -> str:
        key = "|".join((self.kind, self.subject_type, self.subject))
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def page(self) -> str | None:
        return self.pages[0] if self.pages else None

    @property
    def state(self) -> str | None:
        return self.states[0] if self.states else None

    def seen(self, page: str, state: str) -> None:
        if page not in self.pages:
            self.pages.append(page)
        if state not in self.states:
            self.states.append(state)
            self.states.sort(key=STATES.index)


class _Assessor:
    def __init__(self, config: SitesConfig, site: Site, db: CookieDatabase) -> None:
        self.config, self.site, self.db = config, site, db
        self.found: dict[tuple[str, str, str], Finding] = {}
        self.seen_vendors: set[str] = set()

    def add(
        self, kind: str, subject_type: str, subject: str, page: str, state: str, message: str, **extra: Any
    ) -> None:
        key = (kind, subject_type, subject)
        finding = self.found.get(key)
        if finding is None:
            finding = self.found[key] = Finding(kind, subject_type, subject, message, **extra)
        finding.seen(page, state)

    def optional(self, vendor: Vendor) -> bool:
        purpose = self.config.purposes.get(vendor.purpose)
        return purpose is None or not purpose.required

    def vendor_of_name(self, name: str) -> Vendor | None:
        return next(
            (
                v
                for v in self.site.vendors
                for c in v.cookies
                if (name.startswith(c.name[:-1]) if c.name.endswith("*") else name == c.name)
            ),
            None,
        )

    def catalogue_vendor_of(self, name: str | None = None, host: str | None = None) -> Vendor | None:
        for vendor in self.config.vendors.values():
            if self.site.vendor(vendor.id) is not None:
                continue
            if host and vendor.loads_from(host):
                return vendor
            if name and any(
                (name.startswith(c.name[:-1]) if c.name.endswith("*") else name == c.name)
                for c in vendor.cookies
            ):
                return vendor
        return None

    def item(
        self,
        subject_type: str,
        name: str,
        visit: PageVisit,
        cookie: SeenCookie | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> None:
        """A cookie or storage key ``name`` seen on ``visit``."""
        what = "cookie" if subject_type == "cookie" else "storage key"
        evidence = evidence or {}
        vendor = self.vendor_of_name(name)
        if vendor is not None:
            self.seen_vendors.add(vendor.id)
            if visit.state != ACCEPTED and self.optional(vendor):
                self.add(
                    "violation",
                    subject_type,
                    name,
                    visit.page,
                    visit.state,
                    f"{what} {name} of {vendor.name} ({vendor.purpose}) is set without consent",
                    vendor_id=vendor.id,
                    evidence=evidence,
                )
            if cookie is not None:
                self.lifetime(name, cookie, visit, vendor)
            return
        known = self.db.lookup(name)
        other = self.catalogue_vendor_of(name=name)
        self.undeclared(subject_type, name, visit, known, other, evidence)
        if cookie is not None:
            self.lifetime(name, cookie, visit, None)

    def undeclared(
        self,
        subject_type: str,
        subject: str,
        visit: PageVisit,
        known: KnownCookie | None,
        other: Vendor | None,
        evidence: dict[str, Any],
    ) -> None:
        what = {"cookie": "cookie", "storage": "storage key", "request": "host"}[subject_type]
        named = (
            f"the catalogue's {other.name}"
            if other
            else f"{known.platform}, {known.category}"
            if known
            else "unknown"
        )
        extra = {
            "vendor_id": other.id if other else None,
            "known": known.describe() if known else None,
            "evidence": evidence,
        }
        self.add(
            "undeclared",
            subject_type,
            subject,
            visit.page,
            visit.state,
            f"{what} {subject} is declared by no vendor of the site ({named})",
            **extra,
        )
        tracking = (other is not None and self.optional(other)) or (
            known is not None and known.category.casefold() in TRACKING_CATEGORIES
        )
        if visit.state != ACCEPTED and tracking:
            self.add(
                "violation",
                subject_type,
                subject,
                visit.page,
                visit.state,
                f"undeclared {what} {subject} ({named}) is used without consent",
                **extra,
            )

    def lifetime(self, name: str, cookie: SeenCookie, visit: PageVisit, vendor: Vendor | None) -> None:
        days = cookie.lifetime
        if days is None:
            return
        declared = None
        if vendor is not None:
            declared = next(
                (
                    c.duration_days
                    for c in vendor.cookies
                    if (name.startswith(c.name[:-1]) if c.name.endswith("*") else name == c.name)
                ),
                None,
            )
            if not self.optional(vendor):
                # Strictly necessary cookies are exempt from the 13 months; only the declaration binds.
                if declared is not None and days > declared + _TOLERANCE_DAYS:
                    self._lifetime(name, cookie, visit, vendor, declared)
                return
        if (
            declared is not None and days > declared + _TOLERANCE_DAYS
        ) or days > TRACKER_MAX_DAYS + _TOLERANCE_DAYS:
            self._lifetime(name, cookie, visit, vendor, declared)

    def _lifetime(
        self, name: str, cookie: SeenCookie, visit: PageVisit, vendor: Vendor | None, declared: int | None
    ) -> None:
        days = round(cookie.lifetime or 0)
        limits = [f"{declared} days declared"] if declared is not None else []
        if days > TRACKER_MAX_DAYS:
            limits.append(f"the CNIL's {TRACKER_MAX_DAYS}-day maximum for trackers")
        self.add(
            "lifetime",
            "cookie",
            name,
            visit.page,
            visit.state,
            f"cookie {name} lives {days} days, more than {' and '.join(limits)}",
            vendor_id=vendor.id if vendor else None,
            evidence={**cookie.evidence(), "declared_days": declared},
        )

    def request(
        self, visit: PageVisit, host: str, hostname: str, url: str, kind: str, initiator: str | None
    ) -> None:
        evidence = {"url": url[:500], "type": kind, "initiator": initiator}
        vendor = next((v for v in self.site.vendors if v.loads_from(hostname)), None)
        if vendor is not None:
            self.seen_vendors.add(vendor.id)
            if visit.state != ACCEPTED and self.optional(vendor):
                self.add(
                    "violation",
                    "request",
                    host,
                    visit.page,
                    visit.state,
                    f"{vendor.name} ({vendor.purpose}) is requested without consent: {host}",
                    vendor_id=vendor.id,
                    evidence=evidence,
                )
            return
        self.undeclared(
            "request",
            host,
            visit,
            self.db.lookup_host(hostname),
            self.catalogue_vendor_of(host=hostname),
            evidence,
        )

    def visit(self, visit: PageVisit) -> None:
        if visit.problem:
            self.add(
                "page",
                "page",
                visit.page,
                visit.page,
                visit.state,
                f"{visit.page} {visit.problem}",
                evidence={"problem": visit.problem},
            )
        for cookie in visit.cookies:
            self.item("cookie", cookie.name, visit, cookie, cookie.evidence())
        for key in visit.keys:
            self.item("storage", key.name, visit, evidence={"storage": key.storage})
        for req in visit.requests:
            self.request(visit, req.host, req.hostname, req.url, req.resource_type, req.initiator)

    def stale(self, pages: list[str]) -> None:
        for vendor in self.site.vendors:
            if vendor.id in self.seen_vendors or not (vendor.cookies or vendor.hosts):
                continue
            looked_for = [c.name for c in vendor.cookies] + list(vendor.hosts)
            finding = Finding(
                "stale",
                "vendor",
                vendor.id,
                f"{vendor.name} is declared but was never seen, even after acceptance",
                vendor_id=vendor.id,
                evidence={"looked_for": looked_for},
            )
            finding.pages, finding.states = list(pages), [ACCEPTED]
            self.found[("stale", "vendor", vendor.id)] = finding


def assess(
    config: SitesConfig, site: Site, visits: list[PageVisit], db: CookieDatabase, *, full: bool
) -> list[Finding]:
    """The findings of ``visits``, most severe first; ``full``: every declared page was visited,
    so a vendor never seen is stale."""
    assessor = _Assessor(config, site, db)
    for visit in visits:
        assessor.visit(visit)
    if full and not any(v.problem for v in visits):
        assessor.stale(sorted({v.page for v in visits}))
    order = {kind: i for i, kind in enumerate(("violation", "page", "lifetime", "undeclared", "stale"))}
    return sorted(assessor.found.values(), key=lambda f: (order[f.kind], f.subject_type, f.subject))
