"""The hosted contact form (/privacy/<site>/contact), its information notice, and the privacy centre."""

from __future__ import annotations

import base64
import json
import re

import pytest
from contact_support import AUDIENCE, PERSON, decide, field_rows, submission_count

from consent_gateway.contact import cipher_for


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _post(client, site: str = "demo", lang: str = "fr", **fields):
    page = client.get(f"/privacy/{site}/contact?lang={lang}").get_data(as_text=True)
    return client.post(f"/privacy/{site}/contact", data={"csrf_token": _csrf(page), "lang": lang, **fields})


def _cookie(token: str) -> str:
    raw = json.dumps({"token": token, "choices": {}}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_the_form_has_the_declared_fields_labelled_and_a_csrf_token(client):
    r = client.get("/privacy/mcs/contact")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert '<html lang="fr">' in page and _csrf(page)
    for name in ("surname", "first_name", "email", "phone", "message", "portfolio_code", "file_reference"):
        assert f'name="{name}"' in page and f'<label for="f-{name}">' in page
        assert f'id="f-{name}"' in page
    for name in ("connection_time", "pages_visited", "location"):
        assert re.search(rf'id="{name}" name="{name}" type="hidden"', page)
    assert 'autocomplete="family-name"' in page and 'autocomplete="email"' in page


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Réponse à votre demande de contact", "Notre intérêt légitime",
            "3 ans après notre dernier échange",
            "Gestion de votre dossier", "L'exécution d'un contrat", "5 ans après la clôture du dossier",
            "Mesure d'audience", "Votre consentement", "Maroc", "Maurice",
            "Clauses contractuelles types", "dpo@iqera.com", "Commission Nationale de l'Informatique",
            "Opposition", "Limitation", "Portabilité", "Directives post-mortem",
            "collaborateurs habilités", "MCS et Associés"]),
    ("en", ["Answering your contact request", "Our legitimate interest", "3 years after our last exchange",
            "Handling your file", "The performance of a contract", "Audience measurement", "Your consent",
            "Morocco", "Mauritius", "Standard contractual clauses", "dpo@iqera.com", "CNIL", "Objection",
            "Restriction", "Portability", "Post-mortem directives", "Authorised employees"]),
])
def test_the_information_notice_is_generated_from_the_declaration(client, lang, words):
    page = client.get(f"/privacy/mcs/contact?lang={lang}").get_data(as_text=True).replace("&#39;", "'")
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page, word


def test_a_valid_post_stores_only_non_consent_fields_without_a_receipt(client, db_session):
    r = _post(client, **PERSON, phone="0612345678", connection_time="2026-11-20T10:00:00Z",
              pages_visited="/privacy/demo/contact")
    assert r.status_code == 201, r.get_data(as_text=True)
    page = r.get_data(as_text=True)
    assert "Merci, votre message a été envoyé." in page
    assert 'data-dropped="connection_time" data-reason="no_valid_receipt"' in page
    rows = field_rows(db_session)
    assert [row["name"] for row in rows] == ["surname", "first_name", "email", "phone", "message"]


def test_the_iq_consent_cookie_grants_what_the_receipt_grants(app, client, db_session):
    token, visitor = decide(app, "demo", "accept_all")
    client.set_cookie("iq_consent", _cookie(token))
    r = _post(client, **PERSON, connection_time="2026-11-20T10:00:00Z", pages_visited="/demo/demo")
    assert r.status_code == 201
    rows = field_rows(db_session)
    assert {row["name"] for row in rows if row["purpose"] == "audience_measurement"} == {
        "connection_time", "pages_visited"}
    assert {row["visitor_id"] for row in rows} == {visitor}
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    assert {cipher.decrypt(r["ciphertext"]) for r in rows} >= {"2026-11-20T10:00:00Z", "/demo/demo"}


def test_a_hidden_consent_token_field_works_and_is_prefilled_from_the_query(app, client, db_session):
    token, _ = decide(app, "demo", "accept_all")
    page = client.get(f"/privacy/demo/contact?consent_token={token}").get_data(as_text=True)
    assert f'name="consent_token" type="hidden" value="{token}"' in page
    r = client.post("/privacy/demo/contact", data={"csrf_token": _csrf(page), "consent_token": token,
                                                   **PERSON, "connection_time": AUDIENCE["connection_time"]})
    assert r.status_code == 201
    assert "connection_time" in {row["name"] for row in field_rows(db_session)}


