"""`demo seed` writes no decision dated after the moment it runs: `ledger seal` stops at the first
event it cannot seal yet, so one decision "later today" left the rest of a seed unsealed."""

from __future__ import annotations

from datetime import UTC, datetime

from consent_gateway.declaration import load_sites
from consent_gateway.settings import PROJECT_ROOT
from consent_gateway.stats.demo import EVENT_COLUMNS, SETTLED, SyntheticDecisions


def test_no_synthetic_decision_is_dated_after_now_even_early_in_the_day() -> None:
    sites = load_sites(PROJECT_ROOT / "tests" / "fixtures" / "sites.yaml")
    now = datetime(2026, 12, 5, 0, 42, 10, tzinfo=UTC)  # today has 42 minutes so far
    synthetic = SyntheticDecisions(sites, days=2, seed=3, now=now)
    at = EVENT_COLUMNS.index("created_at")
    times = [datetime.fromisoformat(row[at]).replace(tzinfo=UTC)
             for rows in synthetic.batches(5000) for row in rows]
    assert max(times) <= now - SETTLED
    assert any(t.date() == now.date() for t in times)  # today still gets its share
    assert min(times).date() == datetime(2026, 12, 4).date()
