"""Screenshots of every banner configuration served, by config hash and variant.

Revision ID: 0007_snapshots
Revises: 0006_ledger
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_snapshots"
down_revision = "0006_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "banner_snapshot",
        sa.Column("config_hash", sa.String(64), sa.ForeignKey("banner_config.config_hash"),
                  primary_key=True),
        sa.Column("variant", sa.String(24), primary_key=True),
        # NULL with a note: the configuration could not be re-rendered (no longer the current one).
        sa.Column("png", sa.LargeBinary),
        sa.Column("note", sa.String(200)),
        sa.Column("taken_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("banner_snapshot")
