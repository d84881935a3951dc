"""Hostile input never gets a 500: deep nesting, lone surrogates, odd numbers, racing duplicates,
and a seeded fuzz of every JSON write endpoint (bodies and headers)."""

from __future__ import annotations

import json
import random
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from contact_support import DEMO_ORIGIN, PERSON, decide
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from consent_gateway.contact import PurposeObjection, record_objection
from consent_gateway.contact import objections as objections_module

SURROGATE = '"\\ud800"'  # as the JSON escape: json.loads turns it into a lone surrogate
WRITE_ENDPOINTS = (
    "/api/v1/sites/demo/consents",
    "/api/v1/sites/demo/contact",
    "/api/v1/sites/demo/objections",
    "/api/v1/receipts/verify",
)


def post_raw(client, path: str, data: bytes | str, **headers):
    return client.post(path, data=data, headers={"Origin": DEMO_ORIGIN, "Content-Type": "application/json",
                                                 **headers})


def assert_error_shape(r, status: int | None = None) -> dict:
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    if status is not None:
        assert r.status_code == status, r.get_data(as_text=True)[:300]
    body = r.get_json()
    assert isinstance(body, dict) and isinstance(body["error"], str) and isinstance(body["message"], str)
    assert set(body) <= {"error", "message", "field", "errors"}
    return body


@pytest.mark.parametrize("path", WRITE_ENDPOINTS)
def test_json_nested_5000_deep_is_a_400(client, path):
    # 5,000 deep fits in the 16 KiB of a consent body; 2,500 objects deep too.
    for deep in ("[" * 5000 + "]" * 5000, '{"a":' * 2500 + "1" + "}" * 2500, "[" * 40 + "]" * 40):
        body = assert_error_shape(post_raw(client, path, deep), 400)
        assert body["error"] == "malformed_json" and "deeper than 32" in body["message"]


@pytest.mark.parametrize("path", WRITE_ENDPOINTS)
@pytest.mark.parametrize("where", ["key", "value", "token", "nested"])
def test_a_lone_surrogate_anywhere_is_a_400(client, path, where):
    s = SURROGATE
    data = {
        "key": f'{{{s}: 1}}',
        "value": f'{{"action": {s}, "fields": {{"surname": {s}}}, "purpose": {s}}}',
        "token": f'{{"token": {s}, "consent_token": {s}, "previous_token": {s}}}',
        "nested": f'{{"choices": {{"x": [{s}]}}, "fields": {{"email": ["a", {s}]}}}}',
    }[where]
    body = assert_error_shape(post_raw(client, path, data), 400)
    assert body["error"] == "malformed_json" and "surrogate" in body["message"]


def test_a_surrogate_pair_is_text_and_accepted(client):
    r = post_raw(client, WRITE_ENDPOINTS[1], json.dumps({"fields": {**PERSON, "message": "Merci 😀"}}))
    assert r.status_code == 201, r.get_json()


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN", "Infinity", "9" * 5000, "9007199254740993"])
def test_numbers_json_cannot_carry_faithfully_are_a_400(client, number):
    r = post_raw(client, WRITE_ENDPOINTS[0], f'{{"ui": {{"layer": "first", "ms": {number}}}}}')
    assert assert_error_shape(r, 400)["error"] == "malformed_json"


def test_a_name_twice_in_one_object_is_a_400(client):
    r = post_raw(client, WRITE_ENDPOINTS[0], '{"action": "accept_all", "action": "withdraw"}')
    assert assert_error_shape(r, 400)["error"] == "malformed_json"


def test_identical_objections_sent_together_are_recorded_once(app, live_server, db_session):
    token, visitor = decide(app, "demo", "reject_all")
    body = json.dumps({"consent_token": token, "purpose": "contact_request", "kind": "objection"}).encode()
    start = threading.Barrier(4)

    def _send(_: int) -> int:
        request = urllib.request.Request(f"{live_server}/api/v1/sites/demo/objections", data=body,
                                         headers={"Origin": DEMO_ORIGIN, "Content-Type": "application/json"})
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(_send, range(4)))
    assert statuses == [200, 200, 200, 201]
    db_session.rollback()
    rows = db_session.scalars(select(PurposeObjection)).all()
    assert [(r.visitor_id, r.kind) for r in rows] == [(visitor, "objection")]


def test_two_identical_objections_at_the_same_instant_both_succeed_once(app, client, db_session,
                                                                      monkeypatch):
    """Were two identical objections ever to pass the "already objected?" check together (the
    visitor lock normally queues them; it is taken out here to stage the race in one thread), the
    unique constraint refuses the second row, and that request answers 200 with the first one's."""
    monkeypatch.setattr(objections_module, "lock_visitor", lambda *_args: None)
    token, visitor = decide(app, "demo", "reject_all")
    body = {"consent_token": token, "purpose": "contact_request", "kind": "objection"}
    gw = app.extensions["gateway"]
    engine = app.extensions["db_engine"]
    raced = []

    def _the_other_request_commits_first(conn, cursor, statement, *_args):
        if statement.startswith("INSERT INTO purpose_objection") and not raced:
            raced.append(True)
            with Session(engine) as other:
                record_objection(other, gw.sites, gw.signer, gw.sites.sites["demo"], dict(body))

    event.listen(engine, "before_cursor_execute", _the_other_request_commits_first)
    try:
        r = client.post("/api/v1/sites/demo/objections", headers={"Origin": DEMO_ORIGIN}, json=body)
    finally:
        event.remove(engine, "before_cursor_execute", _the_other_request_commits_first)
    assert raced, "the race was not staged"
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["visitor_id"] == visitor and r.get_json()["kind"] == "objection"
    rows = db_session.scalars(select(PurposeObjection)).all()
    assert len(rows) == 1


