"""The banner's public answers are sent again from memory (web.replay): the same bytes for the same
request, its own request id, log line and count each time, and never an answer that belongs to
another request, an error, or a cookie."""

from __future__ import annotations

import gzip
import logging

import pytest
from flask import Flask, make_response
from prometheus_client import REGISTRY

from consent_gateway.web.api import consents as api
from consent_gateway.web.platform import request_log
from consent_gateway.web.platform.replay import Replay, replayable
from consent_gateway.web.visitor.banner import CONFIG_GLOBAL

BANNER = "/api/v1/sites/demo/banner?lang=fr"


@pytest.fixture
def built_calls(monkeypatch):
    """How many times the banner configuration's answer was built by its view."""
    calls = []
    original = api._banner_bytes

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(api, "_banner_bytes", counted)
    return calls


def test_the_same_request_gets_the_same_answer_from_memory_with_its_own_request_id(client, built_calls):
    first = client.get(BANNER)
    again = client.get(BANNER)
    theirs = client.get(BANNER, headers={"X-Request-ID": "lb-7f3a2c"})
    assert len(built_calls) == 1  # built once; the other two were replayed
    assert first.status_code == again.status_code == theirs.status_code == 200
    assert first.data == again.data == theirs.data
    ids = {first.headers["X-Request-ID"], again.headers["X-Request-ID"], theirs.headers["X-Request-ID"]}
    assert len(ids) == 3 and "lb-7f3a2c" in ids
    same = {k: v for k, v in first.headers if k != "X-Request-ID"}
    assert {k: v for k, v in again.headers if k != "X-Request-ID"} == same
    # The hooks' headers were kept with the answer.
    assert same["Content-Security-Policy"].startswith("default-src 'none'")
    assert same["X-Content-Type-Options"] == "nosniff"
    assert same["Access-Control-Allow-Origin"] == "*" and "ETag" in same


def test_what_the_answer_depends_on_is_never_mixed_up(client, built_calls):
    fr = client.get(BANNER).get_json()
    en = client.get("/api/v1/sites/demo/banner?lang=en").get_json()
    gpc = client.get(BANNER, headers={"Sec-GPC": "1"})
    assert (fr["lang"], en["lang"]) == ("fr", "en")
    assert client.get(BANNER).get_json() == fr
    assert client.get(BANNER, headers={"Sec-GPC": "1"}).data == gpc.data != client.get(BANNER).data
    for accepted, lang in (("en-GB,en;q=0.9", "en"), ("fr-FR", "fr")):
        negotiated = client.get("/api/v1/sites/demo/banner", headers={"Accept-Language": accepted})
        assert negotiated.get_json()["lang"] == lang
    etag = gpc.headers["ETag"]
    for _ in range(2):
        cached = client.get(BANNER, headers={"Sec-GPC": "1", "If-None-Match": etag})
        assert cached.status_code == 304 and cached.data == b"" and cached.headers["ETag"] == etag
    assert client.get(BANNER, headers={"If-None-Match": etag}).status_code == 200  # not the GPC one
    # fr, en, fr with GPC, two negotiated, the first 304, fr with a stale ETag: each built once
    assert len(built_calls) == 7


