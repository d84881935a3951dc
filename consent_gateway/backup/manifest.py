"""What a backup holds, stated so that a restore can prove it got all of it back.

``describe`` reads a database (the backup's own consistent copy, or the restored one) and states:
the rows of every table, the ledger's last checkpoint and how many events it seals, and the ids of
the keys the data needs — the receipt keys' ``kid`` (RFC 7638 thumbprints, public), and for the
secret and PII keys a fingerprint (a truncated SHA-256 of the key under a label: naming a key
without revealing it). Never a key. ``check_restore`` compares a restored database with the
manifest, runs the ledger verification with the receipt keys present, and tries every encrypted
value with the PII keys present.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.orm import Session

from consent_gateway.consent import ReceiptKeys
from consent_gateway.consent import models as _consent_tables  # noqa: F401 - registers the tables
from consent_gateway.consent.ledger import LedgerReport, verify_ledger
from consent_gateway.consent.models import LedgerCheckpoint
from consent_gateway.consent.receipts import iso
from consent_gateway.contact import models as _contact_tables  # noqa: F401
from consent_gateway.cookie_audit import models as _cookie_tables  # noqa: F401
from consent_gateway.db import Base
from consent_gateway.rights import models as _rights_tables  # noqa: F401
from consent_gateway.staff import models as _staff_tables  # noqa: F401
from consent_gateway.stats import models as _stats_tables  # noqa: F401

FORMAT = "iqera-consent-gateway-backup/1"
# Every column that holds a value encrypted under CONSENT_GATEWAY_PII_KEYS.
ENCRYPTED_COLUMNS = (("contact_field", "ciphertext"), ("contact_file", "ciphertext"),
                     ("rights_request", "details_ciphertext"),
                     ("rights_request", "extension_notice_ciphertext"),
                     ("rights_request", "outcome_note_ciphertext"))
READ_BATCH = 500


def key_id(kind: str, key: str) -> str:
    """A secret or PII key's public name: 16 hex digits of SHA-256 over a label and the key."""
    return hashlib.sha256(f"iqera.key-id.{kind}\n{key.strip()}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class KeySet:
    """The keys at hand (any may be empty): as the settings list them, oldest first."""

    secret_keys: tuple[str, ...] = ()
    pii_keys: tuple[str, ...] = ()
    receipt_keys: tuple[str, ...] = ()

    def receipt_kids(self) -> list[str]:
        return list(ReceiptKeys(self.receipt_keys).public_keys()) if self.receipt_keys else []


def _counts(connection: Connection) -> dict[str, int]:
    present = set(inspect(connection).get_table_names())
    return {table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables if table.name in present}


def _ledger(session: Session) -> dict[str, Any]:
    last = session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id.desc()).limit(1)).first()
    events = Base.metadata.tables["consent_event"]
    return {
        "checkpoints": session.scalar(select(func.count()).select_from(LedgerCheckpoint)) or 0,
        "last_checkpoint": None if last is None else {
            "id": last.id, "last_event_id": last.last_event_id, "digest": last.digest, "kid": last.kid,
            "created_at": iso(last.created_at)},
        "last_event_id": session.scalar(select(func.max(events.c.id))) or 0,
        "kids": sorted(set(session.scalars(select(LedgerCheckpoint.kid)))),
    }


def _openers(keys: Sequence[str]) -> list[tuple[str, Fernet]]:
    return [(key_id("pii", key), Fernet(key)) for key in keys]


def _which_key(openers: list[tuple[str, Fernet]], token: str) -> str | None:
    for kid, fernet in reversed(openers):  # the newest key opens most values
        try:
            fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, ValueError):
            continue
        return kid
    return None


def encrypted_values(connection: Connection, openers: list[tuple[str, Fernet]]) -> dict[str, int]:
    """How many stored values each PII key id opens, and how many none opens (``unreadable``)."""
    present = set(inspect(connection).get_table_names())
    tally: dict[str, int] = {}
    for table_name, column_name in ENCRYPTED_COLUMNS:
        if table_name not in present:
            continue
        table = Base.metadata.tables[table_name]
        column, key = table.c[column_name], next(iter(table.primary_key.columns))
        after = None
        while True:
            query = select(key, column).where(column.is_not(None)).order_by(key).limit(READ_BATCH)
            rows = connection.execute(query if after is None else query.where(key > after)).all()
            if not rows:
                break
            for _, token in rows:
                opened = _which_key(openers, token) or "unreadable"
                tally[opened] = tally.get(opened, 0) + 1
            after = rows[-1][0]
    return tally


