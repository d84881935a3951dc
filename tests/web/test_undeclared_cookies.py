"""Undeclared cookies: banners on declared origins report names only, declared names (wildcards
too) are ignored, repeated names are counted on one row, and only a DPO reads the list."""

from __future__ import annotations

import json
import re

import pytest
from rights_support import staff_token
from sqlalchemy import text

DEMO = "http://127.0.0.1:8000"
URL = "/api/v1/sites/demo/undeclared-cookies"


def report(client, names, *, origin: str = DEMO, site: str = "demo", plain: bool = False):
    path = f"/api/v1/sites/{site}/undeclared-cookies"
    if plain:  # what navigator.sendBeacon and a no-preflight fetch send
        return client.post(path, data=json.dumps({"names": names}), content_type="text/plain",
                           headers={"Origin": origin})
    return client.post(path, json={"names": names}, headers={"Origin": origin})


def listing(client, token: str, site: str = "demo"):
    return client.get(f"/api/v1/sites/{site}/undeclared-cookies",
                      headers={"Authorization": f"Bearer {token}"})


def test_a_report_keeps_only_undeclared_names_and_the_dpo_reads_them(app, client):
    r = report(client, ["_hjid", "iq_consent", "demo_analytics", "_hjid", "sessionid"], plain=True)
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Access-Control-Allow-Origin"] == DEMO
    token, _ = staff_token(app)
    body = listing(client, token).get_json()
    assert body["site"] == "demo"
    assert {c["name"]: c["reports"] for c in body["cookies"]} == {"_hjid": 1, "sessionid": 1}
    assert set(body["cookies"][0]) == {"name", "first_seen", "last_seen", "reports", "database"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["cookies"][0]["first_seen"])


def test_the_same_name_reported_again_is_counted_on_its_row_newest_first(app, client, db_session):
    assert report(client, ["_hjid"]).status_code == 204
    assert report(client, ["_hjid", "_clck"]).status_code == 204
    db_session.execute(text(
        "UPDATE undeclared_cookie SET last_seen = '2020-01-01 00:00:00' WHERE name = '_clck'"))
    db_session.commit()
    token, _ = staff_token(app, "admin", "Alex Admin")
    cookies = listing(client, token).get_json()["cookies"]
    assert [(c["name"], c["reports"]) for c in cookies] == [("_hjid", 2), ("_clck", 1)]
    assert cookies[0]["first_seen"] <= cookies[0]["last_seen"]


def test_wildcard_declarations_are_honoured(app, client):
    assert report(client, ["_ga", "_ga_ABC123", "_pk_id.1.abcd", "_gid"], site="vendorsite",
                  origin="http://localhost:47810").status_code == 204
    token, _ = staff_token(app)
    names = [c["name"] for c in listing(client, token, "vendorsite").get_json()["cookies"]]
    assert names == ["_gid"]


@pytest.mark.parametrize("body", [
    {"names": []},
    {"names": "sessionid"},
    {"names": ["ok", 3]},
    {"names": ["has space"]},
    {"names": ["semi;colon"]},
    {"names": ["x" * 129]},
    {"names": [f"c{i}" for i in range(51)]},
    {"names": ["é"]},
])
def test_anything_but_a_list_of_cookie_names_is_refused_naming_names(client, body):
    r = client.post(URL, json=body, headers={"Origin": DEMO})
    assert r.status_code == 400
    assert r.get_json()["field"] == "names"
    assert r.headers["Access-Control-Allow-Origin"] == DEMO


def test_values_or_other_keys_are_refused(client):
    r = client.post(URL, json={"names": ["a"], "values": {"a": "secret"}}, headers={"Origin": DEMO})
    assert r.status_code == 400 and r.get_json()["field"] == "values"


def test_only_declared_origins_report_and_preflight(client):
    r = report(client, ["_hjid"], origin="https://evil.example")
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    assert client.post(URL, json={"names": ["a"]}).status_code == 403
    ok = client.options(URL, headers={"Origin": DEMO, "Access-Control-Request-Method": "POST"})
    assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Origin"] == DEMO
    assert report(client, ["a"], site="nowhere").status_code == 404


def test_the_list_needs_a_dpo_or_admin_token(app, client):
    assert client.get(URL).status_code == 401
    assert listing(client, "iqcg_not-a-token").status_code == 401
    marketing, _ = staff_token(app, "marketing", "Marie Marketing")
    assert listing(client, marketing).status_code == 403
    dpo, _ = staff_token(app)
    assert listing(client, dpo).status_code == 200
    assert listing(client, dpo, "nowhere").status_code == 404


def test_reports_are_rate_limited(make_app):
    client = make_app(ratelimit_enabled=True).test_client()
    answers = [report(client, ["_hjid"]).status_code for _ in range(11)]
    assert answers[:10] == [204] * 10 and answers[10] == 429


def test_the_dpo_workspace_lists_them_per_site(app, client):
    report(client, ["_hjid"])
    token, _ = staff_token(app)
    page = client.get("/dpo/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/dpo/sign-in", data={"token": token, "csrf_token": csrf}).status_code == 302
    fr = client.get("/dpo/cookies").get_data(as_text=True)
    assert "<h1>Cookies non déclarés</h1>" in fr
    demo = fr[fr.index('id="site-demo"'):fr.index('id="site-iqera"')]
    assert "<code>_hjid</code>" in demo and "<td>1</td>" in demo
    assert "Aucun cookie non déclaré signalé." in fr[fr.index('id="site-iqera"'):]
    en = client.get("/dpo/cookies?lang=en").get_data(as_text=True)
    assert "<h1>Undeclared cookies</h1>" in en and "No undeclared cookie reported." in en


def test_each_reported_cookie_is_named_from_the_open_cookie_database(app, client):
    assert report(client, ["_hjid", "not_in_any_database_x"]).status_code == 204
    token, _ = staff_token(app)
    cookies = {c["name"]: c for c in listing(client, token).get_json()["cookies"]}
    hotjar = cookies["_hjid"]["database"]
    assert hotjar["platform"] == "Hotjar" and hotjar["category"] == "Analytics"
    assert hotjar["description"] and hotjar["retention"]
    assert cookies["not_in_any_database_x"]["database"] is None
    # The DPO's page reads the same list, with the same words.
    form = client.get("/dpo/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/dpo/sign-in", data={"token": token, "csrf_token": csrf}).status_code == 302
    page = client.get("/dpo/cookies").get_data(as_text=True)
    assert "Hotjar (Analytics): Hotjar cookie." in page
