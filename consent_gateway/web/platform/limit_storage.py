"""The embedded default's rate-limit storage: fixed-window counters in one SQLite file that every
worker process of the machine shares, so that four gunicorn workers hold one limit, not four.

Registered with ``limits`` under the ``sqlite`` scheme: ``sqlite:///`` and an absolute path, so
four slashes (``sqlite:////var/lib/gateway/ratelimits.db``), as SQLAlchemy writes SQLite URLs. It keeps
counters only: each row is a limit key, a count and the time the window ends. The gateway's keys
never hold a client address (``web.limits.client_key`` is a keyed hash of it); as a second guard
this storage stores the SHA-256 of each key, not the key. Several instances on several machines
need Redis instead (``redis://…``).

Each process (and thread) opens its own connection, lazily: a storage built before gunicorn forks
its workers is never shared across a fork. The file runs in WAL mode without fsync: a counter lost
to a power cut is harmless, and a write costs a page in the WAL, not a disk flush.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from limits.storage import Storage

from consent_gateway.db.files import prepare_sqlite_file

# Expired rows are deleted every so many increments of a process (a window never needs them).
SWEEP_EVERY = 1000
_SCHEMA = ("CREATE TABLE IF NOT EXISTS counter ("
           "key BLOB PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID")
# One statement, so one atomic step even with several processes: a new or expired window starts
# at ``amount``; a running one adds ``amount`` and keeps its end.
_INCR = ("INSERT INTO counter (key, count, expires) VALUES (?1, ?2, ?3) "
         "ON CONFLICT (key) DO UPDATE SET "
         "count = CASE WHEN expires <= ?4 THEN excluded.count ELSE count + excluded.count END, "
         "expires = CASE WHEN expires <= ?4 THEN excluded.expires ELSE expires END "
         "RETURNING count, expires")
# Flask-Limiter reads a window right after hitting it (count, then end, for the X-RateLimit-*
# headers): that one read, within this many seconds, the same thread answers from its increment
# instead of two more queries. Other processes' hits in between only make "remaining" a hit stale.
RECENT = 1.0


class SQLiteStorage(Storage):
    """Fixed-window counters (Flask-Limiter's default strategy) in a SQLite file."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool):
        parts = urlsplit(uri)
        path = unquote(parts.path)[1:]
        if parts.netloc or not path.startswith("/") or path == "/":
            raise ValueError(f"a SQLite rate-limit storage is sqlite:////ABSOLUTE/PATH; got {uri!r}")
        self.path = Path(path)
        self._local = threading.local()
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            prepare_sqlite_file(self.path)  # 0600 before SQLite opens it: its WAL and SHM inherit that
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA mmap_size=8388608")  # reads and the WAL index without read() calls
            conn.execute(_SCHEMA)
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    @staticmethod
    def _key(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._connection()
        count, expires = conn.execute(_INCR, (self._key(key), amount, now + expiry, now)).fetchone()
        self._local.recent = [key, int(count), float(expires), now, {"get", "get_expiry"}]
        self._increments += 1
        if self._increments % SWEEP_EVERY == 0:
            conn.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        return int(count)

    def _window(self, key: str, reader: str) -> tuple[int, float] | None:
        """The key's count and window end: for the first ``get`` and ``get_expiry`` after this
        thread's increment of the key, if recent, the increment's answer."""
        now = time.time()
        recent = getattr(self._local, "recent", None)
        if recent is not None and recent[0] == key and reader in recent[4]:
            recent[4].discard(reader)
            if now - recent[3] < RECENT and recent[2] > now:
                return recent[1], recent[2]
        row = self._connection().execute("SELECT count, expires FROM counter WHERE key = ? AND expires > ?",
                                         (self._key(key), now)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        window = self._window(key, "get")
        return window[0] if window else 0

    def get_expiry(self, key: str) -> float:
        window = self._window(key, "get_expiry")
        return window[1] if window else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except (sqlite3.Error, OSError):
            return False
        return True

    def reset(self) -> int | None:
        self._local.recent = None
        cursor = self._connection().execute("DELETE FROM counter")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._local.recent = None
        self._connection().execute("DELETE FROM counter WHERE key = ?", (self._key(key),))