def test_scripts_are_replayed_in_the_coding_each_client_accepts(client):
    for _ in range(2):
        plain = client.get("/banner/v1/sites/demo/consent.js")
        packed = client.get("/banner/v1/sites/demo/consent.js", headers={"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in plain.headers and CONFIG_GLOBAL.encode() in plain.data[:200]
        assert packed.headers["Content-Encoding"] == "gzip" and gzip.decompress(packed.data) == plain.data


def test_each_replayed_answer_is_logged_and_counted(client, caplog):
    client.get(BANNER)

    def count() -> float:
        return REGISTRY.get_sample_value("gateway_http_requests_total", {
            "method": "GET", "route": "/api/v1/sites/<site_id>/banner", "status": "200"}) or 0.0

    before = count()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="consent_gateway.request"):
        answers = [client.get(BANNER) for _ in range(3)]
    lines = [r for r in caplog.records if getattr(r, "event", None) == "request"]
    assert [line.request_id for line in lines] == [a.headers["X-Request-ID"] for a in answers]
    assert {(line.method, line.route, line.status, line.site) for line in lines} == {
        ("GET", "/api/v1/sites/<site_id>/banner", 200, "demo")}
    assert all(line.duration_ms >= 0 for line in lines)
    assert count() == before + 3


def test_replayed_answers_follow_the_log_level(client, capsys):
    client.get(BANNER)
    level = request_log.logger.level
    request_log.logger.setLevel(logging.WARNING)
    try:
        capsys.readouterr()
        assert client.get(BANNER).status_code == 200
        assert '"event": "request"' not in capsys.readouterr().err
    finally:
        request_log.logger.setLevel(level)


def test_a_request_with_authorization_is_never_answered_from_memory(client, built_calls):
    staff = [client.get(BANNER, headers={"Authorization": "Bearer some-staff-token"}) for _ in range(2)]
    public = [client.get(BANNER) for _ in range(2)]
    assert [r.headers["Cache-Control"] for r in staff] == ["no-store", "no-store"]
    assert [r.headers["Cache-Control"] for r in public] == ["public, max-age=300"] * 2
    assert client.get(BANNER, headers={"Authorization": "Bearer x"}).headers["Cache-Control"] == "no-store"
    assert len(built_calls) == 4  # each staff request, and the first public one


def test_an_unknown_site_is_answered_by_the_view_every_time(client, built_calls):
    for _ in range(2):
        r = client.get("/api/v1/sites/nosuchsite/banner")
        assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    assert client.get(BANNER).status_code == 200


def _tiny_app(calls: list[str]) -> Flask:
    app = Flask(__name__)

    @app.get("/kept")
    @replayable()
    def kept():
        calls.append("kept")
        return "same for everyone", {"Cache-Control": "public, max-age=60"}

    @app.get("/cookie")
    @replayable()
    def cookie():
        calls.append("cookie")
        response = make_response("with a cookie", {"Cache-Control": "public, max-age=60"})
        response.set_cookie("session", "personal")
        return response

    @app.get("/fails")
    @replayable()
    def fails():
        calls.append("fails")
        return "not now", 503, {"Cache-Control": "public, max-age=60"}

    @app.get("/private")
    @replayable()
    def private():
        calls.append("private")
        response = make_response("for one visitor")
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/plain")
    def plain():
        calls.append("plain")
        return "not marked"

    return app


def test_only_marked_successful_answers_without_a_cookie_are_kept():
    calls: list[str] = []
    app = _tiny_app(calls)
    app.wsgi_app = Replay(app.wsgi_app)  # type: ignore[method-assign]
    client = app.test_client()
    for path in ("/kept", "/cookie", "/fails", "/private", "/plain"):
        for _ in range(3):
            client.get(path)
    assert calls.count("kept") == 1
    assert all(calls.count(view) == 3 for view in ("cookie", "fails", "private", "plain"))
    assert client.get("/cookie").headers["Set-Cookie"].startswith("session=personal")
    client.head("/kept")
    assert calls.count("kept") == 2  # only GET is replayed


def test_memory_is_bounded_whatever_query_strings_clients_make_up():
    calls: list[str] = []
    app = _tiny_app(calls)
    replay = Replay(app.wsgi_app, limit=4)
    app.wsgi_app = replay  # type: ignore[method-assign]
    client = app.test_client()
    for i in range(20):
        assert client.get(f"/kept?junk={i}").data == b"same for everyone"
    assert len(replay._answers) == 4 and calls.count("kept") == 20
    client.get("/kept?junk=19")  # among the four newest: still kept
    client.get("/kept?junk=0")  # long gone: answered by the view again
    assert calls.count("kept") == 21
