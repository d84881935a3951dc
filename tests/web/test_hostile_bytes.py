"""Bytes that were a 500 (issue 23, finding 7 and 9): a NUL or an endless id in a path (PostgreSQL
refuses NUL in text), an ``iq_consent`` cookie of 1,000 nested brackets, a form posted as deeply
nested JSON, UTF-16 and UTF-32 JSON; and the error pages themselves: HTML on HTML pages, in the
page's language, JSON on the API. Run on SQLite and, with CONSENT_GATEWAY_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

import base64
import json
import re
import socket
from dataclasses import replace

import pytest
from contact_support import DEMO_ORIGIN, PERSON, decide, submission_count

from consent_gateway import create_app
from consent_gateway.staff import create_token

NESTED_COOKIE = base64.urlsafe_b64encode(b"[" * 1000 + b"]" * 1000).decode().rstrip("=")


@pytest.fixture
def dpo(db_session) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(db_session, 'dpo', 'Jeanne DPO')}"}


@pytest.mark.parametrize("bad", ["a%00b", "a%01b", "%7F", "a%C2%85b", "x" * 4097])
@pytest.mark.parametrize("path", [
    "/privacy/demo/banner-snapshots/{}/first-desktop.png",    # no sign-in needed
    "/privacy/demo/receipts/{}",
    "/privacy/demo/receipts/{}/receipt.json",
    "/privacy/{}/",
    "/api/v1/sites/demo/proof/{}",
    "/api/v1/sites/careers/applications/{}",
    "/dpo/requests/{}",
    "/demo/assets/{}",
])
def test_a_control_character_or_an_endless_id_in_a_path_is_a_404_before_any_query(client, dpo, path, bad):
    r = client.get(path.format(bad), headers=dpo)
    assert r.status_code == 404, (r.status_code, r.get_data(as_text=True)[:200])


def test_staff_writes_with_a_nul_in_the_path_are_404_too(client, dpo):
    for path in ("/dpo/requests/a%00b/close", "/dpo/requests/a%00b/extend"):
        assert client.post(path, headers=dpo).status_code == 404
    assert client.delete("/api/v1/sites/careers/applications/a%00b", headers=dpo).status_code == 404


def test_an_id_as_long_as_a_receipt_token_still_reaches_its_view(client):
    r = client.get("/privacy/demo/receipts/" + "x" * 4096)
    # The receipt page's own 404 (the site's page), not the routing's.
    assert r.status_code == 404 and "(site de démonstration)" in r.get_data(as_text=True)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_cookie_of_a_thousand_nested_brackets_is_no_receipt(client, db_session):
    client.set_cookie("iq_consent", NESTED_COOKIE)
    assert client.get("/privacy/demo/rights?lang=en").status_code == 200
    page = client.get("/privacy/demo/contact?lang=en").get_data(as_text=True)
    r = client.post("/privacy/demo/contact", data={"csrf_token": _csrf(page), "lang": "en", **PERSON})
    assert r.status_code == 201 and submission_count(db_session) == 1


@pytest.mark.parametrize("path", ["/privacy/demo/contact", "/privacy/demo/rights", "/dpo/sign-in",
                                  "/dashboard/sign-in"])
def test_a_form_posted_as_deeply_nested_json_is_a_400_page(client, path):
    r = client.post(path, data=b"[" * 5000 + b"]" * 5000, content_type="application/json")
    assert r.status_code == 400 and r.mimetype == "text/html"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_json_in_utf16_or_utf32_is_refused(client, post_consent, encoding):
    token = post_consent("accept_all").get_json()["token"]
    body = json.dumps({"token": token}).encode(encoding)
    verify = "/api/v1/receipts/verify"
    r = client.post(verify, data=body, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "malformed_json"
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:4] == b"\x00\x00\xfe\xff":  # a BOM: never UTF-8
        assert "UTF-8" in r.get_json()["message"]
    r = client.post(verify, data=body, content_type=f"application/json; charset={encoding}")
    assert r.status_code == 415 and r.get_json()["error"] == "unsupported_media_type"
    assert r.get_json()["field"] == "Content-Type"
    # The same token in UTF-8, declared or not, is verified.
    for content_type in ("application/json", "application/json; charset=UTF-8", "text/plain;charset=UTF-8"):
        r = client.post(verify, data=body.decode(encoding).encode(), content_type=content_type)
        assert r.status_code == 200 and r.get_json()["valid"] is True


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_form_posted_as_utf16_json_is_a_400_page(client, encoding):
    r = client.post("/privacy/demo/contact", data='{"email": "a@b.fr"}'.encode(encoding),
                    content_type="application/json")
    assert r.status_code == 400 and r.mimetype == "text/html"


@pytest.mark.parametrize("lang, words", [("fr", "Cette page n'existe pas"),
                                         ("en", "This page does not exist")])
def test_html_pages_answer_their_errors_as_html_in_their_language(client, lang, words):
    r = client.get(f"/privacy/demo/receipts/{'x' * 5000}", headers={"Accept-Language": lang})
    page = r.get_data(as_text=True)
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert f'<html lang="{lang}">' in page and words.replace("'", "&#39;") in page
    assert "nonce-" in r.headers["Content-Security-Policy"] and r.headers["X-Frame-Options"] == "DENY"
    # A browser that follows a mistyped link gets a page; a script, and the API, get JSON.
    r = client.get("/nowhere", headers={"Accept": "text/html,*/*;q=0.8", "Accept-Language": lang})
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert client.get("/nowhere").get_json()["error"] == "not_found"
    r = client.get("/api/v1/sites/nowhere/banner", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_a_hosted_form_over_its_size_is_a_413_page_in_the_form_language(client, db_session):
    page = client.get("/privacy/careers/contact?lang=en").get_data(as_text=True)
    r = client.post("/privacy/careers/contact?lang=en", content_type="multipart/form-data",
                    data={"csrf_token": _csrf(page), "message": "x" * 70_000})
    assert r.status_code == 413 and r.mimetype == "text/html"
    assert '<html lang="en">' in r.get_data(as_text=True) and "too large" in r.get_data(as_text=True)
    r = client.post("/privacy/careers/contact?lang=fr", data=b"x" * (8 * 1024 * 1024),
                    content_type="multipart/form-data; boundary=b")
    assert r.status_code == 413 and "trop volumineux" in r.get_data(as_text=True)
    assert submission_count(db_session) == 0
    r = client.post("/api/v1/sites/careers/contact", data=b"x" * (8 * 1024 * 1024),
                    content_type="multipart/form-data; boundary=b", headers={"Origin": "https://recrutement.iqera.com"})
    assert r.status_code == 413 and r.get_json()["error"] == "payload_too_large"


def test_a_database_down_is_a_503_page_on_pages_and_json_on_the_api(settings, app):
    token, _ = decide(app, "demo", "accept_all")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = create_app(replace(settings, database_url=f"postgresql+psycopg://gateway:gateway@127.0.0.1:{port}/gone"))
    client = down.test_client()
    r = client.get(f"/privacy/demo/receipts/{token}?lang=fr")
    assert r.status_code == 503 and r.mimetype == "text/html" and int(r.headers["Retry-After"]) > 0
    page = r.get_data(as_text=True)
    assert '<html lang="fr">' in page and "momentanément indisponible" in page
    assert "Rien n&#39;a été enregistré" in page
    r = client.post("/api/v1/receipts/verify", json={"token": token}, headers={"Origin": DEMO_ORIGIN})
    assert r.status_code == 503 and r.get_json()["error"] == "database_unavailable"
    down.extensions["db_engine"].dispose()


def test_too_many_requests_on_a_page_is_a_429_page_and_json_on_the_api(client):
    answers = [client.post("/privacy/demo/rights?lang=en", data={}) for _ in range(11)]
    assert [r.status_code for r in answers[:10]] == [400] * 10
    r = answers[10]
    assert r.status_code == 429 and r.mimetype == "text/html" and int(r.headers["Retry-After"]) > 0
    assert '<html lang="en">' in r.get_data(as_text=True) and "Too many requests." in r.get_data(as_text=True)
    codes = [client.post("/api/v1/sites/demo/impressions", headers={"Origin": DEMO_ORIGIN}).status_code
             for _ in range(21)]
    assert codes[-1] == 429
    r = client.post("/api/v1/sites/demo/impressions", headers={"Origin": DEMO_ORIGIN})
    assert r.get_json()["error"] == "too_many_requests"
    assert r.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN


def _signed_in(client, token: str) -> None:
    page = client.get("/dpo/sign-in").get_data(as_text=True)
    assert client.post("/dpo/sign-in", data={"csrf_token": _csrf(page), "token": token}).status_code == 302


@pytest.mark.parametrize("query", ["site=demo&receipt=a%00b", "site=a%00b&receipt=x",
                                   "site=demo&receipt=a%1Fb", "site=demo&receipt=" + "x" * 4097])
def test_a_control_character_in_a_query_is_a_400_before_any_query(app, client, db_session, query):
    _signed_in(client, create_token(db_session, "dpo", "Jeanne DPO"))
    r = client.get(f"/dpo/proof?{query}")
    assert r.status_code == 400 and r.mimetype == "text/html"
    r = client.get(f"/api/v1/stats/consents?{query}", headers={
        "Authorization": f"Bearer {create_token(db_session, 'marketing', 'Marc')}"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_query"


def test_the_dashboard_shows_a_site_with_too_few_decisions_to_show(app, client, db_session):
    decide(app, "demo", "accept_all")  # one decision: the site's card is hidden (fewer than 5)
    _signed_in(client, create_token(db_session, "dpo", "Jeanne DPO"))
    r = client.get("/dashboard/?lang=en")
    # A hidden figure is a dash explained as hidden, never the count itself.
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "the figure would single out fewer than 5 decisions" in page
