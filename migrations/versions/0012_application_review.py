"""Recruiters' review of applications: a short reference the candidate can quote, a status, and
the recruiters' notes (encrypted like the application itself).

Revision ID: 0012_application_review
Revises: 0010_stats_backlog
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_application_review"
down_revision = "0011_staff_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact_submission") as batch:
        batch.add_column(sa.Column("reference", sa.String(16), nullable=True))
        batch.create_unique_constraint("uq_contact_submission_reference", ["reference"])
    op.create_table(
        "application_review",
        sa.Column("submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("contact_submission.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("staff_token_id", sa.Integer, sa.ForeignKey("staff_token.id"), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "application_note",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  sa.ForeignKey("contact_submission.id", ondelete="CASCADE"), nullable=False),
        sa.Column("staff_token_id", sa.Integer, sa.ForeignKey("staff_token.id"), nullable=False),
        sa.Column("ciphertext", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_application_note_submission", "application_note", ["submission_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_application_note_submission", "application_note")
    op.drop_table("application_note")
    op.drop_table("application_review")
    with op.batch_alter_table("contact_submission") as batch:
        batch.drop_constraint("uq_contact_submission_reference", type_="unique")
        batch.drop_column("reference")
