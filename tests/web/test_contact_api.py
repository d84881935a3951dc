"""POST /api/v1/sites/<site>/contact: the gate, field by field, as a site's own form meets it."""

from __future__ import annotations

import pytest
from contact_support import AUDIENCE, DEBT, DEMO_ORIGIN, PERSON, decide, field_rows, submission_count, submit

from consent_gateway.consent import ReceiptClaims, ReceiptSigner


def test_preflight_answers_declared_origin_only(client):
    ok = client.options("/api/v1/sites/demo/contact", headers={"Origin": DEMO_ORIGIN})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN
    bad = client.options("/api/v1/sites/demo/contact", headers={"Origin": "https://evil.example"})
    assert bad.status_code == 403
    assert "Access-Control-Allow-Origin" not in bad.headers


def test_without_a_receipt_only_non_consent_fields_are_stored(client, db_session):
    r = submit(client, {**PERSON, "phone": "06 12 34 56 78", **AUDIENCE, "favourite_colour": "blue"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert r.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN
    assert body["stored"] == ["surname", "first_name", "email", "phone", "message"]
    assert body["dropped"] == [
        {"field": "favourite_colour", "reason": "undeclared"},
        {"field": "connection_time", "reason": "no_valid_receipt", "detail": "missing"},
        {"field": "pages_visited", "reason": "no_valid_receipt", "detail": "missing"},
        {"field": "location", "reason": "no_valid_receipt", "detail": "missing"},
    ]
    rows = field_rows(db_session)
    assert [r["name"] for r in rows] == body["stored"]
    assert {r["purpose"] for r in rows} == {"contact_request"}
    assert all(r["visitor_id"] is None and r["receipt_id"] is None for r in rows)


def test_a_receipt_granting_audience_measurement_lets_those_fields_in(app, client, db_session):
    token, visitor = decide(app, "demo", "accept_all")
    body = submit(client, {**PERSON, **AUDIENCE}, token).get_json()
    assert body["stored"] == ["surname", "first_name", "email", "message",
                              "connection_time", "pages_visited", "location"]
    assert body["dropped"] == []
    rows = field_rows(db_session)
    assert {r["visitor_id"] for r in rows} == {visitor}
    audience = [r for r in rows if r["purpose"] == "audience_measurement"]
    assert [r["name"] for r in audience] == ["connection_time", "pages_visited", "location"]


def test_a_receipt_refusing_the_purpose_grants_nothing(app, client, db_session):
    token, _ = decide(app, "demo", "reject_all")
    body = submit(client, {**PERSON, **AUDIENCE}, token).get_json()
    assert {d["field"]: d["reason"] for d in body["dropped"]} == {
        "connection_time": "purpose_not_granted", "pages_visited": "purpose_not_granted",
        "location": "purpose_not_granted"}
    assert "audience_measurement" not in {r["purpose"] for r in field_rows(db_session)}


def _forged(app, real_token: str) -> str:
    """The visitor's real receipt, its choices flipped to 'all granted', signed with another key."""
    claims, _ = app.extensions["gateway"].signer.unsign(real_token)
    granted = ReceiptClaims(claims.receipt_id, claims.site_id, claims.visitor_id,
                            {k: True for k in claims.choices}, claims.policy_version, claims.config_hash)
    return ReceiptSigner(["attacker-key"]).sign(granted)


def _tampered(token: str) -> str:
    i = len(token) - 5
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]


@pytest.mark.parametrize("kind", ["forged", "tampered", "garbage", "expired", "superseded",
                                  "withdrawn", "other_site"])
def test_tokens_that_are_not_a_current_receipt_of_this_site_grant_nothing(app, client, db_session, kind):
    if kind == "forged":
        real, _ = decide(app, "demo", "reject_all")
        token, detail = _forged(app, real), "forged"
    elif kind == "tampered":
        token, detail = _tampered(decide(app, "demo", "accept_all")[0]), "forged"
    elif kind == "garbage":
        token, detail = "not-a-receipt", "forged"
    elif kind == "expired":
        token, detail = decide(app, "demo", "accept_all", days_ago=200)[0], "expired"
    elif kind == "superseded":
        token, _ = decide(app, "demo", "accept_all")
        decide(app, "demo", "accept_all", previous_token=token)
        detail = "superseded"
    elif kind == "withdrawn":
        token, _ = decide(app, "demo", "accept_all")
        decide(app, "demo", "withdraw", previous_token=token)
        detail = "withdrawn"
    else:
        token, detail = decide(app, "iqera", "accept_all")[0], "other_site"
    r = submit(client, {**PERSON, **AUDIENCE}, token)
    assert r.status_code == 201, r.get_json()
    dropped = r.get_json()["dropped"]
    assert dropped == [{"field": name, "reason": "no_valid_receipt", "detail": detail} for name in AUDIENCE]
    rows = field_rows(db_session)
    assert rows and all(row["purpose"] == "contact_request" for row in rows)


def test_objection_blocks_a_legitimate_interest_field_and_a_required_one_refuses_all(app, client, db_session):
    token, visitor = decide(app, "demo", "reject_all")
    r = client.post("/api/v1/sites/demo/objections", headers={"Origin": DEMO_ORIGIN},
                    json={"consent_token": token, "purpose": "contact_request", "kind": "objection"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["visitor_id"] == visitor
    again = client.post("/api/v1/sites/demo/objections", headers={"Origin": DEMO_ORIGIN},
                        json={"consent_token": token, "purpose": "contact_request", "kind": "objection"})
    assert again.status_code == 200
    refused = submit(client, PERSON, token)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "purpose_not_active"
    assert refused.get_json()["field"] == "surname"
    assert submission_count(db_session) == 0 and field_rows(db_session) == []
    # Another visitor (no token) is not concerned by this objection.
    assert submit(client, PERSON).status_code == 201


def test_restriction_drops_an_optional_field_of_a_contract_purpose(app, client, db_session):
    token, _ = decide(app, "mcs", "reject_all")
    origin = "https://www.mcsetassocies.com"
    r = client.post("/api/v1/sites/mcs/objections", headers={"Origin": origin},
                    json={"consent_token": token, "purpose": "debt_file_handling", "kind": "restriction"})
    assert r.status_code == 201, r.get_json()
    body = submit(client, {**PERSON, **DEBT}, token, site="mcs", origin=origin).get_json()
    assert body["dropped"] == [{"field": "portfolio_code", "reason": "restriction"},
                               {"field": "file_reference", "reason": "restriction"}]
    assert "debt_file_handling" not in {row["purpose"] for row in field_rows(db_session)}
    without = submit(client, {**PERSON, **DEBT}, site="mcs", origin=origin).get_json()
    assert without["stored"][-2:] == ["portfolio_code", "file_reference"]


@pytest.mark.parametrize("body, code, field", [
    ({"consent_token": "x", "purpose": "contact_request", "kind": "objection"}, "invalid_receipt",
     "consent_token"),
    ({"purpose": "audience_measurement", "kind": "objection"}, "withdraw_consent_instead", "purpose"),
    ({"purpose": "recruitment", "kind": "objection"}, "unknown_purpose", "purpose"),
    ({"purpose": "contact_request", "kind": "complaint"}, "invalid", "kind"),
])
def test_objection_refusals_name_the_field(app, client, body, code, field):
    body = {"consent_token": decide(app)[0], **body}
    r = client.post("/api/v1/sites/demo/objections", headers={"Origin": DEMO_ORIGIN}, json=body)
    assert r.status_code in (400, 403)
    assert (r.get_json()["error"], r.get_json()["field"]) == (code, field)


def test_objection_needs_legitimate_interest(app, client):
    token, _ = decide(app, "mcs", "reject_all")
    r = client.post("/api/v1/sites/mcs/objections", headers={"Origin": "https://www.mcsetassocies.com"},
                    json={"consent_token": token, "purpose": "debt_file_handling", "kind": "objection"})
    assert r.status_code == 400 and r.get_json()["error"] == "objection_not_applicable"


@pytest.mark.parametrize("fields, field, rule", [
    ({**PERSON, "email": "camille@"}, "email", "invalid_email"),
    ({**PERSON, "phone": "06 12"}, "phone", "invalid_phone"),
    ({**PERSON, "surname": "x" * 101}, "surname", "too_long"),
    ({**PERSON, "message": ""}, "message", "required"),
    ({k: v for k, v in PERSON.items() if k != "email"}, "email", "required"),
    ({**PERSON, "surname": 12}, "surname", "invalid_type"),
    ({**PERSON, "message": "a\x00b"}, "message", "invalid_characters"),
])
def test_invalid_values_are_a_400_naming_field_and_rule(client, db_session, fields, field, rule):
    r = submit(client, fields)
    assert r.status_code == 400
    body = r.get_json()
    assert (body["error"], body["field"]) == (rule, field)
    assert field in body["message"]
    assert r.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN
    assert submission_count(db_session) == 0


def test_every_invalid_field_is_listed_after_the_first(client):
    body = submit(client, {**PERSON, "email": "x@", "phone": "12", "message": ""}).get_json()
    assert (body["error"], body["field"]) == ("invalid_email", "email")
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [
        ("email", "invalid_email"), ("phone", "invalid_phone"), ("message", "required")]


def test_codes_follow_the_declared_patterns(client):
    origin = "https://www.mcsetassocies.com"
    bad_code = submit(client, {**PERSON, **DEBT, "portfolio_code": "mcs-1"}, site="mcs", origin=origin)
    assert (bad_code.get_json()["error"], bad_code.get_json()["field"]) == (
        "pattern_mismatch", "portfolio_code")
    bad_ref = submit(client, {**PERSON, **DEBT, "file_reference": "12AB"}, site="mcs", origin=origin)
    assert (bad_ref.get_json()["field"], bad_ref.status_code) == ("file_reference", 400)


def test_a_dropped_field_is_never_validated(client):
    # Without consent, an invalid connection time is dropped, not refused: we never read it.
    r = submit(client, {**PERSON, "connection_time": "yesterday", "location": "Atlantis"})
    assert r.status_code == 201
    assert [d["field"] for d in r.get_json()["dropped"]] == ["connection_time", "location"]


def test_empty_optional_field_is_dropped_as_empty(client):
    r = submit(client, {**PERSON, "phone": "  "})
    assert r.get_json()["dropped"] == [{"field": "phone", "reason": "empty"}]


@pytest.mark.parametrize("where", ["top", "fields"])
def test_a_filled_honeypot_is_refused_and_nothing_stored(client, db_session, where):
    extra = {"website": "http://spam.example"}
    r = submit(client, {**PERSON, **extra}) if where == "fields" else submit(client, PERSON, **extra)
    assert r.status_code == 400
    assert r.get_json()["error"] == "spam_detected" and r.get_json()["field"] == "website"
    assert submission_count(db_session) == 0
    assert submit(client, {**PERSON, "website": ""}).status_code == 201


def test_body_shape_origin_and_size(client):
    assert submit(client, PERSON, origin="https://evil.example").status_code == 403
    assert client.post("/api/v1/sites/demo/contact", json={"fields": []},
                       headers={"Origin": DEMO_ORIGIN}).get_json()["field"] == "fields"
    assert client.post("/api/v1/sites/demo/contact", json={"fields": PERSON, "x": 1},
                       headers={"Origin": DEMO_ORIGIN}).get_json()["error"] == "unknown_field"
    big = submit(client, {**PERSON, "message": "a" * (65 * 1024)})
    assert big.status_code == 413
    assert submit(client, PERSON, site="nowhere").status_code == 404


def test_rate_limit_answers_429_with_retry_after_and_cors(client):
    codes = [submit(client, PERSON).status_code for _ in range(10)]
    assert codes == [201] * 10
    limited = submit(client, PERSON)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["error"] == "too_many_requests"
    assert limited.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN
    assert "Retry-After" in limited.headers["Access-Control-Expose-Headers"]


def test_phone_numbers_are_normalised_to_e164(client, app, db_session):
    from consent_gateway.contact import cipher_for

    submit(client, {**PERSON, "phone": "06 12 34 56 78"})
    submit(client, {**PERSON, "phone": "+212 6 61 23 45 67"})
    cipher = cipher_for(app.extensions["settings"].pii_keys)
    phones = [cipher.decrypt(r["ciphertext"]) for r in field_rows(db_session) if r["name"] == "phone"]
    assert phones == ["+33612345678", "+212661234567"]


def test_retry_after_reaches_a_real_http_client(live_server):
    import json
    import urllib.error
    import urllib.request

    def post() -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(
            f"{live_server}/api/v1/sites/demo/contact", method="POST",
            data=json.dumps({"fields": PERSON}).encode(),
            headers={"Origin": DEMO_ORIGIN, "Content-Type": "text/plain"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers)

    answers = [post() for _ in range(11)]
    assert [status for status, _ in answers] == [201] * 10 + [429]
    headers = answers[-1][1]
    assert int(headers["Retry-After"]) > 0
    assert headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN
