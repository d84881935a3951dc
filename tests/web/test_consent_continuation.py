"""A decision continues a visitor only with proof (a receipt token of the site), never by their id:
the id is printed on every receipt, so knowing it must not let anyone act for the visitor."""

from __future__ import annotations

import pytest
from contact_support import AUDIENCE, PERSON, decide, field_rows, submit

from consent_gateway.consent import ReceiptSigner


@pytest.fixture
def victim(app, client, post_consent) -> dict:
    """A visitor who accepted everything and sent a contact form; their 201 answer."""
    accepted = post_consent("accept_all").get_json()
    assert submit(client, {**PERSON, **AUDIENCE}, accepted["token"]).status_code == 201
    return accepted


def status_of(client, token: str) -> str:
    return client.post("/api/v1/receipts/verify", json={"token": token}).get_json()["status"]


def assert_untouched(client, db_session, victim: dict) -> None:
    assert status_of(client, victim["token"]) == "active"
    mine = [row for row in field_rows(db_session) if row["visitor_id"] == victim["visitor_id"]]
    assert sorted(row["name"] for row in mine) == sorted({**PERSON, **AUDIENCE})


@pytest.mark.parametrize("action", ["withdraw", "reject_all", "accept_all", "custom"])
def test_a_victims_visitor_id_in_the_body_is_refused_and_changes_nothing(
        client, post_consent, db_session, victim, action):
    choices = {"audience_measurement": False, "marketing": False, "third_party_media": False}
    r = post_consent(action, choices if action == "custom" else {}, visitor_id=victim["visitor_id"])
    assert r.status_code == 400
    body = r.get_json()
    assert body["field"] == "visitor_id" and "never lets anyone act" in body["message"]
    assert_untouched(client, db_session, victim)


def test_withdraw_without_previous_token_is_refused(client, post_consent, db_session, victim):
    r = post_consent("withdraw")
    assert r.status_code == 400 and r.get_json()["field"] == "previous_token"
    assert_untouched(client, db_session, victim)


def test_withdraw_with_the_visitors_token_withdraws_and_erases_the_withdrawn_purposes(
        client, post_consent, db_session, victim):
    r = post_consent("withdraw", previous_token=victim["token"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["visitor_id"] == victim["visitor_id"]
    assert status_of(client, victim["token"]) == "withdrawn"
    assert sorted(row["name"] for row in field_rows(db_session)) == sorted(PERSON)


def _forged(app, token: str) -> str:
    """The victim's own claims (readable in their token), signed with a key that is not ours."""
    claims, _ = app.extensions["gateway"].signer.unsign(token)
    return ReceiptSigner(["attacker-key"]).sign(claims)


@pytest.mark.parametrize("kind", ["other_site", "forged", "tampered", "malformed", "not_a_string"])
def test_a_previous_token_that_is_not_a_receipt_of_this_site_is_refused(
        app, client, post_consent, db_session, victim, kind):
    if kind == "other_site":
        token = decide(app, "iqera", "accept_all")[0]
    elif kind == "forged":
        token = _forged(app, victim["token"])
    elif kind == "tampered":
        i = len(victim["token"]) // 2
        token = victim["token"][:i] + ("A" if victim["token"][i] != "A" else "B") + victim["token"][i + 1:]
    elif kind == "malformed":
        token = "x" * 5000
    else:
        token = {"visitor_id": victim["visitor_id"]}
    r = post_consent("withdraw", previous_token=token)
    assert r.status_code == 400
    body = r.get_json()
    assert body["field"] == "previous_token" and body["message"] and body["error"]
    assert_untouched(client, db_session, victim)


@pytest.mark.parametrize("earlier", ["superseded", "withdrawn", "expired"])
def test_any_genuine_earlier_receipt_continues_its_visitor(app, client, post_consent, earlier):
    if earlier == "expired":
        token, visitor = decide(app, "demo", "accept_all", days_ago=200)
    else:
        token, visitor = decide(app, "demo", "accept_all")
        decide(app, "demo", "withdraw" if earlier == "withdrawn" else "reject_all", previous_token=token)
    assert status_of(client, token) == earlier
    again = post_consent("accept_all", previous_token=token)
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["visitor_id"] == visitor
    assert status_of(client, again.get_json()["token"]) == "active"
