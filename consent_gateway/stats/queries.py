"""Read-only aggregate queries on the rollups: the figures the API, the dashboard and the CLI show.

Every figure comes from ``consent_daily`` and ``banner_impression_daily``, never from the raw
events, so a 30-day query reads a few thousand rows whatever the traffic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from consent_gateway.consent.decisions import ACTIONS
from consent_gateway.declaration import SitesConfig
from consent_gateway.errors import ValidationError
from consent_gateway.stats.backlog import catch_up
from consent_gateway.stats.figures import TOTAL, Cell, Table, VendorCell, hidden_row, median_ms
from consent_gateway.stats.models import BannerImpressionDaily
from consent_gateway.stats.periods import TIME_GROUPS, period_key, periods
from consent_gateway.stats.rollup import TIMES, UNKNOWN, opt_in_purposes, opt_in_vendors
from consent_gateway.stats.source import Conditions, rollups
from consent_gateway.stats.suppression import MIN_CELL

GROUPS = ("day", "week", "month", "site", "purpose", "vendor", "action", "country", "device", "browser",
          "layer")
# Breakdowns whose values are not known in advance: a hidden group's key (a country, a browser)
# would itself say that someone came from there, so hidden groups are folded into one keyless row.
OPEN_GROUPS = ("country", "device", "browser", "layer")
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
    # The day the query was asked: periods that reach it are not over yet (marked partial).
    today: date | None = None

    def previous(self) -> StatsQuery:
        """The period of the same length just before this one."""
        length = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=length), end=self.start - timedelta(days=1))


def parse_query(sites: SitesConfig, args: Mapping[str, str | None], today: date) -> StatsQuery:
    """Check ``site``, ``from``, ``to`` and ``group_by`` (ValidationError names the field).

    Without dates: the last 30 days up to ``today``.
    """
    site_id = args.get("site") or None
    if site_id is not None and sites.site(site_id) is None:
        raise ValidationError(f"no site {site_id!r} is declared", field="site", code="unknown_site")
    end = _day_in_range(parse_date(args.get("to"), "to"), "to") or today
    start = _day_in_range(parse_date(args.get("from"), "from"), "from") or max(
        end - timedelta(days=DEFAULT_DAYS - 1), FIRST_DAY)
    if start > end:
        raise ValidationError("from must not be after to", field="from", code="reversed_period")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"a period is at most {MAX_DAYS} days", field="from", code="period_too_long")
    group_by = args.get("group_by") or "day"
    if group_by not in GROUPS:
        raise ValidationError(f"group_by must be one of {', '.join(GROUPS)}", field="group_by",
                              code="unknown_group")
    return StatsQuery(site_id, start, end, group_by, today)


def parse_comparison(args: Mapping[str, str | None], query: StatsQuery) -> StatsQuery | None:
    """The period to compare ``query`` with (``compare_from`` and ``compare_to``, both or neither),
    same site and breakdown; None when not asked."""
    raw_from, raw_to = args.get("compare_from") or None, args.get("compare_to") or None
    if raw_from is None and raw_to is None:
        return None
    start = _day_in_range(parse_date(raw_from, "compare_from"), "compare_from")
    end = _day_in_range(parse_date(raw_to, "compare_to"), "compare_to")
    if start is None or end is None:
        missing = "compare_from" if start is None else "compare_to"
        raise ValidationError("compare_from and compare_to go together", field=missing, code="half_period")
    if start > end:
        raise ValidationError("compare_from must not be after compare_to", field="compare_from",
                              code="reversed_period")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"a period is at most {MAX_DAYS} days", field="compare_from",
                              code="period_too_long")
    return replace(query, start=start, end=end)


def _day_in_range(day: date | None, name: str) -> date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(f"{name} must be between {FIRST_DAY} and {LAST_DAY}", field=name,
                              code="date_out_of_range")
    return day


def parse_date(raw: str | None, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter, None when absent; 400 naming ``name`` otherwise."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"{name} must be a date as YYYY-MM-DD", field=name, code="bad_date") from exc



def consent_stats(session: Session, sites: SitesConfig, query: StatsQuery,
                  timings: dict[tuple[Any, ...], dict[str, int]] | None = None) -> dict[str, Any]:
    """The figures of ``query``: totals, one row per group, small cells suppressed, bots apart.
    The decisions still in the stats backlog are counted first (and committed).

    The totals are the same whatever the breakdown: the decisions of the period and site(s), their
    timings and the banner's showings. ``timings`` keeps the totals' time-to-decide histograms
    between the reports of one page (the longest read of a report that has no row timings)."""
    catch_up(session, sites)
    site_ids = [query.site_id] if query.site_id else list(sites.sites)
    purposes = _purposes(sites, site_ids)
    group = query.group_by
    additive = group not in ("purpose", "vendor")
    cells = _cells(session, sites, query, purposes) if additive else {}
    total = _total(session, query, purposes) if not additive else Cell()
    if additive:
        for cell in cells.values():
            total.add(cell)
    _add_times(session, query, cells, total, {} if timings is None else timings)
    _add_impressions(session, query, cells, total)
    table = Table(purposes, {sid: opt_in_purposes(sites, sid) for sid in sites.sites})
    table.add_cell(TOTAL, total)
    for key, cell in cells.items():
        table.add_cell(key, cell)
    vendors = _vendor_cells(session, sites, query, site_ids) if group == "vendor" else {}
    for vendor, vcell in vendors.items():
        table.add_vendor(vendor, vcell)
    if additive:
        table.add_columns(cells)
    table.protect()
    rows = _rows(sites, query, table, cells, purposes, vendors)
    return {
        "site": query.site_id,
        "from": query.start.isoformat(),
        "to": query.end.isoformat(),
        "group_by": group,
        "min_cell": MIN_CELL,
        "purposes": [{"id": p, "label": {"fr": sites.purposes[p].label.fr, "en": sites.purposes[p].label.en}}
                     for p in purposes],
        "totals": table.figures(TOTAL, total),
        "bots_excluded": total.bots,
        "rows": rows,
        "suppressed_rows": sum(1 for r in rows if r["suppressed"]),
    }


def _rows(sites: SitesConfig, query: StatsQuery, table: Table, cells: dict[str, Cell],
          purposes: list[str], vendors: dict[str, VendorCell]) -> list[dict[str, Any]]:
    group = query.group_by
    if group == "purpose":
        return [{"key": p, **table.purpose_figures(p)} for p in purposes]
    if group == "vendor":
        names = {v.id: (v.name, v.purpose) for s in sites.sites.values() for v in s.vendors}
        return [{"key": v, "name": names[v][0], "purpose": names[v][1], **table.vendor_figures(v)}
                for v in vendors]
    rows = [{"key": key, **table.figures(key, cell)} for key, cell in cells.items()]
    if group in TIME_GROUPS:
        for row, period in zip(rows, periods(group, query.start, query.end, query.today), strict=True):
            row.update({"from": period.first.isoformat(), "to": period.last.isoformat(),
                        "partial": period.partial})
        return rows
    if group in OPEN_GROUPS:
        shown = sorted((r for r in rows if not r["suppressed"]), key=lambda r: r["key"])
        return shown + ([hidden_row(purposes)] if len(shown) < len(rows) else [])
    return rows


def _purposes(sites: SitesConfig, site_ids: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for sid in site_ids:
        seen.update(dict.fromkeys(opt_in_purposes(sites, sid)))
    return list(seen)


def _scope(stmt, model, query: StatsQuery):
    stmt = stmt.where(model.day >= query.start, model.day <= query.end)
    if query.site_id:
        stmt = stmt.where(model.site_id == query.site_id)
    return stmt


def _rollups(query: StatsQuery, conditions: Conditions):
    """The columns of the period's rollup rows meeting ``conditions``: whole months read from the
    month rows unless the breakdown is by day or week (which needs each day)."""
    return rollups(query.start, query.end, query.site_id, conditions,
                   by_day=query.group_by in ("day", "week")).c


def _key(query: StatsQuery, day: date | str, site_id: str, value: str, action: str) -> str:
    group = query.group_by
    if group in TIME_GROUPS:
        return period_key(group, day if isinstance(day, date) else date.fromisoformat(day))
    if group == "action":
        return action
    if group == "site":
        return site_id
    return value


def _empty_rows(sites: SitesConfig, query: StatsQuery) -> dict[str, Cell]:
    """The rows every report of this breakdown lists, counted or not: a key that shows up only
    when someone decided would say that someone did."""
    group = query.group_by
    if group in TIME_GROUPS:
        return {p.key: Cell() for p in periods(group, query.start, query.end, query.today)}
    if group == "action":
        return {a: Cell() for a in ACTIONS}
    if group == "site":
        return {sid: Cell() for sid in ([query.site_id] if query.site_id else sites.sites)}
    return {}


def _read_cells(session: Session, query: StatsQuery, dimension: str, key_name: str,
                purposes: list[str]) -> dict[str, Cell]:
    """The cells of one dimension, one row per key and site: the database sums the kinds of
    decision and the grants of each purpose side by side (a year by day is some two thousand
    rows, not tens of thousands)."""
    c = _rollups(query, lambda m: [m.dimension == dimension])
    key_column = c[key_name]
    asked = c.purpose == ""
    measures = [func.sum(case((and_(asked, c.action == a), c.decisions), else_=0)) for a in ACTIONS]
    measures += [func.sum(case((asked, c.gpc), else_=0)), func.sum(case((asked, c.bots), else_=0))]
    measures += [func.sum(case((c.purpose == p, c.granted), else_=0)) for p in purposes]
    stmt = select(key_column, c.site_id, *measures).group_by(key_column, c.site_id)
    cells: dict[str, Cell] = {}
    n_actions = len(ACTIONS)
    for key_value, site_id, *sums in session.execute(stmt):
        key = _key(query, key_value, site_id, key_value, key_value)
        cell = cells.setdefault(key, Cell())
        for action, n in zip(ACTIONS, sums[:n_actions], strict=True):
            cell.actions[action] += int(n or 0)
            if action != "withdraw":
                cell.answered_by_site[site_id] += int(n or 0)
        cell.gpc += int(sums[n_actions] or 0)
        cell.bots += int(sums[n_actions + 1] or 0)
        for purpose, n in zip(purposes, sums[n_actions + 2:], strict=True):
            if n:
                cell.granted[purpose] += int(n)
    return cells


def _cells(session: Session, sites: SitesConfig, query: StatsQuery, purposes: list[str]) -> dict[str, Cell]:
    group = query.group_by
    if group in TIME_GROUPS:
        read = _read_cells(session, query, "all", "day", purposes)
    elif group in ("action", "site"):
        read = _read_cells(session, query, "all", group if group == "action" else "site_id", purposes)
    else:
        read = _read_cells(session, query, group, "value", purposes)
    cells = _empty_rows(sites, query)
    for key, cell in read.items():
        cells.setdefault(key, Cell()).add(cell)
    return cells


def _total(session: Session, query: StatsQuery, purposes: list[str]) -> Cell:
    """The period's decisions, for the breakdowns whose rows do not add up to them."""
    total = Cell()
    for cell in _read_cells(session, replace(query, group_by="site"), "all", "site_id", purposes).values():
        total.add(cell)
    return total


