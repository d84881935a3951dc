"""Files only their owner reads: the instance folder (0700), the development keys, the SQLite
databases and their WAL and SHM (0600), created so from the start under a usual umask of 022,
never made readable first and tightened afterwards."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from consent_gateway.db import make_engine
from consent_gateway.db.files import exposed, with_companions
from consent_gateway.settings import Settings
from consent_gateway.web.platform.limit_storage import SQLiteStorage
from tests.conftest import SITES_YAML


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask_and_no_chmod(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A host's usual umask (022: files 0644, folders 0755 unless asked otherwise), and any chmod
    fails the test: the files must be born owner-only."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a private file was chmod-ed after its creation")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(Path, "chmod", refuse)
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_development_keys_and_the_instance_folder_are_created_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    env = {"CONSENT_GATEWAY_SITES": str(SITES_YAML), "CONSENT_GATEWAY_INSTANCE_PATH": str(instance)}
    with pytest.warns(UserWarning, match="development key"):
        settings = Settings.from_env(env, development=True)
    assert _mode(instance) == 0o700
    for name in ("secret_key", "pii_key", "receipt_key"):
        assert _mode(instance / name) == 0o600, name
    assert settings.database_url == f"sqlite:///{instance / 'consent.db'}"


def test_the_sqlite_database_its_wal_and_shm_are_created_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "instance" / "consent.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        wal, shm = database.with_name("consent.db-wal"), database.with_name("consent.db-shm")
        assert wal.exists() and shm.exists()
        assert [_mode(p) for p in (database, wal, shm)] == [0o600, 0o600, 0o600]
    engine.dispose()
    assert _mode(database.parent) == 0o700


def test_the_rate_limit_database_its_wal_and_shm_are_created_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "ratelimits.db"
    storage = SQLiteStorage(f"sqlite:///{database}")
    assert storage.incr("client", 60) == 1
    present = [p for p in with_companions(database) if p.exists()]
    assert database.with_name("ratelimits.db-wal") in present
    assert [_mode(p) for p in present] == [0o600] * len(present)
    assert exposed(present) == []


def test_exposed_names_what_others_may_read(tmp_path: Path) -> None:
    shared = tmp_path / "shared.db"
    shared.write_text("")  # 0644 under the umask above
    private = tmp_path / "private.db"
    private.touch(mode=0o600)
    assert exposed([shared, private, tmp_path / "missing"]) == [(shared, 0o644)]