def describe(session: Session, keys: KeySet) -> dict[str, Any]:
    """The manifest's account of the database ``session`` reads (counts, ledger, key ids)."""
    connection = session.connection()
    values = encrypted_values(connection, _openers(keys.pii_keys))
    ledger = _ledger(session)
    return {
        "counts": _counts(connection),
        "ledger": ledger,
        "keys_needed": {
            "receipt_keys": ledger["kids"],
            "pii_keys": sorted(k for k in values if k != "unreadable"),
            "pii_values": values,
            "secret_keys": [key_id("secret", key) for key in keys.secret_keys],
        },
    }


@dataclass
class RestoreReport:
    """What a restored database holds compared with its manifest, and what the keys present read."""

    ledger: LedgerReport
    missing: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    readable: int = 0
    unreadable: int = 0

    @property
    def complete(self) -> bool:
        """Every sealed event and every row the backup held is there, and the ledger verifies."""
        return not self.missing and self.ledger.intact

    @property
    def ok(self) -> bool:
        return self.complete and not self.keys

    def lines(self) -> list[str]:
        out = [self.ledger.summary(), *(f"  {p.kind}: {p.message}" for p in self.ledger.problems)]
        if self.complete:
            out.append("every sealed event is there: the restored ledger ends at the backup's last "
                       "checkpoint")
        else:
            out += [f"MISSING: {what}" for what in self.missing]
        if self.unreadable:
            total = self.readable + self.unreadable
            out.append(f"contact data: {self.unreadable} encrypted value(s) of {total} cannot be read "
                       "with the PII keys present")
        else:
            out.append(f"contact data: the PII keys present read all {self.readable} encrypted value(s)")
        out += [f"KEYS: {problem}" for problem in self.keys]
        return out


def check_restore(session: Session, manifest: dict[str, Any], keys: KeySet,
                  retention_days: int) -> RestoreReport:
    """Compare the restored database with ``manifest``; verify the ledger; try the keys present."""
    public_keys = ReceiptKeys(keys.receipt_keys).public_keys() if keys.receipt_keys else {}
    report = RestoreReport(ledger=verify_ledger(session, public_keys, retention_days))
    now = describe(session, keys)
    then = manifest["ledger"]
    last, restored = then["last_checkpoint"], now["ledger"]["last_checkpoint"]
    if last is not None and (restored is None or restored["id"] < last["id"]):
        report.missing.append(
            f"the backup's ledger ends at checkpoint #{last['id']} (events up to #{last['last_event_id']}); "
            + ("the restored one has no checkpoint" if restored is None else
               f"the restored one ends at checkpoint #{restored['id']} (events up to "
               f"#{restored['last_event_id']})"))
    elif last is not None and restored is not None and restored["id"] == last["id"] \
            and restored["digest"] != last["digest"]:
        report.missing.append(f"checkpoint #{last['id']} is not the one backed up (its digest differs)")
    if now["ledger"]["last_event_id"] < then["last_event_id"]:
        report.missing.append(f"the backup's last consent event is #{then['last_event_id']}; the restored "
                              f"database's is #{now['ledger']['last_event_id']}")
    for table, count in manifest["counts"].items():
        restored_count = now["counts"].get(table, 0)
        if restored_count < count:
            report.missing.append(f"{table}: {count - restored_count} of {count} row(s) are not there")
    values = now["keys_needed"]["pii_values"]
    report.unreadable = values.get("unreadable", 0)
    report.readable = sum(n for k, n in values.items() if k != "unreadable")
    present_pii = {key_id("pii", k) for k in keys.pii_keys}
    absent = [k for k in manifest["keys_needed"]["pii_keys"] if k not in present_pii]
    if absent:
        report.keys.append(f"CONSENT_GATEWAY_PII_KEYS lacks the key(s) {', '.join(absent)} that the "
                           "backed-up contact data was encrypted with")
    absent = [k for k in manifest["keys_needed"]["receipt_keys"] if k not in public_keys]
    if absent:
        report.keys.append(f"CONSENT_GATEWAY_RECEIPT_KEYS lacks the key(s) with kid {', '.join(absent)} "
                           "that signed the ledger's checkpoints")
    secrets = manifest["keys_needed"]["secret_keys"]
    if secrets and secrets[-1] not in {key_id("secret", k) for k in keys.secret_keys}:
        report.keys.append(f"CONSENT_GATEWAY_SECRET_KEYS lacks the signing key {secrets[-1]}: the receipt "
                           "tokens visitors hold would no longer verify")
    return report
