"""Rollup maintenance: each decision counted into ``consent_daily`` in the decision's own
transaction, each banner showing into ``banner_impression_daily``, and an idempotent rebuild of a
period from the raw events (after a restore, or for events recorded before the rollups existed).

One function, ``rollup_rows``, turns events into rollup rows; the live path, the rebuild and the
demo seeder all go through it, so the three can never count differently.
"""

from __future__ import annotations

import json
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Date, Insert, Table, and_, case, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from consent_gateway.consent.models import ConsentEvent
from consent_gateway.db import upsert_insert
from consent_gateway.declaration import SitesConfig
from consent_gateway.stats.models import BannerImpressionDaily, ConsentDaily, ConsentMonthly

DIMENSIONS = ("country", "device", "browser", "layer")
UNKNOWN = "?"
# The dimension of the time-to-decide histogram by day and site only (``ms`` rows also say the kind).
TIMES = "time"
# Upper bounds (ms) of the time-to-decide buckets: fine where decisions are taken (a few seconds),
# coarse beyond; a median is interpolated inside its bucket.
MS_BUCKETS = (
    *range(250, 3001, 250), *range(3500, 6001, 500), *range(7000, 15_001, 1000),
    *range(17_500, 30_001, 2500), 40_000, 50_000, 60_000, 120_000, 180_000, 300_000, 3_600_000,
)
KEY_COLUMNS = ("dimension", "day", "site_id", "value", "action", "purpose")
MEASURES = ("decisions", "granted", "gpc", "bots")


@dataclass(frozen=True)
class EventFacts:
    """What the rollups keep of one decision: no id, no time finer than the day."""

    day: date
    site_id: str
    action: str
    choices: Mapping[str, bool]
    gpc: bool
    is_bot: bool
    country: str | None
    device: str | None
    browser: str | None
    layer: str | None
    ms: int | None
    # Per-vendor choices (None on events recorded before they existed: a vendor then goes with its
    # purpose, as the receipt page reads them).
    vendors: Mapping[str, bool] | None = None


RollupKey = tuple[str, date, str, str, str, str]


def ms_bucket(ms: int | None) -> str:
    """The label of the bucket holding ``ms``: its upper bound, zero-padded so labels sort."""
    if ms is None:
        return UNKNOWN
    for bound in MS_BUCKETS:
        if ms <= bound:
            return f"{bound:07d}"
    return f"{MS_BUCKETS[-1]:07d}"


def opt_in_purposes(sites: SitesConfig, site_id: str) -> tuple[str, ...]:
    """The purposes of a site that a visitor may refuse: the only ones with an opt-in rate."""
    site = sites.site(site_id)
    if site is None:
        return ()
    return tuple(p.id for p in sites.site_purposes(site) if p.consent_based and not p.required)


def opt_in_vendors(sites: SitesConfig, site_id: str) -> tuple[tuple[str, str], ...]:
    """The (vendor id, purpose id) pairs of a site a visitor may refuse one by one: the vendors of
    its refusable purposes, the only ones with a per-vendor opt-in rate."""
    site = sites.site(site_id)
    if site is None:
        return ()
    refusable = set(opt_in_purposes(sites, site_id))
    return tuple((v.id, v.purpose) for v in site.vendors if v.purpose in refusable)


def rollup_rows(sites: SitesConfig, events: Iterable[tuple[EventFacts, int]]) -> dict[RollupKey, list[int]]:
    """The rollup rows (key -> [decisions, granted, gpc, bots]) that ``events`` (each with how many
    identical events it stands for) add up to."""
    rows: dict[RollupKey, list[int]] = {}
    purposes_of: dict[str, tuple[str, ...]] = {}
    vendors_of: dict[str, tuple[tuple[str, str], ...]] = {}

    def add(key: RollupKey, decisions: int, granted: int, gpc: int, bots: int) -> None:
        row = rows.get(key)
        if row is None:
            rows[key] = [decisions, granted, gpc, bots]
        else:
            row[0] += decisions
            row[1] += granted
            row[2] += gpc
            row[3] += bots

    for e, n in events:
        if e.site_id not in purposes_of:
            purposes_of[e.site_id] = opt_in_purposes(sites, e.site_id)
            vendors_of[e.site_id] = opt_in_vendors(sites, e.site_id)
        values = {"country": e.country, "device": e.device, "browser": e.browser, "layer": e.layer}
        cells = [("all", "")] + [(dim, values[dim] or UNKNOWN) for dim in DIMENSIONS]
        if e.is_bot:
            for dim, value in cells:
                add((dim, e.day, e.site_id, value, e.action, ""), 0, 0, 0, n)
            continue
        gpc = n if e.gpc else 0
        granted = [] if e.action == "withdraw" else [p for p in purposes_of[e.site_id] if e.choices.get(p)]
        for dim, value in cells:
            add((dim, e.day, e.site_id, value, e.action, ""), n, 0, gpc, 0)
            for purpose in granted:
                add((dim, e.day, e.site_id, value, e.action, purpose), 0, n, 0, 0)
        bucket = ms_bucket(e.ms)
        add(("ms", e.day, e.site_id, bucket, e.action, ""), n, 0, gpc, 0)
        if bucket != UNKNOWN:
            # The same histogram without the kind of decision: what every median but the audit's
            # and the per-kind rows' needs, in a quarter of the rows (a year by day reads it).
            add((TIMES, e.day, e.site_id, bucket, "", ""), n, 0, 0, 0)
        if e.action != "withdraw":
            # One row per vendor asked about: decisions = asked, granted = said yes to it.
            for vendor, purpose in vendors_of[e.site_id]:
                chose = e.vendors.get(vendor, True) if e.vendors is not None else True
                yes = bool(chose and e.choices.get(purpose))
                add(("vendor", e.day, e.site_id, vendor, e.action, ""), n, n if yes else 0, 0, 0)
    return rows


