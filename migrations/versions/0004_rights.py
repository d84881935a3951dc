"""Rights requests: kind, requester (encrypted), received, due, extension, identity check, closing.

Revision ID: 0004_rights
Revises: 0003_stats
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_rights"
down_revision = "0003_stats"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rights_request",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("identity", sa.String(12), nullable=False),
        sa.Column("visitor_id", sa.String(64)),
        sa.Column("receipt_id", sa.String(32)),
        sa.Column("purpose", sa.String(40)),
        sa.Column("details_ciphertext", sa.Text),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("extended_at", sa.DateTime),
        sa.Column("extended_due_at", sa.DateTime),
        sa.Column("extension_notice_ciphertext", sa.Text),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("outcome", sa.String(20)),
        sa.Column("outcome_note_ciphertext", sa.Text),
    )
    op.create_index("ix_rights_request_open", "rights_request", ["closed_at", "due_at"])
    op.create_index("ix_rights_request_visitor", "rights_request", ["site_id", "visitor_id"])


def downgrade() -> None:
    op.drop_index("ix_rights_request_visitor", table_name="rights_request")
    op.drop_index("ix_rights_request_open", table_name="rights_request")
    op.drop_table("rights_request")
