"""Staff tokens (hashed), their signed-in sessions and the access log of personal-data reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base, BigId, UTCDateTime


class StaffToken(Base):
    """An API token of a staff member; only the SHA-256 of the token is kept."""

    __tablename__ = "staff_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    # The one site a site-bound role (a recruiter) may read; None for the group-wide roles.
    site_id: Mapped[str | None] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the token last opened a session or answered a bearer request (to the minute or so).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSession(Base):
    """A signed-in browser: the cookie holds a random id, only its SHA-256 is kept here. Sign-out,
    idle expiry and the token's revocation end it (``ended_at``) for every copy of the cookie."""

    __tablename__ = "staff_session"
    __table_args__ = (Index("ix_staff_session_token", "staff_token_id"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_token_id: Mapped[int] = mapped_column(ForeignKey("staff_token.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The latest the session may last, however active (a working day).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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


class ApplicationReview(Base):
    """Where recruiters are with one application (no row: ``new``), and who moved it last."""

    __tablename__ = "application_review"

    submission_id: Mapped[int] = mapped_column(BigId, ForeignKey("contact_submission.id", ondelete="CASCADE"),
                                               primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    staff_token_id: Mapped[int] = mapped_column(ForeignKey("staff_token.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApplicationNote(Base):
    """A recruiter's note on an application, encrypted with the PII keys like the application;
    erased with it (ON DELETE CASCADE)."""

    __tablename__ = "application_note"
    __table_args__ = (Index("ix_application_note_submission", "submission_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("contact_submission.id", ondelete="CASCADE"))
    staff_token_id: Mapped[int] = mapped_column(ForeignKey("staff_token.id"))
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
