"""The edges of the banner's UI (issue 19, item 6), on the vendor page of another origin: what a
placeholder says allowing implies, a header-only GPC signal shown to the visitor, the floating
control that never covers a focused field or a status message."""

from __future__ import annotations

import pytest
from browser_support import assert_accessible, screenshot, wait_for_receipt
from playwright.sync_api import Browser, Page, expect
from vendor_page import VendorPage, install

PROBE = """([tag, role]) => { const el = document.createElement(tag); el.id = 'probe';
  if (role) { el.setAttribute('role', role); el.textContent = 'Votre message a bien été envoyé.'; }
  el.setAttribute('aria-label', 'Sonde');
  Object.assign(el.style, {position: 'fixed', left: '0', bottom: '0', width: '320px', height: '48px',
                           background: '#eef'});
  document.body.appendChild(el); return true; }"""
OVERLAP = """() => { const a = document.querySelector('.iq-fab').getBoundingClientRect();
  const b = document.getElementById('probe').getBoundingClientRect();
  return a.bottom > b.top && a.top < b.bottom && a.right > b.left && a.left < b.right; }"""


@pytest.fixture
def vp(page: Page, live_server: str) -> VendorPage:
    return install(page, live_server)


@pytest.mark.parametrize("lang, blocked, notice, link", [
    ("fr", "Contenu YouTube bloqué",
     "L'autoriser permet à Google Ireland Limited (États-Unis) de déposer ses cookies",
     "Voir le contenu sur YouTube"),
    ("en", "YouTube content blocked",
     "Allowing it lets Google Ireland Limited (United States) set its cookies",
     "View the content on YouTube"),
])
def test_a_placeholder_says_what_allowing_implies_in_the_sites_language(vp: VendorPage, page: Page, lang,
                                                                        blocked, notice, link):
    vp.open(f"/?{lang}", lang=lang)
    placeholder = page.get_by_role("group", name="YouTube")
    expect(placeholder).to_contain_text(blocked)
    expect(placeholder).to_contain_text(notice)
    expect(placeholder).to_contain_text("Data Privacy Framework"), "the transfer's safeguard"
    open_link = placeholder.get_by_role("link", name=link)
    assert open_link.get_attribute("href") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert open_link.get_attribute("target") == "_blank"
    screenshot(page, f"71-placeholder-{lang}")
    assert_accessible(page, ["iframe[data-vendor=youtube] ~ *, .iq-ph"])


def test_a_header_only_gpc_signal_is_shown_to_the_visitor(browser: Browser, live_server: str):
    # Sec-GPC on every request, navigator.globalPrivacyControl not set (an extension, a proxy).
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    vp = install(page, live_server)
    vp.open()
    assert page.evaluate("navigator.globalPrivacyControl") is not True
    first = page.get_by_role("region", name="Vos choix sur les cookies")
    expect(first).to_contain_text("Votre navigateur envoie le signal Global Privacy Control")
    expect(first.get_by_role("button", name="Tout accepter (hors publicité)")).to_be_visible()
    screenshot(page, "72-header-only-gpc")
    assert_accessible(page, ["#iq-consent"])
    first.get_by_role("button", name="Tout accepter (hors publicité)").click()
    decision = wait_for_receipt(page)
    assert decision["gpc"] is True and decision["choices"]["marketing"] is False
    context.close()


@pytest.mark.parametrize("tag, role", [("input", None), ("p", "status")])
def test_the_floating_control_never_covers_a_focused_field_or_a_status_message(vp: VendorPage, page: Page,
                                                                              tag, role):
    vp.open()
    page.get_by_role("button", name="Tout refuser", exact=True).click()
    wait_for_receipt(page)
    fab = page.locator(".iq-fab")
    expect(fab).to_be_visible()
    assert "iq-bottom-left" in fab.get_attribute("class"), "the site's declared corner (default)"
    page.evaluate(PROBE, [tag, role])
    if role is None:
        page.locator("#probe").focus()
    else:
        page.evaluate("window.dispatchEvent(new Event('scroll'))")
    expect(fab).to_have_class("iq-fab iq-bottom-left iq-up")
    assert page.evaluate(OVERLAP) is False
    screenshot(page, f"73-fab-dodges-{tag}")
    # Once the field or the message is gone, it goes back to its corner (at the next scroll).
    page.evaluate("document.getElementById('probe').remove(); window.dispatchEvent(new Event('scroll'))")
    expect(fab).to_have_class("iq-fab iq-bottom-left")


def test_the_withdraw_button_in_the_preferences_is_wholly_above_the_action_bar(browser: Browser,
                                                                               live_server: str):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 640},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    vp = install(page, live_server)
    vp.open()
    page.get_by_role("button", name="Tout accepter", exact=True).click()
    wait_for_receipt(page)
    page.get_by_role("button", name="Gérer mes cookies").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    withdraw = dialog.get_by_role("button", name="Retirer mon consentement")
    expect(withdraw).to_be_in_viewport(ratio=1)
    bar = dialog.locator(".iq-btns").bounding_box()
    box = withdraw.bounding_box()
    assert box["y"] + box["height"] <= bar["y"], "never under the action bar"
    screenshot(page, "74-preferences-withdraw-360x640")
    assert_accessible(page)
    context.close()
