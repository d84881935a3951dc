"""``GET /api/v1/sites/<site>/scans`` and ``/scans/<id>``: a DPO reads the stored tracker scans,
their findings and their evidence; a finding that a later full scan no longer sees is resolved,
a partial scan resolves nothing; ``/metrics`` counts the open violations per site."""

from __future__ import annotations

from datetime import timedelta

from openapi_support import assert_documented
from rights_support import staff_token
from sqlalchemy.orm import Session

from consent_gateway import scan
from consent_gateway.db import utcnow

PAGE = "https://www.mcs-et-associes.fr/"


def _finding(kind: str, subject: str, state: str = "before") -> scan.Finding:
    finding = scan.Finding(
        kind,
        "cookie",
        subject,
        f"{kind} {subject}",
        vendor_id="google_analytics",
        evidence={"domain": "www.mcs-et-associes.fr", "lifetime_days": 30.0},
    )
    finding.seen(PAGE, state)
    return finding


def _record(app, findings: list[scan.Finding], *, full: bool = True, site: str = "mcs", minutes: int = 0):
    with Session(app.extensions["db_engine"]) as session:
        return scan.record_scan(
            session,
            site,
            [PAGE],
            full=full,
            started_at=utcnow() + timedelta(minutes=minutes),
            duration_ms=1234,
            findings=findings,
        ).id


def _get(client, token: str, path: str):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_dpo_reads_the_scans_their_findings_and_what_was_resolved(app, client):
    first = _record(app, [_finding("violation", "_ga"), _finding("undeclared", "_hjid", "accepted")])
    second = _record(app, [_finding("undeclared", "_hjid", "accepted")], minutes=1)
    token, _ = staff_token(app)

    listing = _get(client, token, "/api/v1/sites/mcs/scans")
    assert listing.status_code == 200
    body = listing.get_json()
    assert_documented("/api/v1/sites/{site_id}/scans", "GET", 200, body)
    assert [s["id"] for s in body["scans"]] == [second, first]
    assert (
        body["scans"][0]["summary"]["resolved"] == 1 and body["scans"][0]["summary"]["open_violations"] == 0
    )
    assert [(f["kind"], f["subject"], f["status"]) for f in body["open"]] == [("undeclared", "_hjid", "open")]

    detail = _get(client, token, f"/api/v1/sites/mcs/scans/{second}")
    assert detail.status_code == 200
    report = detail.get_json()
    assert_documented("/api/v1/sites/{site_id}/scans/{scan_id}", "GET", 200, report)
    found = {f["subject"]: f for f in report["findings"]}
    assert found["_ga"]["status"] == "resolved" and found["_ga"]["resolved_scan"] == second
    assert found["_hjid"]["status"] == "open" and found["_hjid"]["first_scan"] == first
    assert found["_hjid"]["evidence"]["pages"] == [PAGE] and found["_hjid"]["evidence"]["states"] == [
        "accepted"
    ]

    older = _get(client, token, f"/api/v1/sites/mcs/scans/{first}").get_json()
    assert {f["subject"]: f["status"] for f in older["findings"]} == {"_ga": "new", "_hjid": "new"}


def test_a_partial_scan_resolves_nothing(app, client):
    _record(app, [_finding("violation", "_ga")])
    partial = _record(app, [], full=False, minutes=1)
    token, _ = staff_token(app)
    body = _get(client, token, f"/api/v1/sites/mcs/scans/{partial}").get_json()
    assert body["summary"]["open_violations"] == 1 and body["summary"]["resolved"] == 0
    assert body["findings"] == []


def test_scans_need_a_dpo_token_and_name_only_the_site_s_own_scans(app, client):
    scan_id = _record(app, [_finding("violation", "_ga")])
    assert client.get("/api/v1/sites/mcs/scans").status_code == 401
    marketing, _ = staff_token(app, "marketing", "Marie Marketing")
    refused = _get(client, marketing, "/api/v1/sites/mcs/scans")
    assert refused.status_code == 403 and refused.get_json()["error"]
    token, _ = staff_token(app)
    assert _get(client, token, "/api/v1/sites/nowhere/scans").status_code == 404
    other = _get(client, token, f"/api/v1/sites/demo/scans/{scan_id}")
    assert other.status_code == 404 and other.get_json()["error"] == "not_found"
    assert _get(client, token, "/api/v1/sites/mcs/scans/999999").status_code == 404
    assert _get(client, token, "/api/v1/sites/demo/scans").get_json() == {
        "site": "demo",
        "scans": [],
        "open": [],
    }


def test_metrics_count_open_violations_per_site(make_app):
    app = make_app(metrics_token="m" * 32)
    client = app.test_client()
    _record(app, [_finding("violation", "_ga"), _finding("violation", "_fbp"), _finding("undeclared", "x")])
    _record(app, [], site="demo")
    text = client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 32}).get_data(as_text=True)
    assert 'gateway_scan_open_violations{site="mcs"} 2.0' in text
    assert 'gateway_scan_open_violations{site="demo"} 0.0' in text
