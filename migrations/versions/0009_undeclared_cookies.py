"""Undeclared cookie names reported by the banners, per site (names only).

Revision ID: 0009_undeclared_cookies
Revises: 0008_vendor_choices
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_undeclared_cookies"
down_revision = "0008_vendor_choices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undeclared_cookie",
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("reports", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("site_id", "name", name="pk_undeclared_cookie"),
    )


def downgrade() -> None:
    op.drop_table("undeclared_cookie")
