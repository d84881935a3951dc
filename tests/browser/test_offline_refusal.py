"""A refusal never depends on the network (issue 19, item 1), on the vendor page of another
origin: with the consents POST aborted or answered 503, a withdrawal still stops every tag, the
page reloads, the next page runs nothing and shows no banner, and the withdrawal is recorded with
the visitor's time once the gateway answers again. Acceptance still waits for a receipt."""

from __future__ import annotations

from datetime import datetime

import pytest
from browser_support import assert_accessible, screenshot, stored, wait_for_receipt
from playwright.sync_api import Page, Route, expect
from vendor_page import ORIGIN, VendorPage, install, settle

CONSENTS = "**/api/v1/sites/vendorsite/consents"


@pytest.fixture
def vp(page: Page, live_server: str) -> VendorPage:
    return install(page, live_server)


def first_layer(page: Page):
    return page.get_by_role("region", name="Vos choix sur les cookies")


def gateway_down(page: Page, failure: str, posts: list[str]) -> None:
    """Every decision POST fails: the connection is cut, or the gateway answers 503."""

    def fail(route: Route) -> None:
        posts.append(route.request.post_data or "")
        if failure == "abort":
            route.abort("connectionrefused")
        else:
            route.fulfill(status=503, json={"error": "unavailable", "message": "database unavailable"},
                          headers={"Retry-After": "1", "Access-Control-Allow-Origin": ORIGIN})

    page.route(CONSENTS, fail)


def scripts_waiting(page: Page) -> int:
    return page.locator('script[type="text/plain"][data-consent]').count()


@pytest.mark.parametrize("failure", ["abort", "503"])
def test_a_withdrawal_holds_without_the_gateway_and_is_recorded_later(vp: VendorPage, page: Page, verify,
                                                                     failure: str):
    vp.open()
    first_layer(page).get_by_role("button", name="Tout accepter", exact=True).click()
    granted = wait_for_receipt(page)
    page.wait_for_function("document.querySelector('.hs-form') !== null")
    # Matomo's heartbeat: a tag that keeps sending while the page lives.
    page.evaluate("_paq.push(['enableHeartBeatTimer'])")
    settle(page, 600)
    assert any("ping=" in url for url in vp.hits), "the heartbeat runs while granted"
    # When the click happened, on the page's clock (kept across the reload).
    page.evaluate("document.addEventListener('click', () => { sessionStorage.clickAt = Date.now(); }, true)")

    posts: list[str] = []
    gateway_down(page, failure, posts)
    clicked_at = datetime.now().astimezone()
    before = len(vp.hits)
    with page.expect_navigation():
        page.get_by_role("button", name="Retirer mon consentement", exact=True).click()
    vp.ready()
    settle(page, 1200)
    # Nothing of any vendor after the click (a heartbeat sent just before it may still arrive);
    # the next page runs no tag and asks nothing.
    click_at = int(page.evaluate("sessionStorage.clickAt"))
    late = [u for u in vp.hits[before:]
            if not ("ping=" in u and int(u.split("ping=")[1].split("&")[0]) < click_at)]
    assert late == [], late
    assert scripts_waiting(page) == 7
    expect(first_layer(page)).to_have_count(0)
    held = stored(page.context)
    assert held["pending"]["action"] == "withdraw"
    assert held["pending"]["previous_token"] == granted["token"]
    assert not any(held["choices"][p] for p in ("audience_measurement", "marketing", "third_party_media"))
    chosen = datetime.fromisoformat(held["pending"]["at"])
    assert abs((chosen - clicked_at).total_seconds()) < 5
    assert posts, "the withdrawal was tried"
    assert verify(granted["token"])["status"] == "active", "not recorded yet: the gateway is down"

    # The gateway answers again: the next page sends the pending withdrawal, with its time.
    page.unroute(CONSENTS)
    page.reload()
    vp.ready()
    recorded = wait_for_receipt(page, granted["token"])
    assert recorded["action"] == "withdraw" and "pending" not in recorded
    assert verify(granted["token"])["status"] == "withdrawn"
    receipt = verify(recorded["token"])["receipt"]
    assert receipt["iqera"]["action"] == "withdraw"
    assert receipt["iqera"]["decided_at"] == chosen.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    assert receipt["consentTimestamp"] == int(chosen.timestamp())
    assert receipt["iqera"]["recorded_at"] >= receipt["iqera"]["decided_at"]
    after = len(vp.hits)
    page.mouse.click(700, 20)
    settle(page)
    assert vp.hits[after:] == [] and scripts_waiting(page) == 7


def test_with_the_gateway_down_manage_still_refuses_and_says_it_is_recorded_later(vp: VendorPage,
                                                                                  page: Page, verify):
    posts: list[str] = []
    gateway_down(page, "abort", posts)
    vp.open()
    first_layer(page).get_by_role("button", name="Tout refuser", exact=True).click()
    expect(first_layer(page)).to_have_count(0)
    status = page.locator("#iq-consent").get_by_role("status")
    expect(status).to_contain_text("sera enregistré dès que le service de consentement répondra")
    assert stored(page.context)["pending"]["action"] == "reject_all"

    page.get_by_role("button", name="Gérer mes cookies").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    expect(dialog).to_contain_text("Le service de consentement est injoignable")
    expect(dialog).to_contain_text("enregistré plus tard")
    screenshot(page, "70-preferences-gateway-unreachable")
    assert_accessible(page)
    dialog.get_by_role("button", name="Tout refuser", exact=True).click()
    expect(dialog).to_have_count(0)
    assert stored(page.context)["pending"]["action"] == "reject_all"
    assert vp.hits == [] and scripts_waiting(page) == 7

    page.unroute(CONSENTS)
    page.reload()
    vp.ready()
    recorded = wait_for_receipt(page)
    assert verify(recorded["token"])["receipt"]["iqera"]["action"] == "reject_all"
    expect(first_layer(page)).to_have_count(0)


def test_an_acceptance_still_waits_for_the_receipt(vp: VendorPage, page: Page):
    posts: list[str] = []
    gateway_down(page, "503", posts)
    vp.open()
    first_layer(page).get_by_role("button", name="Tout accepter", exact=True).click()
    status = page.locator("#iq-consent").get_by_role("status")
    # The retries end with what really happened, never "trying again" when nothing is tried.
    expect(status).to_contain_text("Réessayez plus tard", timeout=25_000)
    assert len(posts) == 6
    assert stored(page.context) is None and vp.hits == [] and scripts_waiting(page) == 7
    expect(first_layer(page)).to_be_visible()
