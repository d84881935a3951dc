"""Stats: where each decision was taken (ui layer, time to decide) and the daily rollups.

Revision ID: 0003_stats
Revises: 0002_contact
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_stats"
down_revision = "0002_contact"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (no batch copy on SQLite): the append-only trigger must survive.
    op.add_column("consent_event", sa.Column("ui_layer", sa.String(12)))
    op.add_column("consent_event", sa.Column("ui_ms", sa.Integer))
    op.create_table(
        "consent_daily",
        sa.Column("dimension", sa.String(10), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("value", sa.String(50), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("decisions", sa.Integer, nullable=False),
        sa.Column("granted", sa.Integer, nullable=False),
        sa.Column("gpc", sa.Integer, nullable=False),
        sa.Column("bots", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("dimension", "day", "site_id", "value", "action", "purpose",
                                name="pk_consent_daily"),
    )
    op.create_table(
        "banner_impression_daily",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("impressions", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("day", "site_id", name="pk_banner_impression_daily"),
    )


def downgrade() -> None:
    op.drop_table("banner_impression_daily")
    op.drop_table("consent_daily")
    op.drop_column("consent_event", "ui_ms")
    op.drop_column("consent_event", "ui_layer")
