"""TRUSTED_PROXIES names the proxies (issue 23, finding 6): a forwarded header is believed from them
only; a client that reaches the gateway directly cannot rotate X-Forwarded-For past the limits."""

from __future__ import annotations

import pytest

from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import Settings, trusted_networks
from consent_gateway.web.platform.proxies import TrustedProxies

DEMO = "http://127.0.0.1:8000"


def _impressions(client, peer: str, forwarded: list[str]) -> list[int]:
    return [client.post("/api/v1/sites/demo/impressions", headers={"Origin": DEMO, "X-Forwarded-For": f},
                        environ_base={"REMOTE_ADDR": peer}).status_code for f in forwarded]


def test_a_rotating_forwarded_for_from_a_direct_client_is_ignored(make_app):
    app = make_app(trusted_proxies=("10.0.0.0/8",))
    app.config["IMPRESSIONS_PER_CLIENT"] = "5/minute"
    statuses = _impressions(app.test_client(), "203.0.113.50", [f"198.51.100.{i}" for i in range(1, 9)])
    assert statuses == [204] * 5 + [429] * 3, "one direct client, whatever it says it forwards"


def test_behind_a_trusted_proxy_each_client_counts_alone(make_app):
    app = make_app(trusted_proxies=("10.0.0.0/8",))
    app.config["IMPRESSIONS_PER_CLIENT"] = "5/minute"
    client = app.test_client()
    statuses = _impressions(client, "10.1.2.3", [f"198.51.100.{i}" for i in range(1, 9)])
    assert statuses == [204] * 8, "eight clients behind the load balancer"
    # A client's own made-up hop, left of what the proxy appended, does not change who it is.
    spoofed = _impressions(client, "10.1.2.3", [f"1.2.3.{i}, 198.51.100.77" for i in range(1, 9)])
    assert spoofed == [204] * 5 + [429] * 3


def _seen(networks: tuple[str, ...], peer: str, **headers: str) -> dict[str, str]:
    environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", "HTTP_HOST": "gateway.local",
               **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    seen: dict[str, str] = {}

    def app(env, start_response):
        seen.update(env)
        return []

    TrustedProxies(app, trusted_networks(networks))(environ, lambda *a: None)
    return seen


def test_the_client_is_the_right_most_address_that_is_not_a_proxy():
    chain = "198.51.100.9, 10.0.0.5, 10.0.0.6"
    seen = _seen(("10.0.0.0/8", "127.0.0.1"), "127.0.0.1", x_forwarded_for=chain, x_forwarded_proto="https",
                 x_forwarded_host="consent.iqera.com")
    assert (seen["REMOTE_ADDR"], seen["wsgi.url_scheme"], seen["HTTP_HOST"]) == (
        "198.51.100.9", "https", "consent.iqera.com")
    assert _seen(("10.0.0.0/8",), "10.0.0.1", x_forwarded_for="not-an-ip")["REMOTE_ADDR"] == "10.0.0.1"
    assert _seen(("*",), "192.0.2.1", x_forwarded_for="198.51.100.9")["REMOTE_ADDR"] == "198.51.100.9"
    assert _seen(("::1",), "::1", x_forwarded_for="2001:db8::5")["REMOTE_ADDR"] == "2001:db8::5"


def test_forwarded_headers_from_any_other_peer_are_dropped():
    seen = _seen(("10.0.0.0/8",), "203.0.113.50", x_forwarded_for="198.51.100.9", x_forwarded_proto="https",
                 x_forwarded_host="evil.example", forwarded="for=1.2.3.4")
    assert seen["REMOTE_ADDR"] == "203.0.113.50" and seen["wsgi.url_scheme"] == "http"
    assert seen["HTTP_HOST"] == "gateway.local"
    assert not {k for k in seen if "FORWARDED" in k}
    assert _seen((), "127.0.0.1", x_forwarded_for="198.51.100.9")["REMOTE_ADDR"] == "127.0.0.1"


def test_the_setting_reads_addresses_and_networks_and_refuses_a_count(settings):
    env = {"CONSENT_GATEWAY_INSTANCE_PATH": str(settings.instance_path),
           "CONSENT_GATEWAY_SITES": str(settings.sites_path),
           "CONSENT_GATEWAY_SECRET_KEYS": ",".join(settings.secret_keys),
           "CONSENT_GATEWAY_PII_KEYS": ",".join(settings.pii_keys),
           "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys)}
    read = Settings.from_env({**env, "CONSENT_GATEWAY_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,"})
    assert read.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_TRUSTED_PROXIES .*no longer how many"):
        Settings.from_env({**env, "CONSENT_GATEWAY_TRUSTED_PROXIES": "1"})
