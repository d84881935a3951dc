"""Declarative base and engine creation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from consent_gateway.db.files import prepare_sqlite_url
from consent_gateway.db.health import watch_read_only


class Base(DeclarativeBase):
    pass


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys, in a file only its
    owner reads (``db.files``).

    WAL with ``synchronous=NORMAL`` keeps every committed transaction across a killed process
    (only a power cut can lose the last commits), and lets readers run beside the one writer.
    Statement parameters are kept out of error messages and logs (they can be personal data), and
    connections opened while the database was read-only are not reused (see ``db.health``).
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        prepare_sqlite_url(url)  # created 0600 before SQLite opens it, its WAL and SHM inherit that
        kwargs.setdefault("connect_args", {"timeout": 15, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        watch_read_only(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    watch_read_only(engine)
    return engine


def upsert_insert(session: Session) -> Callable[..., Any]:
    """The ``insert()`` of the session's database that takes ``on_conflict_do_…`` (PostgreSQL's or
    SQLite's, the two the gateway runs on)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (a bulk statement's result is a cursor result)."""
    return cast(CursorResult[Any], result).rowcount or 0


def lock_for_transaction(session: Session, key: int) -> None:
    """Hold a write lock named by the 64-bit ``key`` until the session's transaction ends.

    PostgreSQL: a transaction-level advisory lock, so only writers asking for the same key wait and
    nothing is stored. SQLite has one writer at a time anyway: ``BEGIN IMMEDIATE`` takes the write
    lock now rather than at the first INSERT, so the reads that follow belong to the write
    transaction. (pysqlite runs statements before the first INSERT, UPDATE or DELETE outside any
    transaction; once one has run, the connection already holds the write lock.)
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS BIGINT))"), {"key": key})
    elif dialect == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:  # pragma: no cover - the gateway runs on SQLite and PostgreSQL only
        raise RuntimeError(f"no transaction lock for the {dialect} dialect")
