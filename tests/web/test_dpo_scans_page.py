"""The DPO's "Scans" page: each site's latest scan, its open findings by severity with their
evidence, the history of scans, one scan's page; signed-in DPOs only."""

from __future__ import annotations

import re

from rights_support import staff_token
from sqlalchemy.orm import Session

from consent_gateway import scan
from consent_gateway.db import utcnow

PAGE = "https://www.mcs-et-associes.fr/"


def sign_in(client, token: str) -> None:
    form = client.get("/dpo/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/dpo/sign-in", data={"token": token, "csrf_token": csrf}).status_code == 302


def record(app, *findings: scan.Finding) -> int:
    with Session(app.extensions["db_engine"]) as session:
        return scan.record_scan(session, "mcs", [PAGE], full=True, started_at=utcnow(), duration_ms=4200,
                                findings=list(findings)).id


def finding(kind: str, subject: str, state: str, **extra) -> scan.Finding:
    f = scan.Finding(kind, "cookie", subject, f"message about {subject}", **extra)
    f.seen(PAGE, state)
    return f


def test_the_scans_page_shows_open_findings_by_severity_and_the_history(app, client):
    first = record(app, finding("violation", "_ga", "before", vendor_id="google_analytics"))
    second = record(app, finding("undeclared", "_hjid", "accepted",
                                 known={"platform": "Hotjar", "category": "Analytics",
                                        "description": "Hotjar cookie.", "retention": "365 days"}))
    assert client.get("/dpo/scans/").status_code == 302  # sign-in first
    token, _ = staff_token(app)
    sign_in(client, token)
    page = client.get("/dpo/scans/?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/dpo/scans/"' in html  # the workspace's navigation links it
    mcs = html.split('id="scans-mcs"')[1].split("<section")[0]
    assert "Open findings: 0 high, 1 medium, 0 low." in mcs
    assert "No vendor of the site declares _hjid (Hotjar)." in mcs
    assert "Hotjar (Analytics): Hotjar cookie." in mcs
    assert "_ga (Google Analytics)" not in mcs.split("Recent scans")[0]  # resolved by the second scan
    assert f'href="/dpo/scans/mcs/{first}"' in mcs and f'href="/dpo/scans/mcs/{second}"' in mcs
    assert "Never scanned." in html.split('id="scans-demo"')[1].split("<section")[0]

    detail = client.get(f"/dpo/scans/mcs/{second}?lang=en").get_data(as_text=True)
    assert "1 new, 1 resolved; open violations: 0." in detail
    assert "Resolved" in detail and "Violation (before a choice or after a refusal)" in detail
    assert "after accepting all" in detail and PAGE in detail
    assert "_ga (Google Analytics) is used without consent." in detail
    french = client.get(f"/dpo/scans/mcs/{second}?lang=fr").get_data(as_text=True)
    assert "après avoir tout accepté" in french
    assert "_ga (Google Analytics) est utilisé sans consentement." in french
    assert "Aucun partenaire du site ne déclare _hjid (Hotjar)." in french


def test_a_scan_of_another_site_or_none_is_a_404_page(app, client):
    scan_id = record(app)
    token, _ = staff_token(app)
    sign_in(client, token)
    assert client.get(f"/dpo/scans/demo/{scan_id}").status_code == 404
    assert client.get("/dpo/scans/mcs/99999").status_code == 404
    assert client.get(f"/dpo/scans/mcs/{scan_id}").status_code == 200
