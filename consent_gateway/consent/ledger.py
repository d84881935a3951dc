"""The tamper-evident ledger: signed checkpoints over the digests of consent events.

``seal_ledger`` digests each event not yet sealed (SHA-256 of its canonical row), keeps the digest
in ``ledger_entry``, and writes a ``ledger_checkpoint``: the Merkle root (RFC 6962) of the range,
the digest of the previous checkpoint, and an Ed25519 signature by the receipt key over both.
``verify_ledger`` recomputes everything and names the first event edited, deleted or inserted
out of order. A checkpoint's inclusion proof (``inclusion_proof``) shows that one receipt's event
is in a signed root without revealing any other event.

Sealing reads events in batches and writes only its own tables, from a command run apart (cron):
recording a decision never waits for it. The retention purge seals first, then deletes sealed
events only and marks their entries purged: their digests stay, and ``verify_ledger`` accepts a
missing event whose entry says it was purged past retention.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consent_gateway.consent import merkle
from consent_gateway.consent.jws import ReceiptKeys, canonical_json, verify_signature
from consent_gateway.consent.models import ConsentEvent, LedgerCheckpoint, LedgerEntry
from consent_gateway.consent.receipts import iso
from consent_gateway.db import utcnow
from consent_gateway.errors import LedgerBusy

EVENT_DOMAIN = b"iqera.ledger.event.v1\n"
STATEMENT_VERSION = 1
# Small enough that one checkpoint's write holds SQLite's write lock only briefly, and that an
# inclusion proof stays short (log2 of it: 14 hashes).
MAX_CHECKPOINT_EVENTS = 10_000
READ_BATCH = 1_000
# PostgreSQL hands out ids at INSERT but a transaction may commit after a later one: events
# younger than this are left for the next seal, so none is sealed past a gap that fills later.
DEFAULT_SETTLE = timedelta(seconds=5)
# The fields a digest covers, named once: a column added later does not change old digests.
EVENT_FIELDS = ("id", "receipt_id", "site_id", "visitor_id", "action", "choices", "policy_version",
                "config_hash", "lang", "gpc", "country", "browser_family", "device_class", "is_bot",
                "script_hash", "created_at", "expires_at")
# Fields added later, covered like the others when the event has them (vendor-level choices,
# 0008; consent hash and the visitor's time of a pending refusal, 0013): an event recorded before
# they existed keeps the digest it was sealed with.
OPTIONAL_EVENT_FIELDS = ("vendors", "consent_hash", "decided_at")


def event_digest(event: ConsentEvent) -> str:
    """SHA-256 (hex) of the event's canonical row: every field, times in ISO 8601 UTC."""
    row: dict[str, Any] = {}
    for name in EVENT_FIELDS:
        value = getattr(event, name)
        row[name] = iso(value) if isinstance(value, datetime) else value
    for name in OPTIONAL_EVENT_FIELDS:
        value = getattr(event, name)
        if value is not None:
            row[name] = iso(value) if isinstance(value, datetime) else value
    return hashlib.sha256(EVENT_DOMAIN + canonical_json(row)).hexdigest()


def leaf(event_id: int, event_created_at: datetime, digest: str) -> bytes:
    """The Merkle leaf of an entry: it binds the event's id and time to its digest, so that an
    entry cannot be re-dated to pass a deletion off as a retention purge."""
    return merkle.leaf_hash(canonical_json([event_id, iso(event_created_at), digest]))


def statement(checkpoint: LedgerCheckpoint) -> bytes:
    """The bytes a checkpoint's signature covers and its ``digest`` hashes."""
    return canonical_json({
        "v": STATEMENT_VERSION,
        "checkpoint": checkpoint.id,
        "first_event_id": checkpoint.first_event_id,
        "last_event_id": checkpoint.last_event_id,
        "event_count": checkpoint.event_count,
        "root": checkpoint.root_digest,
        "previous": checkpoint.previous_digest,
        "created_at": iso(checkpoint.created_at),
    })


