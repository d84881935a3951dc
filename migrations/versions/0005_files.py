"""Uploaded files of contact forms (encrypted blobs) and site-bound staff tokens (recruiters).

Revision ID: 0005_files
Revises: 0004_rights
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_files"
down_revision = "0004_rights"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "contact_file",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("field_id", BigId, sa.ForeignKey("contact_field.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("ciphertext", sa.Text, nullable=False),
    )
    with op.batch_alter_table("staff_token") as batch:
        batch.add_column(sa.Column("site_id", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("staff_token") as batch:
        batch.drop_column("site_id")
    op.drop_table("contact_file")
