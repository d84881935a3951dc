"""Contact-form storage (encrypted values with purpose and expiry) and purpose objections.

Revision ID: 0002_contact
Revises: 0001_core
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_contact"
down_revision = "0001_core"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "contact_submission",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("receipt_id", sa.String(32)),
        sa.Column("visitor_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_contact_submission_expiry", "contact_submission", ["expires_at"])
    op.create_table(
        "contact_field",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("submission_id", BigId,
                  sa.ForeignKey("contact_submission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("receipt_id", sa.String(32)),
        sa.Column("visitor_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_contact_field_visitor", "contact_field", ["site_id", "visitor_id", "purpose"])
    op.create_index("ix_contact_field_expiry", "contact_field", ["expires_at"])
    op.create_index("ix_contact_field_submission", "contact_field", ["submission_id"])
    op.create_table(
        "purpose_objection",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(40), nullable=False),
        sa.Column("visitor_id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("receipt_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("site_id", "visitor_id", "purpose", "kind", name="uq_purpose_objection"),
    )


def downgrade() -> None:
    op.drop_table("purpose_objection")
    op.drop_index("ix_contact_field_submission", table_name="contact_field")
    op.drop_index("ix_contact_field_expiry", table_name="contact_field")
    op.drop_index("ix_contact_field_visitor", table_name="contact_field")
    op.drop_table("contact_field")
    op.drop_index("ix_contact_submission_expiry", table_name="contact_submission")
    op.drop_table("contact_submission")
