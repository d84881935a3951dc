"""Files only their owner reads: the instance folder, the SQLite databases and the development keys.

They hold consent proof, encrypted contact data and the keys that decrypt it, so they are created
owner-only from the start (a file made readable and tightened afterwards has already been open to
every user of the host for a moment): folders with mode 0700, files opened with mode 0600. SQLite
gives its WAL and shared-memory files the database file's own permissions, so creating the (empty,
valid) database file 0600 before SQLite first opens it covers them too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

OWNER_ONLY_DIR = 0o700
OWNER_ONLY_FILE = 0o600
# The files SQLite keeps beside a database in WAL mode (and in rollback mode, its journal).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if it is missing; ``path`` itself gets mode 0700."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=OWNER_ONLY_DIR)
    except FileExistsError:
        pass
    return path


def create_private_file(path: Path, text: str) -> None:
    """Write ``text`` to a new file ``path`` opened with mode 0600; FileExistsError if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:"):
        return None  # a URI filename: SQLite's own options decide
    return Path(parsed.database)


def prepare_sqlite_file(path: Path) -> None:
    """Make sure the database file ``path`` exists, created 0600 in a folder created 0700."""
    if not path.parent.exists():
        private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE))
    except FileExistsError:
        pass


def prepare_sqlite_url(url: str) -> None:
    """``prepare_sqlite_file`` for a SQLite URL's file; nothing for another database."""
    path = sqlite_file(url)
    if path is not None:
        prepare_sqlite_file(path)


def with_companions(database: Path) -> list[Path]:
    """A SQLite database file and the WAL, shared-memory and journal files beside it."""
    return [database, *(database.with_name(database.name + suffix) for suffix in SQLITE_COMPANIONS)]


def exposed(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    """Each existing path that users other than its owner may read, write or enter, with its mode."""
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found
