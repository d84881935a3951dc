"""The writes that cross domains: a decision that also erases contact data, the retention purge,
and the rights a visitor exercises at once with a valid receipt (export, erasure, objection), each
recorded as a closed rights request in the same transaction.

Views and commands call these; the domains below never import each other for a write.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consent_gateway.consent import (
    ConsentEvent,
    Decision,
    ReceiptKeys,
    ReceiptSigner,
    RecordedConsent,
    RequestContext,
    append_decision,
    check_pending,
    continued_visitor,
    issue_receipt,
    latest_event,
    lock_visitor,
    parse_decision,
)
from consent_gateway.consent.ledger import seal_ledger
from consent_gateway.consent.retention import count_expired_events, purge_expired_events
from consent_gateway.contact import PIICipher, add_objection, check_objection
from consent_gateway.contact.erasure import (
    count_expired_fields,
    erase_revoked_fields,
    erase_visitor_fields,
    purge_expired_fields,
)
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import Forbidden, InvalidReceipt
from consent_gateway.rights import RightsRequest, identify, new_request, visitor_export
from consent_gateway.stats import catch_up, queue_decisions

PURGE_BATCH = 2000


def record_decision(
    session: Session,
    sites: SitesConfig,
    site: Site,
    decision: Decision,
    context: RequestContext,
    signer: ReceiptSigner,
    *,
    receipt_keys: ReceiptKeys | None = None,
    script_hash: str | None = None,
    known_configs: set[str] | None = None,
    now: datetime | None = None,
) -> RecordedConsent:
    """Append the decision, queue it for the stats rollups and, for the purposes it refuses, erase
    what the visitor's forms stored under them, in one transaction; the receipt is signed only
    after the commit.

    The decision continues the visitor its ``previous_token`` proves (400 if the token is not a
    receipt of this site); without one it starts a new visitor, who has nothing to erase and needs
    no lock. A continued visitor's decision runs under their lock, like their contact captures:
    once it is acknowledged, no field of a purpose it refuses remains. With ``receipt_keys`` the
    receipt also comes as a JWS (``receipt_jws``). Nothing here touches the ledger's seal: sealing
    runs apart (``consent-gateway ledger seal``) and never slows a decision.
    """
    visitor_id = continued_visitor(session, signer, site, decision.previous_token)
    if visitor_id is not None:
        lock_visitor(session, site.id, visitor_id)
    if decision.decided_at is not None:
        current = latest_event(session, site.id, visitor_id)
        again = current is not None and current.decided_at == decision.decided_at
        if again and current is not None and current.action == decision.action:
            # The same pending refusal sent again (its first answer was lost on the way back).
            session.commit()
            return issue_receipt(sites, site, current, signer, known_configs, receipt_keys)
        check_pending(decision, current)
    event = append_decision(session, sites, site, decision, context, visitor_id=visitor_id,
                            script_hash=script_hash, known_configs=known_configs, now=now)
    revoked = [pid for pid, granted in decision.choices.items() if not granted]
    if visitor_id is not None and revoked:
        erase_revoked_fields(session, site.id, visitor_id, revoked)
    queue_decisions(session, [event])
    session.commit()
    return issue_receipt(sites, site, event, signer, known_configs, receipt_keys)


class DecisionBatches:
    """Group commit, per process, for the decisions of new visitors (no ``previous_token``).

    A request thread queues its decision; if no transaction is being written it writes the queue
    itself, else it waits: when the writing thread has committed, the first thread still queued
    writes everything queued meanwhile, in one transaction — one event INSERT each, one INSERT
    of the batch into the stats backlog (counted into the rollups when figures are read), one
    commit. A thread signs and answers only once the commit that holds
    its decision has returned, so an acknowledged decision is as durable as with a commit each;
    a worker killed mid-batch acknowledged none of it. If a batch fails, each of its decisions is
    written again on its own, so one bad decision never fails the others.

    Decisions that continue a visitor take that visitor's lock and may erase contact fields: they
    keep their own transaction (``record_decision``). No thread is started: the fork of a
    preloaded app inherits none.
    """

    def __init__(self, max_batch: int = 64) -> None:
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._writing = False

    def record(self, engine: Engine, sites: SitesConfig, site: Site, decision: Decision,
               context: RequestContext, signer: ReceiptSigner, *, receipt_keys: ReceiptKeys | None = None,
               script_hash: str | None = None, known_configs: set[str] | None = None) -> RecordedConsent:
        """Record a new visitor's decision (committed on return) and issue its receipt."""
        if decision.previous_token is not None:
            raise ValueError("a decision that continues a visitor is recorded with record_decision")
        queued = _Queued(site, decision, context)
        with self._lock:
            self._queue.append(queued)
            lead, self._writing = not self._writing, True
        if not lead:
            queued.turn.wait()  # until our decision is written, or it is our turn to write
            lead = queued.lead
        if lead:
            self._write_queue(engine, sites, script_hash, known_configs)
        if queued.error is not None:
            raise queued.error
        assert queued.event is not None
        return issue_receipt(sites, site, queued.event, signer, known_configs, receipt_keys)

    def _write_queue(self, engine: Engine, sites: SitesConfig, script_hash: str | None,
                     known_configs: set[str] | None) -> None:
        with self._lock:
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
        try:
            self._write(engine, sites, batch, script_hash, known_configs)
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True  # the first one waiting writes the next batch
                    self._queue[0].turn.set()
                else:
                    self._writing = False
            for queued in batch:
                if queued.event is None and queued.error is None:  # the writer was interrupted
                    queued.error = RuntimeError("the decision was not written")
                queued.turn.set()

    @staticmethod
    def _write(engine: Engine, sites: SitesConfig, batch: list[_Queued], script_hash: str | None,
               known_configs: set[str] | None) -> None:
        for group in ([batch] if len(batch) > 1 else []) + [[q] for q in batch]:
            try:
                with Session(engine, expire_on_commit=False) as session:
                    events = [append_decision(session, sites, q.site, q.decision, q.context,
                                              script_hash=script_hash, known_configs=known_configs)
                              for q in group]
                    queue_decisions(session, events)
                    session.commit()
            except Exception as exc:  # noqa: BLE001 - handed to the request that owns the decision
                if len(group) == 1:
                    group[0].error = exc
                continue
            for queued, event in zip(group, events, strict=True):
                queued.event = event
            if len(group) > 1:
                return


