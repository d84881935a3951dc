"""Keyboard only: every flow can be completed, focus is trapped in the dialog and comes back."""

from __future__ import annotations

from browser_support import banner, open_demo, stored, wait_for_receipt
from playwright.sync_api import Page, expect

ACTIVE_NAME = """() => { const el = document.activeElement;
    return (el.getAttribute('aria-label') || el.textContent || '').trim(); }"""


def tab_to(page: Page, name: str, limit: int = 40) -> None:
    """Press Tab until the focused element is named ``name``; focus must stay visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(ACTIVE_NAME) == name:
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab")


def focus_in_dialog(page: Page) -> bool:
    return page.evaluate("!!document.activeElement.closest('[role=dialog]')")


def test_keyboard_customise_escape_save_and_withdraw(page: Page, demo_url: str, verify):
    posts: list[str] = []
    # Decisions only: the anonymous impression count is not a decision.
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/consents" in r.url else None)
    open_demo(page, demo_url)
    tab_to(page, "Personnaliser")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    expect(dialog).to_be_visible()
    assert focus_in_dialog(page)
    for key in ["Tab"] * 20 + ["Shift+Tab"] * 20:
        page.keyboard.press(key)
        assert focus_in_dialog(page), key

    # Escape closes without recording anything, and focus returns to what opened the dialog.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert page.evaluate(ACTIVE_NAME) == "Personnaliser"
    expect(banner(page)).to_be_visible()
    assert posts == [] and stored(page.context) is None

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    # Focus lands on the first switch that can change.
    assert page.evaluate("document.activeElement.name") == "audience_measurement"
    page.keyboard.press("Space")
    expect(dialog.get_by_role("switch", name="Mesure d'audience")).to_be_checked()
    tab_to(page, "Enregistrer mes choix")
    page.keyboard.press("Enter")
    decision = wait_for_receipt(page)
    assert verify(decision["token"])["receipt"]["iqera"]["choices"]["audience_measurement"] is True
    assert decision["choices"]["marketing"] is False

    # Focus went somewhere sensible: the floating control.
    assert page.evaluate(ACTIVE_NAME) == "Gérer mes cookies"
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("switch", name="Mesure d'audience")).to_be_checked()
    page.keyboard.press("Escape")
    assert page.evaluate(ACTIVE_NAME) == "Gérer mes cookies"

    page.keyboard.press("Shift+Tab")
    tab_to(page, "Retirer mon consentement")
    page.keyboard.press("Enter")
    withdrawal = wait_for_receipt(page, decision["token"])
    assert verify(decision["token"])["status"] == "withdrawn"
    assert withdrawal["choices"]["audience_measurement"] is False


def test_keyboard_reject_then_accept_and_the_site_own_settings_link(page: Page, demo_url: str, verify):
    open_demo(page, demo_url)
    tab_to(page, "Tout refuser")
    page.keyboard.press("Enter")
    rejected = wait_for_receipt(page)
    assert verify(rejected["token"])["receipt"]["iqera"]["action"] == "reject_all"

    # The iframe's placeholder grants its purpose from the keyboard too.
    tab_to(page, "Autoriser « Contenus tiers (vidéos) »")
    page.keyboard.press("Enter")
    video = wait_for_receipt(page, rejected["token"])
    assert verify(video["token"])["receipt"]["iqera"]["choices"]["third_party_media"] is True
    expect(page.locator("iframe[data-consent]")).to_be_visible()
    expect(page.locator("iframe[data-consent]")).to_be_focused()

    # Any element with data-iq-open reopens the preferences; Escape gives focus back to it.
    page.locator("[data-iq-open]").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert page.evaluate("document.activeElement.hasAttribute('data-iq-open')")

    page.context.clear_cookies()
    page.reload()
    page.evaluate("IQConsent.ready")
    tab_to(page, "Tout accepter")
    page.keyboard.press("Enter")
    accepted = wait_for_receipt(page)
    assert verify(accepted["token"])["receipt"]["iqera"]["action"] == "accept_all"
