"""Security headers as a client receives them from a live server, for every kind of answer: a
nonce-based CSP on pages (a new nonce each time, on every inline script and style, never
'unsafe-inline'), pages that cannot be framed, nosniff, a Referrer-Policy that sends no token
away, no-store on personal data, and HSTS and Secure cookies once the public URL is https."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from live_support import Answer, Browser, csrf
from rights_support import staff_token, submit
from werkzeug.serving import make_server

from bench.servers import demo_decision

DIRECTIVES = ("default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
              "form-action 'self'")


@contextmanager
def serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def browser(live_server: str) -> Browser:
    return Browser(live_server)


def decide(browser: Browser) -> str:
    """A decision recorded through the API from the gateway's own origin; its receipt token."""
    answer = browser.post("/api/v1/sites/demo/consents", json_body=demo_decision(browser.base),
                          Origin=browser.base)
    assert answer.status == 201, answer.body
    assert answer.headers["Cache-Control"] == "no-store"
    return json.loads(answer.body)["token"]


def assert_page(answer: Answer, *, referrer: str = "strict-origin-when-cross-origin",
                private: bool = True) -> str:
    """The headers of an HTML page; every inline script and style carries this answer's nonce."""
    assert answer.headers.get_content_type() == "text/html"
    policy = answer.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for directive in DIRECTIVES:
        if directive.startswith("frame-ancestors") and "frame-ancestors 'self'" in policy:
            continue
        assert directive in policy, (directive, policy)
    nonce = answer.nonce
    assert len(nonce) >= 22 and f"'nonce-{nonce}'" in answer.csp["style-src"]
    tags = re.findall(r"<(?:script|style)\b[^>]*>", answer.body)
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    assert "style=" not in answer.body.replace('rel="stylesheet"', "")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
    assert answer.headers["Referrer-Policy"] == referrer
    if private:
        assert "no-store" in answer.headers["Cache-Control"]
    assert "Strict-Transport-Security" not in answer.headers  # plain http here
    return nonce


def test_every_visitor_page_carries_a_fresh_nonce_and_strict_headers(browser):
    token = decide(browser)
    first = browser.get("/privacy/demo/")
    again = browser.get("/privacy/demo/")
    assert assert_page(first) != assert_page(again), "a new nonce for every answer"
    assert first.headers["X-Frame-Options"] == "DENY"

    receipt = browser.get(f"/privacy/demo/receipts/{token}")
    assert receipt.status == 200
    assert_page(receipt, referrer="no-referrer")
    assert receipt.csp["img-src"] == ["'self'"]
    download = browser.get(f"/privacy/demo/receipts/{token}/receipt.json")
    assert "no-store" in download.headers["Cache-Control"]
    assert download.headers["Referrer-Policy"] == "no-referrer"
    assert download.headers["Content-Security-Policy"].startswith("default-src 'none'")

    form = browser.get(f"/privacy/demo/contact?consent_token={token}")
    assert_page(form, referrer="no-referrer")
    sent = browser.post("/privacy/demo/contact", {"csrf_token": csrf(form.body), "lang": "fr",
                                                  "consent_token": token, "email": "not-an-email"})
    assert sent.status == 400 and 'id="error-summary"' in sent.body
    assert_page(sent, referrer="no-referrer")

    rights = browser.get(f"/privacy/demo/rights?consent_token={token}")
    assert_page(rights, referrer="no-referrer")
    refused = browser.post("/privacy/demo/rights", {"csrf_token": csrf(rights.body), "lang": "fr"})
    assert refused.status == 400
    assert_page(refused, referrer="no-referrer")
    exported = browser.post("/privacy/demo/rights/export", {"csrf_token": csrf(rights.body),
                                                            "consent_token": token, "lang": "fr"})
    assert exported.status == 200 and exported.headers["Cache-Control"] == "no-store"


def test_the_demo_page_may_load_its_banner_tags_and_embed_and_nothing_else(browser):
    page = browser.get("/demo/demo")
    nonce = assert_page(page)
    assert page.headers["X-Frame-Options"] == "DENY"
    for directive in ("script-src", "style-src"):
        assert page.csp[directive] == [f"'nonce-{nonce}'", "'self'"]
    assert page.csp["connect-src"] == ["'self'"] and page.csp["frame-src"] == ["'self'"]
    assert page.csp["frame-ancestors"] == ["'none'"]
    assert page.body.count(f'nonce="{nonce}"') == 3  # the banner and its two gated tags

    embed = browser.get("/demo/assets/video.html")
    assert embed.csp["frame-ancestors"] == ["'self'"] and embed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script>" not in embed.body and "<style>" not in embed.body


