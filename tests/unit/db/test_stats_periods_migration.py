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
            for action, bucket, n in (("accept_all", "0001000", 2), ("reject_all", "0001000", 3),
                                      ("reject_all", "?", 4)):
                conn.execute(text(
                    "INSERT INTO consent_daily (dimension, day, site_id, value, action, purpose, decisions, "
                    "granted, gpc, bots) VALUES ('ms', '2026-11-02', 'demo', :bucket, :action, '', :n, "
                    "0, 0, 0)"),
                    {"action": action, "bucket": bucket, "n": n})
        upgrade(database_url)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT day, decisions, gpc FROM consent_monthly "
                                     "WHERE dimension = 'all' ORDER BY day")).all()
            times = conn.execute(text("SELECT day, value, action, decisions FROM consent_daily "
                                      "WHERE dimension = 'time'")).all()
            month_times = conn.execute(text("SELECT day, decisions FROM consent_monthly "
                                            "WHERE dimension = 'time'")).all()
        assert [(str(day), decisions, gpc) for day, decisions, gpc in rows] == [
            ("2026-10-01", 2, 1), ("2026-11-01", 7, 2)]
        # The known timings of every kind of decision, in one compact row (the unknown left out).
        assert [(str(day), value, action, n) for day, value, action, n in times] == [
            ("2026-11-02", "0001000", "", 5)]
        assert [(str(day), n) for day, n in month_times] == [("2026-11-01", 5)]
    finally:
        upgrade(database_url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM consent_daily WHERE site_id = 'demo'"))
            conn.execute(text("DELETE FROM consent_monthly WHERE site_id = 'demo'"))
        engine.dispose()