def _vendor_cells(session: Session, sites: SitesConfig, query: StatsQuery,
                  site_ids: list[str]) -> dict[str, VendorCell]:
    c = _rollups(query, lambda m: [m.dimension == "vendor"])
    vendors = {v: VendorCell() for sid in site_ids for v, _p in opt_in_vendors(sites, sid)}
    stmt = select(c.value, func.sum(c.decisions), func.sum(c.granted)).group_by(c.value)
    for vendor, asked, granted in session.execute(stmt):
        cell = vendors.setdefault(vendor, VendorCell())
        cell.asked += int(asked)
        cell.granted += int(granted)
    return vendors


def _add_times(session: Session, query: StatsQuery, cells: dict[str, Cell], total: Cell,
               known: dict[tuple[Any, ...], dict[str, int]]) -> None:
    """Time-to-decide histograms: the totals' always, the rows' where the rollups hold them per
    row (periods, kinds of decision, sites). Only the rows per kind of decision read the ``ms``
    rows; the others, the compact ``time`` histogram (no kind, a quarter of the rows)."""
    group = query.group_by
    c = _rollups(query, (lambda m: [m.dimension == "ms", m.value != UNKNOWN]) if group == "action"
                 else (lambda m: [m.dimension == TIMES]))
    per_row = {"action": c.action, "site": c.site_id}.get(group, c.day if group in TIME_GROUPS else None)
    scope = (query.site_id, query.start, query.end)
    if per_row is None and scope in known:
        total.ms.update(known[scope])
        return
    column = per_row if per_row is not None else c.dimension
    stmt = select(column, c.value, func.sum(c.decisions)).group_by(column, c.value)
    rows: dict[Any, Cell | None] = {}  # key value -> its row (a year by day: 365 keys, 13,000 rows)
    for key_value, bucket, n in session.execute(stmt):
        total.ms[bucket] += int(n)
        if per_row is not None:
            if key_value not in rows:
                rows[key_value] = cells.get(_key(query, key_value, key_value, "", key_value))
            cell = rows[key_value]
            if cell is not None:
                cell.ms[bucket] += int(n)
    known[scope] = dict(total.ms)


def _add_impressions(session: Session, query: StatsQuery, cells: dict[str, Cell], total: Cell) -> None:
    """Banner showings: the totals' always, the rows' for periods and sites."""
    i = BannerImpressionDaily
    group = query.group_by
    per_row = group in TIME_GROUPS or group == "site"
    column = i.site_id if group == "site" else i.day
    stmt = _scope(select(column, func.sum(i.impressions)), i, query).group_by(column)
    total.impressions = 0
    if per_row:
        for cell in cells.values():
            cell.impressions = 0
    for key_value, n in session.execute(stmt):
        total.impressions += int(n)
        if per_row:
            key = _key(query, key_value, key_value, "", "")
            if key in cells:
                cells[key].impressions = (cells[key].impressions or 0) + int(n)


__all__ = ["GROUPS", "StatsQuery", "consent_stats", "median_ms", "parse_comparison", "parse_date",
           "parse_query"]