def facts_of(event: ConsentEvent) -> EventFacts:
    return EventFacts(
        day=event.created_at.date(), site_id=event.site_id, action=event.action, choices=event.choices,
        gpc=event.gpc, is_bot=event.is_bot, country=event.country, device=event.device_class,
        browser=event.browser_family, layer=event.ui_layer, ms=event.ui_ms, vendors=event.vendors,
    )


def count_decision(session: Session, sites: SitesConfig, event: ConsentEvent) -> None:
    """Add ``event`` to the rollups in the caller's transaction (no commit)."""
    count_decisions(session, sites, [event])


def count_decisions(session: Session, sites: SitesConfig, events: Iterable[ConsentEvent]) -> None:
    """Add ``events`` to the rollups in the caller's transaction (no commit): decisions of the same
    day, site and action share their rows, so a batch updates each row once."""
    add_rollups(session, rollup_rows(sites, [(facts_of(event), 1) for event in events]))


def count_impression(session: Session, site_id: str, when: datetime) -> None:
    """Count one showing of a site's first layer; the caller commits."""
    table = BannerImpressionDaily.__table__
    stmt = upsert_insert(session)(table).values(day=when.date(), site_id=site_id, impressions=1)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["day", "site_id"], set_={"impressions": table.c.impressions + 1}))


def record_impression(session: Session, site_id: str, when: datetime) -> None:
    """The impressions write use case: count one showing and commit."""
    count_impression(session, site_id, when)
    session.commit()


def add_impressions(session: Session, counts: Mapping[tuple[date, str], int]) -> None:
    """Add impression counts by (day, site); the caller commits (the demo seeder's path)."""
    table = BannerImpressionDaily.__table__
    stmt = upsert_insert(session)(table)
    stmt = stmt.on_conflict_do_update(index_elements=["day", "site_id"],
                                      set_={"impressions": table.c.impressions + stmt.excluded.impressions})
    params = [{"day": day, "site_id": site_id, "impressions": n}
              for (day, site_id), n in sorted(counts.items())]
    if params:
        session.execute(stmt, params)


def by_month(rows: Mapping[RollupKey, list[int]]) -> dict[RollupKey, list[int]]:
    """``rows`` added up by calendar month: the same keys with the month's first day as their day."""
    months: dict[RollupKey, list[int]] = {}
    for (dimension, day, site_id, value, action, purpose), measures in rows.items():
        key = (dimension, day.replace(day=1), site_id, value, action, purpose)
        total = months.get(key)
        if total is None:
            months[key] = list(measures)
        else:
            for i, n in enumerate(measures):
                total[i] += n
    return months


def add_rollups(session: Session, rows: dict[RollupKey, list[int]]) -> None:
    """Add ``rows`` to the rollups, by day and by month (inserting or adding to existing rows); the
    caller commits."""
    if not rows:
        return
    upsert = upsert_insert(session)
    for model, counted in ((ConsentDaily, rows), (ConsentMonthly, by_month(rows))):
        # Sorted keys: concurrent decisions lock the same rows in the same order (no deadlock).
        params = [dict(zip(KEY_COLUMNS + MEASURES, (*key, *counted[key]), strict=True))
                  for key in sorted(counted)]
        session.connection().execute(_upsert(upsert, model.__tablename__), params)


@cache
def _upsert(dialect_insert: Callable[..., Any], table_name: str) -> Insert:
    """A rollup table's "insert or add to" statement, built once per dialect and table
    (``dialect_insert`` is ``db.upsert_insert``'s answer): building it (its ``excluded`` alias
    above all) cost more than running it on every decision."""
    table = typing.cast(Table, (ConsentDaily if table_name == "consent_daily" else ConsentMonthly).__table__)
    stmt = dialect_insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={m: table.c[m] + getattr(stmt.excluded, m) for m in MEASURES},
    )


