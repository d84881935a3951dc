"""The consent ledger's tables: decisions (append-only) and the banner configurations shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base, BigId, JSONText, UTCDateTime


class ConsentEvent(Base):
    """One decision of one visitor on one site. Append-only: never updated (a trigger refuses it)."""

    __tablename__ = "consent_event"
    __table_args__ = (
        Index("ix_consent_event_visitor", "site_id", "visitor_id", "id"),
        Index("ix_consent_event_site_time", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    receipt_id: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[str] = mapped_column(String(40))
    visitor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    choices: Mapped[dict[str, bool]] = mapped_column(JSONText)
    policy_version: Mapped[str] = mapped_column(String(40))
    config_hash: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(2))
    gpc: Mapped[bool] = mapped_column(Boolean)
    country: Mapped[str | None] = mapped_column(String(2))
    browser_family: Mapped[str | None] = mapped_column(String(50))
    device_class: Mapped[str | None] = mapped_column(String(10))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    script_hash: Mapped[str | None] = mapped_column(String(64))
    # Where the decision was taken and how long after the banner showed (the fairness audit).
    ui_layer: Mapped[str | None] = mapped_column(String(12))
    ui_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BannerConfig(Base):
    """Every distinct banner configuration ever served, by hash: proof of what a visitor saw."""

    __tablename__ = "banner_config"

    config_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(2))
    policy_version: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
