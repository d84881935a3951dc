"""Every banner configuration served is kept by its hash: the proof of what a visitor saw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consent_gateway.consent.models import BannerConfig
from consent_gateway.db import upsert_insert, utcnow
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
    session.execute(upsert_insert(session)(BannerConfig).values(**values).on_conflict_do_nothing())
