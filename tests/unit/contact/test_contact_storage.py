"""What reaches the database: only granted fields, encrypted, tagged; erased on withdrawal."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from contact_support import AUDIENCE, PERSON, decide, field_rows, submit
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consent_gateway.contact import cipher_for

SECRETS = {**PERSON, "phone": "+33 6 12 34 56 78"}
# What the gateway would store for SECRETS, after normalisation.
STORED_FORMS = [*PERSON.values(), "+33612345678", "Durandal", "camille.durandal"]


def test_a_field_of_a_non_granted_purpose_never_reaches_the_database(app, client, db_session):
    token, _ = decide(app, "demo", "custom", {"audience_measurement": False, "marketing": True,
                                               "third_party_media": True})
    r = submit(client, {**PERSON, **AUDIENCE}, token)
    assert r.status_code == 201
    rows = field_rows(db_session)
    assert {row["name"] for row in rows} == set(PERSON)
    assert "audience_measurement" not in {row["purpose"] for row in rows}
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    clear = {cipher.decrypt(row["ciphertext"]) for row in rows}
    assert clear == {PERSON[name] for name in PERSON}


def test_rows_carry_purpose_receipt_visitor_and_the_purposes_retention(app, client, db_session):
    token, visitor = decide(app, "demo", "accept_all")
    submit(client, {**SECRETS, **AUDIENCE}, token)
    rows = field_rows(db_session)
    sites = app.extensions["gateway"].sites
    receipt_id = app.extensions["gateway"].signer.unsign(token)[0].receipt_id
    for row in rows:
        assert row["receipt_id"] == receipt_id and row["visitor_id"] == visitor
        created, expires = (row[k] if not isinstance(row[k], str) else _parse(row[k])
                            for k in ("created_at", "expires_at"))
        assert expires - created == timedelta(days=sites.purposes[row["purpose"]].retention_days)
    by_name = {row["name"]: row["purpose"] for row in rows}
    assert by_name["email"] == "contact_request" and by_name["location"] == "audience_measurement"


def _parse(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value)


def test_values_are_encrypted_under_the_newest_key_and_decrypt(app, client, db_session):
    submit(client, SECRETS)
    rows = field_rows(db_session)
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    assert {cipher.decrypt(r["ciphertext"]) for r in rows} >= {PERSON["email"], "+33612345678"}
    for row in rows:
        assert row["ciphertext"].startswith("gAAAAA")  # a Fernet token, version 0x80
        assert all(v not in row["ciphertext"] for v in STORED_FORMS)


def test_no_stored_value_appears_in_clear_in_the_database_file(app, client, settings):
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("reads the SQLite file and its WAL; PostgreSQL is covered by the raw-row tests")
    token, _ = decide(app, "demo", "accept_all")
    assert submit(client, {**SECRETS, **AUDIENCE}, token).status_code == 201
    path = Path(url.database)
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert b"contact_field" in raw  # we are reading the right file
    for value in [*STORED_FORMS, "2026-11-20T08:15:00Z", "https://www.iqera.com/nos-metiers/"]:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert value.encode(encoding) not in raw, value


def test_values_never_reach_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    submit(client, SECRETS)
    submit(client, {**SECRETS, "email": "camille.secret@"})
    for value in [*STORED_FORMS, "camille.secret"]:
        assert value not in caplog.text


def test_withdrawal_erases_the_fields_stored_under_the_withdrawn_purpose(app, client, post_consent,
                                                                         db_session):
    accepted = post_consent("accept_all").get_json()
    submit(client, {**PERSON, **AUDIENCE}, accepted["token"])
    other, _ = decide(app, "demo", "accept_all")
    submit(client, {**PERSON, **AUDIENCE}, other)  # another visitor keeps everything
    assert len(field_rows(db_session)) == 14
    r = post_consent("withdraw", previous_token=accepted["token"])
    assert r.status_code == 201, r.get_json()
    rows = field_rows(db_session)
    mine = [row for row in rows if row["visitor_id"] == accepted["visitor_id"]]
    assert sorted(row["name"] for row in mine) == sorted(PERSON)
    theirs = [row for row in rows if row["visitor_id"] != accepted["visitor_id"]]
    assert len(theirs) == 7


def test_a_new_decision_revoking_a_purpose_erases_its_fields(app, client, post_consent, db_session):
    accepted = post_consent("accept_all").get_json()
    submit(client, {**PERSON, **AUDIENCE}, accepted["token"])
    r = post_consent("custom", {"audience_measurement": False, "marketing": True, "third_party_media": True},
                     previous_token=accepted["token"])
    assert r.status_code == 201
    assert "audience_measurement" not in {row["purpose"] for row in field_rows(db_session)}
    assert len(field_rows(db_session)) == len(PERSON)


def test_withdrawal_erases_a_submission_left_empty(app, client, post_consent, db_session):
    accepted = post_consent("accept_all").get_json()
    sid = submit(client, {**PERSON, **AUDIENCE}, accepted["token"]).get_json()["submission_id"]
    db_session.execute(text("DELETE FROM contact_field WHERE purpose = 'contact_request'"))
    db_session.commit()
    post_consent("withdraw", previous_token=accepted["token"])
    db_session.rollback()
    left = db_session.execute(text("SELECT COUNT(*) FROM contact_submission WHERE public_id = :p"),
                              {"p": sid}).scalar_one()
    assert left == 0


def test_a_decision_without_withdrawn_purposes_erases_nothing(client, post_consent, db_session):
    accepted = post_consent("accept_all").get_json()
    submit(client, {**PERSON, **AUDIENCE}, accepted["token"])
    post_consent("accept_all", previous_token=accepted["token"])
    assert len(field_rows(db_session)) == 7