@dataclass
class SealReport:
    """The checkpoints one seal wrote, as published (``checkpoint_dict``)."""

    checkpoints: list[dict[str, Any]] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(c["event_count"] for c in self.checkpoints)

    def summary(self) -> str:
        if not self.checkpoints:
            return "nothing to seal: every settled event is already sealed"
        last = self.checkpoints[-1]
        return (f"sealed {self.events} event(s) in {len(self.checkpoints)} checkpoint(s); checkpoint "
                f"#{last['id']} covers events up to #{last['last_event_id']}, root {last['root_digest']}")


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    return session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1)).first()


def seal_ledger(session: Session, keys: ReceiptKeys, *, now: datetime | None = None,
                settle: timedelta = DEFAULT_SETTLE, max_events: int = MAX_CHECKPOINT_EVENTS,
                batch: int = READ_BATCH) -> SealReport:
    """Seal every event recorded before ``now - settle`` and not sealed yet, in checkpoints of at
    most ``max_events``, each committed on its own. Raises LedgerBusy if another seal got there
    first (nothing of this one is kept; run it again)."""
    now = (now or utcnow()).replace(microsecond=0)
    cutoff = now - settle
    report = SealReport()
    while True:
        previous = latest_checkpoint(session)
        after = previous.last_event_id if previous else 0
        rows = list(_settled_events(session, after, cutoff, max_events, batch))
        if not rows:
            session.rollback()
            return report
        checkpoint = LedgerCheckpoint(
            id=(previous.id + 1) if previous else 1,
            first_event_id=rows[0][0],
            last_event_id=rows[-1][0],
            event_count=len(rows),
            root_digest=merkle.root([leaf(*row) for row in rows]).hex(),
            previous_digest=previous.digest if previous else None,
            created_at=now,
        )
        body = statement(checkpoint)
        checkpoint.digest = hashlib.sha256(body).hexdigest()
        checkpoint.signature, checkpoint.kid = keys.sign(body)
        try:
            session.add(checkpoint)
            session.flush()
            session.execute(insert(LedgerEntry), [
                {"event_id": event_id, "checkpoint_id": checkpoint.id, "digest": digest,
                 "event_created_at": created_at, "purged_at": None}
                for event_id, created_at, digest in rows])
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise LedgerBusy("another `ledger seal` sealed these events first; run it again") from exc
        report.checkpoints.append(checkpoint_dict(checkpoint))


def _settled_events(session: Session, after: int, cutoff: datetime, limit: int,
                    batch: int) -> Iterator[tuple[int, datetime, str]]:
    """(id, created_at, digest) of the events after ``after`` in id order, stopping at the first one
    recorded after ``cutoff`` (so a sealed range never has a gap that fills later)."""
    taken = 0
    while taken < limit:
        events = session.scalars(select(ConsentEvent).where(ConsentEvent.id > after)
                                 .order_by(ConsentEvent.id).limit(min(batch, limit - taken))).all()
        if not events:
            return
        for event in events:
            session.expunge(event)  # read once: keep memory flat over a long backlog
        for event in events:
            if event.created_at > cutoff:
                return
            yield event.id, event.created_at, event_digest(event)
            taken += 1
        after = events[-1].id


@dataclass(frozen=True)
class Problem:
    """One thing ``verify_ledger`` found wrong: ``kind`` is ``edited``, ``deleted``, ``inserted``
    or ``checkpoint``; ``event_id`` names the event (None for a checkpoint's own fault)."""

    kind: str
    checkpoint_id: int
    event_id: int | None
    message: str


