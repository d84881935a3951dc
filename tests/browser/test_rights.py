"""Rights in real Chromium: a visitor sends a request and gets its reference; the DPO signs in,
sees the overdue request first, reads it (logged) and closes it. axe-core clean on each page."""

from __future__ import annotations

import json
from datetime import timedelta

from browser_support import assert_accessible, banner, open_demo, screenshot, wait_for_receipt
from playwright.sync_api import Page, expect
from rights_support import staff_token, submit
from sqlalchemy import text

from consent_gateway.db import utcnow


def test_a_visitor_sends_a_rights_request_and_gets_its_reference(page: Page, live_server: str, db_session):
    page.goto(f"{live_server}/privacy/demo/rights")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercer vos droits")
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "rights-errors")
    page.get_by_label("Directives pour après mon décès").check()
    page.get_by_label("Votre nom").fill("Claire Martin")
    page.get_by_label("Votre adresse e-mail").fill("claire.martin@example.fr")
    page.get_by_label("Vos directives").fill("Fermer mes comptes et effacer mes données.")
    page.get_by_label("Nom de la personne que vous désignez").fill("Paul Martin")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande reçue")
    reference = page.locator("[data-reference]").inner_text()
    assert reference.startswith("DR-")
    expect(page.locator("[data-identity=to_verify]")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "rights-confirmation")
    db_session.rollback()
    row = db_session.execute(text("SELECT kind, details_ciphertext FROM rights_request WHERE reference = :r"),
                             {"r": reference}).one()
    assert row.kind == "post_mortem" and "Paul Martin" not in row.details_ciphertext


def test_with_the_banners_receipt_the_visitor_downloads_their_data(page: Page, live_server: str, tmp_path):
    open_demo(page, f"{live_server}/demo/demo")
    banner(page).get_by_role("button", name="Tout refuser", exact=True).click()
    decision = wait_for_receipt(page)
    page.goto(f"{live_server}/privacy/demo/rights?lang=en")
    expect(page.get_by_role("heading", name="Right away, with your cookie receipt")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_text("not their values", exact=False)).to_be_visible()
    screenshot(page, "rights-self-service-en")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data (JSON)").click()
    exported = download.value
    assert exported.suggested_filename.startswith("demo-my-data-")
    exported.save_as(tmp_path / "export.json")
    body = (tmp_path / "export.json").read_text(encoding="utf-8")
    assert decision["token"] not in body and '"visitor_id"' in body
    assert json.loads(body)["values"] == "withheld"


def test_the_dpo_signs_in_sees_the_overdue_request_first_and_closes_it(page: Page, live_server: str, app,
                                                                        db_session):
    fresh = submit(app, now=utcnow() - timedelta(days=2))
    late = submit(app, "erasure", now=utcnow() - timedelta(days=45))
    token, _ = staff_token(app)
    page.goto(f"{live_server}/dpo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    assert_accessible(page)
    page.get_by_label("Jeton").fill(token)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'exercice de droits")
    rows = page.locator("tbody tr")
    expect(rows.first).to_have_attribute("data-reference", late.reference)
    expect(rows.first.locator("[data-overdue]")).to_have_text("En retard")
    expect(rows.nth(1)).to_have_attribute("data-reference", fresh.reference)
    assert_accessible(page)
    screenshot(page, "dpo-requests")
    rows.first.get_by_role("link", name=late.reference).click()
    expect(page.locator("[data-detail=email]")).to_have_text("camille.durandal@example.fr")
    assert_accessible(page)
    screenshot(page, "dpo-request")
    page.get_by_label("Issue").select_option("fulfilled")
    page.get_by_label("Note (ce qui a été répondu)").fill("Données effacées le jour même.")
    page.get_by_role("button", name="Clôturer", exact=True).click()
    expect(page.locator(f"tr[data-reference='{late.reference}']")).to_contain_text("Clôturée — Satisfaite")
    expect(rows.first).to_have_attribute("data-reference", fresh.reference)
    page.get_by_role("link", name="Journal des accès").click()
    expect(page.locator("tbody")).to_contain_text("A ouvert une demande")
    assert_accessible(page)
    screenshot(page, "dpo-access-log")
    page.get_by_role("button", name="Se déconnecter (Dominique DPO)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    db_session.rollback()
    assert db_session.execute(text("SELECT outcome FROM rights_request WHERE reference = :r"),
                              {"r": late.reference}).scalar_one() == "fulfilled"
