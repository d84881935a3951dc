"""The embedded default's limit storage: one count per window for every process that opens the
file, a new window once the old one ends, nothing kept past it."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from consent_gateway.web.platform.limit_storage import SQLiteStorage


def _hit_many(uri: str, times: int) -> None:
    storage = SQLiteStorage(uri)
    for _ in range(times):
        storage.incr("LIMITS:shared", 60)


def test_processes_count_into_one_window(tmp_path):
    uri = f"sqlite:///{tmp_path / 'limits.db'}"
    storage = SQLiteStorage(uri)
    storage.incr("LIMITS:shared", 60)  # opened here, before the fork: the children open their own
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_hit_many, args=(uri, 50)) for _ in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert SQLiteStorage(uri).get("LIMITS:shared") == 151


def test_a_window_ends_and_the_next_starts_from_zero(tmp_path):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.db'}")
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2/second")
    assert [limiter.hit(item, "client") for _ in range(3)] == [True, True, False]
    reset, remaining = limiter.get_window_stats(item, "client")
    assert remaining == 0 and time.time() < reset <= time.time() + 1
    time.sleep(1.1)
    assert storage.get(item.key_for("client")) == 0
    assert limiter.hit(item, "client")
    assert limiter.get_window_stats(item, "client")[1] == 1


def test_expired_windows_are_swept_and_keys_are_not_kept_in_clear(tmp_path, monkeypatch):
    from consent_gateway.web.platform import limit_storage

    monkeypatch.setattr(limit_storage, "SWEEP_EVERY", 5)
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.db'}")
    for i in range(4):
        storage.incr(f"LIMITS:gone/{i}", 1)
    time.sleep(1.1)
    storage.incr("LIMITS:kept", 60)  # the fifth increment sweeps
    with sqlite3.connect(tmp_path / "limits.db") as conn:
        keys = [key for (key,) in conn.execute("SELECT key FROM counter")]
    assert len(keys) == 1 and keys[0] != b"LIMITS:kept" and len(keys[0]) == 32
    storage.clear("LIMITS:kept")
    assert storage.get("LIMITS:kept") == 0
