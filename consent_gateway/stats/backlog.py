"""The rollups' backlog: decisions are counted when figures are read, not while the visitor waits.

A decision's transaction adds its receipt id to ``stats_backlog`` (``queue_decisions``, one short
INSERT whatever the batch) rather than updating the twenty-odd rollup rows it touches. Every
reader of the rollups (the stats API and CLI, the dashboard, the evidence pack) first calls
``catch_up``, which adds the backlog's events to the rollups and empties it in one transaction, so
the figures are as exact as if each decision had counted itself; cron may run it too
(``consent-gateway stats catch-up``). The events table stays the source of truth.

Catch-ups run one at a time: PostgreSQL, a transaction-level advisory lock; SQLite, ``BEGIN
IMMEDIATE`` (its one writer). A decision still being written is not yet in the backlog that the
catch-up sees: it is counted by the next one, never twice, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.orm import Session

from consent_gateway.consent.models import ConsentEvent
from consent_gateway.db import lock_for_transaction
from consent_gateway.declaration import SitesConfig
from consent_gateway.stats.models import StatsBacklog
from consent_gateway.stats.rollup import add_rollups, facts_of, recount, rollup_rows

CHUNK = 2000
# pg_advisory_xact_lock key of the catch-up (any constant the other locks do not use: theirs are
# digests of a site and visitor).
_LOCK_KEY = 0x5354415453  # "STATS"
_QUEUE = insert(StatsBacklog)


def queue_decisions(session: Session, events: Iterable[ConsentEvent]) -> None:
    """Put ``events`` in the backlog, in the caller's transaction (no commit)."""
    params = [{"receipt_id": e.receipt_id} for e in events]
    if params:
        session.connection().execute(_QUEUE, params)


def catch_up(session: Session, sites: SitesConfig, chunk: int = CHUNK) -> int:
    """Add every backlogged decision to the rollups and empty the backlog; commit. Returns how many
    decisions were counted (0, at the cost of one small query, when there were none)."""
    if session.scalar(select(StatsBacklog.receipt_id).limit(1)) is None:
        return 0
    lock_catch_up(session)
    counted = 0
    while True:
        events = list(session.scalars(
            select(ConsentEvent).join(StatsBacklog, StatsBacklog.receipt_id == ConsentEvent.receipt_id)
            .order_by(StatsBacklog.receipt_id).limit(chunk)))
        add_rollups(session, rollup_rows(sites, [(facts_of(e), 1) for e in events]))
        ids = [e.receipt_id for e in events]
        session.execute(delete(StatsBacklog).where(StatsBacklog.receipt_id.in_(ids)))
        counted += len(ids)
        session.expunge_all()
        if len(ids) < chunk:
            break
    # What is left has no event any more (the purge removed it uncounted): nothing to count. A
    # decision committed meanwhile has its event too, so it stays for the next catch-up.
    session.execute(delete(StatsBacklog).where(~exists().where(
        ConsentEvent.receipt_id == StatsBacklog.receipt_id)))
    session.commit()
    return counted


def rebuild(session: Session, sites: SitesConfig, start: date, end: date) -> int:
    """Recount the days ``start``..``end`` (inclusive) from the raw events, in one transaction
    under the catch-up lock; their events leave the backlog (counted now, not again). Returns how
    many events were counted.

    Idempotent: the period's rollup rows are deleted and counted again, so running it twice, or
    after the live path already counted, gives the same figures.
    """
    lock_catch_up(session)
    counted = recount(session, sites, start, end)
    first = datetime.combine(start, time(), tzinfo=UTC)
    after = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    session.execute(delete(StatsBacklog).where(StatsBacklog.receipt_id.in_(
        select(ConsentEvent.receipt_id).where(ConsentEvent.created_at >= first,
                                              ConsentEvent.created_at < after))))
    session.commit()
    return counted


def lock_catch_up(session: Session) -> None:
    """Take the catch-up lock for the rest of the session's transaction."""
    lock_for_transaction(session, _LOCK_KEY)