def test_a_forged_cookie_grants_nothing(app, client, db_session):
    client.set_cookie("iq_consent", _cookie("forged.token.value"))
    assert _post(client, **PERSON, connection_time="2026-11-20T10:00:00Z").status_code == 201
    assert "audience_measurement" not in {row["purpose"] for row in field_rows(db_session)}


def test_without_csrf_token_nothing_is_stored(client, db_session):
    r = client.post("/privacy/demo/contact", data=PERSON)
    assert r.status_code == 400
    assert "La page a expiré" in r.get_data(as_text=True)
    assert submission_count(db_session) == 0


def test_errors_are_summarised_focused_and_linked_to_their_fields(client, db_session):
    r = _post(client, lang="en", **{**PERSON, "email": "nope", "message": ""}, phone="12")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "<title>Error — Contact us" in page
    assert 'id="error-summary"' in page and 'role="alert"' in page and 'tabindex="-1"' in page
    assert '<a href="#f-email">' in page and '<a href="#f-message">' in page and '<a href="#f-phone">' in page
    assert re.search(r'aria-describedby="f-email-error"[^>]*aria-invalid="true"', page)
    assert re.search(r'aria-describedby="f-phone-hint f-phone-error"', page)
    assert 'id="f-email-error"' in page and "Enter a valid email address" in page
    assert 'value="Camillette"' in page  # what was typed is kept
    assert submission_count(db_session) == 0


def test_honeypot_and_objection_refuse_with_a_message(app, client, db_session):
    assert _post(client, **PERSON, website="http://spam.example").status_code == 400
    token, _ = decide(app, "demo", "reject_all")
    client.post("/api/v1/sites/demo/objections", headers={"Origin": "http://127.0.0.1:8000"},
                json={"consent_token": token, "purpose": "contact_request", "kind": "objection"})
    client.set_cookie("iq_consent", _cookie(token))
    r = _post(client, **PERSON)
    assert r.status_code == 403 and "Vous vous êtes opposé(e)" in r.get_data(as_text=True)
    assert submission_count(db_session) == 0


def test_site_without_such_page_is_404(client):
    assert client.get("/privacy/nowhere/contact").status_code == 404
    assert client.get("/privacy/nowhere/").status_code == 404


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_privacy_centre_lists_purposes_cookies_controller_transfers_rights(client, lang):
    r = client.get(f"/privacy/iqera/?lang={lang}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'id="cookies"' in page
    for cookie, duration in (("_ga", "395"), ("bcookie", "365"), ("iq_consent", "182")):
        assert re.search(rf"<code>{cookie}</code></th>.*?<td>{duration} (jours|days)</td>", page, re.S)
    assert re.search(r"<code>YSC</code></th>.*?<td>session</td>", page, re.S)
    for word in ("Google Analytics", "LinkedIn", "dpo@iqera.com", "https://www.cnil.fr",
                 "Maroc" if lang == "fr" else "Morocco", "Maurice" if lang == "fr" else "Mauritius"):
        assert word in page
    assert ("Mesure d'audience" if lang == "fr" else "Audience measurement") in page.replace("&#39;", "'")


def test_the_page_the_visitor_came_from_is_kept_without_its_query(client):
    referrer = {"Referer": "https://www.iqera.com/dossier?token=secret#x"}
    page = client.get("/privacy/demo/contact", headers=referrer).get_data(as_text=True)
    expected = "https://www.iqera.com/dossier\n/privacy/demo/contact"
    assert f'name="pages_visited" type="hidden" value="{expected}"' in page
    assert "secret" not in page


def test_the_only_cookie_the_form_sets_is_a_declared_browser_session_cookie(client):
    r = client.get("/privacy/demo/contact")
    cookies = r.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("iq_form_session=")
    assert "Expires" not in cookies[0] and "Max-Age" not in cookies[0] and "HttpOnly" in cookies[0]
    assert "SameSite=Lax" in cookies[0]
    assert "cookie « iq_form_session » strictement nécessaire" in r.get_data(as_text=True)
    declared = client.get("/privacy/demo/").get_data(as_text=True)
    assert "iq_form_session" in declared, "the privacy centre's cookie table lists it"