@dataclass
class _Queued:
    site: Site
    decision: Decision
    context: RequestContext
    turn: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    event: ConsentEvent | None = None
    error: Exception | None = None


def withdraw_receipt(
    session: Session,
    sites: SitesConfig,
    site: Site,
    token: str,
    lang: str,
    context: RequestContext,
    signer: ReceiptSigner,
    *,
    receipt_keys: ReceiptKeys,
    script_hash: str | None = None,
) -> RecordedConsent:
    """Withdraw the consent that ``token`` proves, as the banner's withdraw does: a ``withdraw``
    decision continuing that visitor on the current banner, with its own receipt."""
    body = {"action": "withdraw", "choices": {}, "previous_token": token, "lang": lang,
            "policy_version": site.policy_version,
            "config_hash": sites.banner_config(site, lang)["config_hash"]}
    decision = parse_decision(sites, site, body, gpc_header=context.gpc_header)
    return record_decision(session, sites, site, decision, context, signer, receipt_keys=receipt_keys,
                           script_hash=script_hash)


@dataclass
class PurgeReport:
    """What was (or, on a dry run, would be) removed."""

    dry_run: bool
    fields_by_purpose: Counter[str] = field(default_factory=Counter)
    submissions: int = 0
    consent_events: int = 0
    events_before: datetime | None = None
    events_sealed: int = 0

    @property
    def contact_fields(self) -> int:
        return sum(self.fields_by_purpose.values())

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = [f"{verb} {self.contact_fields} contact field(s)"]
        out += [f"  {purpose}: {count}" for purpose, count in sorted(self.fields_by_purpose.items())]
        out.append(f"{verb} {self.submissions} contact submission(s)")
        before = self.events_before.date().isoformat() if self.events_before else "?"
        if not self.dry_run:
            out.append(f"sealed {self.events_sealed} consent event(s) into the ledger first")
        out.append(f"{verb} {self.consent_events} consent event(s) recorded before {before}")
        return out