@dataclass
class LedgerReport:
    checkpoints: int = 0
    sealed: int = 0
    purged: int = 0
    unsealed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.intact:
            return (f"ledger intact: {self.checkpoints} checkpoint(s), {self.sealed} sealed event(s) "
                    f"({self.purged} purged by retention, digest kept), {self.unsealed} not sealed yet")
        first = self.problems[0]
        return f"ledger NOT intact: {len(self.problems)} problem(s); first: {first.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"intact": self.intact, "checkpoints": self.checkpoints, "sealed": self.sealed,
                "purged": self.purged, "unsealed": self.unsealed, "summary": self.summary(),
                "problems": [p.__dict__ for p in self.problems]}


def verify_ledger(session: Session, public_keys: Mapping[str, Ed25519PublicKey],
                  retention_days: int) -> LedgerReport:
    """Recompute every checkpoint: its chain, signature and root, and each sealed event's digest.

    ``public_keys`` are the receipt keys by kid (``ReceiptKeys.public_keys()`` or the published
    JWKS through ``public_keys_of``); ``retention_days`` is the ledger's retention, under which a
    missing event marked purged counts as deleted. Problems come in ledger order.
    """
    report = LedgerReport()
    previous: LedgerCheckpoint | None = None
    for checkpoint in session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id)).all():
        report.checkpoints += 1
        report.problems += _check_checkpoint(checkpoint, previous, public_keys)
        report.problems += _check_events(session, checkpoint, previous, retention_days, report)
        previous = checkpoint
    last_sealed = previous.last_event_id if previous else 0
    report.unsealed = session.scalar(select(func.count()).select_from(ConsentEvent)
                                     .where(ConsentEvent.id > last_sealed)) or 0
    return report


def _check_checkpoint(checkpoint: LedgerCheckpoint, previous: LedgerCheckpoint | None,
                      public_keys: Mapping[str, Ed25519PublicKey]) -> list[Problem]:
    def problem(what: str) -> Problem:
        return Problem("checkpoint", checkpoint.id, None, f"checkpoint #{checkpoint.id} {what}")

    out = []
    expected_id = previous.id + 1 if previous else 1
    if checkpoint.id != expected_id:
        out.append(problem(f"follows checkpoint #{expected_id - 1}: checkpoints in between were deleted"))
    if checkpoint.previous_digest != (previous.digest if previous else None):
        out.append(problem("does not chain to the checkpoint before it"))
    body = statement(checkpoint)
    if hashlib.sha256(body).hexdigest() != checkpoint.digest:
        out.append(problem("was altered: its digest does not match what it states"))
    if not verify_signature(public_keys, checkpoint.kid, checkpoint.signature, body):
        out.append(problem(f"has no valid signature by a published receipt key (kid {checkpoint.kid})"))
    return out


def _check_events(session: Session, checkpoint: LedgerCheckpoint, previous: LedgerCheckpoint | None,
                  retention_days: int, report: LedgerReport) -> list[Problem]:
    entries = session.scalars(select(LedgerEntry).where(LedgerEntry.checkpoint_id == checkpoint.id)
                              .order_by(LedgerEntry.event_id)).all()
    low = previous.last_event_id if previous else 0
    events = {e.id: e for e in session.scalars(
        select(ConsentEvent).where(ConsentEvent.id > low, ConsentEvent.id <= checkpoint.last_event_id))}
    for item in [*events.values(), *entries]:
        session.expunge(item)  # read once: keep memory flat over the whole ledger
    out: list[tuple[int, Problem]] = []

    def add(kind: str, event_id: int, what: str) -> None:
        out.append((event_id, Problem(kind, checkpoint.id, event_id,
                                      f"event #{event_id} {what} (checkpoint #{checkpoint.id})")))

    root = merkle.root([leaf(e.event_id, e.event_created_at, e.digest) for e in entries]).hex()
    if root != checkpoint.root_digest or len(entries) != checkpoint.event_count:
        out.append((low, Problem("checkpoint", checkpoint.id, None,
                                 f"checkpoint #{checkpoint.id}'s sealed digests were altered: "
                                 "their Merkle root is not the signed one")))
    sealed = {e.event_id for e in entries}
    for entry in entries:
        event = events.get(entry.event_id)
        if event is not None:
            if event_digest(event) != entry.digest:
                add("edited", entry.event_id, "was edited after it was sealed")
        elif entry.purged_at is None:
            add("deleted", entry.event_id, "was deleted after it was sealed")
        elif entry.event_created_at > entry.purged_at - timedelta(days=retention_days):
            add("deleted", entry.event_id, "was deleted before the end of its retention")
        else:
            report.purged += 1
    for event_id in sorted(set(events) - sealed):
        add("inserted", event_id, "was inserted out of order, inside a sealed range")
    report.sealed += len(entries)
    return [p for _, p in sorted(out, key=lambda item: item[0])]


