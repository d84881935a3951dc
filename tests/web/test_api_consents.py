"""Recording decisions: every validation rule, receipts, statuses, CORS and what is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from consent_gateway.consent import BannerConfig, ConsentEvent

DEMO_ORIGIN = "http://127.0.0.1:8000"

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")


def verify(client, token):
    return client.post("/api/v1/receipts/verify", json={"token": token}).get_json()


def test_accept_all_returns_a_signed_kantara_receipt(client, post_consent, receipt_of, db_session):
    r = post_consent("accept_all")
    assert r.status_code == 201
    body = r.get_json()
    assert r.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN
    receipt = receipt_of(body)
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["consentReceiptID"] == body["receipt_id"]
    assert receipt["piiPrincipalId"] == body["visitor_id"]
    assert receipt["jurisdiction"] == "FR" and receipt["language"] == "fr"
    for key in ("consentTimestamp", "collectionMethod", "piiControllers", "policyUrl", "services",
                "sensitive", "spiCat"):
        assert key in receipt
    purposes = receipt["services"][0]["purposes"]
    assert {p["purposeCategory"][0] for p in purposes} == {
        "strictly_necessary", "audience_measurement", "marketing", "third_party_media"}
    for p in purposes:
        assert {"purposeCategory", "consentType", "piiCategory", "termination",
                "thirdPartyDisclosure", "thirdPartyName"} <= set(p)
    assert receipt["iqera"]["choices"] == {"strictly_necessary": True, "audience_measurement": True,
                                           "marketing": True, "third_party_media": True}
    assert receipt["iqera"]["expires_at"] == body["expires_at"]
    event = db_session.scalars(select(ConsentEvent)).one()
    assert event.receipt_id == body["receipt_id"] and event.action == "accept_all"
    assert (event.expires_at - event.created_at) == timedelta(days=182)
    assert verify(client, body["token"]) == {"valid": True, "status": "active", "receipt": receipt}


def test_reject_all_grants_only_what_is_required(post_consent, receipt_of):
    body = receipt_of(post_consent("reject_all").get_json())
    assert body["iqera"]["choices"] == {"strictly_necessary": True,
                                                   "audience_measurement": False,
                                                   "marketing": False, "third_party_media": False}
    granted = [p["purposeCategory"][0] for p in body["services"][0]["purposes"]]
    assert granted == ["strictly_necessary"]


def test_custom_needs_an_explicit_choice_for_every_consent_purpose(post_consent, receipt_of):
    r = post_consent("custom", {"audience_measurement": True, "marketing": False})
    assert r.status_code == 400
    assert r.get_json() == {"error": "missing_choice", "field": "choices.third_party_media",
                            "message": "an explicit choice for 'third_party_media' is required"}
    ok = post_consent("custom", {"audience_measurement": True, "marketing": False,
                                 "third_party_media": False})
    assert ok.status_code == 201
    assert receipt_of(ok.get_json())["iqera"]["choices"]["audience_measurement"] is True


@pytest.mark.parametrize(
    ("action", "choices", "extra", "status", "error", "field"),
    [
        ("custom", {"strictly_necessary": False, "audience_measurement": True, "marketing": True,
                    "third_party_media": True}, {}, 400, "required_purpose", "choices.strictly_necessary"),
        ("custom", {"audience_measurement": True, "marketing": True, "third_party_media": True,
                    "telepathy": True}, {}, 400, "unknown_purpose", "choices.telepathy"),
        ("custom", {"audience_measurement": "yes", "marketing": True, "third_party_media": True},
         {}, 400, "invalid", "choices.audience_measurement"),
        ("maybe", {}, {}, 400, "invalid", "action"),
        ("accept_all", {}, {"policy_version": "2020-01-01"}, 409, "reconsent_required", "policy_version"),
        ("accept_all", {}, {"config_hash": "0" * 64}, 409, "reconsent_required", "config_hash"),
        ("accept_all", {}, {"lang": "de"}, 400, "invalid", "lang"),
        ("accept_all", {}, {"previous_token": 42}, 400, "invalid", "previous_token"),
        ("accept_all", {}, {"colour": "blue"}, 400, "unknown_field", "colour"),
        ("reject_all", {"marketing": True}, {}, 400, "invalid", "choices.marketing"),
        ("withdraw", {}, {}, 400, "invalid", "previous_token"),
        ("withdraw", {}, {"previous_token": "not-a-receipt"}, 400, "invalid_receipt", "previous_token"),
    ],
)
def test_each_refusal_has_its_status_and_the_json_error_shape(
    post_consent, db_session, action, choices, extra, status, error, field
):
    r = post_consent(action, choices, **extra)
    assert r.status_code == status
    body = r.get_json()
    assert body["error"] == error and body["field"] == field and body["message"]
    assert db_session.scalar(select(ConsentEvent.id)) is None


def test_undeclared_origin_is_refused_without_cors_headers(post_consent, client):
    r = post_consent("accept_all", origin="https://evil.example")
    assert r.status_code == 403
    assert r.get_json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in r.headers
    missing = client.post("/api/v1/sites/demo/consents", json={"action": "accept_all"})
    assert missing.status_code == 403 and missing.get_json()["field"] == "Origin"


def test_preflight_only_for_declared_origins(client):
    ok = client.options("/api/v1/sites/demo/consents", headers={
        "Origin": "http://localhost:8000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == "http://localhost:8000"
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in ok.headers["Access-Control-Allow-Headers"]
    bad = client.options("/api/v1/sites/demo/consents", headers={
        "Origin": "https://www.iqera.com", "Access-Control-Request-Method": "POST"})
    assert bad.status_code == 403 and "Access-Control-Allow-Origin" not in bad.headers


def test_body_over_16_kib_and_malformed_json(client):
    headers = {"Origin": DEMO_ORIGIN, "Content-Type": "application/json"}
    big = client.post("/api/v1/sites/demo/consents", data=b'{"a":"' + b"x" * 17000 + b'"}',
                      headers=headers)
    assert big.status_code == 413 and big.get_json()["error"] == "payload_too_large"
    bad = client.post("/api/v1/sites/demo/consents", data=b'{"action": accept', headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"] == "malformed_json"
    not_object = client.post("/api/v1/sites/demo/consents", data=b"[1,2]", headers=headers)
    assert not_object.status_code == 400 and not_object.get_json()["error"] == "invalid"


def test_text_plain_body_is_accepted_so_banners_can_skip_preflight(client, demo_banner):
    import json

    body = json.dumps({"action": "reject_all", "choices": {}, "lang": "fr",
                       "policy_version": demo_banner["policy_version"],
                       "config_hash": demo_banner["config_hash"]})
    r = client.post("/api/v1/sites/demo/consents", data=body,
                    headers={"Origin": DEMO_ORIGIN, "Content-Type": "text/plain;charset=UTF-8"})
    assert r.status_code == 201


def test_unknown_site_is_404(client):
    r = client.get("/api/v1/sites/nowhere/banner")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    assert client.post("/api/v1/sites/nowhere/consents", json={}).status_code == 404


def test_a_new_decision_supersedes_and_a_withdrawal_withdraws(client, post_consent, receipt_of):
    first = post_consent("accept_all").get_json()
    visitor = first["visitor_id"]
    second = post_consent("reject_all", previous_token=first["token"]).get_json()
    assert second["visitor_id"] == visitor
    assert verify(client, first["token"])["status"] == "superseded"
    assert verify(client, second["token"])["status"] == "active"
    third = post_consent("withdraw", previous_token=second["token"])
    assert third.status_code == 201
    withdrawal = third.get_json()
    assert receipt_of(withdrawal)["iqera"]["action"] == "withdraw"
    assert receipt_of(withdrawal)["iqera"]["choices"]["marketing"] is False
    assert verify(client, second["token"])["status"] == "withdrawn"
    assert verify(client, withdrawal["token"])["status"] == "active"
    other_visitor = post_consent("accept_all").get_json()
    assert verify(client, other_visitor["token"])["status"] == "active"


def test_expired_receipt_says_expired(client, post_consent, app, db_session):
    body = post_consent("accept_all").get_json()
    from consent_gateway import consent

    event = db_session.scalars(select(ConsentEvent)).one()
    gw = app.extensions["gateway"]
    later = event.expires_at + timedelta(seconds=1)
    result = consent.verify_token(db_session, gw.sites, gw.signer, body["token"], now=later)
    assert result.valid and result.status == "expired"


def test_a_changed_character_makes_the_token_invalid(client, post_consent):
    token = post_consent("accept_all").get_json()["token"]
    i = len(token) // 2
    tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
    assert verify(client, tampered) == {"valid": False, "reason": "bad_signature"}
    assert verify(client, "not-a-token") == {"valid": False, "reason": "bad_signature"}
    assert verify(client, 42) == {"valid": False, "reason": "malformed"}
    missing = client.post("/api/v1/receipts/verify", json={})
    assert missing.status_code == 400 and missing.get_json()["field"] == "token"


def test_key_rotation_keeps_old_receipts_valid(make_app, settings, demo_banner):
    old_app = make_app(secret_keys=("key-old",))
    old_client = old_app.test_client()
    body = {"action": "accept_all", "choices": {}, "lang": "fr",
            "policy_version": demo_banner["policy_version"], "config_hash": demo_banner["config_hash"]}
    old_token = old_client.post("/api/v1/sites/demo/consents", json=body,
                                headers={"Origin": DEMO_ORIGIN}).get_json()["token"]
    rotated = make_app(secret_keys=("key-old", "key-new")).test_client()
    assert verify(rotated, old_token)["valid"] is True
    new_token = rotated.post("/api/v1/sites/demo/consents", json=body,
                             headers={"Origin": DEMO_ORIGIN}).get_json()["token"]
    new_only = make_app(secret_keys=("key-new",)).test_client()
    assert verify(new_only, new_token)["valid"] is True, "new receipts are signed with the new key"
    assert verify(new_only, old_token) == {"valid": False, "reason": "bad_signature"}


def test_gpc_header_is_recorded_and_keeps_sensitive_purposes_denied(post_consent, receipt_of, db_session):
    body = receipt_of(post_consent("accept_all", headers={"Sec-GPC": "1"}).get_json())
    assert body["iqera"]["gpc"] is True
    assert body["iqera"]["choices"]["marketing"] is False
    assert body["iqera"]["choices"]["audience_measurement"] is True
    assert db_session.scalars(select(ConsentEvent)).one().gpc is True
    opt_in = post_consent("custom", {"audience_measurement": False, "marketing": True,
                                     "third_party_media": False}, gpc=True).get_json()
    assert receipt_of(opt_in)["iqera"]["choices"]["marketing"] is True


def test_event_keeps_device_facts_and_never_the_ip(client, post_consent, db_session):
    post_consent("accept_all", headers={"User-Agent": CHROME})
    event = db_session.scalars(select(ConsentEvent)).one()
    assert (event.browser_family, event.device_class, event.is_bot) == ("Chrome", "desktop", False)
    row = db_session.execute(text("SELECT * FROM consent_event")).mappings().one()
    assert "127.0.0.1" not in " ".join(str(v) for v in row.values())
    assert not any("ip" == c or c.endswith("_ip") for c in row)


def test_consent_events_cannot_be_updated(post_consent, db_session):
    post_consent("accept_all")
    event = db_session.scalars(select(ConsentEvent)).one()
    event.action = "reject_all"
    with pytest.raises(Exception, match="append-only"):
        db_session.commit()
    db_session.rollback()


def test_the_shown_configuration_is_kept_by_hash(post_consent, db_session, demo_banner):
    post_consent("accept_all")
    snapshot = db_session.get(BannerConfig, demo_banner["config_hash"])
    assert snapshot is not None
    assert snapshot.body["texts"]["accept_all"] == "Tout accepter"
    assert {p["id"] for p in snapshot.body["purposes"]} == {p["id"] for p in demo_banner["purposes"]}
