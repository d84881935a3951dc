"""Validation of every declared kind, as a visitor's browser meets it through the API."""

from __future__ import annotations

import pytest
from contact_support import PERSON, decide, field_rows, submit

from consent_gateway.contact import cipher_for


@pytest.mark.parametrize("phone, e164", [
    ("06 12 34 56 78", "+33612345678"),
    ("01.23.45.67.89", "+33123456789"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("+212 5 22 12 34 56", "+212522123456"),   # Morocco
    ("+230 5 251 2345", "+23052512345"),       # Mauritius
    ("+44 20 7946 0958", "+442079460958"),
])
def test_french_and_international_phone_numbers_become_e164(app, client, db_session, phone, e164):
    assert submit(client, {**PERSON, "phone": phone}).status_code == 201
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    assert [cipher.decrypt(r["ciphertext"]) for r in field_rows(db_session) if r["name"] == "phone"] == [e164]


@pytest.mark.parametrize("phone", ["12", "06 12 34 56", "+999 1234", "téléphone", "+33 6 12 34 56 78 90"])
def test_impossible_phone_numbers_are_refused(client, phone):
    r = submit(client, {**PERSON, "phone": phone})
    assert (r.status_code, r.get_json()["error"], r.get_json()["field"]) == (400, "invalid_phone", "phone")


@pytest.mark.parametrize("email", ["camille", "camille@", "@example.fr", "camille@@example.fr",
                                   "camille@exa mple.fr", "camille@localhost"])
def test_malformed_emails_are_refused(client, email):
    r = submit(client, {**PERSON, "email": email})
    assert (r.status_code, r.get_json()["error"]) == (400, "invalid_email")


def test_emails_are_normalised(app, client, db_session):
    submit(client, {**PERSON, "email": "  Camille@EXAMPLE.fr "})
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    assert "Camille@example.fr" in {cipher.decrypt(r["ciphertext"]) for r in field_rows(db_session)}


@pytest.mark.parametrize("name, value, rule", [
    ("connection_time", "20/11/2026 10:00", "invalid_datetime"),
    ("connection_time", "1999-12-31T23:00:00Z", "invalid_datetime"),
    ("connection_time", "2099-01-01T00:00:00Z", "invalid_datetime"),
    ("location", "France", "too_long"),
    ("location", "XX", "invalid_country"),
    ("pages_visited", "javascript:alert(1)", "invalid_url_list"),
    ("pages_visited", "//evil.example/x", "invalid_url_list"),
    ("pages_visited", ["/a"] * 51, "too_many"),
    ("pages_visited", 42, "invalid_type"),
])
def test_audience_fields_are_validated_once_granted(app, client, name, value, rule):
    token, _ = decide(app, "demo", "accept_all")
    r = submit(client, {**PERSON, name: value}, token)
    assert (r.status_code, r.get_json()["error"], r.get_json()["field"]) == (400, rule, name)


def test_audience_fields_are_normalised(app, client, db_session):
    token, _ = decide(app, "demo", "accept_all")
    submit(client, {**PERSON, "connection_time": "2026-11-20T10:15:00+01:00", "location": "ma",
                    "pages_visited": "https://www.iqera.com/  /contact\n/mentions"}, token)
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    values = {r["name"]: cipher.decrypt(r["ciphertext"]) for r in field_rows(db_session)}
    assert values["connection_time"] == "2026-11-20T09:15:00Z"
    assert values["location"] == "MA"
    assert values["pages_visited"] == "https://www.iqera.com/\n/contact\n/mentions"
