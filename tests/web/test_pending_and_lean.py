"""A refusal that waited in the browser is recorded with the visitor's time (``decided_at``), the
consent 201 is lean (issue 22, item 5) and the full receipt comes from its GET, signed once; the
impression answer tells the banner about a header-only GPC signal (issue 19)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consent_gateway.consent import ConsentEvent
from consent_gateway.db import utcnow

CUSTOM_NONE = {"audience_measurement": False, "marketing": False, "third_party_media": False}


def verify(client, token: str) -> dict:
    return client.post("/api/v1/receipts/verify", json={"token": token}).get_json()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_the_201_carries_only_what_the_banner_stores_in_under_1000_bytes(post_consent, receipt_of):
    r = post_consent("accept_all")
    assert r.status_code == 201
    assert len(r.data) < 1000, len(r.data)
    body = r.get_json()
    assert set(body) == {"receipt_id", "visitor_id", "token", "expires_at", "action", "choices", "vendors",
                         "policy_version", "config_hash", "consent_hash", "gpc"}
    assert body["action"] == "accept_all" and body["choices"]["marketing"] is True
    assert body["vendors"] == {"demo_analytics": True, "demo_ads": True, "demo_video": True}
    receipt = receipt_of(body)
    assert receipt["iqera"]["consent_hash"] == body["consent_hash"]
    assert receipt["iqera"]["expires_at"] == body["expires_at"]
    assert "decided_at" not in receipt["iqera"]


class CountingKey:
    """An Ed25519 private key that counts its signatures."""

    def __init__(self, private):
        self.private, self.signed = private, 0

    def sign(self, message: bytes) -> bytes:
        self.signed += 1
        return self.private.sign(message)

    def public_key(self):
        return self.private.public_key()


def test_the_receipt_is_signed_once_however_often_it_is_fetched(client, post_consent):
    keys = client.application.extensions["gateway"].receipt_keys
    counting = CountingKey(keys._keys[-1].private)
    keys._keys = (*keys._keys[:-1], replace(keys._keys[-1], private=counting))
    answer = post_consent("reject_all").get_json()
    assert counting.signed == 0, "the 201 signs no JWS"
    base = f"/privacy/demo/receipts/{answer['token']}"
    jws = [client.get(f"{base}/receipt.jws").get_data(as_text=True) for _ in range(3)]
    page = client.get(f"{base}?lang=fr").get_data(as_text=True)
    assert jws[0] == jws[1] == jws[2] and jws[0] in page
    assert counting.signed == 1


def test_a_pending_withdrawal_is_recorded_with_the_visitors_time(client, post_consent, receipt_of,
                                                                 db_session):
    granted = post_consent("accept_all").get_json()
    chosen = utcnow() - timedelta(hours=3, milliseconds=250)
    r = post_consent("withdraw", previous_token=granted["token"], decided_at=iso(chosen))
    assert r.status_code == 201, r.get_json()
    withdrawal = r.get_json()
    assert verify(client, granted["token"])["status"] == "withdrawn"
    event = db_session.scalars(select(ConsentEvent).where(
        ConsentEvent.receipt_id == withdrawal["receipt_id"])).one()
    assert event.decided_at == chosen.replace(microsecond=0)
    assert event.created_at - event.decided_at >= timedelta(hours=3), "the event keeps both times"
    assert event.expires_at == event.decided_at + timedelta(days=182), "the decision lasts from the choice"
    receipt = receipt_of(withdrawal)
    assert receipt["consentTimestamp"] == int(chosen.timestamp())
    assert receipt["iqera"]["decided_at"] == iso(chosen.replace(microsecond=0))
    assert receipt["iqera"]["recorded_at"] == iso(event.created_at)


def test_a_refusal_on_a_first_visit_may_wait_too(post_consent):
    chosen = utcnow() - timedelta(minutes=5)
    assert post_consent("reject_all", decided_at=iso(chosen)).status_code == 201
    assert post_consent("custom", CUSTOM_NONE, decided_at=iso(chosen)).status_code == 201


def test_a_custom_refusal_may_only_take_back(post_consent):
    granted = post_consent("custom", {**CUSTOM_NONE, "audience_measurement": True}).get_json()
    back = post_consent("custom", CUSTOM_NONE, previous_token=granted["token"],
                        decided_at=iso(utcnow() - timedelta(minutes=1)))
    assert back.status_code == 201
    more = post_consent("custom", {**CUSTOM_NONE, "marketing": True}, previous_token=back.get_json()["token"],
                        decided_at=iso(utcnow()))
    assert more.status_code == 400
    assert more.get_json()["field"] == "decided_at" and "grants marketing" in more.get_json()["message"]


@pytest.mark.parametrize("action, choices, decided_at, message", [
    ("accept_all", {}, "now", "only for a refusal"),
    ("custom", {**CUSTOM_NONE, "marketing": True}, "now", "grants a purpose"),
    ("reject_all", {}, "future", "in the future"),
    ("reject_all", {}, "old", "older than the site's consent lifetime (182 days)"),
    ("reject_all", {}, "2026-12-05T09:30:00", "ISO 8601 time with its offset"),
    ("reject_all", {}, "yesterday", "ISO 8601 time with its offset"),
    ("reject_all", {}, 1764927000, "ISO 8601 time with its offset"),
])
def test_a_bad_decided_at_is_a_clear_400(post_consent, action, choices, decided_at, message):
    moments = {"now": utcnow(), "future": utcnow() + timedelta(minutes=10),
               "old": utcnow() - timedelta(days=183)}
    value = iso(moments[decided_at]) if decided_at in moments else decided_at
    r = post_consent(action, choices, decided_at=value)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] and body["field"] == "decided_at" and message in body["message"], body


def test_a_clock_a_little_ahead_is_taken_as_now(post_consent, db_session):
    r = post_consent("reject_all", decided_at=iso(utcnow() + timedelta(seconds=30)))
    assert r.status_code == 201
    event = db_session.scalars(select(ConsentEvent)).one()
    assert event.decided_at <= event.created_at


def test_the_impression_answer_tells_the_banner_about_a_header_only_gpc(client):
    origin = {"Origin": "http://127.0.0.1:8000"}
    plain = client.post("/api/v1/sites/demo/impressions", headers=origin)
    assert plain.status_code == 204 and "IQ-GPC" not in plain.headers
    signalled = client.post("/api/v1/sites/demo/impressions", headers={**origin, "Sec-GPC": "1"})
    assert signalled.status_code == 204 and signalled.headers["IQ-GPC"] == "1"
    assert "IQ-GPC" in signalled.headers["Access-Control-Expose-Headers"]
    assert json.dumps(dict(signalled.headers)).count("Set-Cookie") == 0


def test_a_pending_refusal_sent_twice_is_recorded_once(post_consent, db_session):
    granted = post_consent("accept_all").get_json()
    chosen = iso(utcnow() - timedelta(minutes=2))
    first = post_consent("withdraw", previous_token=granted["token"], decided_at=chosen).get_json()
    again = post_consent("withdraw", previous_token=granted["token"], decided_at=chosen)
    assert again.status_code == 201
    assert again.get_json()["receipt_id"] == first["receipt_id"], "the answer lost on the way, given again"
    assert [e.action for e in db_session.scalars(select(ConsentEvent).order_by(ConsentEvent.id))] == [
        "accept_all", "withdraw"]
