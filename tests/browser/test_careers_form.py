"""The careers site's hosted form in real Chromium: a candidate applies with a CV (and a photo
whose GPS position is gone once stored); the recruiter downloads the very same CV."""

from __future__ import annotations

import io
import re

import document_support as docs
from browser_support import assert_accessible, screenshot
from contact_support import CANDIDATE, GPS_IFD, file_rows, jpeg_with_gps, pdf_bytes, stored_pdf_bytes
from PIL import Image
from playwright.sync_api import Page, expect

from consent_gateway.contact import cipher_for
from consent_gateway.staff import create_token


def test_a_candidate_applies_with_a_cv_and_a_photo_and_the_page_passes_axe(
        page: Page, live_server: str, app, db_session, tmp_path):
    cv, photo = tmp_path / "CV Noémie Okafor.pdf", tmp_path / "portrait.jpeg"
    cv.write_bytes(pdf_bytes())
    photo.write_bytes(jpeg_with_gps())
    page.goto(f"{live_server}/privacy/careers/contact")
    expect(page.get_by_role("heading", level=1)).to_have_text("Postuler")
    expect(page.locator("#f-cv")).to_have_attribute(
        "accept",
        ".pdf,application/pdf,.docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    expect(page.locator("#f-photo")).to_have_attribute("accept", ".jpg,.jpeg,image/jpeg,.png,image/png")
    expect(page.locator("#f-cv-limits")).to_have_text(
        "Formats acceptés : PDF, DOCX. Taille maximale : 256 Ko.")
    expect(page.locator("#f-hobbies-hint")).to_contain_text("Facultatif")
    assert_accessible(page)
    for name in ("surname", "first_name", "email", "message"):
        page.locator(f"#f-{name}").fill(CANDIDATE[name])
    page.get_by_label("Ville ou région").fill("Lyon")
    page.get_by_label("CV (obligatoire)").set_input_files(str(cv))
    page.get_by_label("Photo").set_input_files(str(photo))
    screenshot(page, "careers-form-filled")
    page.get_by_role("button", name="Envoyer").click()
    confirmation = page.locator("#confirmation")
    expect(confirmation).to_contain_text("Merci, votre candidature a été envoyée.")
    expect(confirmation.locator("[data-reference]")).to_have_text(re.compile(r"^CAND-[0-9A-Z]{6}$"))
    expect(confirmation.locator("[data-stored=cv]")).to_have_text("CV")
    assert_accessible(page)
    screenshot(page, "careers-form-sent")
    stored = file_rows(db_session)
    assert len(stored) == 2 and all("%PDF" not in c for c in stored)
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    assert not Image.open(io.BytesIO(cipher.decrypt_bytes(stored[1]))).getexif().get_ifd(GPS_IFD)

    recruiter = create_token(db_session, "recruiter", "Rita Recrutement", "careers")
    headers = {"Authorization": f"Bearer {recruiter}"}
    listing = page.request.get(f"{live_server}/api/v1/sites/careers/applications", headers=headers).json()
    [entry] = listing["applications"]
    cv_entry = next(f for f in entry["files"] if f["field"] == "cv")
    assert cv_entry["filename"] == "CV Noémie Okafor.pdf"
    assert page.request.get(live_server + cv_entry["path"], headers=headers).body() == stored_pdf_bytes()


def test_a_renamed_program_is_refused_with_the_error_on_the_field(page: Page, live_server: str, tmp_path,
                                                                     db_session):
    fake = tmp_path / "cv.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 512)
    page.goto(f"{live_server}/privacy/careers/contact?lang=en")
    for name in ("surname", "first_name", "email", "message"):
        page.locator(f"#f-{name}").fill(CANDIDATE[name])
    page.get_by_label("CV (required)").set_input_files(str(fake))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#f-cv-error")).to_contain_text("This type of file is not accepted.")
    expect(page.locator("#f-cv")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    screenshot(page, "careers-form-refused")
    assert file_rows(db_session) == []


def test_a_cv_with_a_macro_is_refused_in_french_then_a_clean_one_is_taken(page: Page, live_server: str,
                                                                         tmp_path, db_session):
    hostile, clean = tmp_path / "CV.docx", tmp_path / "CV propre.docx"
    hostile.write_bytes(docs.macro_under_another_name())
    clean.write_bytes(docs.word_document())
    page.goto(f"{live_server}/privacy/careers/contact")
    for name in ("surname", "first_name", "email", "message"):
        page.locator(f"#f-{name}").fill(CANDIDATE[name])
    page.get_by_label("CV (obligatoire)").set_input_files(str(hostile))
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#f-cv-error")).to_contain_text(
        "Ce document contient des macros ou un programme intégré : enregistrez-le comme simple "
        "document Word (.docx) ou en PDF.")
    assert_accessible(page)
    screenshot(page, "careers-form-macro-refused")
    assert file_rows(db_session) == []
    page.get_by_label("CV (obligatoire)").set_input_files(str(clean))
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#confirmation")).to_be_visible()
    assert len(file_rows(db_session)) == 1
