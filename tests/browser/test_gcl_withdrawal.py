"""Google Ads' ``_gcl_au``, which GTM's conversion linker writes once advertising is granted, is
declared under the catalogue's google_ads vendor: a withdrawal deletes it with the others."""

from __future__ import annotations

from playwright.sync_api import Page
from vendor_page import install, settle


def test_gcl_au_is_gone_after_withdrawal(page: Page, live_server: str):
    vp = install(page, live_server)
    vp.open()
    page.get_by_role("region", name="Vos choix sur les cookies").get_by_role(
        "button", name="Tout accepter", exact=True).click()
    page.wait_for_function("IQConsent.get() !== null")
    page.mouse.click(700, 20)  # GTM's tags run again on a click, with ad_storage granted by now
    page.wait_for_function("document.cookie.includes('_gcl_au=')")
    settle(page, 300)
    with page.expect_navigation():
        page.get_by_role("button", name="Retirer mon consentement", exact=True).click()
    vp.ready()
    assert "_gcl_au" not in {c["name"] for c in page.context.cookies()}
    assert page.evaluate("IQConsent.get().action") == "withdraw"