# --- the fuzz: deterministic, a few hundred hostile requests ------------------------------------

STRINGS = ["", " ", "\x00", "a" * 5000, "😀", "é", "<script>", "../../etc/passwd", "' OR 1=1 --",
           "accept_all", "custom", "withdraw", "fr", "xx", "demo", "objection", "restriction",
           "contact_request", "audience_measurement", "a.b.c", "..", "eyJ" + "A" * 300, "%00", "\u202e"]
KEYS = ["action", "choices", "policy_version", "config_hash", "lang", "gpc", "ui", "previous_token",
        "visitor_id", "fields", "consent_token", "purpose", "kind", "token", "layer", "ms", "email",
        "surname", "first_name", "message", "website", "__proto__", "", "x" * 300]
RAW = ["", "{", "}", "[", "null", "true", "0", '"x"', "{}", "[]", "{,}", '{"a":}', "\xff\xfe", "\ufeff{}",
       '{"a":1,}', "[" * 33 + "]" * 33, '{"a":"\\ud800"}', '{"\\udfff":1}', '{"a":"\\u0000"}', "1e999",
       '{"a":NaN}', "\x00\x00\x00{", "-", "01", '"\\x41"', '{"a" 1}']


def _value(rng: random.Random, depth: int):
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        return rng.choice([rng.choice(STRINGS), rng.randint(-2**63, 2**63), rng.random() * 1e308, None,
                           True, False, 0, -1, 2**53 - 1, 1.5])
    if roll < 0.75:
        return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 6))}
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]


def _body(rng: random.Random, token: str) -> bytes:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(RAW).encode("utf-8", "surrogatepass")
    if roll < 0.3:
        body = _value(rng, 0)
    else:
        body = {rng.choice(KEYS): _value(rng, 1) for _ in range(rng.randint(1, 8))}
    if isinstance(body, dict) and rng.random() < 0.3:
        body[rng.choice(["token", "consent_token", "previous_token"])] = rng.choice(
            [token, token[:-1] + "A", token + ".x", token.replace(".", ""), "." * 3])
    text = json.dumps(body, ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.2:  # splice a lone surrogate escape or deep nesting into valid JSON
        text = text.replace('"', rng.choice(['"\\ud83d', '"\\udc00x', '"' + "\\" + "u" + "dbff"]), 1)
    if rng.random() < 0.05:
        text = "[" * rng.randint(33, 3000) + text + "]" * rng.randint(0, 3000)
    return text.encode("utf-8", "surrogatepass")


def _headers(rng: random.Random) -> dict[str, str]:
    headers = {"Origin": rng.choice([DEMO_ORIGIN, "http://localhost:8000", "null", "https://evil.example",
                                     "", "http://127.0.0.1:8000/", "x" * 2000])}
    if rng.random() < 0.5:
        headers["Content-Type"] = rng.choice([
            "application/json", "text/plain;charset=UTF-8", "multipart/form-data; boundary=x",
            "application/json; charset=latin1", "application/x-www-form-urlencoded", ""])
    if rng.random() < 0.3:
        headers["Sec-GPC"] = rng.choice(["1", "0", "yes", "", "1" * 100])
    if rng.random() < 0.3:
        headers["User-Agent"] = rng.choice(["", "Mozilla/5.0 " + "(" * 500, "curl/8", "\t" * 50, "é" * 40])
    if rng.random() < 0.2:
        headers["X-Forwarded-For"] = rng.choice(["not-an-ip", "::1, 1.2.3.4", "999.1.1.1"])
    if rng.random() < 0.1:
        headers["Host"] = rng.choice(["evil.example", "", "a" * 300])
    return headers


def test_fuzz_every_json_write_endpoint_never_answers_5xx(make_app):
    app = make_app(ratelimit_enabled=False)
    client = app.test_client()
    token, _ = decide(app, "demo", "reject_all")
    rng = random.Random(20261120)
    statuses: dict[int, int] = {}
    for _ in range(400):
        path = rng.choice(WRITE_ENDPOINTS)
        data = _body(rng, token)
        r = client.post(path, data=data, headers=_headers(rng))
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code < 500, (path, data[:200], r.status_code, r.get_data(as_text=True)[:300])
        if r.status_code >= 400:
            assert_error_shape(r)
    assert statuses.get(400, 0) > 100, statuses
