"""The gateway's own origin comes from CONSENT_GATEWAY_PUBLIC_URL, never from a forged Host."""

from __future__ import annotations

import pytest

FORGED = {"Host": "evil.example"}


def test_manifest_absolute_url_ignores_a_forged_host(make_app):
    client = make_app(public_url="https://consent.iqera.com").test_client()
    r = client.get("/banner/v1/manifest.json", headers=FORGED)
    if r.status_code == 503:
        pytest.skip("banner not built (make banner)")
    assert r.get_json()["absolute_url"].startswith("https://consent.iqera.com/banner/v1/consent.")


def test_redirects_go_to_the_public_url(make_app):
    client = make_app(public_url="https://consent.iqera.com").test_client()
    r = client.get("/privacy/demo?lang=en", headers=FORGED)
    assert r.status_code in (301, 308)
    assert r.headers["Location"] == "https://consent.iqera.com/privacy/demo/?lang=en"


def test_a_forged_host_does_not_make_an_origin_the_gateways_own(make_app):
    client = make_app(public_url="https://consent.iqera.com").test_client()
    r = client.post("/api/v1/sites/demo/consents", json={},
                    headers={"Host": "evil.example", "Origin": "http://evil.example"})
    assert r.status_code == 403 and r.get_json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in r.headers
    own = client.post("/api/v1/sites/demo/consents", json={},
                      headers={"Host": "evil.example", "Origin": "https://consent.iqera.com"})
    assert own.status_code == 400, "the gateway's public origin is always allowed"
    assert own.headers["Access-Control-Allow-Origin"] == "https://consent.iqera.com"
