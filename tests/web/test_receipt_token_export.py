"""A receipt token never opens personal data (issue 23, finding 4). The token lives in
``iq_consent``, a cookie page scripts can read: whatever its state it shows the consent history and
what is held, never the values; forged, it opens nothing. The values go out through an access request
the DPO checks, each export in the access log."""

from __future__ import annotations

import base64
import json
import re

import pytest
from contact_support import PERSON, decide, submit
from rights_support import submit as submit_request
from sqlalchemy import select

from consent_gateway.staff import AccessLog, create_token

VALUES = (PERSON["surname"], PERSON["first_name"], PERSON["email"], PERSON["message"],
          "Je veux une copie de mes données.", "Camillette Durandal-Zéphyr")


def _csrf(client, path: str = "/privacy/demo/rights?lang=fr") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _cookie(token: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"token": token}).encode()).decode().rstrip("=")


def _token_in_state(app, client, state: str) -> str:
    """A receipt of a visitor who sent the contact form and a rights request, then made their
    receipt ``state``."""
    if state == "expired":
        token, _ = decide(app, days_ago=400)
    else:
        token, _ = decide(app)
    assert submit(client, PERSON, token).status_code == 201
    submit_request(app, "rectification", token=token)
    if state == "superseded":
        decide(app, "demo", "reject_all", previous_token=token)
    elif state == "withdrawn":
        decide(app, "demo", "withdraw", previous_token=token)
    elif state == "forged":
        return token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    return token


def _export(client, token: str):
    client.set_cookie("iq_consent", _cookie(token))
    return client.post("/privacy/demo/rights/export?lang=fr", data={"csrf_token": _csrf(client)})


@pytest.mark.parametrize("state", ["active", "superseded", "withdrawn", "expired"])
def test_any_genuine_receipt_shows_the_history_and_what_is_held_never_the_values(app, client, state):
    token = _token_in_state(app, client, state)
    answer = _export(client, token)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    body = answer.get_data(as_text=True)
    for value in VALUES:
        assert value not in body, value
    export = json.loads(body)
    assert export["values"] == "withheld"
    assert export["values_on_request"]["where"] == "/privacy/demo/rights"
    assert export["consents"][0]["status"] == state
    [submission] = export["contact_submissions"]
    assert {f["name"] for f in submission["fields"]} == {"surname", "first_name", "email", "message"}
    assert all("value" not in f and f["kept_until"] for f in submission["fields"])
    [request] = export["rights_requests"]
    assert request["kind"] == "rectification" and "details" not in request
    assert request["details_held"] == ["email", "message", "name"]


def test_a_forged_receipt_opens_nothing(app, client):
    answer = _export(client, _token_in_state(app, client, "forged"))
    assert answer.status_code == 403
    assert not any(v in answer.get_data(as_text=True) for v in VALUES)


def test_the_rights_page_says_how_to_get_the_values(app, client):
    token, _ = decide(app)
    client.set_cookie("iq_consent", _cookie(token))
    fr = client.get("/privacy/demo/rights?lang=fr").get_data(as_text=True)
    assert "sans leurs valeurs" in fr and "demande d'accès" in fr
    en = client.get("/privacy/demo/rights?lang=en").get_data(as_text=True)
    assert "not their values" in en and "access request" in en


def _dpo_client(app, db_session):
    dpo = create_token(db_session, "dpo", "Dominique DPO")
    client = app.test_client()
    page = client.get("/dpo/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/dpo/sign-in", data={"csrf_token": csrf, "token": dpo}).status_code == 302
    return client


def test_the_dpo_exports_the_values_for_a_checked_access_request_and_it_is_logged(app, client, db_session):
    token, visitor = decide(app)
    assert submit(client, PERSON, token).status_code == 201
    request = submit_request(app, "access", token=token)
    assert request.identity == "receipt"
    dpo = _dpo_client(app, db_session)
    page = dpo.get(f"/dpo/requests/{request.reference}?lang=en").get_data(as_text=True)
    assert "data-export" in page
    answer = dpo.get(f"/dpo/requests/{request.reference}/export.json")
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].startswith("attachment")
    export = answer.get_json()
    assert export["values"] == "included" and export["visitor_id"] == visitor
    values = {f["name"]: f["value"] for f in export["contact_submissions"][0]["fields"]}
    assert values["email"] == PERSON["email"]
    assert export["rights_requests"][0]["details"]["email"] == "camille.durandal@example.fr"
    db_session.expire_all()
    actions = db_session.scalars(select(AccessLog.action).order_by(AccessLog.id)).all()
    assert actions[-1] == "rights_request.export"
    stranger = app.test_client().get(f"/dpo/requests/{request.reference}/export.json")
    assert stranger.status_code == 302, "a signed-in DPO only"


def test_a_request_made_with_an_old_receipt_is_marked_to_verify(app, db_session):
    token, visitor = decide(app)
    decide(app, "demo", "reject_all", previous_token=token)
    request = submit_request(app, "access", token=token)
    assert (request.identity, request.visitor_id) == ("to_verify", visitor)
    dpo = _dpo_client(app, db_session)
    page = dpo.get(f"/dpo/requests/{request.reference}?lang=en").get_data(as_text=True)
    assert "no longer the visitor's current choice" in page
    erasure = submit_request(app, "erasure", token=token)
    refused = dpo.get(f"/dpo/requests/{erasure.reference}/export.json")
    # The DPO opens it from a link in the workspace: a refusal is the workspace's error page.
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    assert "Erreur 400" in refused.get_data(as_text=True)
