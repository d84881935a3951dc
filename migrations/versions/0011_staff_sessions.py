"""Staff sessions kept on the server, and when each staff token was last used.

Revision ID: 0011_staff_sessions
Revises: 0010_stats_backlog
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_staff_sessions"
down_revision = "0010_stats_backlog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("staff_token_id", sa.Integer, sa.ForeignKey("staff_token.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
    )
    op.create_index("ix_staff_session_token", "staff_session", ["staff_token_id"])
    with op.batch_alter_table("staff_token") as batch:
        batch.add_column(sa.Column("last_used_at", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("staff_token") as batch:
        batch.drop_column("last_used_at")
    op.drop_index("ix_staff_session_token", table_name="staff_session")
    op.drop_table("staff_session")
