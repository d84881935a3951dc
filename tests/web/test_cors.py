"""Every answer to a declared origin carries CORS headers, errors included: the banner on a group
site must read a 409 to ask again, and a 413, 429 or 503 to say why it failed."""

from __future__ import annotations

import pytest
from contact_support import PERSON, decide

SITE_ORIGIN = "https://www.iqera.com"  # declared for the iqera site, and not the gateway's origin


def assert_cors(r, origin: str = SITE_ORIGIN) -> None:
    assert r.headers.get("Access-Control-Allow-Origin") == origin, (r.status_code, dict(r.headers))
    assert "Retry-After" in r.headers["Access-Control-Expose-Headers"]
    if origin != "*":
        assert "Origin" in r.headers.get("Vary", "")


def iqera_banner(client) -> dict:
    return client.get("/api/v1/sites/iqera/banner?lang=fr").get_json()


def post_decision(client, origin: str = SITE_ORIGIN, **changes):
    banner = iqera_banner(client)
    body = {"action": "reject_all", "choices": {}, "lang": "fr",
            "policy_version": banner["policy_version"], "config_hash": banner["config_hash"], **changes}
    return client.post("/api/v1/sites/iqera/consents", json=body, headers={"Origin": origin})


def test_a_decision_and_its_refusals_carry_cors_for_a_declared_origin(client):
    assert_cors(post_decision(client))
    bad = post_decision(client, action="maybe")
    assert bad.status_code == 400
    assert_cors(bad)
    stale = post_decision(client, policy_version="1999-01-01")
    assert stale.status_code == 409 and stale.get_json()["error"] == "reconsent_required"
    assert_cors(stale)
    big = client.post("/api/v1/sites/iqera/consents", data=b'{"a":"' + b"x" * 17000 + b'"}',
                      headers={"Origin": SITE_ORIGIN})
    assert big.status_code == 413
    assert_cors(big)
    malformed = client.post("/api/v1/sites/iqera/consents", data=b"{", headers={"Origin": SITE_ORIGIN})
    assert malformed.status_code == 400
    assert_cors(malformed)


def test_the_rate_limit_answer_carries_cors_and_retry_after(client):
    answers = [client.post("/api/v1/sites/iqera/consents", data=b"{", headers={"Origin": SITE_ORIGIN})
               for _ in range(61)]
    limited = answers[-1]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert_cors(limited)


def test_undeclared_origins_get_their_403_and_no_cors_headers(client):
    for path in ("/api/v1/sites/iqera/consents", "/api/v1/sites/iqera/objections",
                 "/api/v1/sites/demo/contact"):
        r = client.post(path, data=b"{}", headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and r.get_json()["error"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in r.headers
        assert "Access-Control-Expose-Headers" not in r.headers


@pytest.mark.parametrize("body, status", [({"purpose": "nope", "kind": "objection"}, 400),
                                          ({"purpose": "contact_request", "kind": "objection",
                                            "consent_token": "forged"}, 403)])
def test_objection_refusals_carry_cors(client, body, status):
    r = client.post("/api/v1/sites/demo/objections", json=body, headers={"Origin": "http://localhost:8000"})
    assert r.status_code == status
    assert_cors(r, "http://localhost:8000")


def test_contact_and_objection_successes_carry_cors(app, client):
    origin = "http://localhost:8000"
    r = client.post("/api/v1/sites/demo/contact", json={"fields": PERSON}, headers={"Origin": origin})
    assert r.status_code == 201
    assert_cors(r, origin)
    token, _ = decide(app, "demo", "reject_all")
    r = client.post("/api/v1/sites/demo/objections", headers={"Origin": origin},
                    json={"consent_token": token, "purpose": "contact_request", "kind": "objection"})
    assert r.status_code == 201
    assert_cors(r, origin)


def test_receipt_verification_is_open_to_any_origin_errors_too(client):
    ok = client.post("/api/v1/receipts/verify", json={"token": "x"}, headers={"Origin": "https://a.example"})
    assert ok.status_code == 200
    assert_cors(ok, "*")
    bad = client.post("/api/v1/receipts/verify", data=b"[[", headers={"Origin": "https://a.example"})
    assert bad.status_code == 400
    assert_cors(bad, "*")
    pre = client.options("/api/v1/receipts/verify", headers={"Origin": "https://a.example",
                                                             "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert_cors(pre, "*")


@pytest.mark.parametrize("origin", ["http://127.0.0.1:8000//", "http://127.0.0.1:8000/", "http://127.0.0.1:8000/x",
                                    "http://127.0.0.1:8000 ", "http://user@127.0.0.1:8000", "HTTP://127.0.0.1:8000",
                                    "http://127.0.0.1:8000?", "null"])
def test_an_origin_must_be_exactly_scheme_host_and_port(client, post_consent, origin):
    r = post_consent("accept_all", origin=origin)
    assert r.status_code == 403 and r.get_json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in r.headers
    assert client.options("/api/v1/sites/demo/consents", headers={"Origin": origin}).status_code == 403
    assert post_consent("accept_all", origin="http://127.0.0.1:8000").status_code == 201
