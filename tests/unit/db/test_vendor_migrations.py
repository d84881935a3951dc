"""Migrations 0008 (vendor-level choices) and 0009 (undeclared cookies) upgrade a database that
already holds decisions, on SQLite and on PostgreSQL (the test database, put back at head)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from consent_gateway.db import make_engine
from consent_gateway.db.migrate import downgrade, upgrade

BEFORE = "0007_snapshots"


def test_an_existing_event_keeps_no_vendor_choices_after_the_upgrade(database_url):
    engine = make_engine(database_url)
    try:
        downgrade(database_url, BEFORE)
        assert "vendors" not in {c["name"] for c in inspect(engine).get_columns("consent_event")}
        assert "undeclared_cookie" not in inspect(engine).get_table_names()
        now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO consent_event (receipt_id, site_id, visitor_id, action, choices, "
                "policy_version, config_hash, lang, gpc, is_bot, created_at, expires_at) VALUES "
                "('r0007', 'demo', 'v', 'accept_all', '{}', '1', 'h', 'fr', false, false, :t, :t)"),
                {"t": now})
        upgrade(database_url)
        inspector = inspect(engine)
        assert "vendors" in {c["name"] for c in inspector.get_columns("consent_event")}
        assert "undeclared_cookie" in inspector.get_table_names()
        with engine.begin() as conn:
            assert conn.execute(text("SELECT vendors FROM consent_event WHERE receipt_id = 'r0007'")
                                ).scalar_one() is None
    finally:
        upgrade(database_url)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM consent_event WHERE receipt_id = 'r0007'"))
        engine.dispose()
