"""Rights requests: recorded with their deadline and identity check, encrypted, extended, closed,
listed overdue first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contact_support import decide
from rights_support import REQUESTER, staff_token, submit
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway import contact, rights
from consent_gateway.db import utcnow
from consent_gateway.errors import ValidationError
from consent_gateway.staff import AccessLog


@pytest.fixture
def cipher(app):
    return contact.cipher_for(app.extensions["gateway"].settings.pii_keys)


def test_requester_details_are_encrypted_in_the_raw_table(app, db_session):
    details = rights.RequestDetails(name="Camillette Durandal-Zéphyr", email="camille.durandal@example.fr",
                                    message="Mes directives", instructions="Supprimer mon compte",
                                    designated_name="Aurélien Designé",
                                    designated_email="aurelien@example.fr")
    row = submit(app, "post_mortem", details)
    raw = db_session.execute(text("SELECT * FROM rights_request")).mappings().one()
    dumped = " ".join(str(v) for v in raw.values())
    for secret in ("Camillette", "camille.durandal", "Mes directives", "Supprimer", "Aurélien", "aurelien@"):
        assert secret not in dumped
    assert raw["kind"] == "post_mortem" and raw["reference"] == row.reference
    assert row.reference.startswith("DR-")


def test_a_valid_receipt_verifies_identity_and_no_receipt_flags_it(app):
    token, visitor = decide(app)
    verified = submit(app, token=token)
    assert (verified.identity, verified.visitor_id) == ("receipt", visitor)
    assert verified.receipt_id is not None
    flagged = submit(app)
    assert (flagged.identity, flagged.visitor_id) == ("to_verify", None)


def test_a_pasted_receipt_of_another_site_is_refused(app):
    token, _ = decide(app, "iqera")
    with pytest.raises(ValidationError) as caught:
        submit(app, token=token)
    assert caught.value.field == "consent_token"
    with pytest.raises(ValidationError) as caught:
        submit(app, token="not-a-token")
    assert caught.value.code == "invalid_receipt"


def test_post_mortem_directives_need_instructions_and_a_designated_person(app):
    with pytest.raises(ValidationError) as caught:
        submit(app, "post_mortem", REQUESTER)
    assert caught.value.field == "instructions"
    with pytest.raises(ValidationError) as caught:
        submit(app, "access", rights.RequestDetails(name="A", email="not-an-email"))
    assert caught.value.code == "invalid_email"


def test_overdue_requests_are_flagged_and_listed_first(app, db_session):
    now = utcnow()
    fresh = submit(app, now=now - timedelta(days=3))
    late = submit(app, "erasure", now=now - timedelta(days=40))
    closed_late = submit(app, "objection", now=now - timedelta(days=60))
    db_session.execute(text("UPDATE rights_request SET closed_at = :t, outcome = 'fulfilled' "
                            "WHERE reference = :r"),
                       {"t": (now - timedelta(days=50)).replace(tzinfo=None), "r": closed_late.reference})
    db_session.commit()
    assert [r.reference for r in rights.overdue_requests(db_session, now)] == [late.reference]
    listed = rights.list_requests(db_session)
    assert [r.reference for r in listed] == [late.reference, fresh.reference, closed_late.reference]
    assert listed[0].is_overdue(now) and not listed[1].is_overdue(now) and not listed[2].is_overdue(now)


def test_extension_records_its_notice_and_moves_the_deadline(app, cipher):
    received = utcnow() - timedelta(days=20)
    row = submit(app, now=received)
    _, dpo = staff_token(app)
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        notice = "Demande complexe : 3 sites."
        extended = rights.extend_request(session, cipher, row.reference, 2, notice, dpo)
        assert extended.extended_due_at == rights.add_months(extended.received_at, 3)
        assert extended.deadline == extended.extended_due_at
        with pytest.raises(ValidationError):
            rights.extend_request(session, cipher, row.reference, 1, "Encore", dpo)
        view = rights.read_request(session, cipher, row.reference, dpo)
        assert view.extension_notice == "Demande complexe : 3 sites."
        assert view.details["email"] == REQUESTER.email
        actions = [a.action for a in session.query(AccessLog).order_by(AccessLog.id)]
        assert actions == ["rights_request.extend", "rights_request.read"]


def test_an_extension_after_the_first_month_is_refused(app, cipher):
    row = submit(app, now=utcnow() - timedelta(days=40))
    _, dpo = staff_token(app)
    with Session(app.extensions["db_engine"]) as session, pytest.raises(ValidationError) as caught:
        rights.extend_request(session, cipher, row.reference, 1, "Trop tard", dpo)
    assert caught.value.code == "extension_too_late"


def test_closing_records_the_outcome_once(app, cipher):
    row = submit(app)
    _, dpo = staff_token(app)
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        closed = rights.close_request(session, cipher, row.reference, "fulfilled", "Copie envoyée", dpo)
        assert closed.outcome == "fulfilled" and closed.closed_at is not None
        with pytest.raises(ValidationError):
            rights.close_request(session, cipher, row.reference, "refused", "", dpo)
        assert rights.read_request(session, cipher, row.reference, dpo).outcome_note == "Copie envoyée"
