"""The scans and their findings.

A finding is one problem on one site, kept across scans: ``first_scan_id`` is the scan that found
it, ``last_scan_id`` the latest that still saw it, ``resolved_scan_id`` the first full scan that
no longer did. A problem that comes back after being resolved is a new row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consent_gateway.db import Base, BigId, JSONText, UTCDateTime


class Scan(Base):
    """One run of the tracker scan on one site: the pages visited, when, how long it took."""

    __tablename__ = "scan"
    __table_args__ = (Index("ix_scan_site_started", "site_id", "started_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(40))
    pages: Mapped[list[str]] = mapped_column(JSONText)
    # Whether every declared page was visited: only a full scan resolves findings or finds stale ones.
    full: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    # Counts by severity of the findings open after this scan, and of new and resolved ones.
    summary: Mapped[dict[str, Any]] = mapped_column(JSONText)


class ScanFinding(Base):
    """A problem the scan saw, with its evidence, held against the declaration."""

    __tablename__ = "scan_finding"
    __table_args__ = (Index("ix_scan_finding_site_open", "site_id", "resolved_scan_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(512))
    page: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONText)
    vendor_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    known: Mapped[dict[str, Any] | None] = mapped_column(JSONText, nullable=True)
    first_scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id"))
    last_scan_id: Mapped[int] = mapped_column(ForeignKey("scan.id"))
    resolved_scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan.id"), nullable=True)
