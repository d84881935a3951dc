"""``consent-gateway backup`` and ``restore``: a consistent copy taken while decisions are being
written, restored into a fresh database and proven there (ledger verified, every sealed event
there, the contact data readable with the keys present); a restore that lost its last events, or
that lacks a key, says so and exits 1. On SQLite and, with CONSENT_GATEWAY_TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from contact_support import AUDIENCE, PERSON, decide, submit
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from consent_gateway.backup.manifest import key_id
from consent_gateway.cli import main
from consent_gateway.db import Base, make_engine


def env_of(settings, database_url: str, **changes: str) -> dict[str, str]:
    env = {"CONSENT_GATEWAY_DATABASE_URL": database_url, "CONSENT_GATEWAY_SITES": str(settings.sites_path),
           "CONSENT_GATEWAY_SECRET_KEYS": ",".join(settings.secret_keys),
           "CONSENT_GATEWAY_PII_KEYS": ",".join(settings.pii_keys),
           "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys),
           "CONSENT_GATEWAY_INSTANCE_PATH": str(settings.instance_path)}
    env.update(changes)
    return env


def cli(settings, database_url: str, *args: str, **changes: str):
    return CliRunner().invoke(main, list(args), env=env_of(settings, database_url, **changes))


@pytest.fixture
def fresh_url(settings, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the tests' (a new SQLite file, or a new PostgreSQL
    database on the same server, dropped after)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'consent.db'}"
        return
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        found = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0
                 for t in Base.metadata.sorted_tables}
    engine.dispose()
    return found


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]


def some_history(app, client, decisions: int = 4) -> None:
    """Decisions, contact data stored under the PII key, and a sealed ledger."""
    tokens = [decide(app)[0] for _ in range(decisions)]
    assert submit(client, {**PERSON, **AUDIENCE}, tokens[0]).status_code == 201


def seal(settings) -> None:
    sealed = cli(settings, settings.database_url, "ledger", "seal", "--settle", "0")
    assert sealed.exit_code == 0 and sealed.output.startswith("sealed"), sealed.output


def test_backup_under_writes_restores_into_a_fresh_database_and_proves_itself(
        app, client, settings, tmp_path, fresh_url):
    some_history(app, client)
    seal(settings)
    stop, written = threading.Event(), []

    def keep_deciding() -> None:
        while not stop.is_set():
            written.append(decide(app)[0])

    writer = threading.Thread(target=keep_deciding)
    writer.start()
    try:
        archive = tmp_path / "gateway.tar.gz"
        made = cli(settings, settings.database_url, "backup", "--out", str(archive))
    finally:
        stop.set()
        writer.join()
    assert made.exit_code == 0, made.output
    assert written, "no decision was written while the backup ran"
    assert archive.stat().st_mode & 0o777 == 0o600
    manifest = manifest_of(archive)
    assert manifest["ledger"]["last_checkpoint"]["id"] == 1
    assert manifest["keys_needed"]["pii_keys"] == [key_id("pii", settings.pii_keys[-1])]
    assert manifest["keys_needed"]["receipt_keys"] == [manifest["ledger"]["last_checkpoint"]["kid"]]
    with tarfile.open(archive, "r:gz") as tar:
        everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers())  # type: ignore[union-attr]
    for key in (*settings.secret_keys, *settings.pii_keys, *settings.receipt_keys):
        assert key.encode() not in everything  # ids only, never a key

    restored = cli(settings, fresh_url, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    lines = restored.output.splitlines()
    assert any(line.startswith("ledger intact: 1 checkpoint(s)") for line in lines), restored.output
    assert "every sealed event is there: the restored ledger ends at the backup's last checkpoint" in lines
    assert any(line.startswith("contact data: the PII keys present read all ") for line in lines)
    # The copy is one instant: what the manifest counted is exactly what came back.
    assert {t: n for t, n in counts(fresh_url).items() if t in manifest["counts"]} == manifest["counts"]
    assert counts(fresh_url)["consent_event"] >= 4
    verified = cli(settings, fresh_url, "ledger", "verify")
    assert verified.exit_code == 0 and verified.output.startswith("ledger intact"), verified.output


def test_a_restore_missing_its_last_events_is_reported(app, client, settings, tmp_path, fresh_url):
    some_history(app, client)
    seal(settings)
    earlier = tmp_path / "earlier.tar.gz"
    assert cli(settings, settings.database_url, "backup", "--out", str(earlier)).exit_code == 0
    for _ in range(3):
        decide(app)
    seal(settings)
    later = tmp_path / "later.tar.gz"
    assert cli(settings, settings.database_url, "backup", "--out", str(later)).exit_code == 0

    # The later manifest with the earlier database: a restore that lost the last checkpoint's events.
    mixed = tmp_path / "mixed.tar.gz"
    manifest = manifest_of(later)
    with tarfile.open(earlier, "r:gz") as old, tarfile.open(mixed, "w:gz") as new:
        data = old.getmember(manifest["database"]["file"])
        body = old.extractfile(data).read()  # type: ignore[union-attr]
        manifest["database"]["sha256"] = hashlib.sha256(body).hexdigest()
        encoded = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(encoded)
        new.addfile(info, io.BytesIO(encoded))
        new.addfile(data, io.BytesIO(body))

    restored = cli(settings, fresh_url, "restore", str(mixed))
    assert restored.exit_code == 1, restored.output
    last = manifest["ledger"]["last_checkpoint"]
    assert (f"MISSING: the backup's ledger ends at checkpoint #{last['id']} (events up to "
            f"#{last['last_event_id']}); the restored one ends at checkpoint #1") in restored.output
    assert "MISSING: consent_event: 3 of" in restored.output


def test_a_restore_without_the_pii_key_says_the_contact_data_cannot_be_read(
        app, client, settings, tmp_path, fresh_url):
    some_history(app, client)
    seal(settings)
    archive = tmp_path / "gateway.tar.gz"
    assert cli(settings, settings.database_url, "backup", "--out", str(archive)).exit_code == 0
    other = Fernet.generate_key().decode()
    restored = cli(settings, fresh_url, "restore", str(archive), CONSENT_GATEWAY_PII_KEYS=other)
    assert restored.exit_code == 1, restored.output
    assert "every sealed event is there" in restored.output
    stored = manifest_of(archive)["keys_needed"]["pii_values"][key_id("pii", settings.pii_keys[-1])]
    assert f"contact data: {stored} encrypted value(s) of {stored} cannot be read" in restored.output
    assert (f"KEYS: CONSENT_GATEWAY_PII_KEYS lacks the key(s) {key_id('pii', settings.pii_keys[-1])}"
            in restored.output)


def test_restore_refuses_a_database_that_holds_data(app, settings, tmp_path) -> None:
    decide(app)
    archive = tmp_path / "gateway.tar.gz"
    assert cli(settings, settings.database_url, "backup", "--out", str(archive)).exit_code == 0
    refused = cli(settings, settings.database_url, "restore", str(archive))
    assert refused.exit_code == 1
    assert "the target database is not empty (" in refused.output and "consent_event" in refused.output


def test_restore_refuses_a_damaged_archive(app, settings, tmp_path, fresh_url) -> None:
    decide(app)
    archive = tmp_path / "gateway.tar.gz"
    assert cli(settings, settings.database_url, "backup", "--out", str(archive)).exit_code == 0
    manifest = manifest_of(archive)
    manifest["database"]["sha256"] = "0" * 64
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as old, tarfile.open(damaged, "w:gz") as new:
        encoded = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(encoded)
        new.addfile(info, io.BytesIO(encoded))
        data = old.getmember(manifest["database"]["file"])
        new.addfile(data, old.extractfile(data))
    refused = cli(settings, fresh_url, "restore", str(damaged))
    assert refused.exit_code == 1
    assert "is damaged: its database file does not match the SHA-256" in refused.output
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_bytes(b"not an archive")
    refused = cli(settings, fresh_url, "restore", str(not_a_backup))
    assert refused.exit_code == 1 and "cannot be read as a backup" in refused.output


def test_a_postgresql_backup_without_pg_dump_says_what_to_install(settings, tmp_path, monkeypatch) -> None:
    from consent_gateway.backup import archive

    monkeypatch.setattr(archive.shutil, "which", lambda name: None)
    url = "postgresql+psycopg://gateway:secret@127.0.0.1:1/nowhere"
    answer = cli(settings, url, "backup", "--out", str(tmp_path / "b.tar.gz"))
    assert answer.exit_code == 1
    assert "pg_dump is not installed" in answer.output and "postgresql-client" in answer.output
    assert "secret" not in answer.output
    assert not (tmp_path / "b.tar.gz").exists()