def purge(session: Session, sites: SitesConfig, receipt_keys: ReceiptKeys, *, dry_run: bool = False,
          now: datetime | None = None, batch: int = PURGE_BATCH) -> PurgeReport:
    """Delete (or count, with ``dry_run``) everything past retention at ``now``.

    Safe from cron: only rows whose expiry has passed go, in bounded batches each committed on its
    own, so a purge interrupted half-way has removed only expired rows and the next run finishes it.
    The ledger is sealed first (with ``receipt_keys``) and purged events keep their sealed digest,
    so ``ledger verify`` still proves the rest intact.
    """
    now = now or utcnow()
    events_before = now - timedelta(days=sites.consent_events_retention_days)
    report = PurgeReport(dry_run=dry_run, events_before=events_before)
    if dry_run:
        report.fields_by_purpose, report.submissions = count_expired_fields(session, now)
        report.consent_events = count_expired_events(session, events_before)
        session.rollback()
        return report
    # Every event is in the rollups before any is removed: the figures outlive the raw events.
    catch_up(session, sites)
    report.fields_by_purpose, report.submissions = purge_expired_fields(session, now, batch)
    report.events_sealed = seal_ledger(session, receipt_keys, now=now).events
    report.consent_events = purge_expired_events(session, events_before, batch, now)
    return report


@dataclass(frozen=True)
class SelfService:
    """A right exercised at once: the closed request that records it, and what was done."""

    request: RightsRequest
    count: int = 0
    export: dict[str, Any] | None = None


def export_visitor_data(session: Session, sites: SitesConfig, site: Site, signer: ReceiptSigner,
                        cipher: PIICipher, token: Any, *, lang: str,
                        now: datetime | None = None) -> SelfService:
    """Everything linked to the visitor ``token`` proves, on ``site`` (portability format), and the
    closed ``portability`` request that records the answer; commit once."""
    event = _visitor(session, signer, site, token)
    export = visitor_export(session, sites, site, event.visitor_id, cipher, lang=lang, now=now)
    request = _closed(session, site, "portability", event, lang, "fulfilled", now)
    session.commit()
    return SelfService(request, len(export["contact_submissions"]), export)


def erase_visitor_contact_data(session: Session, site: Site, signer: ReceiptSigner, token: Any, *,
                               lang: str, now: datetime | None = None) -> SelfService:
    """Erase every contact field the visitor's forms stored on ``site`` (and the submissions left
    empty); the pseudonymous consent events stay, as proof the law lets us keep. Commit once, with
    the closed ``erasure`` request (outcome ``no_data`` when there was nothing to erase)."""
    event = _visitor(session, signer, site, token)
    erased = erase_visitor_fields(session, site.id, event.visitor_id)
    request = _closed(session, site, "erasure", event, lang, "fulfilled" if erased else "no_data", now)
    session.commit()
    return SelfService(request, erased)


def object_as_visitor(session: Session, sites: SitesConfig, site: Site, signer: ReceiptSigner, token: Any,
                      purpose: str, kind: str, *, lang: str, now: datetime | None = None) -> SelfService:
    """Record the visitor's objection to (or restriction of) a non-consent ``purpose`` and the
    closed request of that kind, in one transaction; idempotent (``count`` 0 when already made)."""
    check_objection(sites, site, purpose, kind)
    event = _visitor(session, signer, site, token)
    recorded = add_objection(session, site.id, event.visitor_id, event.receipt_id, purpose, kind, now)
    request = _closed(session, site, kind, event, lang, "fulfilled", now, purpose=purpose)
    session.commit()
    return SelfService(request, int(recorded.created))


def _visitor(session: Session, signer: ReceiptSigner, site: Site, token: Any) -> ConsentEvent:
    """The event of the visitor's receipt, their lock taken for the rest of the transaction."""
    try:
        event = identify(session, signer, site, token)
    except InvalidReceipt as exc:
        raise Forbidden("a receipt of this site is needed to act without the DPO", field="consent_token",
                        code="invalid_receipt") from exc
    lock_visitor(session, site.id, event.visitor_id)
    return event


def _closed(session: Session, site: Site, kind: str, event: ConsentEvent, lang: str, outcome: str,
            now: datetime | None, *, purpose: str | None = None) -> RightsRequest:
    request = new_request(site, kind, event, lang=lang, channel="self_service", purpose=purpose, now=now)
    request.closed_at, request.outcome = request.received_at, outcome
    session.add(request)
    return request
