"""The consent ledger's tables: decisions (append-only), the banner configurations shown, and the
seal (signed checkpoints over the digests of the events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String
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
    # The effective choice per vendor of a consent-based purpose; NULL on events recorded before
    # vendor-level choices existed (migration 0008).
    vendors: Mapped[dict[str, bool] | None] = mapped_column(JSONText, nullable=True)
    policy_version: Mapped[str] = mapped_column(String(40))
    config_hash: Mapped[str] = mapped_column(String(64))
    # What the consent covered (purposes, vendors, legal bases, policy version: the banner asks
    # again when it changes); NULL on events recorded before migration 0013.
    consent_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
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
    # When the visitor chose, for a refusal that waited in their browser until the gateway could
    # be reached (``created_at`` stays when it was recorded); NULL when both are the same moment.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BannerConfig(Base):
    """Every distinct banner configuration ever served, by hash: proof of what a visitor saw."""

    __tablename__ = "banner_config"

    config_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(2))
    policy_version: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BannerSnapshot(Base):
    """A screenshot of one banner configuration (CNIL: keep a picture of every version shown), one
    row per variant (``first-desktop``, ``preferences-mobile``...). A configuration that can no
    longer be rendered (no longer the current one of its site and language) gets one row with a
    note and no picture, rather than a picture of the wrong banner."""

    __tablename__ = "banner_snapshot"

    config_hash: Mapped[str] = mapped_column(ForeignKey("banner_config.config_hash"), primary_key=True)
    variant: Mapped[str] = mapped_column(String(24), primary_key=True)
    png: Mapped[bytes | None] = mapped_column(LargeBinary)
    note: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerCheckpoint(Base):
    """A signed seal over a range of events: the Merkle root of their digests, chained to the
    previous checkpoint's digest. Editing, deleting or back-dating a sealed event breaks it."""

    __tablename__ = "ledger_checkpoint"

    # Numbered by the sealer (previous + 1), not by the database: the number is part of what is signed.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_event_id: Mapped[int] = mapped_column(BigInteger)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    event_count: Mapped[int] = mapped_column(Integer)
    root_digest: Mapped[str] = mapped_column(String(64))
    previous_digest: Mapped[str | None] = mapped_column(String(64))
    # SHA-256 of the signed statement: what the next checkpoint chains to.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    signature: Mapped[str] = mapped_column(String(100))
    kid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """The sealed digest of one event, kept after the retention purge deletes the event, so that
    a deleted event is named by its id and a purged one is told apart from a deleted one."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_checkpoint", "checkpoint_id", "event_id"),)

    event_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoint.id"))
    digest: Mapped[str] = mapped_column(String(64))
    event_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
