"""The tamper-evident ledger: signed checkpoints and the sealed digest of each event.

Revision ID: 0006_ledger
Revises: 0005_files
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_ledger"
down_revision = "0005_files"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_checkpoint",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("first_event_id", sa.BigInteger, nullable=False),
        sa.Column("last_event_id", sa.BigInteger, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("root_digest", sa.String(64), nullable=False),
        sa.Column("previous_digest", sa.String(64)),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "ledger_entry",
        # No foreign key to consent_event: the entry outlives the event the retention purge deletes.
        sa.Column("event_id", BigId, primary_key=True, autoincrement=False),
        sa.Column("checkpoint_id", sa.Integer, sa.ForeignKey("ledger_checkpoint.id"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("event_created_at", sa.DateTime, nullable=False),
        sa.Column("purged_at", sa.DateTime),
    )
    op.create_index("ix_ledger_entry_checkpoint", "ledger_entry", ["checkpoint_id", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entry_checkpoint", table_name="ledger_entry")
    op.drop_table("ledger_entry")
    op.drop_table("ledger_checkpoint")
