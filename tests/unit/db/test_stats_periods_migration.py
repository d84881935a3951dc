"""Migration 0015 (month rollups) counts the months of the day rows already there, on SQLite and on
PostgreSQL (the test database, put back at head)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from consent_gateway.db import make_engine
from consent_gateway.db.migrate import downgrade, upgrade


def test_existing_day_rows_are_added_up_by_month(database_url):
    engine = make_engine(database_url)
    try:
        downgrade(database_url, "0014_scans")
        assert "consent_monthly" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            for day, n in (("2026-10-31", 2), ("2026-11-01", 3), ("2026-11-30", 4)):
                conn.execute(text(
                    "INSERT INTO consent_daily (dimension, day, site_id, value, action, purpose, decisions, "
                    "granted, gpc, bots) VALUES ('all', :day, 'demo', '', 'accept_all', '', :n, 0, 1, 0)"),
                    {"day": day, "n": n})
        upgrade(database_url)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT day, decisions, gpc FROM consent_monthly ORDER BY day")).all()
        assert [(str(day), decisions, gpc) for day, decisions, gpc in rows] == [
            ("2026-10-01", 2, 1), ("2026-11-01", 7, 2)]
    finally:
        upgrade(database_url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM consent_daily WHERE site_id = 'demo'"))
            conn.execute(text("DELETE FROM consent_monthly WHERE site_id = 'demo'"))
        engine.dispose()
