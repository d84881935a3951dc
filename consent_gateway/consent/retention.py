"""Consent events past the declared retention of the ledger.

Only sealed events are deleted, and each deletion is marked on its ledger entry in the same
transaction: the sealed digest stays, so ``ledger verify`` tells a purge from a deletion.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consent_gateway.consent.ledger import last_sealed_event_id, mark_purged
from consent_gateway.consent.models import ConsentEvent
from consent_gateway.db import affected_rows


def count_expired_events(session: Session, before: datetime) -> int:
    return session.scalar(select(func.count()).where(ConsentEvent.created_at < before)
                          .select_from(ConsentEvent)) or 0


def purge_expired_events(session: Session, before: datetime, batch: int, now: datetime) -> int:
    """Delete the sealed events recorded before ``before``, each batch committed on its own with
    the mark of the purge (at ``now``) on their ledger entries. Unsealed events wait for a seal."""
    total = 0
    sealed_up_to = last_sealed_event_id(session)
    while True:
        ids = session.scalars(select(ConsentEvent.id).where(ConsentEvent.created_at < before,
                                                            ConsentEvent.id <= sealed_up_to)
                              .limit(batch)).all()
        if not ids:
            return total
        # rowcount, not len(ids): a purge running beside this one may have deleted some already.
        total += affected_rows(session.execute(delete(ConsentEvent).where(ConsentEvent.id.in_(ids))))
        mark_purged(session, ids, now)
        session.commit()
