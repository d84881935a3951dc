"""Every banner configuration served is kept by its hash: the proof of what a visitor saw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from consent_gateway.consent.models import BannerConfig
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site


def keep_served_config(session: Session, site: Site, lang: str, shown: dict[str, Any],
                       known_configs: set[str]) -> None:
    """Keep a configuration the first time this process serves it (one commit), so that every
    configuration ever shown is on record, even before anyone decides on it. ``known_configs``
    holds the hashes this process already kept: those cost nothing."""
    if shown["config_hash"] in known_configs:
        return
    snapshot_banner_config(session, site, lang, shown, utcnow())
    session.commit()
    known_configs.add(shown["config_hash"])


def snapshot_banner_config(session: Session, site: Site, lang: str, shown: dict[str, Any],
                           now: datetime) -> None:
    """Keep the shown configuration by hash, once (proof of what the visitor saw)."""
    if session.get(BannerConfig, shown["config_hash"]) is not None:
        return
    values = {
        "config_hash": shown["config_hash"],
        "site_id": site.id,
        "lang": lang,
        "policy_version": site.policy_version,
        "body": shown,
        "first_seen_at": now,
    }
    statement = _insert_ignoring_duplicates(session, values)
    session.execute(statement)


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return pg_insert(BannerConfig).values(**values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite_insert(BannerConfig).values(**values).on_conflict_do_nothing()
    return insert(BannerConfig).values(**values)
