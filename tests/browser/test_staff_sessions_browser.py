"""Staff sessions and failed sign-ins in real Chromium: a copied staff cookie stops working once the
DPO signs out; failed sign-ins slow down with a message in the page's language, axe-clean, and the
right token still signs in."""

from __future__ import annotations

import pytest
from browser_support import assert_accessible, screenshot
from playwright.sync_api import Browser, Page, expect

from consent_gateway.staff import create_token


@pytest.fixture
def dpo(db_session) -> str:
    return create_token(db_session, "dpo", "Dominique DPO")


def test_a_copied_staff_cookie_stops_working_after_sign_out(page: Page, browser: Browser, live_server: str,
                                                            dpo: str, browser_context_args: dict):
    page.goto(f"{live_server}/dpo/")
    page.get_by_label("Jeton").fill(dpo)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'exercice de droits")
    thief = browser.new_context(**browser_context_args)
    thief.add_cookies(page.context.cookies())
    stolen = thief.new_page()
    stolen.goto(f"{live_server}/dpo/")
    expect(stolen.get_by_role("heading", level=1)).to_have_text("Demandes d'exercice de droits")
    page.get_by_role("button", name="Se déconnecter (Dominique DPO)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    stolen.goto(f"{live_server}/dpo/")
    expect(stolen.get_by_role("heading", level=1)).to_have_text("Se connecter")
    thief.close()


def test_failed_sign_ins_slow_down_and_the_right_token_still_signs_in(page: Page, app, live_server: str,
                                                                     dpo: str):
    app.config["FAILED_CREDENTIALS"] = "3/minute"
    page.goto(f"{live_server}/dashboard/sign-in?lang=en")
    for _ in range(4):
        page.get_by_label("Personal token").fill("iqcg_not-the-right-one")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many failed sign-ins from here or with this token: try again in 1 minute")
    assert_accessible(page)
    screenshot(page, "dashboard-sign-in-throttled")
    page.get_by_label("Personal token").fill(dpo)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in to the dashboard")
    assert "/dashboard/sign-in" not in page.url
