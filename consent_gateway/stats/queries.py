"""Read-only aggregate queries on the rollups: the figures the API, the dashboard and the CLI show.

Every figure comes from ``consent_daily`` and ``banner_impression_daily``, never from the raw
events, so a 30-day query reads a few thousand rows whatever the traffic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway.consent.decisions import ACTIONS
from consent_gateway.declaration import SitesConfig
from consent_gateway.errors import ValidationError
from consent_gateway.stats.backlog import catch_up
from consent_gateway.stats.models import BannerImpressionDaily, ConsentDaily
from consent_gateway.stats.rollup import MS_BUCKETS, UNKNOWN, opt_in_purposes
from consent_gateway.stats.suppression import MIN_CELL, suppressed_keys, total_is_shown

_LOWER_BOUND = dict(zip(MS_BUCKETS, (0, *MS_BUCKETS), strict=False))
GROUPS = ("day", "week", "purpose", "action", "country", "device", "browser", "layer")
DEFAULT_DAYS = 30
MAX_DAYS = 731
# The days a query may name: no figure is older than the gateway, and none is centuries ahead.
# Within these, a period, the one before it and the day after it are all dates Python can hold.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class StatsQuery:
    """A period (both ends included), an optional site and one breakdown."""

    site_id: str | None
    start: date
    end: date
    group_by: str = "day"

    def previous(self) -> StatsQuery:
        """The period of the same length just before this one."""
        length = (self.end - self.start).days + 1
        return StatsQuery(self.site_id, self.start - timedelta(days=length),
                          self.start - timedelta(days=1), self.group_by)


def parse_query(sites: SitesConfig, args: Mapping[str, str | None], today: date) -> StatsQuery:
    """Check ``site``, ``from``, ``to`` and ``group_by`` (ValidationError names the field).

    Without dates: the last 30 days up to ``today``.
    """
    site_id = args.get("site") or None
    if site_id is not None and sites.site(site_id) is None:
        raise ValidationError(f"no site {site_id!r} is declared", field="site")
    end = _day_in_range(parse_date(args.get("to"), "to"), "to") or today
    start = _day_in_range(parse_date(args.get("from"), "from"), "from") or max(
        end - timedelta(days=DEFAULT_DAYS - 1), FIRST_DAY)
    if start > end:
        raise ValidationError("from must not be after to", field="from")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"a period is at most {MAX_DAYS} days", field="from")
    group_by = args.get("group_by") or "day"
    if group_by not in GROUPS:
        raise ValidationError(f"group_by must be one of {', '.join(GROUPS)}", field="group_by")
    return StatsQuery(site_id, start, end, group_by)


def _day_in_range(day: date | None, name: str) -> date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(f"{name} must be between {FIRST_DAY} and {LAST_DAY}", field=name)
    return day


def parse_date(raw: str | None, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter, None when absent; 400 naming ``name`` otherwise."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"{name} must be a date as YYYY-MM-DD", field=name) from exc


@dataclass
class _Cell:
    actions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    answered_by_site: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    granted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    gpc: int = 0
    bots: int = 0
    impressions: int | None = None
    ms: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def decisions(self) -> int:
        return sum(self.actions.values())

    def add(self, other: _Cell) -> None:
        for action, n in other.actions.items():
            self.actions[action] += n
        for mapping, more in ((self.answered_by_site, other.answered_by_site),
                              (self.granted, other.granted), (self.ms, other.ms)):
            for k, n in more.items():
                mapping[k] += n
        self.gpc += other.gpc
        self.bots += other.bots
        if other.impressions is not None:
            self.impressions = (self.impressions or 0) + other.impressions


def consent_stats(session: Session, sites: SitesConfig, query: StatsQuery) -> dict[str, Any]:
    """The figures of ``query``: totals, one row per group, small cells suppressed, bots apart.
    The decisions still in the stats backlog are counted first (and committed)."""
    catch_up(session, sites)
    purposes = _purposes(sites, query.site_id)
    cells = _cells(session, query)
    total = _Cell()
    for cell in cells.values():
        total.add(cell)
    if query.group_by in ("day", "week", "action") or not cells:
        _add_times(session, query, cells, total)
    if query.group_by in ("day", "week"):
        _add_impressions(session, query, cells, total)
    elif total.impressions is None:
        total.impressions = _impressions(session, query)
    if query.group_by == "purpose":
        rows = _purpose_rows(sites, purposes, total)
    else:
        rows = _rows(sites, purposes, cells)
    shown = total_is_shown(total.decisions)
    return {
        "site": query.site_id,
        "from": query.start.isoformat(),
        "to": query.end.isoformat(),
        "group_by": query.group_by,
        "min_cell": MIN_CELL,
        "purposes": [{"id": p, "label": {"fr": sites.purposes[p].label.fr, "en": sites.purposes[p].label.en}}
                     for p in purposes],
        "totals": _figures(sites, purposes, total, shown),
        "bots_excluded": total.bots,
        "rows": rows,
        "suppressed_rows": sum(1 for r in rows if r["suppressed"]),
    }


def _purposes(sites: SitesConfig, site_id: str | None) -> list[str]:
    ids = [site_id] if site_id else list(sites.sites)
    seen: dict[str, None] = {}
    for sid in ids:
        seen.update(dict.fromkeys(opt_in_purposes(sites, sid)))
    return list(seen)


def _scope(stmt, model, query: StatsQuery):
    stmt = stmt.where(model.day >= query.start, model.day <= query.end)
    if query.site_id:
        stmt = stmt.where(model.site_id == query.site_id)
    return stmt


def _group_key(query: StatsQuery, day: date | str, value: str, action: str) -> str:
    if query.group_by in ("day", "week"):
        day = day if isinstance(day, date) else date.fromisoformat(day)
        if query.group_by == "week":
            year, week, _ = day.isocalendar()
            return f"{year}-W{week:02d}"
        return day.isoformat()
    if query.group_by == "action":
        return action
    if query.group_by == "purpose":
        return ""
    return value


def _dimension(query: StatsQuery) -> str:
    return query.group_by if query.group_by in ("country", "device", "browser", "layer") else "all"


def _cells(session: Session, query: StatsQuery) -> dict[str, _Cell]:
    c = ConsentDaily
    by_day = query.group_by in ("day", "week")
    columns = [c.day if by_day else c.value, c.site_id, c.action, c.purpose]
    stmt = _scope(select(*columns, func.sum(c.decisions), func.sum(c.granted), func.sum(c.gpc),
                         func.sum(c.bots)), c, query)
    stmt = stmt.where(c.dimension == _dimension(query)).group_by(*columns)
    cells: dict[str, _Cell] = {}
    if by_day:
        day = query.start
        while day <= query.end:
            cells.setdefault(_group_key(query, day, "", ""), _Cell())
            day += timedelta(days=1)
    for key_value, site_id, action, purpose, decisions, granted, gpc, bots in session.execute(stmt):
        day_or_value = key_value if by_day else ""
        key = _group_key(query, day_or_value, "" if by_day else key_value, action)
        cell = cells.setdefault(key, _Cell())
        if purpose:
            cell.granted[purpose] += int(granted)
            continue
        cell.actions[action] += int(decisions)
        if action != "withdraw":
            cell.answered_by_site[site_id] += int(decisions)
        cell.gpc += int(gpc)
        cell.bots += int(bots)
    return cells


def _add_times(session: Session, query: StatsQuery, cells: dict[str, _Cell], total: _Cell) -> None:
    c = ConsentDaily
    # Grouped by what the breakdown needs only: the database returns tens of rows, not thousands.
    group = c.action if query.group_by == "action" else c.day
    stmt = _scope(select(group, c.value, func.sum(c.decisions)), c, query)
    stmt = stmt.where(c.dimension == "ms", c.value != UNKNOWN).group_by(group, c.value)
    for day_or_action, bucket, n in session.execute(stmt):
        if query.group_by == "action":
            key = day_or_action
        else:
            key = _group_key(query, day_or_action, "", "")
        total.ms[bucket] += int(n)
        if key in cells:
            cells[key].ms[bucket] += int(n)


def _add_impressions(session: Session, query: StatsQuery, cells: dict[str, _Cell], total: _Cell) -> None:
    i = BannerImpressionDaily
    stmt = _scope(select(i.day, func.sum(i.impressions)), i, query).group_by(i.day)
    total.impressions = 0
    for cell in cells.values():
        cell.impressions = 0
    for day, n in session.execute(stmt):
        cells[_group_key(query, day, "", "")].impressions = (cells[_group_key(query, day, "", "")]
                                                             .impressions or 0) + int(n)
        total.impressions += int(n)


def _impressions(session: Session, query: StatsQuery) -> int:
    i = BannerImpressionDaily
    return int(session.scalar(_scope(select(func.coalesce(func.sum(i.impressions), 0)), i, query)) or 0)


def median_ms(histogram: Mapping[str, int]) -> int | None:
    """The median time to decide (ms), interpolated inside the bucket that holds it; None without
    timings."""
    count = sum(histogram.values())
    if not count:
        return None
    seen = 0
    for bucket in sorted(histogram):
        upper, n = int(bucket), histogram[bucket]
        if n and (seen + n) * 2 >= count:
            lower = _LOWER_BOUND.get(upper, 0)
            return round(lower + (upper - lower) * (count / 2 - seen) / n)
        seen += n
    return None  # pragma: no cover - the loop always reaches half of count


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(sites: SitesConfig, purposes: Iterable[str], cell: _Cell, shown: bool) -> dict[str, Any]:
    """The figures of one cell; a hidden cell keeps its key and nothing else."""
    if not shown:
        return {"decisions": None, "suppressed": True}
    answered = sum(n for a, n in cell.actions.items() if a != "withdraw")
    opt_in = {}
    for purpose in purposes:
        asked = sum(n for sid, n in cell.answered_by_site.items()
                    if purpose in opt_in_purposes(sites, sid))
        opt_in[purpose] = _rate(cell.granted.get(purpose, 0), asked)
    return {
        "decisions": cell.decisions,
        "suppressed": False,
        "actions": dict(cell.actions),
        "opt_in": opt_in,
        "gpc_share": _rate(cell.gpc, cell.decisions),
        "impressions": cell.impressions,
        "response_rate": _rate(answered, cell.impressions) if cell.impressions is not None else None,
        "median_ms": median_ms(cell.ms),
    }


def _rows(sites: SitesConfig, purposes: list[str], cells: dict[str, _Cell]) -> list[dict[str, Any]]:
    hidden = suppressed_keys({key: cell.decisions for key, cell in cells.items()})
    rows = [{"key": key, **_figures(sites, purposes, cell, key not in hidden)}
            for key, cell in cells.items()]
    return sorted(rows, key=lambda r: r["key"])


def _purpose_rows(sites: SitesConfig, purposes: list[str], total: _Cell) -> list[dict[str, Any]]:
    asked = {p: sum(n for sid, n in total.answered_by_site.items() if p in opt_in_purposes(sites, sid))
             for p in purposes}
    hidden = suppressed_keys(asked)
    return [
        {"key": p, "decisions": None, "suppressed": True} if p in hidden else
        {"key": p, "decisions": asked[p], "suppressed": False, "granted": total.granted.get(p, 0),
         "opt_in_rate": _rate(total.granted.get(p, 0), asked[p])}
        for p in purposes
    ]
