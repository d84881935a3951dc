"""The marketing dashboard in real Chromium: sign in, change the period, read the charts and
their tables, download the CSV; axe-core finds nothing; screenshots at desktop and 768 px."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

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
        page.get_by_role("link", name="Télécharger le CSV").click()
    lines = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [line["day"] for line in lines][0] == start.isoformat() and lines[-1]["day"] == "total"
    assert len(lines) == 15 and int(lines[-1]["decisions"]) > 0

    page.set_viewport_size({"width": 768, "height": 2400})
    page.get_by_role("link", name="English").click()
    fairness = page.get_by_role("heading", name="Banner fairness: is refusing as easy as accepting?")
    expect(fairness).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-768")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to the dashboard")).to_be_visible()
