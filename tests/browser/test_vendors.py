"""The per-site script on a page of another origin carrying eight real vendor snippets: the banner
shows with no second request, its first layer says who the partners are and where data goes,
visitors choose vendor by vendor, and a placeholder grants only its own vendor (issue 8)."""

from __future__ import annotations

import pytest
from browser_support import GPC_INIT, assert_accessible, screenshot, stored
from playwright.sync_api import Page, expect
from vendor_page import VENDORS, VendorPage, install, settle


@pytest.fixture
def vp(page: Page, live_server: str) -> VendorPage:
    return install(page, live_server)


def first_layer(page: Page):
    return page.get_by_role("region", name="Vos choix sur les cookies")


def test_per_site_script_shows_the_banner_with_no_other_request(vp: VendorPage, page: Page):
    vp.open()
    first = first_layer(page)
    expect(first).to_be_visible()
    # The configuration came inside the script: no configuration request, before or after.
    assert [r for r in vp.gateway_requests if "/banner?" in r] == []
    assert vp.gateway_requests[0] == "GET /banner/v1/sites/vendorsite/consent.js"
    assert set(vp.gateway_requests) <= {"GET /banner/v1/sites/vendorsite/consent.js",
                                        "POST /api/v1/sites/vendorsite/impressions"}
    # Fail closed before a decision: no vendor script ran, no vendor host was contacted.
    settle(page)
    page.mouse.click(5, 5)
    settle(page)
    assert vp.hits == []
    assert page.locator('script[type="text/plain"][data-consent]').count() == 7
    assert page.context.cookies() == []
    screenshot(page, "40-vendors-first-layer-desktop")
    assert_accessible(page)


def test_generic_script_fetches_its_configuration_as_before(vp: VendorPage, page: Page):
    vp.open(generic=True)
    expect(first_layer(page)).to_be_visible()
    assert "GET /api/v1/sites/vendorsite/banner" in vp.gateway_requests


def test_first_layer_names_purposes_partners_and_transfers(vp: VendorPage, page: Page, client):
    vp.open()
    first = first_layer(page)
    config = client.get("/api/v1/sites/vendorsite/banner?lang=fr").get_json()
    for purpose in config["purposes"][1:]:
        item = first.get_by_role("listitem").filter(has_text=purpose["label"])
        expect(item).to_contain_text(purpose["description"].split(". ")[0])
    expect(first).to_contain_text("9 partenaires")  # the eight tools, and Google Ads that GTM sets up
    link = first.get_by_role("link", name="Liste des partenaires")
    expect(link).to_have_attribute("href", config["partners_url"])
    expect(first).to_contain_text("hors de l'Union européenne (États-Unis)")
    expect(first.get_by_role("button", name="Tout accepter", exact=True)).to_be_visible()


def test_gpc_keeps_marketing_refused_and_the_accept_button_says_so(browser, live_server: str):
    context = browser.new_context(locale="fr-FR")
    context.add_init_script(GPC_INIT)
    page = context.new_page()
    vp = install(page, live_server)
    vp.open()
    first = first_layer(page)
    expect(first.get_by_role("button", name="Tout accepter (hors publicité)")).to_be_visible()
    expect(first.get_by_role("button", name="Tout accepter", exact=True)).to_have_count(0)
    first.get_by_role("button", name="Tout accepter (hors publicité)").click()
    page.wait_for_function("IQConsent.get() !== null")
    decision = stored(context)
    assert decision["choices"]["marketing"] is False and decision["gpc"] is True
    assert decision["vendors"]["meta_pixel"] is False and decision["vendors"]["matomo"] is True
    settle(page)
    assert "meta_pixel" not in vp.vendors_hit() and "matomo" in vp.vendors_hit()
    context.close()


