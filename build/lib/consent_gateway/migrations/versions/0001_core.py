"""Core tables: consent events (append-only), banner configs, staff tokens, access log.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "consent_event",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("receipt_id", sa.String(32), nullable=False, unique=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("visitor_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("choices", sa.Text, nullable=False),
        sa.Column("policy_version", sa.String(40), nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("gpc", sa.Boolean, nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("browser_family", sa.String(50)),
        sa.Column("device_class", sa.String(10)),
        sa.Column("is_bot", sa.Boolean, nullable=False),
        sa.Column("script_hash", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_consent_event_visitor", "consent_event", ["site_id", "visitor_id", "id"])
    op.create_index("ix_consent_event_site_time", "consent_event", ["site_id", "created_at"])
    op.create_table(
        "banner_config",
        sa.Column("config_hash", sa.String(64), primary_key=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("policy_version", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "staff_token",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.create_table(
        "access_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("staff_token_id", sa.Integer, sa.ForeignKey("staff_token.id"), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("site_id", sa.String(40)),
        sa.Column("subject", sa.String(100)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_access_log_time", "access_log", ["created_at"])
    _forbid_updates("consent_event")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS consent_event_append_only ON consent_event")
        op.execute("DROP FUNCTION IF EXISTS consent_event_append_only()")
    op.drop_table("access_log")
    op.drop_table("staff_token")
    op.drop_table("banner_config")
    op.drop_table("consent_event")


def _forbid_updates(table: str) -> None:
    """The consent ledger is append-only: the database itself refuses an UPDATE of an event."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
            """
        )
    else:
        op.execute(
            f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
            """
        )
