"""The DPO's and a recruiter's day in real Chromium, axe-clean and keyboard-usable: the DPO pastes
the token a visitor sent, sees the timeline with the banner's screenshot and the ✓ of the
signature and ledger inclusion, then extends and closes the visitor's request; a recruiter signs
in, opens an application, downloads the CV and moves it to "in review"."""

from __future__ import annotations

from datetime import timedelta

from browser_support import assert_accessible, banner, open_demo, screenshot, wait_for_receipt
from contact_support import CANDIDATE, apply, jpeg_with_gps, pdf_bytes, stored_pdf_bytes
from playwright.sync_api import Page, expect
from rights_support import staff_token, submit
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from consent_gateway.consent import BannerConfig
from consent_gateway.consent.ledger import seal_ledger
from consent_gateway.consent.models import BannerSnapshot
from consent_gateway.consent.snapshots import RECEIPT_VARIANT
from consent_gateway.db import utcnow
from consent_gateway.staff import create_token


def test_the_dpo_pastes_a_token_checks_the_timeline_then_extends_and_closes_the_request(
        page: Page, live_server: str, app, db_session):
    page.set_viewport_size({"width": 1280, "height": 800})
    open_demo(page, f"{live_server}/demo/demo")
    shot = page.screenshot()  # the banner as this visitor sees it: the version's picture
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        config = session.scalars(select(BannerConfig).where(BannerConfig.site_id == "demo")).first()
        session.add(BannerSnapshot(config_hash=config.config_hash, variant=RECEIPT_VARIANT, png=shot,
                                   taken_at=utcnow()))
        session.commit()
        seal_ledger(session, app.extensions["gateway"].receipt_keys, settle=timedelta(0))
    request = submit(app, "access", token=decision["token"], now=utcnow() - timedelta(days=3))
    token, _ = staff_token(app)

    page.goto(f"{live_server}/dpo/proof")
    page.get_by_label("Jeton").fill(token)
    page.keyboard.press("Enter")
    search = page.get_by_label("Jeton de reçu, identifiant de reçu ou référence de demande")
    expect(search).to_be_visible()
    search.fill(decision["token"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Visiteur sur")
    expect(page.locator("[data-check=token_signature]")).to_have_attribute("data-ok", "yes")
    expect(page.locator("[data-check=receipt_jws]")).to_have_attribute("data-ok", "yes")
    inclusion = page.locator("[data-check=ledger_inclusion]")
    expect(inclusion).to_have_attribute("data-ok", "yes")
    expect(inclusion).to_contain_text("✓")
    expect(inclusion).to_contain_text("point de contrôle n° 1")
    expect(page.locator(".decision").first).to_contain_text("A tout accepté")
    picture = page.get_by_role("img", name="Le bandeau tel que ce visiteur l'a vu")
    expect(picture).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", picture.element_handle()) == 1280
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 2400})
    screenshot(page, "dpo-timeline")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la preuve brute (JSON)").click()
    assert download.value.suggested_filename.startswith("proof-")

    page.get_by_role("link", name=request.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(request.reference)
    page.get_by_label("deux mois").check()
    page.get_by_label("Avis envoyé au demandeur").fill("Votre demande porte sur plusieurs sites.")
    page.get_by_role("button", name="Prolonger", exact=True).click()
    expect(page.locator("dd", has_text="Votre demande porte sur plusieurs sites.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dpo-request-extended")
    page.get_by_label("Issue").select_option("fulfilled")
    page.get_by_label("Note (ce qui a été répondu)").fill("Copie des données envoyée.")
    page.get_by_role("button", name="Clôturer", exact=True).click()
    row = page.locator(f"tr[data-reference='{request.reference}']")
    expect(row).to_contain_text("Clôturée")
    assert_accessible(page)
    screenshot(page, "dpo-requests-after")
    page.get_by_role("link", name="Journal des accès").click()
    expect(page.locator("tbody")).to_contain_text("A ouvert l'historique d'un visiteur")
    assert_accessible(page)
    screenshot(page, "dpo-access-log-words")
    db_session.rollback()
    state = db_session.execute(text("SELECT outcome, extended_due_at IS NOT NULL FROM rights_request")).one()
    assert tuple(state) == ("fulfilled", True)


def test_a_recruiter_opens_an_application_downloads_the_cv_and_moves_it_to_in_review(
        page: Page, live_server: str, app, client, db_session, tmp_path):
    sent = apply(client, {**CANDIDATE, "city": "Lyon"},
                 {"cv": (pdf_bytes(), "CV Noémie Okafor.pdf"), "photo": (jpeg_with_gps(), "moi.jpg")})
    reference = sent.get_json()["reference"]
    recruiter = create_token(db_session, "recruiter", "Rita Recrutement", "careers")

    page.goto(f"{live_server}/recruiting/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    assert_accessible(page)
    page.get_by_label("Jeton").fill(recruiter)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Candidatures reçues par")
    row = page.locator(f"tr[data-reference='{reference}']")
    expect(row).to_contain_text("Nouvelle")
    expect(row).to_contain_text(CANDIDATE["first_name"])
    assert_accessible(page)
    screenshot(page, "recruiter-inbox")

    row.get_by_role("link", name=reference).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Candidature {reference}")
    expect(page.locator("[data-field=email]")).to_have_text(CANDIDATE["email"])
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("[data-file=cv]").click()
    download.value.save_as(tmp_path / "cv.pdf")
    assert (tmp_path / "cv.pdf").read_bytes() == stored_pdf_bytes()
    assert download.value.suggested_filename == "CV Noémie Okafor.pdf"

    page.get_by_label("Statut").select_option("in_review")
    page.get_by_role("button", name="Enregistrer le statut").click()
    expect(page.locator("dd[data-status]")).to_have_text("En cours d'examen")
    page.get_by_label("Note pour les autres recruteurs").fill("À rappeler mardi.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator(".notes")).to_contain_text("À rappeler mardi.")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 1400})
    screenshot(page, "recruiter-application")
    page.get_by_role("link", name="Candidatures").click()
    expect(page.locator(f"tr[data-reference='{reference}']")).to_contain_text("En cours d'examen")
    db_session.rollback()
    actions = db_session.execute(text("SELECT action FROM access_log ORDER BY id")).scalars().all()
    assert {"applications.read", "applications.file.read", "applications.status"} <= set(actions)
