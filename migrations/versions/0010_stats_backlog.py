"""The decisions not yet added to the rollups (counted when figures are read).

Revision ID: 0010_stats_backlog
Revises: 0009_undeclared_cookies
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_stats_backlog"
down_revision = "0009_undeclared_cookies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("stats_backlog", sa.Column("receipt_id", sa.String(32), primary_key=True))


def downgrade() -> None:
    op.drop_table("stats_backlog")
