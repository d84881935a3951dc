"""The DPO's "Scans" page in real Chromium, after a real scan of the local group site with its
planted problems: open findings by severity with their evidence, the history, one scan's page;
axe-core finds nothing; screenshots at desktop width."""

from __future__ import annotations

import re
import threading

import pytest
from browser_support import assert_accessible, screenshot
from playwright.sync_api import Page, expect
from scan_support import PLANTED, declaration, free_port, run_scan, served_shop

from consent_gateway.cli.local_server import served_locally
from consent_gateway.staff import create_token


@pytest.fixture
def scanned(make_app, settings, tmp_path, db_session):
    """The group served and scanned once, for real; yields (gateway URL, dpo token)."""
    gateway_port, shop_port = free_port(), free_port()
    sites_path = declaration(tmp_path, gateway_port, shop_port)
    app = make_app(sites_path=sites_path)
    planted = dict.fromkeys(PLANTED, True)
    with served_locally(app, gateway_port) as gateway, served_shop(shop_port, gateway, planted):
        results = []
        # The scanner drives its own Chromium (asyncio): away from this test's Playwright thread.
        worker = threading.Thread(target=lambda: results.append(
            run_scan(settings, sites_path, gateway, "--site", "shop")))
        worker.start()
        worker.join(timeout=180)
        assert results and results[0].exit_code == 1, results and results[0].output
        yield gateway, create_token(db_session, "dpo", "Dominique DPO")


def test_the_dpo_reads_the_open_findings_and_their_evidence(page: Page, scanned):
    gateway, token = scanned
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.goto(f"{gateway}/dpo/sign-in")
    page.get_by_label("Jeton", exact=True).fill(token)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation").get_by_role("link", name="Analyses").click()
    expect(page.get_by_role("heading", level=1, name="Analyses")).to_be_visible()
    shop = page.get_by_role("region", name="Boutique")
    expect(shop).to_contain_text("Constats ouverts : 2 de gravité élevée, 2 moyenne, 1 faible.")
    table = shop.get_by_role("table", name="Constats ouverts, les plus graves d'abord")
    expect(table.locator("tbody tr")).to_have_count(5)
    first = table.locator("tbody tr").first
    expect(first).to_contain_text("Violation (avant tout choix ou après un refus)")
    first.get_by_text("Preuve").click()
    expect(first.locator("pre")).to_contain_text('"party": "first"')
    assert_accessible(page)
    screenshot(page, "dpo-scans")

    shop.get_by_role("table", name="Analyses récentes").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Analyse de Boutique")
    summary = re.compile(r"5 nouveau\(x\), 0 résolu\(s\) ; violations ouvertes : 2\.")
    expect(page.get_by_text(summary)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dpo-scan")
