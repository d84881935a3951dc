"""The rights page: a request with CSRF, its reference and deadline; self-service with a receipt."""

from __future__ import annotations

import base64
import json
import re

from contact_support import PERSON, decide, submit
from sqlalchemy import text

FORM = {"kind": "access", "name": "Claire Martin", "email": "claire.martin@example.fr",
        "message": "Une copie de mes données, s'il vous plaît."}


def csrf(client, path: str = "/privacy/demo/rights?lang=fr") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def cookie_of(token: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"token": token}).encode()).decode().rstrip("=")


def test_a_request_gets_a_reference_and_its_deadline(client, db_session):
    answer = client.post("/privacy/demo/rights?lang=fr", data={**FORM, "csrf_token": csrf(client)})
    assert answer.status_code == 201
    page = answer.get_data(as_text=True)
    reference = re.search(r"data-reference>(DR-[A-Z0-9-]+)<", page).group(1)
    assert "Demande reçue" in page and "vérifier votre identité" in page
    row = db_session.execute(text("SELECT kind, identity, lang FROM rights_request WHERE reference = :r"),
                             {"r": reference}).one()
    assert tuple(row) == ("access", "to_verify", "fr")


def test_english_confirmation(client):
    answer = client.post("/privacy/demo/rights?lang=en", data={**FORM, "csrf_token": csrf(client)})
    assert answer.status_code == 201
    assert "Request received" in answer.get_data(as_text=True)


def test_without_csrf_nothing_is_recorded(client, db_session):
    answer = client.post("/privacy/demo/rights?lang=fr", data=FORM)
    assert answer.status_code == 400
    assert db_session.execute(text("SELECT COUNT(*) FROM rights_request")).scalar_one() == 0


def test_missing_fields_are_named(client):
    answer = client.post("/privacy/demo/rights?lang=fr",
                         data={"kind": "post_mortem", "name": "Claire", "email": "claire@example.fr",
                               "csrf_token": csrf(client)})
    assert answer.status_code == 400
    assert 'href="#f-instructions"' in answer.get_data(as_text=True)


def test_the_banner_cookie_verifies_identity(app, client, db_session):
    token, visitor = decide(app)
    client.set_cookie("iq_consent", cookie_of(token))
    page = client.get("/privacy/demo/rights?lang=fr").get_data(as_text=True)
    assert "Télécharger mes données" in page
    answer = client.post("/privacy/demo/rights?lang=fr", data={**FORM, "csrf_token": csrf(client)})
    assert answer.status_code == 201
    row = db_session.execute(text("SELECT identity, visitor_id FROM rights_request")).one()
    assert tuple(row) == ("receipt", visitor)


def test_self_service_export_downloads_a_json_file(app, client):
    token, visitor = decide(app)
    assert submit(client, PERSON, token).status_code == 201
    client.set_cookie("iq_consent", cookie_of(token))
    answer = client.post("/privacy/demo/rights/export?lang=fr", data={"csrf_token": csrf(client)})
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="demo-my-data-')
    assert answer.headers["Cache-Control"] == "no-store"
    export = json.loads(answer.get_data(as_text=True))
    assert export["visitor_id"] == visitor
    # A receipt says what is held, not the values (tests/web/test_receipt_token_export.py).
    assert export["contact_submissions"][0]["fields"][0]["name"] == "surname"
    assert PERSON["surname"] not in answer.get_data(as_text=True)


def test_self_service_without_a_receipt_is_refused(client):
    answer = client.post("/privacy/demo/rights/export?lang=fr", data={"csrf_token": csrf(client)})
    assert answer.status_code == 403
    assert "identifier" in answer.get_data(as_text=True)


def test_self_service_erasure_and_objection_with_a_pasted_token(app, client, db_session):
    token, _ = decide(app)
    assert submit(client, PERSON, token).status_code == 201
    path = f"/privacy/demo/rights?lang=fr&consent_token={token}"
    answer = client.post("/privacy/demo/rights/erase?lang=fr",
                         data={"csrf_token": csrf(client, path), "consent_token": token})
    assert answer.status_code == 200
    assert "4 données de contact ont été effacées" in answer.get_data(as_text=True)
    assert db_session.execute(text("SELECT COUNT(*) FROM contact_field")).scalar_one() == 0
    answer = client.post("/privacy/demo/rights/object?lang=fr",
                         data={"csrf_token": csrf(client, path), "consent_token": token,
                               "purpose": "contact_request", "kind": "objection"})
    assert answer.status_code == 200
    kinds = db_session.execute(text("SELECT kind FROM rights_request ORDER BY id")).scalars().all()
    assert kinds == ["erasure", "objection"]
