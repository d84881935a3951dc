"""The log of a live gateway under gunicorn (bench/servers.py, as in production): one JSON object
per line and per request, with its id, route pattern, status and duration, and nothing personal:
no address, no token, no query string, no form value, no Referer, no User-Agent, and nothing a
client sends can break a line or forge one."""

from __future__ import annotations

import json
import re
import socket
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from live_support import Browser, csrf

from bench.servers import demo_decision, gateway_env, gunicorn

SITES_YAML = Path(__file__).resolve().parents[1] / "fixtures" / "sites.yaml"
DEMO_ORIGIN = "http://127.0.0.1:8000"
REQUIRED = {"ts", "level", "logger", "event", "request_id", "method", "route", "status", "duration_ms",
            "site"}
# Distinctive values: if any of them is in the log, something personal leaked.
QUERY_TOKEN = "qsTokenMarker7Zq"
USER_AGENT = "Mozilla/5.0 UaMarkerXy12"
REFERER = "https://referrer.example/RefMarkerK8?ref=RefQueryMarker"
API_FIELDS = {"surname": "Zorglubovitch", "first_name": "Anastasiaque", "email": "zorglub.api@example.fr",
              "message": "ApiMessageMarker about my file"}
FORM_FIELDS = {"surname": "Quetzalcoatlus", "first_name": "Berenicette", "email": "quetzal.form@example.fr",
               "message": "FormMessageMarker about my file"}
GUNICORN_LOGGER = ["--logger-class", "consent_gateway.logs.GunicornLogger"]


def raw_request(base: str, method: str, path: str, headers: list[tuple[str, bytes]],
                body: bytes = b"") -> tuple[int, dict[str, str]]:
    """Send bytes as they are (a client library refuses control characters in a header)."""
    host, port = base.removeprefix("http://").split(":")
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n".encode()
    head += b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers)
    head += f"Content-Length: {len(body)}\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in fields.items()}


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings(v)]]
    return [value] if isinstance(value, str) else []


@pytest.fixture
def gateway_log(tmp_path: Path):
    """A gateway under gunicorn, configured to log as much as it can: its own lines at DEBUG and an
    access log asked for, which the gateway's gunicorn logger must refuse to write."""
    env = gateway_env()
    env.update(CONSENT_GATEWAY_SITES=str(SITES_YAML), CONSENT_GATEWAY_LOG_LEVEL="DEBUG")
    log = tmp_path / "gateway.log"
    with gunicorn("wsgi:app", env, workers=1, stderr=log,
                  options=[*GUNICORN_LOGGER, "--access-logfile", "-"]) as (base, _proc):
        yield base, log


def test_the_request_log_holds_no_personal_data_and_cannot_be_forged(gateway_log):
    base, log = gateway_log
    browser = Browser(base)
    personal = {"User-Agent": USER_AGENT, "Referer": REFERER}

    # A consent POST with a token in its query string and a hostile request id that reaches the
    # app (C1 "next line", Unicode line separator, quotes): the id is replaced by a fresh one.
    hostile = b'evil\xc2\x85{"level": "critical"}\xe2\x80\xa8forged-line'
    status, headers = raw_request(
        base, "POST", f"/api/v1/sites/demo/consents?consent_token={QUERY_TOKEN}&email=camille%40example.fr",
        [("Origin", DEMO_ORIGIN.encode()), ("Content-Type", b"application/json"), ("X-Request-ID", hostile),
         ("User-Agent", USER_AGENT.encode()), ("Referer", REFERER.encode())],
        json.dumps(demo_decision(browser.base)).encode())
    assert status == 201
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
    # Raw newlines in a header never reach the app: gunicorn refuses the request, and its own
    # warning names neither the client nor what it sent.
    for injected in (b'ok\r\n{"forged": "line"}', b'ok\n {"forged": "fold"}', b"ok\x1b[31mforged-ansi"):
        assert raw_request(base, "GET", "/healthz", [("X-Request-ID", injected)])[0] == 400

    decided = browser.post("/api/v1/sites/demo/consents", json_body=demo_decision(browser.base),
                           Origin=DEMO_ORIGIN, **{"X-Request-ID": "lb-7f3a9c.2"}, **personal)
    assert decided.status == 201 and decided.headers["X-Request-ID"] == "lb-7f3a9c.2"
    token = json.loads(decided.body)["token"]

    contact = browser.post(f"/api/v1/sites/demo/contact?consent_token={QUERY_TOKEN}",
                           json_body={"consent_token": token, "fields": API_FIELDS}, Origin=DEMO_ORIGIN,
                           **personal)
    assert contact.status == 201, contact.body

    form = browser.get(f"/privacy/demo/contact?consent_token={token}", **personal)
    hosted = browser.post("/privacy/demo/contact", {"csrf_token": csrf(form.body), "lang": "fr",
                                                    "consent_token": token, **FORM_FIELDS}, **personal)
    assert hosted.status == 201, hosted.body
    assert browser.get(f"/privacy/demo/receipts/{token}", **personal).status == 200
    assert browser.get("/api/v1/sites/ev%0Ail%1B%5B31m/banner").status == 404
    # What a client types where a site or a request id goes (an address, a token) is not logged.
    assert browser.get("/api/v1/sites/camille.site%40example.fr/banner").status == 404
    for asked in ("camille.rid@example.fr", "iq_SecretTokenMarker_4f9Qz", "Bearer QmVhcmVyTWFya2Vy"):
        answer = browser.get("/healthz", **{"X-Request-ID": asked})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"]), asked
    for kept in ("5f0c6a1e-2b7d-4c9a-9e3f-0a1b2c3d4e5f", "0123456789abcdef0123456789abcdef"):
        assert browser.get("/healthz", **{"X-Request-ID": kept}).headers["X-Request-ID"] == kept

    text = log.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    requests = [e for e in entries if e.get("event") == "request"]
    for entry in requests:
        assert REQUIRED <= set(entry), entry
        assert isinstance(entry["status"], int) and isinstance(entry["duration_ms"], float)
    routes = {(e["method"], e["route"], e["status"], e["site"]) for e in requests}
    for expected in (("POST", "/api/v1/sites/<site_id>/consents", 201, "demo"),
                     ("POST", "/api/v1/sites/<site_id>/contact", 201, "demo"),
                     ("POST", "/privacy/<site_id>/contact", 201, "demo"),
                     ("GET", "/privacy/<site_id>/receipts/<token>", 200, "demo")):
        assert expected in routes, (expected, routes)
    assert any(e["request_id"] == "lb-7f3a9c.2" for e in requests)
    assert any(e["request_id"] == headers["x-request-id"] and e["status"] == 201 for e in requests)
    unknown = [(e["route"], e["site"]) for e in requests if e["status"] == 404]
    # Control characters match no route; an undeclared site is logged as such, not as sent.
    assert unknown == [(None, None), ("/api/v1/sites/<site_id>/banner", "(undeclared)")]

    leaks = ["127.0.0.1", QUERY_TOKEN, "consent_token", token, "camille", "UaMarker", "RefMarker",
             "RefQueryMarker", "forged", "critical", "SecretTokenMarker", "QmVhcmVyTWFya2Vy", "evil",
             *API_FIELDS.values(), *FORM_FIELDS.values()]
    for leak in leaks:
        assert leak not in text, f"{leak!r} is in the log"
    for value in (s for entry in entries for s in strings(entry)):
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n" for c in value), value
    assert not any(e.get("logger") == "gunicorn.access" for e in entries)
    assert any(e.get("logger") == "gunicorn.error" and "ip=…" in e["message"] for e in entries)