def test_staff_pages_are_private_and_unframable(app, browser):
    token, _ = staff_token(app)
    reference = submit(app).reference
    sign_in = browser.get("/dpo/sign-in")
    assert_page(sign_in, referrer="no-referrer")
    signed = browser.post("/dpo/sign-in", {"token": token, "csrf_token": csrf(sign_in.body)})
    assert signed.status == 302 and signed.headers["Cache-Control"] == "no-store"
    for path in ("/dpo/", f"/dpo/requests/{reference}", "/dpo/access-log", "/dpo/proof"):
        answer = browser.get(path)
        assert answer.status == 200, path
        assert_page(answer, referrer="no-referrer")

    dashboard = Browser(browser.base)
    marketing, _ = staff_token(app, "marketing", "Marie Marketing")
    form = dashboard.get("/dashboard/sign-in")
    assert_page(form, referrer="no-referrer")
    signed = dashboard.post("/dashboard/sign-in", {"token": marketing, "csrf_token": csrf(form.body)})
    assert signed.status == 302
    assert_page(dashboard.get("/dashboard/"), referrer="no-referrer")
    csv = dashboard.get("/dashboard/export.csv")
    assert csv.status == 200 and csv.headers["Cache-Control"] == "no-store"


def test_the_api_is_callable_cross_origin_and_keeps_personal_answers_out_of_caches(app, browser):
    token = decide(browser)
    dpo, _ = staff_token(app)
    bearer = {"Authorization": f"Bearer {dpo}"}

    script = browser.get("/banner/v1/consent.js")
    config = browser.get("/api/v1/sites/demo/banner?lang=fr")
    for public in (script, config):
        assert public.headers["Access-Control-Allow-Origin"] == "*"
        assert public.headers["Cache-Control"].startswith("public")
        assert public.headers["X-Content-Type-Options"] == "nosniff"
        assert "text/html" not in public.headers["Content-Type"]
        assert public.headers["Content-Security-Policy"] == (
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")

    verified = browser.post("/api/v1/receipts/verify", json_body={"token": token})
    receipt_id = json.loads(verified.body)["receipt"]["consentReceiptID"]
    contact = browser.post("/api/v1/sites/demo/contact", json_body={
        "consent_token": token, "fields": {"surname": "Durandal", "first_name": "Camille",
                                            "email": "camille@example.fr", "message": "Bonjour"}},
        Origin=browser.base)
    proof = browser.get(f"/api/v1/sites/demo/proof/{receipt_id}", **bearer)
    evidence = browser.get("/api/v1/sites/demo/evidence", **bearer)
    stats = browser.get("/api/v1/stats/consents?site=demo", **bearer)
    for answer in (verified, contact, proof, evidence, stats):
        assert answer.status in (200, 201), answer.body
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    missing = browser.get("/api/v1/sites/nowhere/banner")
    assert missing.status == 404 and missing.headers["Cache-Control"] == "no-store"
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_on_https_pages_send_hsts_and_every_cookie_is_secure(app, make_app):
    secure = make_app(public_url="https://consent.iqera.example")
    token, _ = staff_token(app)
    with serve(secure) as base:
        browser = Browser(base)
        for path in ("/privacy/demo/", "/api/v1/sites/demo/banner", "/banner/v1/consent.js"):
            hsts = browser.get(path).headers["Strict-Transport-Security"]
            assert hsts == "max-age=63072000; includeSubDomains"
        form = browser.get("/privacy/demo/contact")
        staff_form = browser.get("/dpo/sign-in")
        signed = browser.post("/dpo/sign-in", {"token": token, "csrf_token": csrf(staff_form.body)})
        cookies = form.headers.get_all("Set-Cookie") + staff_form.headers.get_all("Set-Cookie") \
            + signed.headers.get_all("Set-Cookie")
        names = {c.split("=", 1)[0] for c in cookies}
        assert names == {"iq_form_session", "__Host-iq_staff"}, cookies
        for cookie in cookies:
            assert "; secure" in cookie.lower() and "httponly" in cookie.lower(), cookie


def test_a_page_policy_is_widened_only_where_a_view_asks(app):
    from consent_gateway.web.platform.security import content_security_policy

    strict = content_security_policy("abc")
    assert "script-src 'nonce-abc';" in strict and "frame-src" not in strict
    widened = content_security_policy("abc", {"frame-src": ["'self'"], "frame-ancestors": ["'self'"],
                                              "script-src": ["'self'"]})
    assert "frame-src 'self'" in widened and "frame-ancestors 'self';" in widened
    assert "script-src 'nonce-abc' 'self'" in widened and "'none' 'self'" not in widened
