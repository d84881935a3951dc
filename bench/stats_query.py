"""The stats query at scale (docs/development.md: 30 days x all purposes over 10 million events <= 100 ms).

    .venv/bin/python bench/stats_query.py [--events 10000000] [--database-url postgresql+psycopg://…]

Seeds N synthetic decisions over a year (``consent_gateway.stats.demo``: realistic mixes of
sites, purposes, countries, devices, GPC, bots, seasonality) into a fresh SQLite file and, with
``--database-url``, into that PostgreSQL database (its public schema is dropped and recreated!),
then times the dashboard's query — the last 30 days, every site, every purpose, by day — on the
rollups (``consent_stats``) and the same figures computed from the raw events. Medians of
``--runs`` runs, after one warm-up run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway.db import make_engine
from consent_gateway.db.migrate import upgrade
from consent_gateway.declaration import load_sites
from consent_gateway.settings import PROJECT_ROOT
from consent_gateway.stats import StatsQuery, consent_stats
from consent_gateway.stats.demo import SyntheticDecisions, insert_events
from consent_gateway.stats.rollup import insert_rollups, opt_in_purposes

EVENT_INDEXES = {
    "ix_consent_event_visitor": "consent_event (site_id, visitor_id, id)",
    "ix_consent_event_site_time": "consent_event (site_id, created_at)",
}


def seed(url: str, events: int, sites, seed_value: int) -> float:
    """A fresh schema holding ``events`` decisions and their rollups; returns the seconds taken."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    started = time.perf_counter()
    with Session(engine) as session:
        if url.startswith("sqlite"):
            # A bench load, not the service: no fsync per batch (the file is thrown away anyway).
            session.execute(text("PRAGMA synchronous=OFF"))
        # Bulk load first, index after: what any operator would do for a load of this size.
        for name in EVENT_INDEXES:
            session.execute(text(f"DROP INDEX {name}"))
        session.commit()
        synthetic = SyntheticDecisions(sites, days=365, seed=seed_value)
        for n, rows in enumerate(synthetic.batches(events, batch=100_000), 1):
            insert_events(session, rows)
            session.commit()
            if n % 10 == 0:
                print(f"  {n * 100_000:>10} events, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        insert_rollups(session, synthetic.rollups(), batch=20_000)
        for name, columns in EVENT_INDEXES.items():
            session.execute(text(f"CREATE INDEX {name} ON {columns}"))
        session.commit()
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def raw_query(session: Session, sites, start: date, end: date) -> list[tuple]:
    """The same figures from the raw events: decisions per day and action (bots apart), GPC,
    and the grants of every purpose."""
    purposes = sorted({p for site_id in sites.sites for p in opt_in_purposes(sites, site_id)})
    day = "date(created_at)" if session.get_bind().dialect.name == "sqlite" else "created_at::date"
    grants = ", ".join(
        f"SUM(CASE WHEN NOT is_bot AND action <> 'withdraw' AND choices LIKE :p{i} THEN 1 ELSE 0 END)"
        for i in range(len(purposes)))
    patterns = {f"p{i}": f'%"{p}":true%' for i, p in enumerate(purposes)}
    sql = (f"SELECT {day} AS day, site_id, action, SUM(CASE WHEN is_bot THEN 0 ELSE 1 END), "
           f"SUM(CASE WHEN is_bot THEN 1 ELSE 0 END), SUM(CASE WHEN gpc AND NOT is_bot THEN 1 ELSE 0 END), "
           f"{grants} FROM consent_event WHERE created_at >= :start AND created_at < :after "
           f"GROUP BY {day}, site_id, action")
    first = datetime.combine(start, dtime())
    after = datetime.combine(end + timedelta(days=1), dtime())
    return list(session.execute(text(sql), {"start": first, "after": after, **patterns}))


def timed(fn: Callable[[], object], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL to bench too (its schema is reset)")
    parser.add_argument("--sqlite-path", type=Path, help="where to build the SQLite file")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--reuse", action="store_true", help="time the databases as they are, no seeding")
    args = parser.parse_args()
    sites = load_sites(PROJECT_ROOT / "sites.yaml")
    sqlite_path = args.sqlite_path or Path(tempfile.gettempdir()) / f"stats-bench-{args.events}.db"
    targets = [("SQLite", f"sqlite:///{sqlite_path}")]
    if args.database_url:
        targets.append(("PostgreSQL", args.database_url))
    today = datetime.now(UTC).date()
    start = today - timedelta(days=29)
    results = []
    for name, url in targets:
        if not args.reuse:
            if url.startswith("sqlite") and sqlite_path.exists():
                sqlite_path.unlink()
            print(f"{name}: seeding {args.events} events…", file=sys.stderr)
            seconds = seed(url, args.events, sites, args.seed)
            print(f"{name}: seeded in {seconds:.0f} s", file=sys.stderr)
        engine = make_engine(url)
        with Session(engine) as session:
            query = StatsQuery(None, start, today, "day")
            events = session.scalar(text("SELECT COUNT(*) FROM consent_event"))
            rollup_rows = session.scalar(text("SELECT COUNT(*) FROM consent_daily"))
            rollup_ms = timed(lambda: consent_stats(session, sites, query), args.runs)  # noqa: B023
            raw_ms = timed(lambda: raw_query(session, sites, start, today), args.runs)  # noqa: B023
        engine.dispose()
        results.append((name, events, rollup_rows, rollup_ms, raw_ms))
    print(f"stats query: last 30 days ({start} to {today}), all sites, all purposes, by day; "
          f"median of {args.runs} runs")
    print(f"{'database':<11} {'events':>11} {'rollup rows':>12} {'rollups':>10} {'raw events':>11}  "
          "bar 100 ms")
    for name, events, rollup_rows, rollup_ms, raw_ms in results:
        print(f"{name:<11} {events:>11,} {rollup_rows:>12,} {rollup_ms:>8.1f} ms {raw_ms:>8.0f} ms  "
              f"{'PASS' if rollup_ms <= 100 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
