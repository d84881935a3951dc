"""Google Consent Mode from the vendors granted, not from the purposes (issue 19, item 2): a visitor
who grants audience measurement with Google Analytics only and advertising with LinkedIn only
leaves every ad_* type denied, on the vendor page of another origin."""

from __future__ import annotations

import pytest
from browser_support import wait_for_receipt
from playwright.sync_api import Page
from vendor_page import VendorPage, install

LAST_UPDATE = """() => { const u = dataLayer.filter(a => a[0] === 'consent' && a[1] === 'update');
  return u.length ? u[u.length - 1][2] : null; }"""


@pytest.fixture
def vp(page: Page, live_server: str) -> VendorPage:
    return install(page, live_server)


def choose(page: Page, on: list[str], off: list[str]) -> None:
    page.get_by_role("button", name="Personnaliser").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    for name in on:
        dialog.get_by_role("switch", name=name, exact=True).check()
    for name in off:
        dialog.get_by_role("switch", name=name, exact=True).uncheck()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()


def test_ga_only_and_linkedin_only_leave_every_ad_type_denied(vp: VendorPage, page: Page, verify):
    vp.open()
    choose(page, ["Mesure d'audience", "Publicité et réseaux sociaux"],
           ["Google Tag Manager", "Matomo", "Meta Pixel", "HubSpot", "Google Ads"])
    decision = wait_for_receipt(page)
    shown = ("google_analytics", "linkedin_insight", "meta_pixel", "google_ads")
    assert {v: decision["vendors"][v] for v in shown} == {
        "google_analytics": True, "linkedin_insight": True, "meta_pixel": False, "google_ads": False}
    update = page.evaluate(LAST_UPDATE)
    assert update["analytics_storage"] == "granted", "GA4 needs analytics_storage"
    for kind in ("ad_storage", "ad_user_data", "ad_personalization"):
        assert update[kind] == "denied", f"{kind}: no granted vendor needs it"
    # The same on the next page, from the stored decision.
    page.reload()
    vp.ready()
    update = page.evaluate(LAST_UPDATE)
    assert update["analytics_storage"] == "granted" and update["ad_storage"] == "denied"
    assert verify(decision["token"])["receipt"]["iqera"]["vendors"]["linkedin_insight"] is True


def test_measurement_without_google_grants_no_analytics_storage(vp: VendorPage, page: Page):
    vp.open()
    choose(page, ["Mesure d'audience"], ["Google Analytics", "Google Tag Manager"])
    wait_for_receipt(page)
    update = page.evaluate(LAST_UPDATE)
    assert update["analytics_storage"] == "denied", "Matomo alone needs no Google type"
    assert update["security_storage"] == "granted", "the required purpose's default still applies"
