"""The marketing dashboard in real Chromium: sign in, change the period, read the charts and
their tables, download the CSV; axe-core finds nothing; screenshots at desktop and 768 px."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from browser_support import assert_accessible, screenshot
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session
from stats_support import today

from consent_gateway.staff import create_token
from consent_gateway.stats.demo import seed_decisions


@pytest.fixture
def seeded(app, db_session) -> str:
    sites = app.extensions["gateway"].sites
    with Session(app.extensions["db_engine"]) as session:
        seed_decisions(session, sites, 6000, days=90, seed=4)
    return create_token(db_session, "marketing", "Marie Marketing")


def test_marketing_signs_in_changes_the_period_reads_the_charts_and_downloads_the_csv(
        page: Page, live_server: str, seeded: str):
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.goto(f"{live_server}/dashboard")
    expect(page.get_by_role("heading", name="Connexion au tableau de bord")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Jeton personnel").fill(seeded)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("tous les sites")
    expect(page.locator("svg.chart")).to_have_count(4)

    start = today() - timedelta(days=13)
    page.get_by_label("Du", exact=True).fill(start.isoformat())
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(f"**from={start.isoformat()}**")
    page.get_by_text("Tableau des données").first.click()
    daily = page.get_by_role("table", name="Taux d'accord par finalité, par jour")
    expect(daily.locator("tbody tr")).to_have_count(14)
    assert_accessible(page)
    screenshot(page, "dashboard-desktop")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le CSV (par jour)").click()
    lines = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [line["day"] for line in lines][0] == start.isoformat() and lines[-1]["day"] == "total"
    assert len(lines) == 15 and int(lines[-1]["decisions"]) > 0
    assert lines[-2]["partial"] == "1"  # today is not over

    page.set_viewport_size({"width": 768, "height": 2400})
    page.get_by_role("link", name="English").click()
    fairness = page.get_by_role("heading", name="Banner fairness: is refusing as easy as accepting?")
    expect(fairness).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-768")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the dashboard")).to_be_visible()


def _last_month(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def test_a_marketer_reads_iqera_s_audience_opt_in_last_month_week_by_week_and_per_vendor(
        page: Page, live_server: str, seeded: str):
    """"Audience opt-in on iQera last month, week by week, and per vendor": three filters, two
    tables, one CSV."""
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{live_server}/dashboard")
    page.get_by_label("Jeton personnel").fill(seeded)
    page.get_by_role("button", name="Se connecter").click()
    first, last = _last_month(today())
    page.get_by_label("Site", exact=True).select_option(label="iQera")
    page.get_by_label("Du", exact=True).fill(first.isoformat())
    page.get_by_label("Au", exact=True).fill(last.isoformat())
    page.get_by_label("Par", exact=True).select_option(label="Semaine")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**group_by=week**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("iQera")

    weeks = page.get_by_role("table", name="Taux d'accord par finalité, par semaine")
    page.get_by_text("Tableau des données").first.click()
    monday = first - timedelta(days=first.weekday())
    count = (last - monday).days // 7 + 1
    expect(weeks.locator("tbody tr")).to_have_count(count)
    # A month rarely starts on a Monday: its first week is cut, and says so.
    if first.weekday():
        expect(weeks.locator("tbody tr").first).to_contain_text("partielle")
    audience = weeks.get_by_role("columnheader", name="Mesure d'audience")
    expect(audience).to_be_visible()
    for cell in weeks.locator("tbody tr td:nth-child(2)").all_inner_texts():
        assert cell.endswith("%") or cell == "—"

    vendors = page.get_by_role("table", name="Taux d'accord par partenaire")
    vendors.scroll_into_view_if_needed()
    analytics = vendors.get_by_role("row", name=re.compile("Google Analytics"))
    expect(analytics).to_contain_text("Mesure d'audience")
    expect(analytics.locator("td").last).to_contain_text("%")
    assert_accessible(page)
    screenshot(page, "dashboard-marketer-weeks")
    vendors.screenshot(path=str(screenshot(page, "dashboard-marketer-vendors")))

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le CSV (par semaine)").click()
    lines = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(lines) == count + 1 and lines[-1]["week"] == "total"
    assert int(lines[-1]["decisions"]) > 0 and lines[-1]["opt_in_audience_measurement"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le CSV par partenaire").click()
    vendors_csv = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert "google_analytics" in {line["vendor"] for line in vendors_csv}
