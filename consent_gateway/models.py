"""ORM classes only. Times are stored as naive UTC and come back timezone-aware."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant, identical on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is expected")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class JSONText(TypeDecorator[Any]):
    """JSON kept as compact, key-sorted text, so a row's bytes are stable for the ledger."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


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


class StaffToken(Base):
    """An API token of a staff member; only the SHA-256 of the token is kept."""

    __tablename__ = "staff_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessLog(Base):
    """Every read of personal data by a staff member, for the DPO."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_time", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    staff_token_id: Mapped[int] = mapped_column(ForeignKey("staff_token.id"))
    action: Mapped[str] = mapped_column(String(60))
    site_id: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactSubmission(Base):
    """One contact-form submission: who sent it (pseudonymously) and until when it may be kept.

    It holds no personal data in clear; the values are in ``contact_field``, encrypted.
    """

    __tablename__ = "contact_submission"
    __table_args__ = (Index("ix_contact_submission_expiry", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    receipt_id: Mapped[str | None] = mapped_column(String(32))
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactField(Base):
    """One stored field of a submission: its value encrypted (Fernet), its purpose and expiry."""

    __tablename__ = "contact_field"
    __table_args__ = (
        Index("ix_contact_field_visitor", "site_id", "visitor_id", "purpose"),
        Index("ix_contact_field_expiry", "expires_at"),
        Index("ix_contact_field_submission", "submission_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("contact_submission.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40))
    ciphertext: Mapped[str] = mapped_column(Text)
    receipt_id: Mapped[str | None] = mapped_column(String(32))
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PurposeObjection(Base):
    """A visitor's objection to (Art. 21 GDPR) or restriction of (Art. 18) a non-consent purpose."""

    __tablename__ = "purpose_objection"
    __table_args__ = (
        UniqueConstraint("site_id", "visitor_id", "purpose", "kind", name="uq_purpose_objection"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(40))
    visitor_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))
    receipt_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
