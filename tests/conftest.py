"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when
CONSENT_GATEWAY_TEST_DATABASE_URL is set), the app, its client and CLI runner, a live server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from receipt_support import fetch_receipt
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from consent_gateway import create_app
from consent_gateway.db import Base, make_engine
from consent_gateway.db.migrate import upgrade
from consent_gateway.settings import Settings
from consent_gateway.settings import generate_receipt_key as generate_key

# The tests' own declaration: editing the production sites.yaml must break no test.
SITES_YAML = Path(__file__).resolve().parent / "fixtures" / "sites.yaml"
DEMO_ORIGIN = "http://127.0.0.1:8000"


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head by Alembic, once per test session."""
    url = os.environ.get("CONSENT_GATEWAY_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        instance_path=tmp_path,
        sites_path=SITES_YAML,
        database_url=database_url,
        secret_keys=("test-secret-old-" + "o" * 32, "test-secret-current-" + "c" * 32),
        pii_keys=(Fernet.generate_key().decode(),),
        receipt_keys=(generate_key(),),
        ratelimit_enabled=True,
    )


@pytest.fixture
def make_app(settings: Settings):
    """Build apps with changed settings; every table is emptied after the test."""
    apps: list[Flask] = []

    def _make(**changes) -> Flask:
        app = create_app(replace(settings, **changes))
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield _make
    for app in apps:
        engine = app.extensions["db_engine"]
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the app's database, for reading raw rows as the tests' ground truth."""
    with Session(app.extensions["db_engine"]) as session:
        yield session


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # The gateway's public origin is where it listens now: its demo page posts from there.
    gw = app.extensions["gateway"]
    gw.settings = app.extensions["settings"] = replace(gw.settings, public_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def demo_banner(client) -> dict:
    """The demo site's banner configuration in French, as the banner fetches it."""
    return client.get("/api/v1/sites/demo/banner?lang=fr").get_json()


@pytest.fixture
def post_consent(client, demo_banner):
    """POST a decision for the demo site from its declared origin; returns the response."""

    def _post(action: str = "accept_all", choices: dict | None = None, *, site: str = "demo",
              origin: str = DEMO_ORIGIN, headers: dict | None = None, **body):
        payload = {
            "action": action,
            "choices": choices if choices is not None else {},
            "policy_version": demo_banner["policy_version"],
            "config_hash": demo_banner["config_hash"],
            "lang": "fr",
            **body,
        }
        return client.post(f"/api/v1/sites/{site}/consents", json=payload,
                           headers={"Origin": origin, **(headers or {})})

    return _post


@pytest.fixture
def receipt_of(client):
    """The Kantara receipt of a consent 201 answer (or, with ``jws=True``, its compact JWS), from
    the receipt's GET: the 201 carries only what the banner stores."""

    def _get(answer: dict, *, site: str = "demo", jws: bool = False):
        got = client.get(f"/privacy/{site}/receipts/{answer['token']}/receipt.{'jws' if jws else 'json'}")
        assert got.status_code == 200, got.data
        return got.get_data(as_text=True) if jws else got.get_json(force=True)

    return _get


@pytest.fixture
def with_receipt(client):
    """``fetch_receipt`` with the test's client."""
    return lambda answer, site="demo": fetch_receipt(client, answer, site)
