"""The database layer: declarative base, column types, engine, session per request, migrations."""

from consent_gateway.db.base import Base, affected_rows, lock_for_transaction, make_engine, upsert_insert
from consent_gateway.db.session import get_engine, get_session, init_app
from consent_gateway.db.types import BigId, JSONText, UTCDateTime, utcnow

__all__ = [
    "Base",
    "BigId",
    "JSONText",
    "UTCDateTime",
    "affected_rows",
    "get_engine",
    "get_session",
    "init_app",
    "lock_for_transaction",
    "make_engine",
    "upsert_insert",
    "utcnow",
]
