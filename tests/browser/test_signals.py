"""Global Privacy Control and Internet Explorer 11 (docs/embedding.md)."""

from __future__ import annotations

from browser_support import (
    GPC_INIT,
    IE11_UA,
    assert_accessible,
    banner,
    cookie_names,
    open_demo,
    screenshot,
    wait_for_receipt,
)
from playwright.sync_api import Browser, expect


def test_gpc_keeps_advertising_refused_until_an_explicit_opt_in(browser: Browser, demo_url: str, verify):
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(GPC_INIT)
    page = context.new_page()
    open_demo(page, demo_url)
    expect(banner(page)).to_contain_text("Global Privacy Control")
    screenshot(page, "08-gpc-first-layer")
    assert_accessible(page)

    # The accept button says what it does under the signal: advertising stays refused.
    banner(page).get_by_role("button", name="Tout accepter (hors publicité)", exact=True).click()
    decision = wait_for_receipt(page)
    receipt = verify(decision["token"])["receipt"]["iqera"]
    assert receipt["gpc"] is True
    assert receipt["choices"]["marketing"] is False and receipt["choices"]["audience_measurement"] is True
    page.wait_for_function("() => document.cookie.includes('demo_analytics=')")
    assert "demo_marketing" not in cookie_names(context)
    update = [e for e in page.evaluate("dataLayer.map(a => Array.from(a))") if e[1] == "update"][-1][2]
    assert update["ad_storage"] == "denied" and update["analytics_storage"] == "granted"

    page.get_by_role("button", name="Gérer mes cookies").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Global Privacy Control")
    marketing = dialog.get_by_role("switch", name="Publicité et réseaux sociaux")
    expect(marketing).not_to_be_checked()
    marketing.check()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    opted_in = wait_for_receipt(page, decision["token"])
    receipt = verify(opted_in["token"])["receipt"]["iqera"]
    assert receipt["gpc"] is True and receipt["choices"]["marketing"] is True
    page.wait_for_function("() => document.cookie.includes('demo_marketing=')")
    context.close()


# What IE11 lacks and the rest of the bundle uses: take it away, so that the ES5 path proves it
# needs none of it.
IE11_RUNTIME = """for (const name of ['Promise', 'fetch', 'MutationObserver', 'CustomEvent'])
  delete window[name];
delete Object.assign; delete Array.prototype.includes; delete Element.prototype.closest;"""


def test_ie11_gets_the_french_notice_and_nothing_is_granted(browser: Browser, demo_url: str):
    context = browser.new_context(user_agent=IE11_UA)
    context.add_init_script(IE11_RUNTIME)
    page = context.new_page()
    page.goto(demo_url + "?lang=en")
    notice = page.get_by_role("region", name="Ce site n'est pas optimisé pour Internet Explorer 11")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("nous vous invitons à passer sur un autre navigateur")
    assert page.locator("#iq-consent").count() == 0
    assert page.evaluate("typeof window.IQConsent") == "undefined"
    layer = page.evaluate("dataLayer.map(a => Array.from(a))")
    assert [e[:2] for e in layer] == [["consent", "default"]]
    assert page.evaluate("window.demoTagOrder") is None
    assert page.locator("iframe[data-consent]").get_attribute("src") is None
    screenshot(page, "09-ie11-notice")
    assert_accessible(page, ["#iq-ie11"])

    notice.get_by_role("button", name="Je continue sur ie11").click()
    expect(notice).to_have_count(0)
    assert context.cookies() == []
    assert page.evaluate("window.demoTagOrder") is None
    context.close()