def test_accept_all_runs_every_vendor_and_sends_vendor_choices(vp: VendorPage, page: Page, verify):
    vp.open()
    first_layer(page).get_by_role("button", name="Tout accepter", exact=True).click()
    page.wait_for_function("IQConsent.get() !== null")
    decision = stored(page.context)
    # As the 201 states it: the vendors of the consent-based purposes (iqera's is no choice).
    assert decision["vendors"] == {v: True for v in VENDORS | {"google_ads"}}
    page.wait_for_function("document.querySelector('.hs-form') !== null")
    settle(page, 800)
    assert vp.vendors_hit() == VENDORS
    iqera = verify(decision["token"])["receipt"]["iqera"]
    assert iqera["vendors"]["youtube"] is True
    screenshot(page, "41-vendors-all-accepted-desktop")
    assert_accessible(page, ["#iq-consent"])


def test_preferences_switch_vendor_by_vendor(vp: VendorPage, page: Page, verify):
    vp.open()
    first_layer(page).get_by_role("button", name="Personnaliser").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    media = dialog.get_by_role("switch", name="Contenus tiers (vidéos)")
    youtube = dialog.get_by_role("switch", name="YouTube")
    maps = dialog.get_by_role("switch", name="Google Maps")
    expect(youtube).not_to_be_checked()
    # The purpose's switch turns its vendors on; a vendor's own switch then adjusts.
    media.check()
    expect(youtube).to_be_checked()
    expect(maps).to_be_checked()
    maps.uncheck()
    expect(media).to_be_checked()
    youtube.uncheck()
    expect(media).not_to_be_checked()
    youtube.check()
    expect(media).to_be_checked()
    expect(dialog).to_contain_text("_ga_* (395 jours)")
    screenshot(page, "42-vendors-preferences-desktop")
    assert_accessible(page)

    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    page.wait_for_function("IQConsent.get() !== null")
    decision = stored(page.context)
    assert decision["choices"]["third_party_media"] is True
    assert decision["vendors"]["youtube"] is True and decision["vendors"]["google_maps"] is False
    iqera = verify(decision["token"])["receipt"]["iqera"]
    assert iqera["vendors"]["google_maps"] is False
    settle(page)
    assert vp.vendors_hit() == {"youtube"}
    expect(page.get_by_role("group", name="Google Maps")).to_contain_text("Contenu Google Maps bloqué")
    expect(page.locator('iframe[data-vendor="youtube"]')).to_be_visible()


def test_a_placeholder_grants_only_its_vendor_and_the_first_layer_stays(vp: VendorPage, page: Page):
    vp.open()
    yt = page.get_by_role("group", name="YouTube")
    expect(yt).to_contain_text("Contenu YouTube bloqué")
    expect(page.get_by_role("group", name="Google Maps")).to_contain_text("Contenu Google Maps bloqué")
    assert_accessible(page)
    yt.get_by_role("button", name="Autoriser YouTube").click()
    page.wait_for_function("IQConsent.get() !== null")
    decision = stored(page.context)
    assert decision["choices"] == {"strictly_necessary": True, "audience_measurement": False,
                                   "marketing": False, "third_party_media": True}
    assert decision["vendors"]["youtube"] is True and decision["vendors"]["google_maps"] is False
    expect(page.locator('iframe[data-vendor="youtube"]')).to_be_visible()
    expect(page.get_by_role("group", name="Google Maps")).to_be_visible()
    # Nothing else was decided: the first layer is still there, and again after a reload.
    expect(first_layer(page)).to_be_visible()
    settle(page)
    assert vp.vendors_hit() == {"youtube"}
    page.reload()
    vp.ready()
    expect(first_layer(page)).to_be_visible()
    expect(page.locator('iframe[data-vendor="youtube"]')).to_be_visible()
    screenshot(page, "43-vendors-placeholder-granted-desktop")
    assert_accessible(page)

    # A real choice on the first layer ends it (refusing all stops YouTube: the page reloads).
    with page.expect_navigation():
        first_layer(page).get_by_role("button", name="Tout refuser", exact=True).click()
    vp.ready()
    expect(first_layer(page)).to_have_count(0)
    after = stored(page.context)
    assert after["action"] == "reject_all" and "p" not in after
    expect(page.get_by_role("group", name="YouTube")).to_be_visible()
