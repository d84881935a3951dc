"""The figures as CSV: one line per group, the same numbers as the JSON (suppressed cells empty);
every cell through ``spreadsheet.csv_writer``, so no key a visitor influenced opens as a formula."""

from __future__ import annotations

import io
from typing import Any

from consent_gateway.consent.decisions import ACTIONS
from consent_gateway.spreadsheet import csv_writer

HIDDEN = "(hidden)"


def stats_csv(report: dict[str, Any]) -> str:
    """``report`` (from ``consent_stats``) as CSV text, with a last ``total`` line."""
    out = io.StringIO()
    writer = csv_writer(out)
    group = report["group_by"]
    if group in ("purpose", "vendor"):
        extra = ["purpose"] if group == "vendor" else []
        writer.writerow([group, *extra, "decisions", "granted", "opt_in_rate", "suppressed"])
        for row in report["rows"]:
            writer.writerow([row["key"], *(row[c] for c in extra), _cell(row["decisions"]),
                             _cell(row["granted"]), _cell(row["opt_in_rate"]), int(row["suppressed"])])
        return out.getvalue()
    purposes = [p["id"] for p in report["purposes"]]
    periods = group in ("day", "week", "month")
    writer.writerow([group, *(["partial"] if periods else []), "decisions", *ACTIONS,
                     *(f"opt_in_{p}" for p in purposes), "gpc_share", "impressions", "no_choice",
                     "response_rate", "median_ms", "suppressed"])
    for key, figures in [*((r["key"], r) for r in report["rows"]), ("total", report["totals"])]:
        actions = figures["actions"]
        opt_in = figures["opt_in"]
        writer.writerow([
            # The hidden groups of a breakdown share one row, with no key.
            HIDDEN if key is None else key,
            *([int(figures.get("partial", False))] if periods else []),
            _cell(figures["decisions"]), *(_cell(actions.get(a)) for a in ACTIONS),
            *(_cell(opt_in.get(p)) for p in purposes), _cell(figures["gpc_share"]),
            _cell(figures["impressions"]), _cell(figures["no_choice"]), _cell(figures["response_rate"]),
            _cell(figures["median_ms"]), int(figures["suppressed"]),
        ])
    return out.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
