"""Tracker scans and their findings, kept across scans.

Revision ID: 0014_scans
Revises: 0010_stats_backlog
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_scans"
down_revision = "0013_consent_hash"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "scan",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("pages", sa.Text, nullable=False),
        sa.Column("full", sa.Boolean, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.create_index("ix_scan_site_started", "scan", ["site_id", "started_at"])
    op.create_table(
        "scan_finding",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("page", sa.String(2048), nullable=True),
        sa.Column("state", sa.String(16), nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("vendor_id", sa.String(40), nullable=True),
        sa.Column("known", sa.Text, nullable=True),
        sa.Column("first_scan_id", BigId, sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("last_scan_id", BigId, sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("resolved_scan_id", BigId, sa.ForeignKey("scan.id"), nullable=True),
    )
    op.create_index("ix_scan_finding_site_open", "scan_finding", ["site_id", "resolved_scan_id"])


def downgrade() -> None:
    op.drop_index("ix_scan_finding_site_open", "scan_finding")
    op.drop_table("scan_finding")
    op.drop_index("ix_scan_site_started", "scan")
    op.drop_table("scan")
