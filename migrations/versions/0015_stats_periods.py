"""consent_monthly: the daily rollups added up by calendar month, for long periods; the compact
time-to-decide histogram (dimension ``time``) of the decisions already counted.

Revision ID: 0015_stats_periods
Revises: 0014_scans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_stats_periods"
down_revision = "0014_scans"
branch_labels = None
depends_on = None

KEY = ("dimension", "day", "site_id", "value", "action", "purpose")


def upgrade() -> None:
    op.create_table(
        "consent_monthly",
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
        sa.PrimaryKeyConstraint(*KEY, name="pk_consent_monthly"),
    )
    # The compact time-to-decide histogram (``time``: known timings by day and site, any kind of
    # decision) of the decisions counted so far, from their ``ms`` rows.
    op.execute(
        f"INSERT INTO consent_daily ({', '.join(KEY)}, decisions, granted, gpc, bots) "
        "SELECT 'time', day, site_id, value, '', '', SUM(decisions), 0, 0, 0 FROM consent_daily "
        "WHERE dimension = 'ms' AND value != '?' GROUP BY day, site_id, value"
    )
    # The months of the rows counted so far, from the day rows (the same sums the writes keep).
    month = ("CAST(date_trunc('month', day) AS date)" if op.get_bind().dialect.name == "postgresql"
             else "date(day, 'start of month')")
    op.execute(
        f"INSERT INTO consent_monthly ({', '.join(KEY)}, decisions, granted, gpc, bots) "
        f"SELECT dimension, {month}, site_id, value, action, purpose, SUM(decisions), SUM(granted), "
        f"SUM(gpc), SUM(bots) FROM consent_daily GROUP BY dimension, {month}, site_id, value, action, purpose"
    )


def downgrade() -> None:
    op.drop_table("consent_monthly")
    op.execute("DELETE FROM consent_daily WHERE dimension = 'time'")
