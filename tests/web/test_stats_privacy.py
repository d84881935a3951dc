"""Small-cell suppression as a property: random small datasets x every breakdown x every page and
CSV. Never a 500, never a count under 5 visible (nor one a rate gives back), never a hidden cell
that a row's or a column's sum gives back, never the key of a hidden group, and the totals the
same whatever the breakdown."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session
from stats_support import sign_in_dashboard, today

from consent_gateway.consent.decisions import ACTIONS
from consent_gateway.staff import create_token
from consent_gateway.stats import (
    GROUPS,
    BannerImpressionDaily,
    ConsentDaily,
    ConsentMonthly,
    StatsQuery,
    consent_stats,
)
from consent_gateway.stats.figures import TOTAL
from consent_gateway.stats.periods import period_key
from consent_gateway.stats.rollup import (
    EventFacts,
    add_impressions,
    add_rollups,
    opt_in_purposes,
    opt_in_vendors,
    rollup_rows,
)
from consent_gateway.stats.suppression import MIN_CELL

DAYS = 10
SITES = ("iqera", "careers", "demo")


def _event(draw, site: str, sites) -> EventFacts:
    purposes = opt_in_purposes(sites, site)
    action = draw(st.sampled_from(ACTIONS))
    choices = {p: draw(st.booleans()) if action == "custom" else action == "accept_all" for p in purposes}
    vendors = {v: choices[p] and draw(st.booleans()) for v, p in opt_in_vendors(sites, site)}
    return EventFacts(
        day=today() - timedelta(days=draw(st.integers(0, DAYS - 1))), site_id=site, action=action,
        choices=choices, gpc=draw(st.booleans()), is_bot=draw(st.integers(0, 20)) == 0,
        country=draw(st.sampled_from(("FR", "US", "MA", None))),
        device=draw(st.sampled_from(("desktop", "mobile", "tablet"))),
        browser=draw(st.sampled_from(("Chrome", "Firefox"))),
        layer=draw(st.sampled_from(("first", "preferences", None))),
        ms=draw(st.one_of(st.none(), st.integers(100, 20_000))), vendors=vendors)


@st.composite
def datasets(draw, sites) -> dict[str, Any]:
    """A few groups of identical-ish decisions (small counts around the threshold, on purpose),
    the banner showings that go with them, and the page a marketer opens."""
    events = []
    for _ in range(draw(st.integers(0, 6))):
        site = draw(st.sampled_from(SITES))
        template = _event(draw, site, sites)
        events += [template] * draw(st.integers(1, 9))
        events += [_event(draw, site, sites) for _ in range(draw(st.integers(0, 4)))]
    seen = Counter((e.day, e.site_id) for e in events if not e.is_bot)
    impressions = {k: n + draw(st.integers(0, 3)) for k, n in sorted(seen.items())}
    return {"events": events, "impressions": impressions, "site": draw(st.sampled_from(SITES)),
            "page_site": draw(st.sampled_from(("", *SITES))),
            "period": draw(st.sampled_from(("day", "week", "month"))),
            "lang": draw(st.sampled_from(("fr", "en")))}


def _key(group: str, e: EventFacts) -> str:
    if group in ("day", "week", "month"):
        return period_key(group, e.day)
    return {"site": e.site_id, "action": e.action, "country": e.country or "?", "device": e.device or "?",
            "browser": e.browser or "?", "layer": e.layer or "?"}[group]


def _raw(sites, events: list[EventFacts], group: str, site: str | None) -> dict[str, dict[str, Counter]]:
    """The counts of each group, counted here from the events, not through the rollups."""
    out: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for e in events:
        if e.is_bot or (site and e.site_id != site):
            continue
        for key in (_key(group, e), TOTAL):
            c = out[key]
            c["n"]["decisions"] += 1
            c["n"][e.action] += 1
            c["n"]["gpc"] += e.gpc
            c["n"]["no_gpc"] += not e.gpc
            if e.action != "withdraw":
                for p in opt_in_purposes(sites, e.site_id):
                    c["granted"][p] += bool(e.choices.get(p))
                    c["refused"][p] += not e.choices.get(p)
    return out


def _small(n: int) -> bool:
    return 0 < n < MIN_CELL


def _check_report(sites, report: dict[str, Any], raw, group: str) -> None:
    rows = {row["key"]: row for row in report["rows"]}
    labelled = [*rows.items(), (TOTAL, report["totals"])]
    for key, row in labelled:
        if group in ("purpose", "vendor") and key != TOTAL:
            for n in (row["decisions"], row["granted"]):
                assert n is None or not _small(n), (group, key, row)
            continue
        counts = raw.get(key, {"n": Counter(), "granted": Counter(), "refused": Counter()})
        if key is None:
            assert row["suppressed"] and row["decisions"] is None
            continue
        visible = {"decisions": row["decisions"], **row["actions"]}
        for name, n in visible.items():
            assert n is None or (n == counts["n"][name] and not _small(n)), (group, key, name, row)
        if row["gpc_share"] is not None:
            assert not _small(counts["n"]["gpc"]) and not _small(counts["n"]["no_gpc"]), (group, key)
        for p, rate in row["opt_in"].items():
            if rate is not None:  # the rate times its denominator gives both counts back
                assert not _small(counts["granted"][p]) and not _small(counts["refused"][p]), (group, key, p)
    if group in ("purpose", "vendor"):
        return
    for raw_key, counts in raw.items():
        if raw_key != TOTAL and _small(counts["n"]["decisions"]):
            assert raw_key not in rows or rows[raw_key]["suppressed"], (group, raw_key)
    _audit(report, raw, rows, group)


def _audit(report: dict[str, Any], raw, rows: dict[str | None, dict[str, Any]], group: str) -> None:
    """What a reader can work out: from the cells shown, every sum with one unknown part gives that
    part (a row's kinds add up to its decisions, each column to the totals row), again and again.
    Nothing worked out this way may be a count under 5."""
    measures = ("decisions", *ACTIONS)
    known: dict[tuple[str, str], int] = {}
    for key in raw:
        row = report["totals"] if key == TOTAL else rows.get(key)
        for m in measures:
            value = None if row is None else (row["decisions"] if m == "decisions" else row["actions"][m])
            if value is not None:
                known[key, m] = value
    keys = [k for k in raw if k != TOTAL]
    sums = [((k, "decisions"), [(k, a) for a in ACTIONS]) for k in raw]
    sums += [((TOTAL, m), [(k, m) for k in keys]) for m in measures]
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            unknown = [p for p in parts if p not in known]
            if total in known and len(unknown) == 1:
                cell = unknown[0]
                known[cell] = known[total] - sum(known[p] for p in parts if p in known)
                assert not _small(known[cell]), (group, "worked out", cell, known[cell])
                changed = True
            elif total not in known and not unknown:
                known[total] = sum(known[p] for p in parts)
                assert not _small(known[total]), (group, "worked out", total, known[total])
                changed = True


@pytest.fixture
def dashboard(app, db_session):
    """A client signed in to the dashboard once, for every example."""
    client = app.test_client()
    sign_in_dashboard(client, create_token(db_session, "marketing", "Marie Marketing"))
    return client


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_breakdown_shows_or_gives_back_a_small_cell_and_no_page_fails(app, sites, dashboard, data):
    case = data.draw(datasets(sites))
    check_case(app, sites, dashboard, case)


def check_case(app, sites, client, case: dict[str, Any]) -> None:
    events = case["events"]
    with Session(app.extensions["db_engine"]) as session:
        session.execute(delete(ConsentDaily))
        session.execute(delete(ConsentMonthly))
        session.execute(delete(BannerImpressionDaily))
        add_rollups(session, rollup_rows(sites, [(e, 1) for e in events]))
        add_impressions(session, case["impressions"])
        session.commit()
        start = today() - timedelta(days=DAYS - 1)
        totals = []
        for site in (None, case["site"]):
            for group in GROUPS:
                report = consent_stats(session, sites, StatsQuery(site, start, today(), group, today()))
                raw = _raw(sites, events, group if group not in ("purpose", "vendor") else "site", site)
                _check_report(sites, report, raw, group)
                totals.append((site, report["totals"]))
        for site in (None, *SITES):
            assert len({repr(t) for s, t in totals if s == site}) <= 1, "totals differ with the breakdown"

    site, period, lang = case["page_site"], case["period"], case["lang"]
    for days in (1, 7, DAYS):
        first = (today() - timedelta(days=days - 1)).isoformat()
        page = client.get("/dashboard", query_string={"site": site, "from": first, "to": today().isoformat(),
                                                      "group_by": period, "lang": lang})
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
    for group in GROUPS:
        r = client.get("/dashboard/export.csv", query_string={"site": site, "group_by": group,
                                                               "from": start.isoformat()})
        assert r.status_code == 200
        for line in csv.DictReader(io.StringIO(r.get_data(as_text=True))):
            for column in ("decisions", *(ACTIONS if group not in ("purpose", "vendor") else ()), "granted"):
                value = line.get(column)
                assert not value or not _small(int(value)), (group, column, line)
