"""Consent events past the declared retention of the ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consent_gateway.consent.models import ConsentEvent
from consent_gateway.db import affected_rows


def count_expired_events(session: Session, before: datetime) -> int:
    return session.scalar(select(func.count()).where(ConsentEvent.created_at < before)
                          .select_from(ConsentEvent)) or 0


def purge_expired_events(session: Session, before: datetime, batch: int) -> int:
    """Delete events recorded before ``before``, each batch committed on its own."""
    total = 0
    while True:
        ids = session.scalars(select(ConsentEvent.id).where(ConsentEvent.created_at < before)
                              .limit(batch)).all()
        if not ids:
            return total
        # rowcount, not len(ids): a purge running beside this one may have deleted some already.
        total += affected_rows(session.execute(delete(ConsentEvent).where(ConsentEvent.id.in_(ids))))
        session.commit()
