"""Helpers for the ledger tests: tamper with the ledger as someone with raw database access would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

TRIGGER = "consent_event_append_only"


@contextmanager
def append_only_trigger_off(engine: Engine) -> Iterator[None]:
    """Take the append-only trigger off consent_event (and put it back after the test, since the
    test database is shared): what an attacker with the database owner's rights would do."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.execute(text(f"ALTER TABLE consent_event DISABLE TRIGGER {TRIGGER}"))
        else:
            conn.execute(text(f"DROP TRIGGER {TRIGGER}"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            if postgres:
                conn.execute(text(f"ALTER TABLE consent_event ENABLE TRIGGER {TRIGGER}"))
            else:
                conn.execute(text(f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON consent_event "
                                  "BEGIN SELECT RAISE(ABORT, 'consent_event is append-only'); END"))


def raw_sql(engine: Engine, statement: str, **params) -> int:
    """Run one statement on its own connection, committed; the number of rows it touched."""
    with engine.begin() as conn:
        return conn.execute(text(statement), params).rowcount