def mark_purged(session: Session, event_ids: Sequence[int], now: datetime) -> None:
    """Record that the retention purge deleted these sealed events (in the purge's transaction)."""
    session.execute(update(LedgerEntry).where(LedgerEntry.event_id.in_(event_ids)).values(purged_at=now))


def last_sealed_event_id(session: Session) -> int:
    checkpoint = latest_checkpoint(session)
    return checkpoint.last_event_id if checkpoint else 0


def inclusion_proof(session: Session, event_id: int) -> dict[str, Any]:
    """Where one event sits in the sealed ledger: its checkpoint, digest, Merkle leaf and audit path
    (RFC 6962), checked here against the signed root; or ``sealed: False`` when not sealed yet."""
    entry = session.get(LedgerEntry, event_id)
    if entry is None:
        return {"sealed": False,
                "message": "not sealed yet: the next `consent-gateway ledger seal` will include it"}
    checkpoint = session.get(LedgerCheckpoint, entry.checkpoint_id)
    assert checkpoint is not None  # a foreign key
    entries = session.scalars(select(LedgerEntry).where(LedgerEntry.checkpoint_id == checkpoint.id)
                              .order_by(LedgerEntry.event_id)).all()
    leaves = [leaf(e.event_id, e.event_created_at, e.digest) for e in entries]
    index = [e.event_id for e in entries].index(event_id)
    path = merkle.audit_path(index, leaves)
    found = merkle.root_from_path(index, len(leaves), leaves[index], path)
    return {
        "sealed": True,
        "checkpoint": checkpoint_dict(checkpoint),
        "event_digest": entry.digest,
        "leaf": {"data": [event_id, iso(entry.event_created_at), entry.digest],
                 "hash": leaves[index].hex(), "index": index, "tree_size": len(leaves)},
        "audit_path": [h.hex() for h in path],
        "root_matches": found is not None and found.hex() == checkpoint.root_digest,
        "method": ("event digest = SHA-256('iqera.ledger.event.v1\\n' + canonical JSON row); leaf = "
                   "SHA-256(0x00 + canonical JSON [event id, created_at, digest]); Merkle tree and "
                   "audit path as RFC 6962; the checkpoint statement is signed with Ed25519 "
                   "(key by kid in /.well-known/jwks.json)"),
    }


def checkpoint_dict(checkpoint: LedgerCheckpoint) -> dict[str, Any]:
    """A checkpoint as published (proof bundles, evidence packs), with the statement it signs."""
    return {
        "id": checkpoint.id,
        "first_event_id": checkpoint.first_event_id,
        "last_event_id": checkpoint.last_event_id,
        "event_count": checkpoint.event_count,
        "root_digest": checkpoint.root_digest,
        "previous_digest": checkpoint.previous_digest,
        "digest": checkpoint.digest,
        "signature": checkpoint.signature,
        "kid": checkpoint.kid,
        "created_at": iso(checkpoint.created_at),
        "statement": statement(checkpoint).decode(),
    }


def checkpoints(session: Session) -> list[dict[str, Any]]:
    """Every checkpoint, oldest first (for the evidence pack)."""
    return [checkpoint_dict(c) for c in
            session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id)).all()]
