"""Where a period's rollup rows are read: its whole calendar months in ``consent_monthly``, the
days at its ends in ``consent_daily`` (a year is some twelve month rows and a few dozen day rows
per key instead of 365 day rows). Both tables have the same key and measures, and a month row is
the sum of its day rows, so every figure is the same whichever table a day is read from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, or_, select, union_all

from consent_gateway.stats.models import ConsentDaily, ConsentMonthly

Conditions = Callable[[Any], Sequence[ColumnElement[bool]]]


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def whole_months(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The first days of the first and last whole months inside ``start``..``end`` (None when no
    month is whole in it), and the day ranges left at its ends."""
    first = start if start.day == 1 else _next_month(start)
    after = _next_month(end) if _next_month(end) - timedelta(days=1) == end else end.replace(day=1)
    if first >= after:
        return None, [(start, end)]
    edges = [(start, first - timedelta(days=1))] if start < first else []
    edges += [(after, end)] if after <= end else []
    return (first, after - timedelta(days=1)), edges


def rollups(start: date, end: date, site_id: str | None, conditions: Conditions,
            by_day: bool = False) -> Subquery:
    """The rollup rows of ``start``..``end`` (one site, or all) that meet ``conditions`` (given the
    table, ConsentDaily or ConsentMonthly), as one selectable with the rollups' columns. Its
    ``day`` is a month's first day on month rows: ``by_day`` reads day rows only (a series by day
    or by week needs each day)."""
    months, edges = (None, [(start, end)]) if by_day else whole_months(start, end)

    def rows(model: Any, ranges: list[tuple[date, date]]):
        scope = [or_(*(and_(model.day >= a, model.day <= b) for a, b in ranges))]
        if site_id:
            scope.append(model.site_id == site_id)
        return select(model.dimension, model.day, model.site_id, model.value, model.action, model.purpose,
                      model.decisions, model.granted, model.gpc, model.bots).where(*scope, *conditions(model))

    parts = [rows(ConsentDaily, edges)] if edges else []
    if months is not None:
        parts.append(rows(ConsentMonthly, [months]))
    if len(parts) == 1:
        return parts[0].subquery("rollups")
    return union_all(*parts).subquery("rollups")
