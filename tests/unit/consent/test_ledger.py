"""The sealed ledger: untouched data verifies; an edited, deleted or slipped-in event is named;
a forged checkpoint fails; the retention purge keeps it verifiable. Both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contact_support import decide
from ledger_support import append_only_trigger_off, raw_sql
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from consent_gateway import workflows
from consent_gateway.consent import ConsentEvent
from consent_gateway.consent.ledger import LedgerReport, SealReport, seal_ledger, verify_ledger


def seal(app, **options) -> SealReport:
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        return seal_ledger(session, app.extensions["gateway"].receipt_keys, settle=timedelta(0), **options)


def verify(app) -> LedgerReport:
    gw = app.extensions["gateway"]
    with Session(app.extensions["db_engine"]) as session:
        return verify_ledger(session, gw.receipt_keys.public_keys(), gw.sites.consent_events_retention_days)


def event_ids(app) -> list[int]:
    with Session(app.extensions["db_engine"]) as session:
        return list(session.scalars(select(ConsentEvent.id).order_by(ConsentEvent.id)))


def test_untouched_events_verify_across_checkpoints_and_later_seals(app):
    for _ in range(5):
        decide(app)
    sealed = seal(app, max_events=2)
    assert [c["event_count"] for c in sealed.checkpoints] == [2, 2, 1]
    decide(app)
    report = verify(app)
    assert report.intact, report.problems
    assert (report.checkpoints, report.sealed, report.unsealed) == (3, 5, 1)
    assert report.summary().startswith("ledger intact: 3 checkpoint(s), 5 sealed event(s)")
    assert seal(app).events == 1 and seal(app).events == 0
    assert verify(app).intact and verify(app).unsealed == 0


def test_events_younger_than_the_settle_time_wait_for_the_next_seal(app):
    decide(app)
    with Session(app.extensions["db_engine"]) as session:
        assert seal_ledger(session, app.extensions["gateway"].receipt_keys,
                           settle=timedelta(minutes=1)).events == 0
    assert verify(app).unsealed == 1


def test_the_database_refuses_to_update_an_event(app):
    decide(app)
    with pytest.raises(DBAPIError, match="append-only"):
        raw_sql(app.extensions["db_engine"], "UPDATE consent_event SET action = 'reject_all'")


def test_an_edited_and_a_deleted_sealed_event_are_named(app):
    for _ in range(4):
        decide(app)
    seal(app)
    ids = event_ids(app)
    engine = app.extensions["db_engine"]
    with append_only_trigger_off(engine):
        assert raw_sql(engine, "UPDATE consent_event SET choices = :c WHERE id = :id",
                       c='{"audience_measurement":true,"marketing":true}', id=ids[1]) == 1
    assert raw_sql(engine, "DELETE FROM consent_event WHERE id = :id", id=ids[2]) == 1
    report = verify(app)
    assert not report.intact
    assert [(p.kind, p.event_id) for p in report.problems] == [("edited", ids[1]), ("deleted", ids[2])]
    assert f"event #{ids[1]} was edited after it was sealed" in report.summary()


def test_an_event_slipped_into_a_sealed_range_is_named(app):
    for _ in range(3):
        decide(app)
    ids = event_ids(app)
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        row = dict(conn.execute(text("SELECT * FROM consent_event WHERE id = :id"), {"id": ids[1]})
                   .mappings().one())
    raw_sql(engine, "DELETE FROM consent_event WHERE id = :id", id=ids[1])
    seal(app)
    assert verify(app).intact
    # Back-dating a decision: a row put back under an id the seal had passed over.
    row["receipt_id"] = "f" * 32
    columns, values = ", ".join(row), ", ".join(f":{name}" for name in row)
    raw_sql(engine, f"INSERT INTO consent_event ({columns}) VALUES ({values})", **row)
    report = verify(app)
    assert [(p.kind, p.event_id) for p in report.problems] == [("inserted", ids[1])]


def test_a_checkpoint_rewritten_without_the_key_fails(app):
    decide(app)
    seal(app)
    engine = app.extensions["db_engine"]
    raw_sql(engine, "UPDATE ledger_entry SET digest = :d", d="0" * 64)
    problems = verify(app).problems
    assert any("sealed digests were altered" in p.message for p in problems)
    raw_sql(engine, "UPDATE ledger_checkpoint SET root_digest = :r", r="1" * 64)
    assert any("no valid signature" in p.message for p in verify(app).problems)


def test_the_retention_purge_keeps_the_ledger_verifiable(app):
    decide(app, days_ago=1830)  # past the ledger's five years
    decide(app, days_ago=10)
    gw = app.extensions["gateway"]
    with Session(app.extensions["db_engine"]) as session:
        report = workflows.purge(session, gw.sites, gw.receipt_keys)
    assert report.events_sealed == 2 and report.consent_events == 1
    result = verify(app)
    assert result.intact, result.problems
    assert (result.sealed, result.purged) == (2, 1)
    # A deletion dressed up as a purge: the kept entry says when the event was recorded.
    recent = event_ids(app)[0]
    engine = app.extensions["db_engine"]
    raw_sql(engine, "DELETE FROM consent_event WHERE id = :id", id=recent)
    raw_sql(engine, "UPDATE ledger_entry SET purged_at = event_created_at WHERE event_id = :id", id=recent)
    [problem] = verify(app).problems
    assert (problem.kind, problem.event_id) == ("deleted", recent)
    assert "before the end of its retention" in problem.message
