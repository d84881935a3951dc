"""Scans kept and compared: each scan's findings are matched, by fingerprint, with the site's
findings still open — new, still open, or (full scans only) resolved — and committed once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway.consent import iso
from consent_gateway.errors import NotFound
from consent_gateway.scan.findings import SEVERITIES, Finding
from consent_gateway.scan.models import Scan, ScanFinding


def record_scan(
    session: Session,
    site_id: str,
    pages: list[str],
    *,
    full: bool,
    started_at: datetime,
    duration_ms: int,
    findings: list[Finding],
) -> Scan:
    """Store a scan and its findings against the site's open ones; commit. A partial scan (some
    declared pages only) never resolves a finding: what it did not visit, it did not check."""
    scan = Scan(
        site_id=site_id,
        pages=list(pages),
        full=full,
        started_at=started_at,
        duration_ms=duration_ms,
        summary={},
    )
    session.add(scan)
    session.flush()
    still_open = {
        row.fingerprint: row
        for row in session.scalars(
            select(ScanFinding).where(ScanFinding.site_id == site_id, ScanFinding.resolved_scan_id.is_(None))
        )
    }
    new = 0
    for finding in findings:
        row = still_open.pop(finding.fingerprint, None)
        if row is None:
            row = ScanFinding(
                site_id=site_id,
                fingerprint=finding.fingerprint,
                kind=finding.kind,
                subject_type=finding.subject_type,
                subject=finding.subject[:512],
                first_scan_id=scan.id,
            )
            session.add(row)
            new += 1
        row.severity = finding.severity
        row.page = finding.page[:2048] if finding.page else None
        row.state = finding.state
        row.message = finding.message
        row.evidence = {**finding.evidence, "pages": finding.pages, "states": finding.states}
        row.vendor_id = finding.vendor_id
        row.known = finding.known
        row.last_scan_id = scan.id
    resolved = 0
    if full:
        for row in still_open.values():
            row.resolved_scan_id = scan.id
            resolved += 1
    session.flush()
    open_counts = Counter(
        session.scalars(
            select(ScanFinding.severity).where(
                ScanFinding.site_id == site_id, ScanFinding.resolved_scan_id.is_(None)
            )
        )
    )
    violations = session.scalar(
        select(func.count())
        .select_from(ScanFinding)
        .where(
            ScanFinding.site_id == site_id,
            ScanFinding.kind == "violation",
            ScanFinding.resolved_scan_id.is_(None),
        )
    )
    scan.summary = {
        "seen": len(findings),
        "new": new,
        "resolved": resolved,
        "open": {s: open_counts.get(s, 0) for s in SEVERITIES},
        "open_violations": violations or 0,
    }
    session.commit()
    return scan


def scan_findings(session: Session, scan: Scan) -> list[ScanFinding]:
    """The findings this scan saw, and those it resolved."""
    seen = (ScanFinding.first_scan_id <= scan.id) & (ScanFinding.last_scan_id >= scan.id)
    return list(
        session.scalars(
            select(ScanFinding)
            .where(ScanFinding.site_id == scan.site_id, seen | (ScanFinding.resolved_scan_id == scan.id))
            .order_by(ScanFinding.id)
        )
    )


def finding_status(row: ScanFinding, scan: Scan | None) -> str:
    """As of ``scan``: found by it (new), resolved by it, or found before and still open."""
    if row.resolved_scan_id is not None and (scan is None or row.resolved_scan_id <= scan.id):
        return "resolved"
    return "new" if scan is not None and row.first_scan_id == scan.id else "open"


def finding_json(row: ScanFinding, scan: Scan | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "severity": row.severity,
        "status": finding_status(row, scan),
        "subject_type": row.subject_type,
        "subject": row.subject,
        "page": row.page,
        "state": row.state,
        "message": row.message,
        "evidence": row.evidence,
        "vendor": row.vendor_id,
        "database": row.known,
        "first_scan": row.first_scan_id,
        "last_scan": row.last_scan_id,
        "resolved_scan": row.resolved_scan_id,
    }


def scan_json(scan: Scan) -> dict[str, Any]:
    return {
        "id": scan.id,
        "site": scan.site_id,
        "started_at": iso(scan.started_at),
        "duration_ms": scan.duration_ms,
        "pages": scan.pages,
        "full": scan.full,
        "summary": scan.summary,
    }


def scan_report(session: Session, scan: Scan) -> dict[str, Any]:
    """A scan and its findings as JSON (the API's answer, the evidence pack's file)."""
    return {**scan_json(scan), "findings": [finding_json(r, scan) for r in scan_findings(session, scan)]}


def list_scans(session: Session, site_id: str, limit: int = 50) -> list[Scan]:
    """The site's scans, the latest first."""
    return list(
        session.scalars(
            select(Scan)
            .where(Scan.site_id == site_id)
            .order_by(Scan.started_at.desc(), Scan.id.desc())
            .limit(limit)
        )
    )


def get_scan(session: Session, site_id: str, scan_id: int) -> Scan:
    scan = session.get(Scan, scan_id)
    if scan is None or scan.site_id != site_id:
        raise NotFound(f"no scan {scan_id} of site {site_id!r}")
    return scan


def latest_scan(
    session: Session, site_id: str, start: datetime | None = None, end: datetime | None = None
) -> Scan | None:
    """The site's latest scan, within [start, end) when given."""
    query = select(Scan).where(Scan.site_id == site_id)
    if start is not None:
        query = query.where(Scan.started_at >= start)
    if end is not None:
        query = query.where(Scan.started_at < end)
    return session.scalars(query.order_by(Scan.started_at.desc(), Scan.id.desc()).limit(1)).first()


def open_findings(session: Session, site_id: str) -> list[ScanFinding]:
    """The site's findings not yet resolved, the most severe first."""
    rows = session.scalars(
        select(ScanFinding)
        .where(ScanFinding.site_id == site_id, ScanFinding.resolved_scan_id.is_(None))
        .order_by(ScanFinding.id)
    )
    return sorted(rows, key=lambda r: SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9)


def open_violations(session: Session) -> dict[str, int]:
    """Open violations per site, for /metrics."""
    rows = session.execute(
        select(ScanFinding.site_id, func.count())
        .where(ScanFinding.kind == "violation", ScanFinding.resolved_scan_id.is_(None))
        .group_by(ScanFinding.site_id)
    )
    return {site: count for site, count in rows}
