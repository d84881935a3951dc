"""The per-visitor lock on PostgreSQL: a visitor's writes wait for each other, and only for each other."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from consent_gateway.consent import lock_visitor


def test_a_visitors_lock_holds_back_that_visitors_writes_and_no_one_elses(app):
    engine = app.extensions["db_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there the lock is BEGIN IMMEDIATE")
    with Session(engine) as holder, Session(engine) as other:
        lock_visitor(holder, "demo", "visitor-a")
        other.execute(text("SET LOCAL lock_timeout = '300ms'"))
        lock_visitor(other, "demo", "visitor-b")
        lock_visitor(other, "iqera", "visitor-a")  # the same id on another site is another visitor
        with pytest.raises(OperationalError, match="lock timeout"):
            lock_visitor(other, "demo", "visitor-a")
        other.rollback()
        holder.commit()
        other.execute(text("SET LOCAL lock_timeout = '300ms'"))
        lock_visitor(other, "demo", "visitor-a")
        other.rollback()
