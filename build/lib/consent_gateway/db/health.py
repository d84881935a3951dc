"""Can the database take a write now? Outages (down, full, read-only) told apart from bugs.

A connection opened while the database was read-only stays read-only after the database is
writable again (SQLite opens the file read-only for good; PostgreSQL keeps a session's
``default_transaction_read_only``). So each new connection is probed once, and one that was
opened read-only is closed instead of going back to the pool: the gateway recovers by itself.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import ConnectionPoolEntry

# PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": connection exceptions (08),
# read-only transaction (25006), insufficient resources such as a full disk (53), operator
# intervention such as an administrator's shutdown or a server starting up (57P).
_UNAVAILABLE_SQLSTATES = ("08", "25006", "53", "57P")
_READ_ONLY_SQLSTATE = "25006"


def cannot_write_now(exc: SQLAlchemyError) -> bool:
    """Does ``exc`` say the database is out of service (rather than the gateway being wrong)?"""
    if isinstance(exc, PoolTimeoutError | OperationalError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    return False


def is_read_only_error(exc: BaseException | None) -> bool:
    """Was a write refused because the connection or the database is read-only?"""
    if isinstance(exc, sqlite3.Error):
        return (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_READONLY")
    return getattr(exc, "sqlstate", None) == _READ_ONLY_SQLSTATE


def is_read_only(dbapi_connection: Any, dialect: str) -> bool:
    """Would a write on this driver connection be refused as read-only? Commits nothing."""
    if dialect == "sqlite":
        return _sqlite_read_only(dbapi_connection)
    cursor = dbapi_connection.cursor()
    try:
        # "on" inside a hot standby too, or under default_transaction_read_only.
        cursor.execute("SHOW transaction_read_only")
        row = cursor.fetchone()
    finally:
        cursor.close()
        dbapi_connection.rollback()
    return bool(row) and row[0] == "on"


def _sqlite_read_only(connection: sqlite3.Connection) -> bool:
    # BEGIN IMMEDIATE alone succeeds on a read-only connection: only an actual write is refused.
    # Rewriting user_version with its own value, then rolling back, is such a write that
    # changes nothing. No wait for the write lock: a busy database is a writable one.
    cursor = connection.cursor()
    timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        cursor.execute("PRAGMA busy_timeout = 0")
        version = int(cursor.execute("PRAGMA user_version").fetchone()[0])
        cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(f"PRAGMA user_version = {version}")
    except sqlite3.OperationalError as exc:
        return is_read_only_error(exc)
    finally:
        if connection.in_transaction:
            connection.rollback()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
        cursor.close()
    return False


def database_problem(engine: Engine) -> str | None:
    """None when a write could commit now, else ``"unreachable"`` or ``"read_only"``."""
    try:
        with engine.connect() as connection:
            if is_read_only(connection.connection.dbapi_connection, engine.dialect.name):
                connection.invalidate()
                return "read_only"
    except SQLAlchemyError:
        return "unreachable"
    return None


def watch_read_only(engine: Engine) -> None:
    """Probe each new connection, drop read-only ones at check-in, and treat a write refused as
    read-only like a lost connection (SQLAlchemy then discards the pool's connections)."""

    @event.listens_for(engine, "connect")
    def _probe(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["read_only"] = is_read_only(dbapi_connection, engine.dialect.name)

    @event.listens_for(engine, "checkin")
    def _drop_read_only(_dbapi_connection: Any, record: ConnectionPoolEntry | None) -> None:
        if record is not None and record.info.get("read_only"):
            record.invalidate()

    @event.listens_for(engine, "handle_error")
    def _read_only_is_a_disconnect(context: ExceptionContext) -> None:
        if is_read_only_error(context.original_exception):
            context.is_disconnect = True
