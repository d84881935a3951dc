"""Withdrawal that stops what already runs, from a control on every page, and the daily report of
undeclared cookies (issue 8), on the vendor page of another origin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from browser_support import assert_accessible, screenshot, stored
from playwright.sync_api import Page, Route, expect
from vendor_page import VENDORS, VendorPage, install, settle

VENDOR_COOKIES = {"_ga", "_ga_TEST1", "_pk_id.1.a1b2", "_pk_ses.1.a1b2", "_fbp", "hubspotutk"}


@pytest.fixture
def vp(page: Page, live_server: str) -> VendorPage:
    return install(page, live_server)


def accept_all(vp: VendorPage) -> dict:
    page = vp.page
    page.get_by_role("region", name="Vos choix sur les cookies").get_by_role(
        "button", name="Tout accepter", exact=True).click()
    page.wait_for_function("IQConsent.get() !== null")
    page.wait_for_function("document.querySelector('.hs-form') !== null")
    page.wait_for_function("document.cookie.includes('_pk_id.1.a1b2')")
    settle(vp.page, 600)
    return stored(page.context)


def names(page: Page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def test_after_a_reload_the_floating_control_offers_withdrawal(vp: VendorPage, page: Page):
    vp.open()
    accept_all(vp)
    page.reload()
    vp.ready()
    pill = page.get_by_role("region", name="Gestion des cookies")
    # After the first view it is folded: one small button that says what it is.
    fold = pill.locator(".iq-fold")
    expect(fold).to_have_attribute("aria-expanded", "false")
    expect(fold).to_have_text("Gestion des cookies")
    expect(pill.get_by_role("button", name="Gérer mes cookies")).to_be_hidden()
    assert pill.bounding_box()["width"] < 200 and pill.bounding_box()["height"] < 60
    screenshot(page, "50-pill-after-reload-folded-desktop")
    assert_accessible(page, ["#iq-consent"])
    # The site's own withdraw control is shown, since something is granted.
    expect(page.locator("[data-iq-withdraw]")).to_be_visible()
    # It unfolds, offering withdrawal in one click, and folds again.
    fold.click()
    expect(fold).to_have_attribute("aria-expanded", "true")
    expect(pill.get_by_role("button", name="Gérer mes cookies")).to_be_visible()
    expect(pill.get_by_role("button", name="Retirer mon consentement", exact=True)).to_be_visible()
    screenshot(page, "50-pill-after-reload-desktop")
    assert_accessible(page, ["#iq-consent"])
    fold.click()
    expect(pill.get_by_role("button", name="Gérer mes cookies")).to_be_hidden()


def test_withdrawal_stops_every_vendor_on_the_page_and_after_the_reload(vp: VendorPage, page: Page, verify):
    vp.open()
    granted = accept_all(vp)
    assert vp.vendors_hit() == VENDORS
    assert VENDOR_COOKIES <= names(page)
    page.mouse.click(700, 20)
    settle(page)
    # While the tags run, a click is tracked by those that track clicks.
    engaged = vp.vendors_hit(len(vp.hits) - 20)
    assert {"google_analytics", "matomo", "meta_pixel", "hubspot_forms"} <= engaged

    # The withdrawal's receipt is held back a moment: what happens on this page before the reload.
    held: list[Route] = []
    page.route("**/api/v1/sites/vendorsite/consents", lambda route: held.append(route))
    page.get_by_role("button", name="Retirer mon consentement", exact=True).click()
    page.wait_for_function("document.querySelector('iframe[data-vendor=youtube]').hidden")
    # The vendors' own opt-out calls ran and their first-party cookies are gone.
    assert not (VENDOR_COOKIES & names(page)), names(page)
    assert page.evaluate("dataLayer.some(a => a[0] === 'consent' && a[1] === 'update' && "
                         "a[2].analytics_storage === 'denied')")
    assert page.locator('iframe[data-vendor="youtube"]').get_attribute("src") == "about:blank"
    before = len(vp.hits)
    page.mouse.click(700, 20)
    settle(page)
    assert vp.hits[before:] == [], vp.hits[before:]

    # The receipt comes back: the page reloads, and nothing of the vendors runs any more.
    page.unroute("**/api/v1/sites/vendorsite/consents")
    with page.expect_navigation():
        held[0].continue_()
    vp.ready()
    after = len(vp.hits)
    page.mouse.click(700, 20)
    settle(page, 800)
    assert vp.hits[after:] == [], vp.hits[after:]
    assert page.locator('script[type="text/plain"][data-consent]').count() == 7
    decision = stored(page.context)
    assert decision["action"] == "withdraw" and not any(
        decision["choices"][p] for p in ("audience_measurement", "marketing", "third_party_media"))
    assert verify(granted["token"])["status"] == "withdrawn"
    pill = page.get_by_role("region", name="Gestion des cookies")
    pill.locator(".iq-fold").click()
    expect(pill.get_by_role("button", name="Gérer mes cookies")).to_be_visible()
    expect(pill.get_by_role("button", name="Retirer mon consentement", exact=True)).to_have_count(0)
    expect(page.locator("[data-iq-withdraw]")).to_be_hidden()
    screenshot(page, "51-after-withdrawal-desktop")
    assert_accessible(page)


def test_the_sites_own_controls_open_and_withdraw_and_the_pill_can_be_hidden(vp: VendorPage, page: Page):
    vp.open(fab="off")
    expect(page.locator("[data-iq-withdraw]")).to_be_hidden()
    accept_all(vp)
    expect(page.locator(".iq-fab")).to_have_count(0)
    expect(page.locator("[data-iq-withdraw]")).to_be_visible()
    page.locator("[data-iq-open]").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    with page.expect_navigation():
        page.locator("[data-iq-withdraw]").click()
    vp.ready()
    assert stored(page.context)["action"] == "withdraw"
    expect(page.locator("[data-iq-withdraw]")).to_be_hidden()
    expect(page.locator(".iq-fab")).to_have_count(0)


def test_undeclared_cookies_are_reported_once_a_day_names_only(vp: VendorPage, page: Page):
    vp.open()
    page.evaluate("document.cookie = 'mystery_tracker=secret-value; path=/'")
    accept_all(vp)
    page.wait_for_function("IQConsent.get().r !== undefined")
    # The declared cookies (_ga, _pk_id.*, _fbp, …, wildcards included) are not reported.
    assert vp.undeclared == [{"names": ["mystery_tracker"]}]
    assert "secret-value" not in str(vp.undeclared)
    page.reload()
    vp.ready()
    page.evaluate("document.cookie = 'another_one=1; path=/'")
    page.reload()
    vp.ready()
    settle(page)
    assert len(vp.undeclared) == 1
    assert stored(page.context)["r"] == datetime.now(UTC).date().isoformat()
