"""``backup`` writes one file: a tar archive of the database's consistent copy and its manifest;
``restore`` puts the copy into an empty database and proves it against the manifest.

SQLite is copied with SQLite's online backup API (one read transaction: a snapshot that writers
keep going beside). PostgreSQL is dumped by ``pg_dump`` in a snapshot exported by the transaction
that also writes the manifest, so the two describe the same instant, and restored by
``pg_restore`` in one transaction that stops at the first error. The manifest is computed from the
copy itself (SQLite) or in the dump's snapshot (PostgreSQL), never from the live database after.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from consent_gateway.backup.manifest import FORMAT, KeySet, describe
from consent_gateway.db import Base, make_engine
from consent_gateway.db.files import OWNER_ONLY_FILE, prepare_sqlite_file, sqlite_file
from consent_gateway.errors import BackupRefused

MANIFEST = "manifest.json"
DATA = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def _dialect(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in DATA:
        raise BackupRefused(f"cannot back up a {name} database: the gateway runs on SQLite or PostgreSQL")
    return name


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump/pg_restore, its password passed in the environment (not in argv,
    which every user of the host can read)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} is not installed: a PostgreSQL backup needs PostgreSQL's client tools "
                          "(Debian: apt-get install postgresql-client, of the server's major version)")
    return found


def _revision(session: Session) -> str | None:
    if "alembic_version" not in inspect(session.connection()).get_table_names():
        return None
    return session.scalar(text("SELECT version_num FROM alembic_version"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(dialect: str, data: Path, session: Session, keys: KeySet) -> dict[str, Any]:
    try:
        gateway_version = version("consent-gateway")
    except PackageNotFoundError:  # pragma: no cover - a bare source tree
        gateway_version = "unknown"
    return {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "gateway_version": gateway_version,
            "database": {"dialect": dialect, "file": data.name, "schema_revision": _revision(session)},
            **describe(session, keys)}


def _copy_sqlite(url: str, data: Path, keys: KeySet) -> dict[str, Any]:
    source_path = sqlite_file(url)
    if source_path is None or not source_path.is_file():
        raise BackupRefused(f"there is no SQLite database at {make_url(url).database!r} to back up")
    prepare_sqlite_file(data)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=15)
    target = sqlite3.connect(data)
    try:
        source.backup(target)  # all pages in one step: one snapshot, writers carry on beside it
    finally:
        target.close()
        source.close()
    engine = make_engine(f"sqlite:///{data}")
    try:
        with Session(engine) as session:
            manifest = _manifest("sqlite", data, session, keys)
    finally:
        engine.dispose()
    return manifest


def _dump_postgresql(url: str, data: Path, keys: KeySet) -> dict[str, Any]:
    pg_dump = _tool("pg_dump")
    target, env = _libpq(url)
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                                       f"--snapshot={snapshot}", f"--file={data}", f"--dbname={target}"],
                                      env=env, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    raise BackupRefused(f"pg_dump failed: {done.stderr.strip()}")
                manifest = _manifest("postgresql", data, Session(bind=connection), keys)
    finally:
        engine.dispose()
    return manifest


def write_backup(url: str, out: Path, keys: KeySet) -> dict[str, Any]:
    """Back up the database at ``url`` into the archive ``out`` (created 0600); its manifest."""
    dialect = _dialect(url)
    with tempfile.TemporaryDirectory(prefix="gateway-backup-") as work:
        data = Path(work) / DATA[dialect]
        manifest = (_copy_sqlite if dialect == "sqlite" else _dump_postgresql)(url, data, keys)
        manifest["database"].update(sha256=_sha256(data), bytes=data.stat().st_size)
        body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY_FILE)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.add(data, arcname=data.name)
        partial.replace(out)  # a crash leaves no half archive under the name asked for
    return manifest


@contextmanager
def opened(archive_path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The archive's manifest and its database file, extracted and checked against its SHA-256."""
    with tempfile.TemporaryDirectory(prefix="gateway-restore-") as work:
        try:
            with tarfile.open(archive_path, mode="r:gz") as archive:
                manifest = json.load(archive.extractfile(MANIFEST) or io.BytesIO(b"null"))
                if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                    raise BackupRefused(f"{archive_path} is not a consent gateway backup ({FORMAT})")
                name = manifest["database"]["file"]
                if name not in DATA.values():
                    raise BackupRefused(f"{archive_path}: unexpected database file {name!r}")
                archive.extract(name, work, filter="data")
        except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError) as exc:
            raise BackupRefused(f"{archive_path} cannot be read as a backup: {exc}") from None
        data = Path(work) / name
        if _sha256(data) != manifest["database"]["sha256"]:
            raise BackupRefused(f"{archive_path} is damaged: its database file does not match the "
                              "SHA-256 its manifest states")
        yield manifest, data


def holds_data(engine: Engine) -> list[str]:
    """The gateway's tables in the database that have rows (a restore refuses to overwrite them)."""
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return [table.name for table in Base.metadata.sorted_tables
                if table.name in present
                and connection.scalar(select(func.count()).select_from(table).limit(1))]


def restore_into(url: str, manifest: dict[str, Any], data: Path) -> None:
    """Put the backup's database into the (empty) database at ``url``."""
    dialect = _dialect(url)
    if dialect != manifest["database"]["dialect"]:
        raise BackupRefused(f"this is a backup of a {manifest['database']['dialect']} database; "
                          f"CONSENT_GATEWAY_DATABASE_URL names a {dialect} one")
    engine = make_engine(url)
    try:
        full = holds_data(engine)
    finally:
        engine.dispose()
    if full:
        raise BackupRefused(f"the target database is not empty ({', '.join(full)} have rows): restore into "
                          "a new database, never over one in use")
    if dialect == "sqlite":
        path = sqlite_file(url)
        assert path is not None  # a SQLite URL the engine above opened
        source, target = sqlite3.connect(data), sqlite3.connect(path, timeout=15)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    pg_restore = _tool("pg_restore")
    target_uri, env = _libpq(url)
    done = subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                           "--single-transaction", "--exit-on-error", f"--dbname={target_uri}", str(data)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupRefused(f"pg_restore failed, nothing was restored: {done.stderr.strip()}")
