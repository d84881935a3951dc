"""Vendor-level choices on each consent event (a placeholder grants only its own vendor).

Revision ID: 0008_vendor_choices
Revises: 0007_snapshots
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_vendor_choices"
down_revision = "0007_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL on the events recorded before: their ledger digests, which do not cover the column
    # when it is NULL, stay what they were sealed with.
    op.add_column("consent_event", sa.Column("vendors", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("consent_event", "vendors")
