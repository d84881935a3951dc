"""The marketing dashboard page at scale (the bar in docs/development.md: 365 days x all sites,
10 million events <= 300 ms).

    .venv/bin/python bench/dashboard_page.py [--events 10000000] [--real-events 100000] [--runs 7]
        [--database-url postgresql+psycopg://…]

Two databases, both timed in this run:

* ``--real-events`` decisions written through ``demo seed`` (raw events and their rollups, the
  path an operator runs), over a year;
* the rollups that ``--events`` decisions over a year produce, written directly: every
  (day, profile) pair of the demo generator counted as ``--events`` uniformly drawn decisions would
  count it, without writing the raw events (ten million raw rows take too long to write on a shared
  2-core machine, and the page never reads them).

For each, the page ``/dashboard?from=<today-364>&to=<today>`` (all sites, by day) is rendered
``--runs`` times through the Flask test client, signed in as marketing; the median is printed next
to a baseline from the same run: the sign-in page of the same app (the same stack, no figure). The
rollup row counts (day rows, and the month rows a long period reads its whole months from) show
that what the page reads is bounded by days x sites x dimensions, not by traffic. With
``--database-url`` the 10M-event rollups are also written to that PostgreSQL database (its public
schema is dropped and recreated!) and timed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway import create_app
from consent_gateway.db import make_engine
from consent_gateway.db.migrate import upgrade
from consent_gateway.declaration import load_sites
from consent_gateway.settings import PROJECT_ROOT, Settings, generate_receipt_key
from consent_gateway.staff import create_token
from consent_gateway.stats.demo import SyntheticDecisions, seed_decisions
from consent_gateway.stats.rollup import add_impressions, insert_rollups


def fresh(url: str) -> None:
    if url.startswith("postgresql"):
        with make_engine(url).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)


def seed_real(url: str, sites, events: int, seed: int) -> None:
    """``events`` decisions through the demo seeder: raw events and rollups."""
    fresh(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_decisions(session, sites, events, days=365, seed=seed, fresh=True)
    engine.dispose()


def seed_rollups(url: str, sites, events: int, seed: int) -> None:
    """The rollups (and impressions) of ``events`` decisions over a year, without the raw events.

    The demo generator draws a day by weight and a profile uniformly for each decision; here each
    day gets its expected share and each profile of the day its equal part (the remainder spread
    at random), which is what ten million draws come to within a few per cent."""
    fresh(url)
    synthetic = SyntheticDecisions(sites, days=365, seed=seed)
    rng, profiles, weights = synthetic.rng, len(synthetic.profiles), synthetic.weights
    whole = sum(weights)
    counts: Counter[tuple[int, int]] = Counter()
    for d, weight in enumerate(weights):
        base, extra = divmod(round(events * weight / whole), profiles)
        lucky = set(rng.sample(range(profiles), extra))
        for p in range(profiles):
            if base or p in lucky:
                counts[d, p] = base + (p in lucky)
    synthetic.counts = counts
    engine = make_engine(url)
    with Session(engine) as session:
        insert_rollups(session, synthetic.rollups(), batch=20_000)
        add_impressions(session, synthetic.impressions())
        session.commit()
    with engine.connect() as conn:
        if url.startswith("postgresql"):
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()


def timed(fn: Callable[[], object], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def measure(url: str, instance: Path, runs: int) -> dict[str, float]:
    """Median render times of the 365-day page and of the sign-in page, the page's size."""
    app = create_app(Settings(
        instance_path=instance, sites_path=PROJECT_ROOT / "sites.yaml", database_url=url,
        secret_keys=("bench-secret-" + "b" * 32,), pii_keys=(Fernet.generate_key().decode(),),
        receipt_keys=(generate_receipt_key(),), ratelimit_enabled=False, log_level="WARNING"))
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        token = create_token(session, "marketing", "Bench")
        events = session.scalar(text("SELECT COUNT(*) FROM consent_event"))
        rollups = session.scalar(text("SELECT COUNT(*) FROM consent_daily"))
        months = session.scalar(text("SELECT COUNT(*) FROM consent_monthly"))
    client = app.test_client()
    sign_in = client.get("/dashboard/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', sign_in)
    assert csrf is not None
    signed_in = client.post("/dashboard/sign-in", data={"csrf_token": csrf.group(1), "token": token})
    assert signed_in.status_code == 302
    today = datetime.now(UTC).date()
    path = f"/dashboard?from={today - timedelta(days=364)}&to={today}"
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    anonymous = app.test_client()
    return {
        "events": events, "rollups": rollups, "months": months,
        "page_ms": timed(lambda: client.get(path), runs),
        "baseline_ms": timed(lambda: anonymous.get("/dashboard/sign-in"), runs),
        "kb": len(page.get_data()) / 1024, "elements": len(re.findall(r"<[a-zA-Z]", html)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--real-events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="a PostgreSQL URL to bench the 10M rollups on too (reset!)")
    args = parser.parse_args()
    sites = load_sites(PROJECT_ROOT / "sites.yaml")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmp:
        instance = Path(tmp)
        targets: list[tuple[str, str, Callable[[str], None]]] = [
            (f"SQLite, {args.real_events:,} events via demo seed", f"sqlite:///{instance}/real.db",
             lambda url: seed_real(url, sites, args.real_events, args.seed)),
            (f"SQLite, rollups of {args.events:,} events", f"sqlite:///{instance}/rollups.db",
             lambda url: seed_rollups(url, sites, args.events, args.seed)),
        ]
        if args.database_url:
            targets.append((f"PostgreSQL, rollups of {args.events:,} events", args.database_url,
                            lambda url: seed_rollups(url, sites, args.events, args.seed)))
        for name, url, seed in targets:
            started = time.perf_counter()
            print(f"{name}: seeding…", file=sys.stderr)
            seed(url)
            print(f"{name}: seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            rows.append((name, measure(url, instance, args.runs)))
    print(f"dashboard page, 365 days x all sites, by day; median of {args.runs} renders (Flask test client)")
    print(f"{'database':<44} {'raw events':>11} {'day rows':>9} {'month rows':>10} {'page':>9} "
          f"{'sign-in':>9} {'size':>8} {'elements':>9}  bar 300 ms")
    for name, m in rows:
        print(f"{name:<44} {m['events']:>11,} {m['rollups']:>9,} {m['months']:>10,} {m['page_ms']:>6.0f} ms "
              f"{m['baseline_ms']:>6.1f} ms {m['kb']:>5.0f} KB {m['elements']:>9,}  "
              f"{'PASS' if m['page_ms'] <= 300 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
