"""/metrics: Prometheus text for operations, behind a bearer token; requests by route (the URL
rule, never the path), decisions by site and action, contact fields by purpose, database errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from contact_support import DEMO_ORIGIN, PERSON, submit
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

TOKEN = "metrics-token-" + "m" * 32


@pytest.fixture
def metered(make_app):
    app = make_app(metrics_token=TOKEN)
    return app, app.test_client()


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_not_served_without_a_token(client):
    r = client.get("/metrics")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x",
                                    "Bearer"])
def test_metrics_need_the_bearer_token(metered, header):
    _, client = metered
    r = client.get("/metrics", headers={"Authorization": header} if header else {})
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in r.get_data(as_text=True)


def test_a_short_metrics_token_refuses_to_start(settings):
    from consent_gateway.errors import ConfigurationError
    from consent_gateway.settings import check

    with pytest.raises(ConfigurationError) as info:
        check(replace(settings, metrics_token="short"))
    assert "CONSENT_GATEWAY_METRICS_TOKEN" in info.value.message


def test_decisions_and_requests_are_counted_by_site_action_and_route(metered):
    app, client = metered
    banner = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()
    before = scrape(client)
    body = {"action": "reject_all", "choices": {}, "lang": "fr", "policy_version": banner["policy_version"],
            "config_hash": banner["config_hash"]}
    for _ in range(2):
        r = client.post("/api/v1/sites/demo/consents", json=body, headers={"Origin": DEMO_ORIGIN})
        assert r.status_code == 201
    token = client.post("/api/v1/sites/demo/consents", json={**body, "action": "accept_all"},
                        headers={"Origin": DEMO_ORIGIN}).get_json()["token"]
    client.get(f"/privacy/demo/receipts/{token}")
    after = scrape(client)
    decided = "gateway_consent_decisions_total"
    assert value(after, decided, site="demo", action="reject_all") - value(before, decided, site="demo",
                                                                             action="reject_all") == 2
    assert value(after, decided, site="demo", action="accept_all") - value(before, decided, site="demo",
                                                                             action="accept_all") == 1
    route = "/api/v1/sites/<site_id>/consents"
    requests = "gateway_http_requests_total"
    assert value(after, requests, method="POST", route=route, status="201") - value(
        before, requests, method="POST", route=route, status="201") == 3
    latency = "gateway_http_request_duration_seconds_count"
    assert value(after, latency, method="POST", route=route) - value(before, latency, method="POST",
                                                                     route=route) == 3
    assert not any(token in dict(labels).get("route", "") for _, labels in after)
    page = "/privacy/<site_id>/receipts/<token>"
    assert value(after, requests, method="GET", route=page, status="200") >= 1


def test_contact_fields_are_counted_by_purpose_stored_or_dropped_never_by_value(metered):
    _, client = metered
    before = scrape(client)
    r = submit(client, {**PERSON, "favourite_colour": "blue"})
    assert r.status_code == 201
    after = scrape(client)
    fields = "gateway_contact_fields_total"

    def moved(**labels: str) -> float:
        return value(after, fields, **labels) - value(before, fields, **labels)

    stored = [k for k in after if k[0] == fields and dict(k[1])["outcome"] == "stored"]
    assert sum(moved(**dict(labels)) for _, labels in stored) == len(r.get_json()["stored"])
    assert moved(site="demo", purpose="undeclared", outcome="dropped", reason="undeclared") == 1
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert "favourite_colour" not in text and "blue" not in text and PERSON["email"] not in text


def test_database_errors_are_counted(metered, monkeypatch):
    app, client = metered
    from consent_gateway import workflows

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    # A new visitor's decision is written by the worker's group commit, a returning one's alone.
    monkeypatch.setattr(workflows, "record_decision", down)
    monkeypatch.setattr(workflows.DecisionBatches, "_write", down)
    banner = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()
    before = scrape(client)
    r = client.post("/api/v1/sites/demo/consents", headers={"Origin": DEMO_ORIGIN}, json={
        "action": "reject_all", "choices": {}, "lang": "fr", "policy_version": banner["policy_version"],
        "config_hash": banner["config_hash"]})
    assert r.status_code in (500, 503)
    after = scrape(client)
    route = "/api/v1/sites/<site_id>/consents"
    errors = "gateway_database_errors_total"
    kind = "unavailable" if r.status_code == 503 else "OperationalError"
    assert value(after, errors, route=route, kind=kind) - value(before, errors, route=route, kind=kind) == 1


def test_gunicorn_hooks_empty_the_folder_at_start_and_forget_dead_workers(tmp_path, monkeypatch):
    from consent_gateway.web.platform import metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name in ("counter_11.db", "histogram_11.db", "gauge_livesum_12.db", "gauge_all_12.db"):
        (tmp_path / name).write_bytes(b"")
    metrics.child_exit(None, type("Worker", (), {"pid": 12})())
    assert sorted(f.name for f in tmp_path.iterdir()) == ["counter_11.db", "gauge_all_12.db",
                                                          "histogram_11.db"]
    metrics.on_starting(None)
    assert list(tmp_path.iterdir()) == []
