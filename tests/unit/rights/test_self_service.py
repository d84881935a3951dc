"""Self-service with a valid receipt: the export holds everything of the visitor and nothing of
another; erasure removes contact data but keeps consent proof; each is a closed request."""

from __future__ import annotations

import json

import pytest
from contact_support import PERSON, decide, submit
from rights_support import submit as submit_request
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway import contact, workflows
from consent_gateway.errors import Forbidden, ValidationError


def run(app, action, *args, **kwargs):
    gw = app.extensions["gateway"]
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        site = gw.sites.sites["demo"]
        if action == "export":
            cipher = contact.cipher_for(gw.settings.pii_keys)
            return workflows.export_visitor_data(session, gw.sites, site, gw.signer, cipher, *args, lang="fr",
                                                 **kwargs)
        if action == "erase":
            return workflows.erase_visitor_contact_data(session, site, gw.signer, *args, lang="fr", **kwargs)
        return workflows.object_as_visitor(session, gw.sites, site, gw.signer, *args, lang="fr", **kwargs)


def test_export_holds_everything_of_the_visitor_and_nothing_of_another(app, client):
    first, visitor = decide(app)
    second, _ = decide(app, "demo", "custom", {"audience_measurement": True, "marketing": False,
                                                "third_party_media": False}, previous_token=first)
    other, other_visitor = decide(app)
    assert submit(client, {**PERSON, "portfolio_code": "MCS2041"}, second).status_code == 201
    someone_else = {**PERSON, "surname": "Autrepersonne", "email": "autre@example.fr"}
    assert submit(client, someone_else, other).status_code == 201
    submit_request(app, "rectification", token=second)
    submit_request(app, "access", token=other)

    done = run(app, "export", first)
    export = done.export
    assert export["visitor_id"] == visitor
    assert [c["action"] for c in export["consents"]] == ["accept_all", "custom"]
    assert [c["status"] for c in export["consents"]] == ["superseded", "active"]
    assert export["consents"][1]["receipt"]["piiPrincipalId"] == visitor
    [submission] = export["contact_submissions"]
    # What is held, not the values: a receipt token proves too little (rights/export.py).
    assert {"surname", "portfolio_code"} <= {f["name"] for f in submission["fields"]}
    assert [r["kind"] for r in export["rights_requests"]] == ["rectification"]
    assert "email" in export["rights_requests"][0]["details_held"]
    dumped = json.dumps(export, ensure_ascii=False)
    assert PERSON["surname"] not in dumped and "MCS2041" not in dumped and "camille.durandal" not in dumped
    assert other_visitor not in dumped and "Autrepersonne" not in dumped and "autre@example.fr" not in dumped
    assert done.request.kind == "portability" and done.request.closed_at is not None
    assert done.request.outcome == "fulfilled" and done.request.channel == "self_service"


def test_export_and_erasure_need_a_receipt_of_this_site(app):
    foreign, _ = decide(app, "iqera")
    for token in (None, "forged", foreign):
        with pytest.raises(Forbidden):
            run(app, "export", token)
        with pytest.raises(Forbidden):
            run(app, "erase", token)


def test_erasure_removes_contact_data_and_keeps_consent_proof(app, client, db_session):
    token, visitor = decide(app)
    other, _ = decide(app)
    assert submit(client, PERSON, token).status_code == 201
    assert submit(client, PERSON, other).status_code == 201
    done = run(app, "erase", token)
    assert done.count == 4 and done.request.outcome == "fulfilled" and done.request.kind == "erasure"
    rows = db_session.execute(text("SELECT visitor_id FROM contact_field")).scalars().all()
    assert visitor not in rows and len(rows) == 4
    events = db_session.execute(text("SELECT COUNT(*) FROM consent_event WHERE visitor_id = :v"),
                                {"v": visitor}).scalar_one()
    assert events == 1
    again = run(app, "erase", token)
    assert again.count == 0 and again.request.outcome == "no_data"
    closed = db_session.execute(text("SELECT kind, outcome, closed_at IS NOT NULL AS closed "
                                     "FROM rights_request ORDER BY id")).all()
    assert [tuple(r) for r in closed] == [("erasure", "fulfilled", True), ("erasure", "no_data", True)]


def test_objection_through_self_service_blocks_the_purpose_and_is_recorded(app, client, db_session):
    token, _ = decide(app)
    done = run(app, "object", token, "contact_request", "objection")
    assert done.count == 1 and done.request.kind == "objection" and done.request.purpose == "contact_request"
    assert run(app, "object", token, "contact_request", "objection").count == 0
    answer = submit(client, PERSON, token)
    assert answer.status_code == 403  # its required fields' purpose is no longer active
    with pytest.raises(ValidationError):
        run(app, "object", token, "debt_file_handling", "objection")  # contract: restriction only
    assert run(app, "object", token, "debt_file_handling", "restriction").count == 1
    with pytest.raises(ValidationError):
        run(app, "object", token, "marketing", "objection")  # consent: withdraw it instead
