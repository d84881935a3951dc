"""The recruiters' inbox in the browser's terms: a recruiter signs in like other staff and sees
their site's applications by status; an application's page shows its fields, files (as
attachments), notes, status and retention date; every read and change is in the access log. The
DPO erases an application by the reference the candidate quotes. The careers form reads as an
application and gives that short reference."""

from __future__ import annotations

import re

import pytest
from contact_support import CANDIDATE, apply, jpeg_with_gps, pdf_bytes, stored_pdf_bytes
from live_support import csrf
from rights_support import staff_token
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway.staff import create_token

REFERENCE = re.compile(r"^CAND-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$")


def _sign_in(client, token: str):
    page = client.get("/recruiting/sign-in").get_data(as_text=True)
    return client.post("/recruiting/sign-in", data={"token": token, "csrf_token": csrf(page)})


@pytest.fixture
def application(client) -> dict:
    answer = apply(client, {**CANDIDATE, "city": "Lyon"},
                   {"cv": (pdf_bytes(), "CV Noémie.pdf"), "photo": (jpeg_with_gps(), "moi.jpg")})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


@pytest.fixture
def recruiter(app, client):
    with Session(app.extensions["db_engine"]) as session:
        token = create_token(session, "recruiter", "Rita Recrutement", "careers")
    assert _sign_in(client, token).status_code == 302
    return client


def _logged(db_session) -> list[tuple[str, str | None]]:
    db_session.rollback()
    return [tuple(r) for r in db_session.execute(text("SELECT action, subject FROM access_log ORDER BY id"))]


def test_an_application_gets_a_short_reference_the_candidate_can_quote(application):
    assert REFERENCE.match(application["reference"])
    assert len(application["submission_id"]) == 32  # the API's id stays


def test_a_recruiter_reads_moves_and_annotates_an_application_each_step_logged(
        recruiter, application, db_session):
    reference = application["reference"]
    inbox = recruiter.get("/recruiting/")
    html = inbox.get_data(as_text=True)
    assert inbox.status_code == 200 and reference in html
    assert f"{CANDIDATE['surname']} {CANDIDATE['first_name']}" in html and "Nouvelle" in html

    page = recruiter.get(f"/recruiting/applications/{reference}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert CANDIDATE["email"] in html and "Lyon" in html and "CV Noémie.pdf" in html
    assert "Conservé jusqu" in html and "effacée automatiquement" in html

    download = recruiter.get(f"/recruiting/applications/{reference}/files/cv")
    assert download.status_code == 200 and download.data == stored_pdf_bytes()
    assert download.headers["Content-Disposition"].startswith("attachment;")

    moved = recruiter.post(f"/recruiting/applications/{reference}/status",
                           data={"status": "in_review", "csrf_token": csrf(html)})
    assert moved.status_code == 302
    noted = recruiter.post(f"/recruiting/applications/{reference}/notes",
                           data={"note": "Profil solide, à rappeler.", "csrf_token": csrf(html)})
    assert noted.status_code == 302
    html = recruiter.get(f"/recruiting/applications/{reference}").get_data(as_text=True)
    assert 'data-status="in_review"' in html and "Profil solide, à rappeler." in html
    assert "Rita Recrutement" in html
    assert 'data-status="in_review"' in recruiter.get("/recruiting/?status=in_review").get_data(as_text=True)
    assert reference not in recruiter.get("/recruiting/?status=hired").get_data(as_text=True)

    actions = [action for action, _ in _logged(db_session)]
    assert actions[:5] == ["applications.list", "applications.read", "applications.file.read",
                           "applications.status", "applications.note"]
    assert (f"{reference}: in_review") in [subject for _, subject in _logged(db_session)]
    # The note is stored encrypted, like the application.
    stored = db_session.execute(text("SELECT ciphertext FROM application_note")).scalar_one()
    assert "Profil" not in stored


def test_bad_input_is_refused_in_the_pages_language_never_a_500(recruiter, application):
    reference = application["reference"]
    html = recruiter.get(f"/recruiting/applications/{reference}").get_data(as_text=True)
    empty = recruiter.post(f"/recruiting/applications/{reference}/notes",
                           data={"note": "   ", "csrf_token": csrf(html)})
    assert empty.status_code == 400 and "Écrivez d" in empty.get_data(as_text=True)
    bogus = recruiter.post(f"/recruiting/applications/{reference}/status",
                           data={"status": "promoted", "csrf_token": csrf(html)})
    assert bogus.status_code == 400
    expired = recruiter.post(f"/recruiting/applications/{reference}/status", data={"status": "hired"})
    assert expired.status_code == 400
    missing = recruiter.get("/recruiting/applications/CAND-ZZZZZZ")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Rien ici" in missing.get_data(as_text=True)
    assert recruiter.get(f"/recruiting/applications/{reference}/files/nope").status_code == 404


def test_only_recruiters_of_the_site_open_the_inbox(app, client, application):
    assert client.get("/recruiting/").status_code == 302  # not signed in: to the sign-in page
    dpo, _ = staff_token(app)
    assert _sign_in(client, dpo).status_code == 401
    admin, _ = staff_token(app, role="admin", name="Ada Admin")
    assert _sign_in(client, admin).status_code == 401
    assert client.get("/recruiting/").status_code == 302
    with Session(app.extensions["db_engine"]) as session:
        other = create_token(session, "recruiter", "Rémi Recrutement", "demo")
    assert _sign_in(client, other).status_code == 302
    assert application["reference"] not in client.get("/recruiting/").get_data(as_text=True)
    # A recruiter token of a site that takes no applications reads none, on any site.
    assert client.get(f"/recruiting/applications/{application['reference']}").status_code == 403


def test_the_dpo_erases_an_application_by_its_reference_without_reading_it(dpo, application, db_session):
    page = dpo.get("/dpo/applications/erase").get_data(as_text=True)
    erased = dpo.post("/dpo/applications/erase",
                      data={"reference": application["reference"].lower(), "csrf_token": csrf(page)})
    assert erased.status_code == 200 and "a été effacée" in erased.get_data(as_text=True)
    assert db_session.execute(text("SELECT count(*) FROM contact_submission")).scalar_one() == 0
    assert _logged(db_session) == [("applications.erase", application["reference"])]
    again = dpo.post("/dpo/applications/erase",
                     data={"reference": application["reference"], "csrf_token": csrf(page)})
    assert again.status_code == 404 and "Aucune candidature" in again.get_data(as_text=True)


def test_the_careers_form_reads_as_an_application(client):
    page = client.get("/privacy/careers/contact").get_data(as_text=True)
    assert "<h1>Postuler</h1>" in page
    answer = client.post("/privacy/careers/contact", data={
        **CANDIDATE, "csrf_token": csrf(page), "lang": "fr",
        "cv": (__import__("io").BytesIO(pdf_bytes()), "cv.pdf")}, content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 201, html
    assert "Merci, votre candidature a été envoyée." in html and "votre message" not in html
    found = re.search(r"data-reference>(CAND-\w{6})<", html)
    assert found and REFERENCE.match(found.group(1))
    # A contact form without files still reads as a message.
    demo = client.get("/privacy/demo/contact").get_data(as_text=True)
    assert "<h1>Nous contacter</h1>" in demo
