"""Calendar periods of the time breakdowns: day, ISO week, month, each marked when partial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

TIME_GROUPS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    """One row of a time breakdown: its key, the days of it inside the query, and whether it is
    partial (cut by the query's ends, or not over yet)."""

    key: str
    first: date
    last: date
    partial: bool


def period_key(group: str, day: date) -> str:
    """``2026-11-03`` for a day, ``2026-W45`` for an ISO week, ``2026-11`` for a month."""
    if group == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if group == "month":
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def _bounds(group: str, day: date) -> tuple[date, date]:
    """The whole calendar period holding ``day``."""
    if group == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if group == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    return day, day


def periods(group: str, start: date, end: date, today: date | None) -> list[Period]:
    """Every period of ``group`` that meets ``start``..``end``, in order. A period is partial when
    some of its days fall outside the query, or when it ends today or later (not over yet)."""
    out: list[Period] = []
    day = start
    while day <= end:
        first, last = _bounds(group, day)
        cut_first, cut_last = max(first, start), min(last, end)
        unfinished = today is not None and last >= today
        out.append(Period(period_key(group, day), cut_first, cut_last,
                          (cut_first, cut_last) != (first, last) or unfinished))
        day = last + timedelta(days=1)
    return out
