"""Apply the Alembic revisions under ``migrations/`` to a database."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config

from consent_gateway.db.files import prepare_sqlite_url


def migrations_dir() -> Path:
    """Where the revisions are: the top-level ``migrations/`` of the checkout, which the wheel
    installs as the ``consent_gateway.migrations`` package."""
    spec = importlib.util.find_spec("consent_gateway.migrations")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the consent_gateway.migrations package is missing from this install")
    return Path(next(iter(spec.submodule_search_locations)))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema at ``database_url`` up to ``revision``."""
    prepare_sqlite_url(database_url)
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
