"""Rate limits: one table of limits (in code and in docs/operations.md) covering every write endpoint,
counted in a storage that every worker (SQLite file, the embedded default) or every instance
(Redis) shares, keyed without any client address, and refused at start when unreachable."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from live_support import required

from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import check
from consent_gateway.web.extensions import limiter
from consent_gateway.web.platform import limits
from consent_gateway.web.platform.limit_storage import SQLiteStorage

OPERATIONS_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
DEMO = "http://127.0.0.1:8000"
# Writes that need no limit: signing out only drops the caller's own session cookie.
UNLIMITED = {"dashboard.sign_out_page", "dpo.sign_out_page", "recruiting.sign_out_page"}


def documented_limits() -> set[tuple[str, str, str]]:
    text = OPERATIONS_GUIDE.read_text(encoding="utf-8")
    section = text.split("## Rate limits", 1)[1].split("\n## ", 1)[0]
    rows = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`") and cells[0].startswith("`"):
            rows.add((cells[0].strip("`"), cells[1].strip("`"), cells[2]))
    return rows


def test_the_operations_guide_table_is_the_declared_limits():
    assert documented_limits() == {(r.endpoint, r.limit, r.key) for r in limits.RULES}


def test_every_write_endpoint_has_a_declared_limit(app):
    for rule in app.url_map.iter_rules():
        if not rule.methods & {"POST", "PUT", "PATCH", "DELETE"} or rule.endpoint in UNLIMITED:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "rate_limits", None), f"{rule.rule} ({rule.endpoint}) has no declared limit"
        assert set(view.rate_limits) <= set(limits.RULES)


def test_the_embedded_default_counts_in_a_sqlite_file_without_any_address(app, client, tmp_path):
    storage = limiter.storage
    assert isinstance(storage, SQLiteStorage) and storage.path == (tmp_path / "ratelimits.db").resolve()
    for _ in range(3):
        client.post("/api/v1/sites/demo/impressions", headers={"Origin": DEMO},
                    environ_base={"REMOTE_ADDR": "203.0.113.77"})
    with sqlite3.connect(storage.path) as conn:
        rows = conn.execute("SELECT key, count FROM counter").fetchall()
    assert sorted(count for _, count in rows) == [3, 3]  # per client, per site and network
    raw = storage.path.read_bytes() + Path(f"{storage.path}-wal").read_bytes()
    assert b"203.0.113." not in raw and b"impressions" not in raw  # not even the network


def test_the_client_key_is_a_keyed_hash_shared_by_instances_with_the_same_keys(app, make_app):
    def key(application, address):
        with application.test_request_context(environ_base={"REMOTE_ADDR": address}):
            return limits.client_key()

    other = make_app()  # same settings, so the same signing keys: another instance
    assert key(app, "203.0.113.9") == key(other, "203.0.113.9") != key(app, "203.0.113.10")
    assert "203.0.113.9" not in key(app, "203.0.113.9") and len(key(app, "203.0.113.9")) == 32
    rotated = make_app(secret_keys=("another-signing-key-" + "r" * 32,))
    assert key(rotated, "203.0.113.9") != key(app, "203.0.113.9")


def test_a_429_says_when_to_retry_in_the_json_error_shape(client):
    answers = [client.post("/api/v1/receipts/verify", json={"token": "x"}) for _ in range(121)]
    assert {a.status_code for a in answers[:120]} == {200}
    limited = answers[-1]
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
    body = limited.get_json()
    assert body["error"] == "too_many_requests"
    assert "120 per 1 minute" in body["message"] and "try again in" in body["message"]
    assert limited.headers["Access-Control-Allow-Origin"] == "*"


def test_limits_can_be_turned_off_for_load_tests(make_app):
    client = make_app(ratelimit_enabled=False).test_client()
    assert {client.post("/api/v1/receipts/verify", json={"token": "x"}).status_code
            for _ in range(130)} == {200}


def test_storages_the_gateway_cannot_use_refuse_to_start(make_app):
    with pytest.raises(ConfigurationError) as info:
        make_app(ratelimit_storage="redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert "CONSENT_GATEWAY_RATELIMIT_STORAGE" in info.value.message
    assert "cannot be reached" in info.value.message


@pytest.mark.parametrize("uri, says", [
    ("memcached://127.0.0.1:11211", "one of the schemes"),
    ("mongodb://127.0.0.1", "one of the schemes"),
    ("127.0.0.1:6379", "storage URI"),
    ("sqlite://relative.db", "absolute path"),
    ("sqlite:///relative.db", "absolute path"),
    ("redis:///0", "names its host"),
])
def test_unknown_or_broken_storage_uris_are_refused(settings, uri, says):
    with pytest.raises(ConfigurationError) as info:
        check(replace(settings, ratelimit_storage=uri))
    assert "CONSENT_GATEWAY_RATELIMIT_STORAGE" in info.value.message and says in info.value.message


def test_redis_counts_without_any_address(make_app):
    import redis

    url = required("CONSENT_GATEWAY_TEST_REDIS_URL")
    client = make_app(ratelimit_storage=url).test_client()
    codes = [client.post("/api/v1/sites/demo/impressions", headers={"Origin": DEMO},
                         environ_base={"REMOTE_ADDR": "198.51.100.23"}).status_code for _ in range(21)]
    assert codes == [204] * 20 + [429]
    keys = [k.decode() for k in redis.Redis.from_url(url).keys("LIMITS*")]
    assert keys and not any("198.51.100.23" in k for k in keys)
    assert any(re.search(r"/[0-9a-f]{32}/", k) for k in keys)


def test_a_storage_that_fails_once_running_falls_back_to_counting_per_process(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(limiter, "_storage_dead", False)  # restored after the test, for the others
    monkeypatch.setattr(SQLiteStorage, "incr", broken)
    answers = [client.post("/api/v1/receipts/verify", json={"token": "x"}).status_code for _ in range(121)]
    assert answers == [200] * 120 + [429], "still answered, still limited"
