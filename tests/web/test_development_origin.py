"""The demo works wherever ``consent-gateway serve`` runs: in development the gateway accepts its
own origin as the browser reached it (any host, any port); production trusts only the declared
origins and ``PUBLIC_URL``, never the Host header a client chooses."""

from __future__ import annotations

from consent_gateway.cli.commands import served_environ


def test_development_accepts_the_origin_the_gateway_is_reached_at(make_app, demo_banner):
    client = make_app(development=True).test_client()
    decision = {"action": "reject_all", "choices": {}, "lang": "fr",
                "policy_version": demo_banner["policy_version"], "config_hash": demo_banner["config_hash"]}
    response = client.post("/api/v1/sites/demo/consents", json=decision,
                           headers={"Origin": "http://localhost:8600", "Host": "localhost:8600"})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:8600"
    # Another origin than the one it is reached at is still refused.
    refused = client.post("/api/v1/sites/demo/consents", json=decision,
                          headers={"Origin": "http://localhost:8601", "Host": "localhost:8600"})
    assert refused.status_code == 403 and refused.get_json()["field"] == "Origin"


def test_production_refuses_an_undeclared_origin_whatever_the_host_says(post_consent):
    response = post_consent(origin="http://localhost:8600", headers={"Host": "localhost:8600"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_serve_makes_its_address_the_public_url_unless_one_is_set(monkeypatch):
    monkeypatch.delenv("CONSENT_GATEWAY_PUBLIC_URL", raising=False)
    assert served_environ("127.0.0.1", 8600)["CONSENT_GATEWAY_PUBLIC_URL"] == "http://127.0.0.1:8600"
    assert served_environ("0.0.0.0", 8601)["CONSENT_GATEWAY_PUBLIC_URL"] == "http://127.0.0.1:8601"
    assert served_environ("::1", 8602)["CONSENT_GATEWAY_PUBLIC_URL"] == "http://[::1]:8602"
    monkeypatch.setenv("CONSENT_GATEWAY_PUBLIC_URL", "https://consent.example")
    assert served_environ("127.0.0.1", 8600)["CONSENT_GATEWAY_PUBLIC_URL"] == "https://consent.example"
