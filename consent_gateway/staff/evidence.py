"""The evidence pack: what the DPO hands to the CNIL in one zip file.

For one site and period: the declaration (``sites.yaml`` and its SHA-256, the policy versions
served), every banner configuration served with its screenshots, the ledger's signed checkpoints
and the result of verifying them, the JWKS that verifies them, the period's statistics, the
privacy notice as rendered, the undeclared cookies the banners reported, the latest tracker scan
of the period (``tracker-scan.json``), and ``manifest.json``
giving the SHA-256 and size of every other file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway import cookie_audit, scan
from consent_gateway.consent import BannerConfig, ConsentEvent, ReceiptKeys, iso
from consent_gateway.consent.ledger import LedgerReport, checkpoints, last_sealed_event_id, verify_ledger
from consent_gateway.consent.snapshots import snapshots_of
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import ValidationError
from consent_gateway.staff.models import StaffToken
from consent_gateway.staff.tokens import log_access
from consent_gateway.stats import (
    BannerImpressionDaily,
    ConsentDaily,
    StatsQuery,
    catch_up,
    consent_stats,
    parse_date,
)

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the period (its last day is included)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, UTC)


def parse_period(raw_from: str | None, raw_to: str | None, today: date) -> Period:
    """``from``/``to`` as YYYY-MM-DD (ValidationError names the field); by default, from the
    gateway's first day (2000-01-01 stands for "all") to today. Nothing is known after today: a
    later ``to`` ends the period today (and 9999-12-31 has no next day to end it at)."""
    end = parse_date(raw_to, "to") or today
    start = parse_date(raw_from, "from") or date(2000, 1, 1)
    if start > end:
        raise ValidationError("from must not be after to", field="from")
    return Period(start, min(end, today))


@dataclass(frozen=True)
class Declaration:
    """The declaration in force: the text of ``sites.yaml``, as the operator wrote it."""

    text: str
    retention_days: int


def evidence_pack(session: Session, sites: SitesConfig, site: Site, period: Period, *,
                  declaration: Declaration, receipt_keys: ReceiptKeys, notices: Mapping[str, str],
                  public_url: str, now: datetime, staff: StaffToken | None = None) -> bytes:
    """The zip of ``site``'s evidence for ``period``. ``notices`` is the privacy notice as rendered,
    by language. A read by ``staff`` (the API) is written to the access log and committed."""
    catch_up(session, sites)  # the decisions still in the stats backlog count in the figures
    files: dict[str, bytes] = {}
    configs = served_configs(session, site, period)
    policy_versions = sorted(session.scalars(
        select(BannerConfig.policy_version).where(BannerConfig.site_id == site.id).distinct()))
    files["declaration/sites.yaml"] = declaration.text.encode()
    files["declaration/declaration.json"] = _json({
        "site": site.id,
        "sites_yaml_sha256": hashlib.sha256(declaration.text.encode()).hexdigest(),
        "current_policy_version": site.policy_version,
        "policy_versions_served": policy_versions,
        "current_config_hashes": sites.config_hashes(site),
    })
    snapshots = snapshots_of(session, [c.config_hash for c in configs])
    for config in configs:
        mine = [s for s in snapshots if s.config_hash == config.config_hash]
        files[f"banner-configs/{config.config_hash}.json"] = _json({
            "config_hash": config.config_hash, "site": config.site_id, "lang": config.lang,
            "policy_version": config.policy_version, "first_seen_at": iso(config.first_seen_at),
            "snapshots": [{"variant": s.variant, "taken_at": iso(s.taken_at), "note": s.note,
                           "file": f"banner-configs/{config.config_hash}/{s.variant}.png" if s.png else None}
                          for s in mine],
            "body": config.body,
        })
        for shot in mine:
            if shot.png is not None:
                files[f"banner-configs/{config.config_hash}/{shot.variant}.png"] = shot.png
    report = verify_ledger(session, receipt_keys.public_keys(), declaration.retention_days)
    files["ledger/checkpoints.json"] = _json(checkpoints(session))
    files["ledger/verify.json"] = _json(report.to_dict())
    files["jwks.json"] = _json(receipt_keys.jwks())
    counted = counted_days(session, site, period, now.date())
    stats = consent_stats(session, sites, StatsQuery(site.id, counted.start, counted.end))
    files["stats.json"] = _json(stats)
    files["undeclared-cookies.json"] = _json(cookie_audit.undeclared_report(session, site))
    # The latest tracker scan of the period: what really ran on the site, held against the declaration.
    latest = scan.latest_scan(session, site.id, period.since, period.until)
    none = {"site": site.id, "scan": None, "note": "no tracker scan was run in the period"}
    files["tracker-scan.json"] = _json(scan.scan_report(session, latest) if latest else none)
    for lang, html in sorted(notices.items()):
        files[f"privacy-notice/{lang}.html"] = html.encode()
    files[MANIFEST] = _json({
        "site": site.id,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "generated_at": iso(now),
        "public_url": public_url,
        "ledger": ledger_summary(session, site, period, report),
        "files": [{"path": path, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
                  for path, body in sorted(files.items())],
    })
    if staff is not None:
        log_access(session, staff, "evidence.pack", site_id=site.id,
                   subject=f"{period.start.isoformat()}..{period.end.isoformat()}")
        session.commit()
    return _zip(files, now)


def ledger_summary(session: Session, site: Site, period: Period, report: LedgerReport) -> dict[str, Any]:
    """What the ledger proves, in numbers: whether every sealed checkpoint verified, and how many
    events are sealed and not sealed yet, in the whole ledger and among the site's events of the
    period (an unsealed event is not covered by any signed checkpoint until the next seal)."""
    last = last_sealed_event_id(session)
    in_period = (ConsentEvent.site_id == site.id, ConsentEvent.created_at >= period.since,
                 ConsentEvent.created_at < period.until)

    def count(*where: Any) -> int:
        return session.scalar(select(func.count()).select_from(ConsentEvent).where(*where)) or 0

    return {
        "intact": report.intact,
        "summary": report.summary(),
        "checkpoints": report.checkpoints,
        "events_sealed": report.sealed,
        "events_purged_after_sealing": report.purged,
        "events_unsealed": report.unsealed,
        "site_period_events_sealed": count(*in_period, ConsentEvent.id <= last),
        "site_period_events_unsealed": count(*in_period, ConsentEvent.id > last),
    }


def counted_days(session: Session, site: Site, period: Period, today: date) -> Period:
    """The days of ``period`` that can hold figures: from the site's first counted day (a decision
    or an impression) to today at the latest. The statistics of a pack "for everything" (from
    2000-01-01), or of a period asked for centuries, then list the days that exist, instead of one
    empty row for each day of the period, which took minutes and timed the request out.
    ``start > end`` when no counted day falls in the period: the figures are empty."""
    firsts = [session.scalar(select(func.min(model.day)).where(model.site_id == site.id))
              for model in (ConsentDaily, BannerImpressionDaily)]
    end = min(period.end, today)
    first = min((day for day in firsts if day is not None), default=end + timedelta(days=1))
    return Period(max(period.start, first), end)


def served_configs(session: Session, site: Site, period: Period) -> list[BannerConfig]:
    """The configurations of ``site`` served during ``period``: first seen in it, answered in it,
    or the latest one of each language first seen before it (still being served when it began)."""
    known = session.scalars(
        select(BannerConfig).where(BannerConfig.site_id == site.id, BannerConfig.first_seen_at < period.until)
        .order_by(BannerConfig.first_seen_at, BannerConfig.config_hash)).all()
    answered = set(session.scalars(
        select(ConsentEvent.config_hash).where(
            ConsentEvent.site_id == site.id, ConsentEvent.created_at >= period.since,
            ConsentEvent.created_at < period.until).distinct()))
    before: dict[str, str] = {}
    for config in known:
        if config.first_seen_at < period.since:
            before[config.lang] = config.config_hash
    keep = answered | set(before.values())
    return [c for c in known if c.first_seen_at >= period.since or c.config_hash in keep]


def manifest_problems(pack: bytes) -> list[str]:
    """What in ``pack`` does not match its manifest (a file missing, extra, or with another
    digest or size); empty when the pack is as generated."""
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        listed = {f["path"]: f for f in manifest["files"]}
        present = set(archive.namelist()) - {MANIFEST}
        problems = [f"not listed: {p}" for p in sorted(present - listed.keys())]
        for path, entry in sorted(listed.items()):
            if path not in present:
                problems.append(f"missing: {path}")
                continue
            body = archive.read(path)
            if hashlib.sha256(body).hexdigest() != entry["sha256"] or len(body) != entry["size"]:
                problems.append(f"altered: {path}")
    return problems


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def _zip(files: Mapping[str, bytes], now: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = now.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, body in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), body, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
