"""What marketing asked the dashboard and the stats API for: pages that never fail on privacy,
weeks and months with partial periods marked, per-vendor opt-in, sites ranked, "seen, no choice",
a comparison of two periods, countries and devices in words, and filter errors in the page's
language with the values kept."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openapi_support import assert_documented
from sqlalchemy.orm import Session
from stats_support import sign_in_dashboard, today

from consent_gateway.staff import create_token
from consent_gateway.stats import GROUPS
from consent_gateway.stats.demo import seed_decisions

ALL = {"accept_all": True}


@pytest.fixture
def token(db_session) -> str:
    return create_token(db_session, "marketing", "Marie Marketing")


@pytest.fixture
def api(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def dashboard(app, token):
    client = app.test_client()
    sign_in_dashboard(client, token)
    return client


@pytest.fixture
def seeded(app, sites):
    with Session(app.extensions["db_engine"]) as session:
        seed_decisions(session, sites, 3000, days=60, seed=2)


def _stats(client, headers, **params):
    r = client.get("/api/v1/stats/consents", query_string=params, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert_documented("/api/v1/stats/consents", "GET", 200, r.get_json())
    return r.get_json()


def test_the_pages_that_answered_500_on_suppressed_rows_now_render(seeded, dashboard):
    """careers (small, every period), all sites on a single day, iQera over one week."""
    day = today().isoformat()
    week_ago = (today() - timedelta(days=6)).isoformat()
    for params in ({"site": "careers"}, {"site": "careers", "from": day, "to": day},
                   {"site": "careers", "group_by": "week"}, {"site": "careers", "group_by": "month"},
                   {"from": day, "to": day}, {"site": "iqera", "from": week_ago, "to": day},
                   {"site": "iqera", "from": week_ago, "to": day, "lang": "en"}):
        page = dashboard.get("/dashboard", query_string=params)
        assert page.status_code == 200, (params, page.get_data(as_text=True)[:300])


def test_hidden_rows_do_not_show_their_key_and_totals_do_not_give_back_a_hidden_kind(
        client, poster, api):
    for _ in range(9):
        poster("demo", "accept_all")
    for _ in range(2):
        poster("demo", "reject_all")
    by_action = _stats(client, api, site="demo", group_by="action")
    assert by_action["totals"]["actions"]["reject_all"] is None
    assert {r["key"]: r["decisions"] for r in by_action["rows"]}["reject_all"] is None
    # The kinds add up to the decisions: accept_all is hidden with the two refusals.
    assert by_action["totals"]["actions"]["accept_all"] is None and by_action["totals"]["decisions"] == 11
    poster("demo", "accept_all", ua="Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0")
    by_browser = _stats(client, api, site="demo", group_by="browser")
    assert "Firefox" not in {r["key"] for r in by_browser["rows"]}
    assert by_browser["rows"][-1]["key"] is None and by_browser["rows"][-1]["suppressed"]


def test_the_totals_are_the_same_events_whatever_the_breakdown(seeded, client, api):
    start = (today() - timedelta(days=29)).isoformat()
    totals = [_stats(client, api, group_by=g, **{"from": start})["totals"] for g in GROUPS]
    assert totals[0]["median_ms"] is not None
    assert all(t == totals[0] for t in totals), "a figure of the totals changed with the grouping"


def test_weeks_and_months_mark_the_partial_periods(seeded, client, api):
    wednesday = today() - timedelta(days=today().weekday() + 26)
    report = _stats(client, api, group_by="week", **{"from": wednesday.isoformat()})
    rows = report["rows"]
    assert rows[0]["key"] == f"{wednesday.isocalendar()[0]}-W{wednesday.isocalendar()[1]:02d}"
    assert rows[0]["partial"] and rows[0]["from"] == wednesday.isoformat()
    assert not any(r["partial"] for r in rows[1:-1]) and rows[-1]["partial"]  # this week is not over
    months = _stats(client, api, group_by="month", **{"from": "2026-01-15", "to": "2026-03-31"})["rows"]
    assert [(r["key"], r["partial"]) for r in months] == [("2026-01", True), ("2026-02", False),
                                                           ("2026-03", False)]
    csv_text = client.get("/api/v1/stats/consents", headers=api,
                          query_string={"group_by": "week", "format": "csv"}).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("week,partial,decisions")


def test_opt_in_per_vendor_comes_from_the_per_vendor_choices(client, poster, api, dashboard):
    keep_purpose_refuse_vendor = {"audience_measurement": True, "marketing": False,
                                  "third_party_media": False}
    for _ in range(6):
        poster("demo", "custom", choices=keep_purpose_refuse_vendor, vendors={"demo_analytics": False})
        poster("demo", "accept_all")
    rows = {r["key"]: r for r in _stats(client, api, site="demo", group_by="vendor")["rows"]}
    assert (rows["demo_analytics"]["decisions"], rows["demo_analytics"]["granted"]) == (12, 6)
    assert rows["demo_analytics"]["opt_in_rate"] == 0.5 and rows["demo_analytics"]["name"] == "Démo Analytics"
    assert rows["demo_ads"]["opt_in_rate"] == 0.5 and rows["demo_video"]["purpose"] == "third_party_media"
    # The purpose itself was granted twelve times out of twelve: per vendor is a figure of its own.
    purposes = {r["key"]: r for r in _stats(client, api, site="demo", group_by="purpose")["rows"]}
    assert purposes["audience_measurement"]["opt_in_rate"] == 1.0
    exported = dashboard.get("/dashboard/export.csv", query_string={"site": "demo", "group_by": "vendor"})
    lines = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {(x["vendor"], x["purpose"], x["decisions"], x["granted"]) for x in lines} >= {
        ("demo_analytics", "audience_measurement", "12", "6")}
    page = dashboard.get("/dashboard?site=demo").get_data(as_text=True)
    vendors = page[page.index('id="vendors"'):]
    assert re.search(r"Démo Analytics</th><td>Mesure d&#39;audience</td><td>12</td><td>6</td><td>50,0 %",
                     vendors)


def test_sites_are_ranked_by_opt_in_and_seen_no_choice_is_a_figure(seeded, client, api, dashboard, sites):
    by_site = _stats(client, api, group_by="site")
    totals = by_site["totals"]
    answered = totals["decisions"] - totals["actions"]["withdraw"]
    assert totals["no_choice"] == totals["impressions"] - answered > 0
    rates = {r["key"]: r["opt_in"]["marketing"] for r in by_site["rows"]}
    asking = [sid for sid in sites.sites if "marketing" in sites.sites[sid].purpose_ids]
    expected = sorted((sid for sid in asking if rates[sid] is not None), key=lambda sid: -rates[sid])
    page = dashboard.get("/dashboard?purpose=marketing&lang=en").get_data(as_text=True)
    ranking = page[page.index('id="ranking"'):page.index("</table>", page.index('id="ranking"'))]
    names = re.findall(r'<th scope="row">([^<]+)</th>', ranking)
    assert names[:len(expected)] == [sites.sites[sid].name for sid in expected]
    assert "Banner seen, no choice" in page


def test_two_periods_compare_side_by_side(seeded, client, api, dashboard):
    now = {"from": (today() - timedelta(days=13)).isoformat(), "to": today().isoformat()}
    then = {"compare_from": (today() - timedelta(days=41)).isoformat(),
            "compare_to": (today() - timedelta(days=28)).isoformat()}
    report = _stats(client, api, **now, **then)
    alone = _stats(client, api, **{"from": then["compare_from"], "to": then["compare_to"]})
    assert report["compare"] == {"from": then["compare_from"], "to": then["compare_to"],
                                 "totals": alone["totals"]}
    page = dashboard.get("/dashboard", query_string={**now, **then, "lang": "en"}).get_data(as_text=True)
    table = page[page.index('id="comparison"'):]
    assert f"{then['compare_from']} → {then['compare_to']}" in table
    decisions = f"{report['totals']['decisions']:,}"
    before = f"{alone['totals']['decisions']:,}"
    assert re.search(rf"Decisions</th>\s*<td>{decisions}</td><td>{before}</td>", table)
    bad = client.get("/api/v1/stats/consents", headers=api, query_string={"compare_from": "2026-01-01"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "compare_to"


def test_countries_and_devices_read_as_words_in_both_languages(seeded, dashboard):
    fr = dashboard.get("/dashboard").get_data(as_text=True)
    en = dashboard.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Maroc" in fr and "Ordinateur" in fr and "Téléphone mobile" in fr and "Pays inconnu" in fr
    assert "Morocco" in en and "Computer" in en and "Mobile phone" in en and "Unknown country" in en
    for page in (fr, en):
        assert '<th scope="row">?</th>' not in page and '<th scope="row">MA</th>' not in page
        assert '<th scope="row">desktop</th>' not in page and ">?</text>" not in page


@pytest.mark.parametrize("lang,message", [
    ("fr", "Le début d&#39;une période ne peut pas être après sa fin."),
    ("en", "The start of a period must not be after its end."),
])
def test_a_reversed_range_is_explained_in_the_page_s_language_and_the_dates_stay(dashboard, lang, message):
    page = dashboard.get("/dashboard", query_string={"from": "2026-03-10", "to": "2026-03-01", "lang": lang,
                                                     "site": "iqera", "group_by": "week"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and message in html
    assert 'name="from" type="date" value="2026-03-10" aria-invalid="true"' in html
    assert 'name="to" type="date" value="2026-03-01"' in html
    assert '<option value="iqera" selected>' in html and '<option value="week" selected>' in html
    assert "from must not be after to" not in html


def test_an_unknown_period_or_a_bad_date_is_a_400_page_not_a_500(dashboard):
    for params in ({"group_by": "country"}, {"from": "tomorrow"}, {"compare_from": "2026-01-01"},
                   {"from": "0001-01-01"}):
        page = dashboard.get("/dashboard", query_string={**params, "lang": "en"})
        assert page.status_code == 400 and 'role="alert"' in page.get_data(as_text=True)


def test_the_previous_period_is_compared_by_default_and_follows_the_dates_chosen(seeded, dashboard):
    html = dashboard.get("/dashboard", query_string={"from": "2026-11-01", "to": "2026-11-10"}).get_data(
        as_text=True)
    assert f"{date(2026, 10, 22).isoformat()} → 2026-10-31" in html
    # The comparison fields stay empty: choosing other dates next compares with their own past
    # (they once kept the first page's previous period, comparing 14 days with 30).
    for name in ("compare_from", "compare_to"):
        assert f'name="{name}" type="date" value=""' in html
