"""One scan of one site, end to end: visit, assess, store, suggest."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from consent_gateway.cookie_audit.database import cookie_database
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import ValidationError
from consent_gateway.scan.browser import ScanPlan, visit_all
from consent_gateway.scan.findings import Finding, assess
from consent_gateway.scan.models import Scan
from consent_gateway.scan.store import record_scan


@dataclass
class ScanOutcome:
    scan: Scan
    findings: list[Finding]
    suggestions: list[str]


def plan_for(
    config: SitesConfig, site: Site, gateway: str, pages: tuple[str, ...] = (), **options: float
) -> ScanPlan:
    """The visits of ``site``: ``pages`` (default its declared ``scan.pages``), in its first
    language, clicking the banner's own buttons as the declaration words them."""
    for page in pages:
        if not page.startswith(("http://", "https://")):
            raise ValidationError(f"{page!r} is not an http(s) URL", field="page")
    lang = site.default_language
    texts = config.texts[lang]
    plan = ScanPlan(
        pages=pages or site.scan_pages,
        gateway=gateway.rstrip("/"),
        lang=lang,
        reject_label=texts["reject_all"],
        accept_label=texts["accept_all"],
    )
    return replace(plan, **options) if options else plan  # type: ignore[arg-type]


def run_scan(
    session: Session, config: SitesConfig, site: Site, plan: ScanPlan, started_at: datetime
) -> ScanOutcome:
    """Scan ``site`` as ``plan`` says, store the scan and its comparison with the previous one."""
    clock = time.perf_counter()
    visits = visit_all(plan)
    full = set(site.scan_pages) <= set(plan.pages)
    db = cookie_database()
    findings = assess(config, site, visits, db, full=full)
    duration_ms = round((time.perf_counter() - clock) * 1000)
    scan = record_scan(
        session,
        site.id,
        list(plan.pages),
        full=full,
        started_at=started_at,
        duration_ms=duration_ms,
        findings=findings,
    )
    return ScanOutcome(scan, findings, suggestions(config, site, findings))


def suggestions(config: SitesConfig, site: Site, findings: list[Finding]) -> list[str]:
    """The ``sites.yaml`` lines that would declare what the scan could name, for the DPO to
    review: a catalogue vendor the site does not list yet, or a cookie the database knows (under
    the site's vendor of that platform when there is one). The declaration is never edited."""
    lines: list[str] = []
    add_vendors: list[str] = []
    for f in findings:
        if f.kind != "undeclared":
            continue
        if f.vendor_id and f.vendor_id not in add_vendors:
            add_vendors.append(f.vendor_id)
            continue
        if f.subject_type != "cookie" or not f.known:
            continue
        platform = f.known["platform"]
        vendor = next((v for v in site.vendors if v.name.casefold() == platform.casefold()), None)
        days = f.evidence.get("lifetime_days")
        days = 0 if days is None else max(1, round(days))
        where = f"vendors.{vendor.id}.cookies" if vendor else f"vendors.<a vendor for {platform}>.cookies"
        domain = (
            "first_party" if f.evidence.get("party") == "first" else f.evidence.get("domain", "first_party")
        )
        lines.append(f"# {where}: {f.known['category']}, {f.known['description']}")
        lines.append(f"- {{name: {f.subject}, domain: {domain}, duration_days: {days}}}")
    if add_vendors:
        listed = ", ".join([v.id for v in site.vendors] + add_vendors)
        lines.insert(0, f"# sites.{site.id}.vendors: add {', '.join(add_vendors)} (already in the catalogue)")
        lines.insert(1, f"vendors: [{listed}]")
    return lines
