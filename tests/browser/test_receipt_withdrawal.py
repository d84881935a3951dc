"""From the banner's preferences to the receipt page, and a one-click withdrawal that answers
with the withdrawal's own receipt: real Chromium, axe-core clean, screenshots kept."""

from __future__ import annotations

from browser_support import assert_accessible, banner, open_demo, screenshot, wait_for_receipt
from playwright.sync_api import Page, expect


def test_the_preferences_link_to_the_receipt_and_withdrawal_is_one_click(page: Page, demo_url: str, verify):
    open_demo(page, demo_url)
    expect(page.get_by_role("dialog")).to_have_count(0)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)

    page.get_by_role("button", name="Gérer mes cookies").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    link = dialog.get_by_role("link", name="Voir mon reçu")
    expect(link).to_be_visible()
    assert decision["token"] in link.get_attribute("href")
    link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre reçu de consentement")
    expect(page.get_by_text("Actif : c'est votre choix actuel.")).to_be_visible()
    expect(page.get_by_role("row", name="Mesure d'audience Accepté")).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger le reçu signé (JWS)")).to_be_visible()
    screenshot(page, "30-receipt-page")
    assert_accessible(page)

    page.get_by_role("button", name="Retirer mon consentement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reçu de votre retrait")
    expect(page.get_by_role("status")).to_contain_text("Votre consentement est retiré.")
    expect(page.get_by_text("En vigueur : votre consentement reste retiré.")).to_be_visible()
    expect(page.get_by_role("button", name="Retirer mon consentement")).to_have_count(0)
    screenshot(page, "31-withdrawal-receipt-page")
    assert_accessible(page)

    assert verify(decision["token"])["status"] == "withdrawn"
