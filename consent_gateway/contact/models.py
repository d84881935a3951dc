"""Contact captures: submissions, their encrypted fields, and objections/restrictions of a purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base, BigId, UTCDateTime


class ContactSubmission(Base):
    """One contact-form submission: who sent it (pseudonymously) and until when it may be kept.

    It holds no personal data in clear; the values are in ``contact_field``, encrypted.
    """

    __tablename__ = "contact_submission"
    __table_args__ = (Index("ix_contact_submission_expiry", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # An application's short reference the candidate can quote (CAND-7K3F9Q); None for a message.
    reference: Mapped[str | None] = mapped_column(String(16), unique=True)
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


class ContactFile(Base):
    """The bytes of an uploaded file, encrypted (Fernet, the PII keys), one per ``file`` field row.

    Its name, type and size are in the field's own (encrypted) value; deleting the field row (a
    withdrawal, an erasure, the purge) deletes the file with it (ON DELETE CASCADE).
    """

    __tablename__ = "contact_file"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("contact_field.id", ondelete="CASCADE"), unique=True)
    ciphertext: Mapped[str] = mapped_column(Text)


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
