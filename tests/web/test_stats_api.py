"""GET /api/v1/stats/consents: the figures match a count of the raw events, for staff only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from stats_support import BOT, CHROME, FIREFOX, SAFARI, opt_in_purposes, raw_counts, today

from consent_gateway.staff import create_token
from consent_gateway.stats.demo import seed_decisions


def _start():
    return today() - timedelta(days=29)



@pytest.fixture
def marketing(db_session):
    return {"Authorization": f"Bearer {create_token(db_session, 'marketing', 'Marie Marketing')}"}


def _get(client, headers, **params):
    params.setdefault("from", _start().isoformat())
    params.setdefault("to", today().isoformat())
    return client.get("/api/v1/stats/consents", query_string=params, headers=headers)


def _expected_rate(raw: dict, purpose: str):
    return round(raw["granted"][purpose] / raw["asked"][purpose], 4) if raw["asked"][purpose] else None


def _assert_matches(figures: dict, raw: dict) -> None:
    """Every figure shown is the raw count's; a hidden one (None) hides a small count or its
    complement, never a figure that could have been shown alone."""
    assert figures["decisions"] == raw["decisions"]
    for action, n in figures["actions"].items():
        assert n in (None, raw["actions"][action]), action
    share = round(raw["gpc"] / raw["decisions"], 4) if raw["decisions"] else None
    assert figures["gpc_share"] in (None, share)
    for purpose, rate in figures["opt_in"].items():
        assert rate in (None, _expected_rate(raw, purpose)), purpose


@pytest.mark.parametrize("group_by,key", [
    ("day", lambda e: e.created_at.date().isoformat()),
    ("country", lambda e: e.country or "?"),
    ("device", lambda e: e.device_class or "?"),
    ("browser", lambda e: e.browser_family or "?"),
    ("layer", lambda e: e.ui_layer or "?"),
    ("action", lambda e: e.action),
])
def test_figures_equal_an_independent_count_of_the_raw_events(
        app, client, sites, poster, marketing, group_by, key):
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        seed_decisions(session, sites, 4000, days=40, seed=7)
    # Decisions through the API too: the live path keeps the rollups in step.
    for i in range(12):
        poster("iqera", ("accept_all", "reject_all")[i % 2], ui={"layer": "first", "ms": 900 + i},
               gpc=i % 3 == 0)
    poster("iqera", "accept_all", ua=BOT)

    r = _get(client, marketing, group_by=group_by)
    assert r.status_code == 200
    report = r.get_json()
    with Session(engine) as session:
        raw = raw_counts(session, sites, _start(), today(), key)
        everything = raw_counts(session, sites, _start(), today(), lambda e: "all")["all"]
    _assert_matches(report["totals"], everything)
    assert report["bots_excluded"] == everything["bots"] > 0
    shown = [row for row in report["rows"] if not row["suppressed"]]
    assert shown, "the seed gives every group enough decisions"
    for row in shown:
        _assert_matches(row, raw[row["key"]])
    for key, figures in raw.items():
        if 0 < figures["decisions"] < 5:
            assert all(row["key"] != key or row["suppressed"] for row in report["rows"])


def test_opt_in_per_purpose_counts_only_sites_that_ask_for_it(app, client, sites, poster, marketing):
    with Session(app.extensions["db_engine"]) as session:
        seed_decisions(session, sites, 3000, days=30, seed=3)
        raw = raw_counts(session, sites, _start(), today(), lambda e: "all")["all"]
    rows = {row["key"]: row for row in _get(client, marketing, group_by="purpose").get_json()["rows"]}
    purposes = {p for sid in sites.sites for p in opt_in_purposes(sites, sid)}
    assert set(rows) == purposes
    for purpose, row in rows.items():
        assert (row["decisions"], row["granted"]) == (raw["asked"][purpose], raw["granted"][purpose])
        assert row["opt_in_rate"] == _expected_rate(raw, purpose)


def test_small_cells_are_hidden_and_the_total_gives_none_of_them_back(client, poster, marketing):
    for ua, n in ((CHROME, 12), (SAFARI, 8), (FIREFOX, 3)):
        for _ in range(n):
            poster("demo", "accept_all", ua=ua)
    report = _get(client, marketing, site="demo", group_by="browser").get_json()
    rows = {row["key"]: row for row in report["rows"]}
    # Hiding Firefox alone would let 23 - 12 - 8 give it back: Safari is hidden with it, and the
    # hidden browsers share one row that names neither.
    assert set(rows) == {"Chrome", None} and rows["Chrome"]["decisions"] == 12
    assert rows[None]["suppressed"] and rows[None]["decisions"] is None
    assert report["totals"]["decisions"] == 23
    hidden = report["totals"]["decisions"] - sum(r["decisions"] for r in rows.values() if not r["suppressed"])
    assert hidden >= 5 and report["suppressed_rows"] == 1
    csv_text = _get(client, marketing, site="demo", group_by="browser", format="csv").get_data(as_text=True)
    assert "Firefox" not in csv_text and "Safari" not in csv_text and "(hidden),,,,," in csv_text
    assert ",3," not in csv_text and ",8," not in csv_text


def test_a_period_with_fewer_than_five_decisions_shows_no_figure(client, poster, marketing):
    for _ in range(3):
        poster("demo", "reject_all")
    report = _get(client, marketing, site="demo").get_json()
    assert report["totals"]["decisions"] is None and report["totals"]["suppressed"]
    assert set(report["totals"]["actions"].values()) == {None}
    assert report["totals"]["no_choice"] is None and report["totals"]["response_rate"] is None
    assert all(row["decisions"] in (None, 0) for row in report["rows"])


def test_bots_are_excluded_from_every_figure_and_counted_apart(client, poster, marketing):
    for _ in range(6):
        poster("demo", "accept_all")
    for _ in range(4):
        poster("demo", "reject_all", ua=BOT)
    report = _get(client, marketing, site="demo", group_by="action").get_json()
    assert report["totals"]["decisions"] == 6
    assert report["totals"]["actions"]["reject_all"] == 0
    assert report["bots_excluded"] == 4


def test_staff_only_401_without_a_token_403_for_another_role(client, db_session, marketing):
    assert _get(client, {}).status_code == 401
    assert _get(client, {"Authorization": "Bearer iqcg_nope"}).status_code == 401
    recruiter = create_token(db_session, "recruiter", "Rémi Recrutement", "careers")
    denied = _get(client, {"Authorization": f"Bearer {recruiter}"})
    assert denied.status_code == 403 and denied.get_json()["error"] == "forbidden"
    for role in ("marketing", "dpo", "admin"):
        token = create_token(db_session, role, f"someone {role}")
        assert _get(client, {"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("params,field", [
    ({"site": "nowhere"}, "site"), ({"from": "yesterday"}, "from"), ({"group_by": "visitor"}, "group_by"),
    ({"from": "2026-02-01", "to": "2026-01-01"}, "from"), ({"format": "xml"}, "format"),
    # Found by fuzzing: these overflowed Python's dates (a 500) computing the period around them.
    ({"to": "0001-01-05"}, "to"), ({"from": "9999-12-30", "to": "9999-12-31"}, "to"),
    ({"from": "1999-12-31", "to": "2000-01-05"}, "from"),
])
def test_bad_parameters_are_a_400_naming_the_field(client, marketing, params, field):
    r = _get(client, marketing, **params)
    assert r.status_code == 400 and r.get_json()["field"] == field


def test_csv_has_the_json_figures_and_a_total_line(app, client, sites, marketing):
    with Session(app.extensions["db_engine"]) as session:
        seed_decisions(session, sites, 1500, days=30, seed=11)
    report = _get(client, marketing, group_by="device").get_json()
    r = _get(client, marketing, group_by="device", format="csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    keys = ["(hidden)" if row["key"] is None else row["key"] for row in report["rows"]]
    assert [line["device"] for line in lines] == keys + ["total"]
    for line, row in zip(lines, [*report["rows"], report["totals"]], strict=True):
        assert line["decisions"] == ("" if row["decisions"] is None else str(row["decisions"]))
        accept = row["actions"]["accept_all"]
        assert line["accept_all"] == ("" if accept is None else str(accept))
        for purpose, rate in row["opt_in"].items():
            assert line[f"opt_in_{purpose}"] == ("" if rate is None else str(rate))
