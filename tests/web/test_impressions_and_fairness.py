"""Anonymous impressions (rate-limited per client and per network), the fairness audit, the ui
field, the catch-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session
from stats_support import CHROME, today

from consent_gateway.cli import main
from consent_gateway.staff import create_token
from consent_gateway.stats.demo import seed_decisions

DEMO = "http://127.0.0.1:8000"



@pytest.fixture
def dpo(db_session):
    return {"Authorization": f"Bearer {create_token(db_session, 'dpo', 'Jeanne DPO')}"}


def _impression(client, origin=DEMO, ip="10.1.0.1", site="demo"):
    return client.post(f"/api/v1/sites/{site}/impressions", headers={"Origin": origin},
                       environ_base={"REMOTE_ADDR": ip})


def test_an_impression_is_counted_with_no_identifier_and_no_cookie(client, db_session, poster, dpo):
    for i in range(10):
        r = _impression(client, ip=f"10.1.0.{i + 1}")
        assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == DEMO
        assert "Set-Cookie" not in r.headers
    rows = db_session.execute(text("SELECT * FROM banner_impression_daily")).mappings().all()
    assert [dict(row) for row in rows] == [{"day": rows[0]["day"], "site_id": "demo", "impressions": 10}]
    for _ in range(6):
        poster("demo", "accept_all")
    report = client.get("/api/v1/stats/consents?site=demo", headers=dpo).get_json()
    assert report["totals"]["impressions"] == 10 and report["totals"]["response_rate"] == 0.6
    assert _impression(client, origin="https://evil.example").status_code == 403
    assert _impression(client, site="nowhere").status_code == 404


def test_a_flood_fills_only_its_own_networks_bucket_and_everyone_else_is_still_counted(app, client):
    app.config["IMPRESSIONS_PER_NETWORK"] = "5/minute"
    for i in range(5):  # many addresses of one network, under the per-client limit each
        assert _impression(client, ip=f"10.2.0.{i + 1}").status_code == 204
    limited = _impression(client, ip="10.2.0.99")
    assert limited.status_code == 429
    assert limited.headers["Access-Control-Allow-Origin"] == DEMO  # the banner can read why
    # Visitors elsewhere, whatever origin they come from, are still counted: no bucket is the site's.
    for ip in ("10.3.0.1", "192.0.2.7", "2001:db8:1::1"):
        assert _impression(client, ip=ip).status_code == 204
    assert _impression(client, origin="http://localhost:8000", ip="10.4.0.1").status_code == 204
    for i in range(5):  # an IPv6 flood is one /48, whatever the addresses inside it
        assert _impression(client, ip=f"2001:db8:2:{i:x}::1").status_code == 204
    assert _impression(client, ip="2001:db8:2:ffff::9").status_code == 429
    assert _impression(client, ip="2001:db8:3::1").status_code == 204
    # Each site counts apart.
    assert _impression(client, site="mcs", ip="10.2.0.99").status_code == 204


def test_one_client_cannot_inflate_the_count_alone(app, client):
    app.config["IMPRESSIONS_PER_CLIENT"] = "3/minute"
    assert [_impression(client).status_code for _ in range(4)] == [204, 204, 204, 429]
    assert _impression(client, ip="10.3.0.2").status_code == 204


def test_the_ui_field_is_checked_and_kept(client, db_session, poster, demo_banner, post_consent):
    poster("demo", "reject_all", ui={"layer": "preferences", "ms": 99_999_999})
    row = db_session.execute(text("SELECT ui_layer, ui_ms FROM consent_event")).one()
    assert row == ("preferences", 3_600_000)  # kept, capped at an hour
    for ui, field in (({"layer": "modal", "ms": 1}, "ui.layer"), ({"layer": "first", "ms": -1}, "ui.ms"),
                      ({"layer": "first", "ms": "5"}, "ui.ms"), ({"layer": "first", "x": 1}, "x")):
        r = post_consent("reject_all", ui=ui)
        assert r.status_code == 400 and r.get_json()["field"] == field


def _decide(poster, site, action, layer, ms, n):
    for _ in range(n):
        poster(site, action, ui={"layer": layer, "ms": ms}, ua=CHROME)


def test_fairness_flags_a_site_where_refusing_takes_more_steps_and_time(client, poster, dpo):
    _decide(poster, "iqera", "accept_all", "first", 1800, 6)
    _decide(poster, "iqera", "reject_all", "preferences", 9000, 6)   # unfair: hidden refusal
    _decide(poster, "mcs", "accept_all", "first", 2100, 6)
    _decide(poster, "mcs", "reject_all", "first", 2200, 5)           # fair: same layer, same time
    _decide(poster, "mcs", "reject_all", "close", 1000, 1)
    audit = {a["site"]: a for a in client.get("/api/v1/stats/consents", headers=dpo).get_json()["fairness"]}
    assert audit["iqera"]["flags"] == ["more_steps_to_refuse", "longer_to_refuse"]
    assert audit["iqera"]["refuse_first_layer_share"] == 0.0
    assert audit["iqera"]["accept_first_layer_share"] == 1.0
    assert audit["iqera"]["refuse_median_ms"] > audit["iqera"]["accept_median_ms"]
    assert audit["mcs"]["flags"] == [] and audit["mcs"]["refuse_first_layer_share"] == 1.0
    assert audit["portail"] == {"site": "portail", "flags": [], "enough_data": False}


def test_rebuild_recounts_from_the_raw_events_and_is_idempotent(app, sites, settings, monkeypatch, poster):
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        seed_decisions(session, sites, 800, days=10, seed=5)
    for _ in range(3):
        poster("demo", "custom", choices={p.id: True for p in sites.site_purposes(sites.sites["demo"])
                                          if p.consent_based and not p.required},
               ui={"layer": "preferences", "ms": 5000})
    monkeypatch.setenv("CONSENT_GATEWAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONSENT_GATEWAY_SITES", str(settings.sites_path))
    query = "SELECT * FROM consent_daily ORDER BY dimension, day, site_id, value, action, purpose"
    with engine.connect() as conn:
        seeded = conn.execute(text(query)).all()
    # The three decisions wait in the backlog until the figures are read, or cron counts them.
    for counted in (3, 0):
        result = CliRunner().invoke(main, ["stats", "catch-up"])
        assert result.exit_code == 0 and f"counted {counted} decision(s)" in result.output, result.output
    with engine.connect() as conn:
        before = conn.execute(text(query)).all()
        assert conn.execute(text("SELECT count(*) FROM stats_backlog")).scalar() == 0
    assert before != seeded
    start = (today() - timedelta(days=12)).isoformat()
    for _ in range(2):
        result = CliRunner().invoke(main, ["stats", "rebuild", "--from", start])
        assert result.exit_code == 0, result.output
        assert "recounted 803 event(s)" in result.output
        with engine.connect() as conn:
            assert conn.execute(text(query)).all() == before
    shown = CliRunner().invoke(main, ["stats", "--site", "demo", "--group-by", "layer"])
    assert shown.exit_code == 0 and "preferences" in shown.output and "layer" in shown.output


def test_a_rebuild_counts_the_backlog_of_its_period_once(app, sites, settings, monkeypatch, poster):
    engine = app.extensions["db_engine"]
    for _ in range(2):
        poster("demo", "accept_all")
    monkeypatch.setenv("CONSENT_GATEWAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONSENT_GATEWAY_SITES", str(settings.sites_path))
    result = CliRunner().invoke(main, ["stats", "rebuild", "--from", today().isoformat()])
    assert result.exit_code == 0 and "recounted 2 event(s)" in result.output, result.output
    # Counted by the rebuild, the two decisions left the backlog: a catch-up adds nothing.
    result = CliRunner().invoke(main, ["stats", "catch-up"])
    assert result.exit_code == 0 and "counted 0 decision(s)" in result.output, result.output
    with engine.connect() as conn:
        total = conn.execute(text("SELECT sum(decisions) FROM consent_daily WHERE dimension = 'all' "
                                  "AND purpose = '' AND site_id = 'demo'")).scalar()
    assert total == 2
