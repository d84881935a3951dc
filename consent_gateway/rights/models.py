"""Data-subject requests (Art. 15-22 GDPR, art. 85 loi Informatique et Libertés) and their deadlines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base, BigId, UTCDateTime


class RightsRequest(Base):
    """One request of a visitor, from its receipt to its closing.

    The requester's own words and contact details (name, email, message, post-mortem instructions
    and designated person) are one encrypted JSON document, like contact data; so are the
    extension notice and the closing note, which the DPO writes to the requester. What stays in
    clear is what the DPO's list needs: the kind, the dates, how identity was checked.
    """

    __tablename__ = "rights_request"
    __table_args__ = (
        Index("ix_rights_request_open", "closed_at", "due_at"),
        Index("ix_rights_request_visitor", "site_id", "visitor_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    site_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    # "form" (the visitor wrote to us) or "self_service" (done at once with a valid receipt).
    channel: Mapped[str] = mapped_column(String(12))
    lang: Mapped[str] = mapped_column(String(2))
    # "receipt" (a valid receipt token of the site proved the visitor) or "to_verify" (the DPO must).
    identity: Mapped[str] = mapped_column(String(12))
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    receipt_id: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(String(40))
    details_ciphertext: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_notice_ciphertext: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note_ciphertext: Mapped[str | None] = mapped_column(Text)

    @property
    def deadline(self) -> datetime:
        """When the answer is due: the extended date once extended, else one month after receipt."""
        return self.extended_due_at or self.due_at

    def is_overdue(self, now: datetime) -> bool:
        return self.closed_at is None and now > self.deadline
