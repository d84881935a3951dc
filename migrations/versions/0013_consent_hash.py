"""What each consent covered (``consent_hash``) and, for a refusal that waited in the visitor's
browser, when the visitor chose (``decided_at``).

Revision ID: 0013_consent_hash
Revises: 0010_stats_backlog
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_consent_hash"
down_revision = "0012_application_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite): the append-only trigger must survive. NULL on the
    # events recorded before: their ledger digests, which do not cover a NULL column, stay valid.
    op.add_column("consent_event", sa.Column("consent_hash", sa.String(64), nullable=True))
    op.add_column("consent_event", sa.Column("decided_at", sa.DateTime, nullable=True))


def downgrade() -> None:
    op.drop_column("consent_event", "decided_at")
    op.drop_column("consent_event", "consent_hash")
