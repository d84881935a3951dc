"""Month rollups: a long period reads its whole months from ``consent_monthly`` and only the days
at its ends from ``consent_daily``; every figure must stay exactly what the day rows give, and the
month rows must stay the sums of the day rows through every write (live, seeding, rebuild)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from stats_support import today

from consent_gateway.consent.decisions import ACTIONS
from consent_gateway.stats import GROUPS, ConsentDaily, ConsentMonthly, StatsQuery, consent_stats, rebuild
from consent_gateway.stats import source as rollup_source
from consent_gateway.stats.demo import seed_decisions
from consent_gateway.stats.fairness import fairness_audit
from consent_gateway.stats.rollup import (
    TIMES,
    UNKNOWN,
    EventFacts,
    add_rollups,
    insert_rollups,
    opt_in_purposes,
    opt_in_vendors,
    rollup_rows,
)
from consent_gateway.stats.source import whole_months

SITES = ("iqera", "careers", "demo")
DAYS = 120


def _events(sites, n: int, seed: int) -> list[EventFacts]:
    rng = random.Random(seed)
    events = []
    for _ in range(n):
        site = rng.choice(SITES)
        action = rng.choice(ACTIONS)
        purposes = opt_in_purposes(sites, site)
        choices = {p: rng.random() < .5 if action == "custom" else action == "accept_all" for p in purposes}
        events.append(EventFacts(
            day=today() - timedelta(days=rng.randrange(DAYS)), site_id=site, action=action, choices=choices,
            gpc=rng.random() < .2, is_bot=rng.random() < .03, country=rng.choice(("FR", "US", "MA", None)),
            device=rng.choice(("desktop", "mobile", "tablet")), browser=rng.choice(("Chrome", "Firefox")),
            layer=rng.choice(("first", "close", "preferences", None)),
            ms=rng.choice((None, rng.randrange(100, 40_000))),
            vendors={v: choices[p] and rng.random() < .8 for v, p in opt_in_vendors(sites, site)}))
    return events


def _table(session: Session, model) -> dict[tuple, tuple]:
    return {tuple(r[:6]): tuple(r[6:]) for r in session.execute(select(
        model.dimension, model.day, model.site_id, model.value, model.action, model.purpose,
        model.decisions, model.granted, model.gpc, model.bots))}


def _months_of_days(days: dict[tuple, tuple], within: tuple[date, date] | None = None) -> dict[tuple, tuple]:
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (dim, day, *rest), measures in days.items():
        if within is None or within[0] <= day.replace(day=1) <= within[1]:
            total = out[(dim, day.replace(day=1), *rest)]
            for i, n in enumerate(measures):
                total[i] += n
    return {k: tuple(v) for k, v in out.items()}


def test_whole_months_leave_only_the_ends_to_the_day_rows():
    short = (date(2026, 1, 15), date(2026, 1, 20))
    assert whole_months(*short) == (None, [short])
    assert whole_months(date(2026, 1, 1), date(2026, 1, 31)) == ((date(2026, 1, 1), date(2026, 1, 31)), [])
    assert whole_months(date(2025, 12, 6), date(2026, 12, 5)) == (
        (date(2026, 1, 1), date(2026, 11, 30)),
        [(date(2025, 12, 6), date(2025, 12, 31)), (date(2026, 12, 1), date(2026, 12, 5))])
    assert whole_months(date(2024, 2, 1), date(2024, 3, 30)) == (
        (date(2024, 2, 1), date(2024, 2, 29)), [(date(2024, 3, 1), date(2024, 3, 30))])


def test_month_rows_stay_the_sums_of_the_day_rows(app, db_session: Session):
    sites = app.extensions["gateway"].sites
    events = _events(sites, 1500, seed=1)
    insert_rollups(db_session, rollup_rows(sites, [(e, 1) for e in events[:700]]))
    for start in range(700, 1500, 100):  # the live path adds to existing rows, batch by batch
        add_rollups(db_session, rollup_rows(sites, [(e, 1) for e in events[start:start + 100]]))
    db_session.commit()
    days = _table(db_session, ConsentDaily)
    assert days and _table(db_session, ConsentMonthly) == _months_of_days(days)
    # The compact histogram is the time-to-decide rows of every kind of decision, added up.
    times: dict[tuple, int] = defaultdict(int)
    for (dim, day, site, bucket, _action, _purpose), (n, *_rest) in days.items():
        if dim == "ms" and bucket != UNKNOWN:
            times[day, site, bucket] += n
    assert times and {k[1:4]: v[0] for k, v in days.items() if k[0] == TIMES} == times


def test_rebuild_counts_the_months_of_the_days_again(app, db_session: Session):
    sites = app.extensions["gateway"].sites
    seed_decisions(db_session, sites, 600, days=90, seed=3, fresh=True)
    days, months = _table(db_session, ConsentDaily), _table(db_session, ConsentMonthly)
    assert months == _months_of_days(days)
    start, end = today() - timedelta(days=50), today() - timedelta(days=20)  # cuts two months
    db_session.execute(delete(ConsentDaily).where(ConsentDaily.day >= start, ConsentDaily.day <= end))
    db_session.execute(delete(ConsentMonthly))
    db_session.commit()
    rebuild(db_session, sites, start, end)
    touched = (start.replace(day=1), end.replace(day=1))
    assert _table(db_session, ConsentDaily) == days
    assert _table(db_session, ConsentMonthly) == _months_of_days(days, touched)


@pytest.mark.parametrize("span", ["year to today", "whole month", "across months"])
def test_every_figure_is_the_same_read_from_months_or_from_days(app, db_session: Session, monkeypatch, span):
    sites = app.extensions["gateway"].sites
    add_rollups(db_session, rollup_rows(sites, [(e, 1) for e in _events(sites, 4000, seed=2)]))
    db_session.commit()
    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    start, end = {
        "year to today": (today() - timedelta(days=364), today()),
        "whole month": (last_month, today().replace(day=1) - timedelta(days=1)),
        "across months": (today() - timedelta(days=DAYS - 9), today() - timedelta(days=3)),
    }[span]
    assert whole_months(start, end)[0] is not None, "the period must have a whole month to read"
    queries = [StatsQuery(site, start, end, group, today()) for site in (None, "iqera") for group in GROUPS]
    with_months = [consent_stats(db_session, sites, q) for q in queries]
    fair = [fairness_audit(db_session, sites, q) for q in queries[:: len(GROUPS)]]
    monkeypatch.setattr(rollup_source, "whole_months", lambda a, b: (None, [(a, b)]))
    assert [consent_stats(db_session, sites, q) for q in queries] == with_months
    assert [fairness_audit(db_session, sites, q) for q in queries[:: len(GROUPS)]] == fair
    assert any(r["totals"]["decisions"] for r in with_months)
