"""A database that is down or read-only is a 503 with Retry-After (not a 500), /healthz says so,
and once the database is back the gateway recovers by itself, without a restart."""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from consent_gateway import create_app
from consent_gateway.db import make_engine
from consent_gateway.db.migrate import upgrade

DEMO_ORIGIN = "http://127.0.0.1:8000"
PG_URL = os.environ.get("CONSENT_GATEWAY_TEST_DATABASE_URL", "")


def decision(client):
    gw = client.application.extensions["gateway"]
    banner = gw.sites.banner_config(gw.sites.sites["demo"], "fr")
    body = {"action": "reject_all", "choices": {}, "lang": "fr",
            "policy_version": banner["policy_version"], "config_hash": banner["config_hash"]}
    return client.post("/api/v1/sites/demo/consents", json=body, headers={"Origin": DEMO_ORIGIN})


def assert_unavailable(r) -> None:
    assert r.status_code == 503, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.get_json()["error"] == "database_unavailable" and r.get_json()["message"]
    assert int(r.headers["Retry-After"]) > 0


def test_a_stopped_database_server_is_a_503_not_a_500(settings):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://gateway:gateway@127.0.0.1:{port}/gone"
    app = create_app(replace(settings, database_url=url))
    client = app.test_client()
    r = decision(client)
    assert_unavailable(r)
    assert r.headers["Access-Control-Allow-Origin"] == DEMO_ORIGIN, "the banner can read why"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    assert int(health.headers["Retry-After"]) > 0
    app.extensions["db_engine"].dispose()


@pytest.fixture
def sqlite_app(make_app, tmp_path):
    """An app on its own SQLite file, and a switch that makes SQLite open that file read-only,
    as it does (for good) when the file is not writable at connect time. Tests run as root, which
    ignores file modes, so the switch opens with SQLite's own ``mode=ro``."""
    path = tmp_path / "gateway.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = make_app(database_url=url)
    engine = app.extensions["db_engine"]
    state = {"read_only": False}

    @event.listens_for(engine, "do_connect")
    def _open(dialect, conn_rec, cargs, cparams):
        if state["read_only"]:
            cargs[:] = [f"file:{path}?mode=ro"]
            cparams["uri"] = True

    @contextmanager
    def read_only():
        state["read_only"] = True
        engine.dispose()  # every connection from now on was opened during the outage
        try:
            yield
        finally:
            state["read_only"] = False

    app.read_only = read_only
    return app


@pytest.mark.skipif(bool(PG_URL), reason="SQLite file behaviour")
def test_sqlite_read_only_is_a_503_and_recovers_without_restart(sqlite_app):
    client = sqlite_app.test_client()
    assert decision(client).status_code == 201
    with sqlite_app.read_only():
        assert_unavailable(decision(client))
        assert client.get("/api/v1/sites/demo/banner").status_code == 200, "reads still work"
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "read_only"
        assert_unavailable(decision(client))
    # Lifted: no restart, no dispose by anyone; the very next requests succeed.
    assert decision(client).status_code == 201
    assert client.get("/healthz").status_code == 200
    assert decision(client).status_code == 201


@pytest.fixture
def pg_database():
    """A PostgreSQL database of its own (gw_b_outage), migrated, dropped afterwards."""
    if not PG_URL:
        pytest.skip("needs CONSENT_GATEWAY_TEST_DATABASE_URL (PostgreSQL)")
    base = make_url(PG_URL)
    name = f"{base.database}_outage"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")

    def terminate(conn) -> None:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name})

    with admin.connect() as conn:
        terminate(conn)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)

    def set_read_only(on: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = '
                              f'{"on" if on else "off"}'))
            if on:  # the server "restarts" read-only: every open session is cut
                terminate(conn)

    yield url, set_read_only
    with admin.connect() as conn:
        terminate(conn)
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_postgresql_read_only_is_a_503_and_recovers_without_restart(pg_database, make_app):
    url, set_read_only = pg_database
    app = make_app(database_url=url)
    client = app.test_client()
    assert decision(client).status_code == 201
    try:
        set_read_only(True)
        assert_unavailable(decision(client))
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "read_only"
        assert client.get("/api/v1/sites/demo/banner").status_code == 200, "reads still work"
        assert_unavailable(decision(client))
    finally:
        set_read_only(False)
    assert decision(client).status_code == 201
    assert client.get("/healthz").status_code == 200
    assert decision(client).status_code == 201