def insert_rollups(session: Session, rows: dict[RollupKey, list[int]], batch: int = 5000) -> None:
    """Insert fresh rollup rows (no conflict expected) in large batches, and add them to the month
    rows; the caller commits."""
    keys = sorted(rows)
    for start in range(0, len(keys), batch):
        session.execute(insert(ConsentDaily), [
            dict(zip(KEY_COLUMNS + MEASURES, (*key, *rows[key]), strict=True))
            for key in keys[start:start + batch]
        ])
    months = by_month(rows)
    keys = sorted(months)
    table = typing.cast(Table, ConsentMonthly.__table__)
    for start in range(0, len(keys), batch):
        session.connection().execute(_upsert(upsert_insert(session), table.name), [
            dict(zip(KEY_COLUMNS + MEASURES, (*key, *months[key]), strict=True))
            for key in keys[start:start + batch]
        ])


def recount_months(session: Session, start: date, end: date) -> None:
    """Count again, from the day rows, the month rows of every month that ``start``..``end``
    meets (after those days were recounted); the caller commits."""
    first = start.replace(day=1)
    last = (end.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    d = ConsentDaily
    session.execute(delete(ConsentMonthly).where(ConsentMonthly.day >= first, ConsentMonthly.day <= last))
    days = session.execute(select(d.dimension, d.day, d.site_id, d.value, d.action, d.purpose, d.decisions,
                                  d.granted, d.gpc, d.bots).where(d.day >= first, d.day <= last))
    months = by_month({tuple(row[:6]): list(row[6:]) for row in days})  # type: ignore[misc]
    keys = sorted(months)
    for at in range(0, len(keys), 5000):
        session.execute(insert(ConsentMonthly), [
            dict(zip(KEY_COLUMNS + MEASURES, (*key, *months[key]), strict=True)) for key in keys[at:at + 5000]
        ])


def _day_expression(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return cast(ConsentEvent.created_at, Date)
    return func.date(ConsentEvent.created_at)


def recount(session: Session, sites: SitesConfig, start: date, end: date) -> int:
    """Recount the days ``start``..``end`` (inclusive) from the raw events, in the caller's
    transaction (``backlog.rebuild`` takes the catch-up lock, empties the period's backlog, commits).

    Idempotent: the period's rollup rows are deleted and counted again, so running it twice, or
    after the live path already counted, gives the same figures. Days whose events the retention
    purge removed would come back empty: choose a period inside the retention window.
    Returns how many events were counted.
    """
    first = datetime.combine(start, time(), tzinfo=UTC)
    after = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    bucket = case(*[(ConsentEvent.ui_ms <= b, f"{b:07d}") for b in MS_BUCKETS],
                  else_=f"{MS_BUCKETS[-1]:07d}")
    columns = [
        _day_expression(session), ConsentEvent.site_id, ConsentEvent.action, ConsentEvent.choices,
        ConsentEvent.gpc, ConsentEvent.is_bot, ConsentEvent.country, ConsentEvent.device_class,
        ConsentEvent.browser_family, ConsentEvent.ui_layer,
        case((ConsentEvent.ui_ms.is_(None), UNKNOWN), else_=bucket), ConsentEvent.vendors,
    ]
    # The database groups identical events first: Python then expands distinct combinations only.
    grouped = session.execute(
        select(*columns, func.count()).where(
            and_(ConsentEvent.created_at >= first, ConsentEvent.created_at < after))
        .group_by(*columns)
    )
    counted: Counter[int] = Counter()

    def facts() -> Iterable[tuple[EventFacts, int]]:
        for (day, site_id, action, choices, gpc, bot, country, device, browser, layer, ms, vendors,
             n) in grouped:
            counted[0] += n
            day = day if isinstance(day, date) else date.fromisoformat(day)
            bound = None if ms == UNKNOWN else int(ms)
            picked = choices if isinstance(choices, dict) else json.loads(choices)
            chosen = vendors if vendors is None or isinstance(vendors, dict) else json.loads(vendors)
            yield EventFacts(day, site_id, action, picked, bool(gpc), bool(bot), country, device,
                             browser, layer, bound, chosen), n

    rows = rollup_rows(sites, facts())
    session.execute(delete(ConsentDaily).where(ConsentDaily.day >= start, ConsentDaily.day <= end))
    for at in range(0, len(keys := sorted(rows)), 5000):
        session.execute(insert(ConsentDaily), [
            dict(zip(KEY_COLUMNS + MEASURES, (*key, *rows[key]), strict=True)) for key in keys[at:at + 5000]
        ])
    recount_months(session, start, end)
    return counted[0]

