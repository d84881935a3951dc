"""The group commit of new visitors' decisions (workflows.DecisionBatches): decisions arriving
together share a transaction, each is answered only once committed, a bad one fails alone."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway import consent, workflows
from consent_gateway.consent import ConsentEvent, RecordedConsent, RequestContext
from consent_gateway.stats import ConsentDaily, catch_up

CLIENTS = 8


def _record_together(app, batches: workflows.DecisionBatches,
                     contexts: list[RequestContext]) -> list[RecordedConsent | Exception]:
    gw = app.extensions["gateway"]
    site = gw.sites.sites["demo"]
    body = {"action": "accept_all", "choices": {}, "lang": "fr", "policy_version": site.policy_version,
            "config_hash": gw.sites.banner_config(site, "fr")["config_hash"]}
    decision = consent.parse_decision(gw.sites, site, body)
    results: list[RecordedConsent | Exception] = [RuntimeError("not run")] * len(contexts)

    def post(i: int) -> None:
        try:
            results[i] = batches.record(app.extensions["db_engine"], gw.sites, site, decision, contexts[i],
                                        gw.signer)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[i] = exc

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(contexts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _decisions_counted(app, db_session: Session) -> int:
    """The decisions in the rollups, once the backlog is counted (as every reading of them does)."""
    catch_up(db_session, app.extensions["gateway"].sites)
    return db_session.scalar(select(func.coalesce(func.sum(ConsentDaily.decisions), 0))
                             .where(ConsentDaily.dimension == "all")) or 0


@pytest.fixture
def slow_first_commit(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first transaction takes a while, so the other decisions queue meanwhile; returns the
    size of each transaction written."""
    sizes: list[int] = []
    queue = workflows.queue_decisions

    def slow(session, events):
        sizes.append(len(events))
        if len(sizes) == 1:
            time.sleep(0.5)
        queue(session, events)

    monkeypatch.setattr(workflows, "queue_decisions", slow)
    return sizes


def test_decisions_arriving_together_commit_together_and_each_gets_its_own_receipt(
        app, db_session, slow_first_commit) -> None:
    results = _record_together(app, workflows.DecisionBatches(), [RequestContext()] * CLIENTS)

    recorded = [r for r in results if isinstance(r, RecordedConsent)]
    assert len(recorded) == CLIENTS, results
    assert sum(slow_first_commit) == CLIENTS and len(slow_first_commit) < CLIENTS
    assert len({r.event.receipt_id for r in recorded}) == CLIENTS
    assert len({r.event.visitor_id for r in recorded}) == CLIENTS
    stored = set(db_session.scalars(select(ConsentEvent.receipt_id)))
    assert stored == {r.event.receipt_id for r in recorded}
    gw = app.extensions["gateway"]
    for r in recorded:
        verification = consent.verify_token(db_session, gw.sites, gw.signer, r.token)
        assert verification.valid and verification.status == "active"
    assert _decisions_counted(app, db_session) == CLIENTS


def test_a_decision_that_cannot_be_written_fails_alone(app, db_session, slow_first_commit,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    append = workflows.append_decision

    def refuse_one(session, sites, site, decision, context, **kwargs):
        if context.country == "XX":
            raise RuntimeError("this one cannot be written")
        return append(session, sites, site, decision, context, **kwargs)

    monkeypatch.setattr(workflows, "append_decision", refuse_one)
    contexts = [RequestContext(country="FR")] * (CLIENTS - 1) + [RequestContext(country="XX")]
    results = _record_together(app, workflows.DecisionBatches(), contexts)

    failed = [r for r in results if isinstance(r, Exception)]
    assert [str(e) for e in failed] == ["this one cannot be written"]
    recorded = [r for r in results if isinstance(r, RecordedConsent)]
    assert len(recorded) == CLIENTS - 1
    assert set(db_session.scalars(select(ConsentEvent.receipt_id))) == {r.event.receipt_id for r in recorded}
    assert _decisions_counted(app, db_session) == CLIENTS - 1


def test_a_decision_that_continues_a_visitor_is_not_batched(app) -> None:
    gw = app.extensions["gateway"]
    site = gw.sites.sites["demo"]
    body = {"action": "reject_all", "choices": {}, "lang": "fr", "previous_token": "x",
            "policy_version": site.policy_version,
            "config_hash": gw.sites.banner_config(site, "fr")["config_hash"]}
    decision = consent.parse_decision(gw.sites, site, body)
    with pytest.raises(ValueError, match="record_decision"):
        workflows.DecisionBatches().record(app.extensions["db_engine"], gw.sites, site, decision,
                                           RequestContext(), gw.signer)
