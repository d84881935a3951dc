"""Both contact forms in real Chromium, with and without consent, checked against what the gateway
stored: the hosted form (/privacy/demo/contact) and the demo site's own form (data-iq-contact)."""

from __future__ import annotations

from browser_support import assert_accessible, banner, open_demo, wait_for_receipt
from playwright.sync_api import Page, expect
from sqlalchemy import text

from consent_gateway.contact import cipher_for

PERSON = {"surname": "Lefèvre", "first_name": "Anouk", "email": "anouk.lefevre@example.fr",
          "message": "Je voudrais connaître le solde de mon dossier."}
AUDIENCE_FIELDS = {"connection_time", "pages_visited"}


def rows(app, db_session) -> list[dict]:
    """What the gateway stored, decrypted: one dict per field row."""
    db_session.rollback()
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    result = db_session.execute(text(
        "SELECT name, purpose, ciphertext, visitor_id FROM contact_field ORDER BY id")).mappings()
    return [{**row, "value": cipher.decrypt(row["ciphertext"])} for row in result]


def fill_hosted(page: Page, values: dict[str, str]) -> None:
    labels = {"surname": "Nom", "first_name": "Prénom", "email": "Adresse e-mail", "message": "Message"}
    for name, value in values.items():
        page.get_by_label(labels[name], exact=False).first.fill(value)


def test_hosted_form_without_consent_stores_no_audience_data_and_passes_axe(
        page: Page, live_server: str, app, db_session):
    page.goto(f"{live_server}/privacy/demo/contact")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nous contacter")
    assert_accessible(page)
    fill_hosted(page, {**PERSON, "email": "anouk@"})
    page.get_by_role("button", name="Envoyer").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    email = page.locator("#f-email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-email-error")).to_contain_text("Saisissez une adresse e-mail valide")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(email).to_be_focused()
    email.fill(PERSON["email"])
    page.get_by_role("button", name="Envoyer").click()
    confirmation = page.locator("#confirmation")
    expect(confirmation).to_contain_text("Merci, votre message a été envoyé.")
    expect(confirmation.locator("[data-dropped=connection_time]")).to_contain_text("Mesure d'audience")
    assert_accessible(page)
    stored_rows = rows(app, db_session)
    assert {r["name"]: r["value"] for r in stored_rows} == PERSON
    assert {r["visitor_id"] for r in stored_rows} == {None}


def test_hosted_form_in_english_passes_axe(page: Page, live_server: str):
    page.goto(f"{live_server}/privacy/demo/contact?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact us")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
    page.goto(f"{live_server}/privacy/demo/?lang=en")
    expect(page.locator("#cookies")).to_have_text("Cookies used")
    assert_accessible(page)


def test_hosted_form_after_accepting_on_the_site_stores_audience_data(
        page: Page, live_server: str, app, db_session):
    open_demo(page, f"{live_server}/demo/demo")
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)
    page.get_by_role("link", name="Centre de confidentialité").first.click()
    expect(page.locator("#cookies")).to_be_visible()
    page.get_by_role("link", name="Nous écrire par le formulaire de contact").click()
    fill_hosted(page, PERSON)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#confirmation")).to_contain_text("Merci")
    stored_rows = rows(app, db_session)
    by_name = {r["name"]: r for r in stored_rows}
    assert set(by_name) == set(PERSON) | AUDIENCE_FIELDS
    assert by_name["connection_time"]["purpose"] == "audience_measurement"
    assert by_name["pages_visited"]["value"].endswith("/privacy/demo/contact")
    visitor = app.extensions["gateway"].signer.unsign(decision["token"])[0].visitor_id
    assert {r["visitor_id"] for r in stored_rows} == {visitor}


def _fill_demo(page: Page, values: dict[str, str]) -> None:
    form = page.locator("form[data-iq-contact]")
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)
    form.get_by_role("button", name="Envoyer").click()
    expect(form.locator("[data-iq-contact-status]")).to_contain_text("envoyé")


def test_demo_form_without_consent_stores_only_the_contact_request(
        page: Page, live_server: str, app, db_session):
    open_demo(page, f"{live_server}/demo/demo")
    banner(page).get_by_role("button", name="Tout refuser", exact=True).click()
    wait_for_receipt(page)
    _fill_demo(page, {**PERSON, "phone": "06 12 34 56 78"})
    stored_rows = rows(app, db_session)
    assert {r["name"]: r["value"] for r in stored_rows} == {**PERSON, "phone": "+33612345678"}
    assert {r["purpose"] for r in stored_rows} == {"contact_request"}


def test_demo_form_with_consent_stores_audience_data_then_withdrawal_erases_it(
        page: Page, live_server: str, app, db_session):
    open_demo(page, f"{live_server}/demo/demo")
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    wait_for_receipt(page)
    _fill_demo(page, {**PERSON, "file_reference": "12345678"})
    by_name = {r["name"]: r for r in rows(app, db_session)}
    assert set(by_name) == set(PERSON) | {"file_reference"} | AUDIENCE_FIELDS
    assert by_name["pages_visited"]["value"] == "/demo/demo"
    # The arrival time is the page's own start (kept to the second), however long the visitor wrote.
    arrived = page.evaluate("new Date(performance.timeOrigin).toISOString().replace(/\\.\\d+Z$/, 'Z')")
    assert by_name["connection_time"]["value"] == arrived
    assert by_name["file_reference"]["purpose"] == "debt_file_handling"
    page.evaluate("IQConsent.withdraw()")
    # The withdrawal reloads the page: until its script runs again, IQConsent is not there.
    page.wait_for_function("() => window.IQConsent && (IQConsent.get() === null"
                           " || IQConsent.get().action === 'withdraw')")
    for _ in range(50):
        if not AUDIENCE_FIELDS & {r["name"] for r in rows(app, db_session)}:
            break
        page.wait_for_timeout(100)
    assert {r["name"] for r in rows(app, db_session)} == set(PERSON) | {"file_reference"}
