"""Key rotation of stored contact values: re-encrypt everything under the newest PII key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consent_gateway.contact.encryption import PIICipher
from consent_gateway.contact.models import ContactField, ContactFile

BATCH = 500
# Files weigh up to megabytes each: a batch of them is kept small.
FILE_BATCH = 20


@dataclass(frozen=True)
class RotationReport:
    rotated: int
    already_current: int
    batches: int


def rotate_pii(session: Session, cipher: PIICipher, *, batch: int = BATCH) -> RotationReport:
    """Re-encrypt every stored value and file under the newest key, committing each batch.

    Batches keep transactions short on a live database; a run that stops half-way leaves every value
    readable (old keys still decrypt) and the next run finishes the job. Values already under the
    newest key are left alone, so a second run rotates nothing.
    """
    rotated = current = batches = 0
    for model, size in ((ContactField, batch), (ContactFile, min(batch, FILE_BATCH))):
        changed, same, done = _rotate_table(session, cipher, model, size)
        rotated, current, batches = rotated + changed, current + same, batches + done
    return RotationReport(rotated, current, batches)


def _rotate_table(session: Session, cipher: PIICipher, model: type[ContactField] | type[ContactFile],
                  batch: int) -> tuple[int, int, int]:
    rotated = current = batches = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(model.id, model.ciphertext)
            .where(model.id > last_id).order_by(model.id).limit(batch)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        changed = 0
        for row_id, ciphertext in rows:
            if cipher.is_current(ciphertext):
                current += 1
                continue
            session.execute(update(model).where(model.id == row_id)
                            .values(ciphertext=cipher.rotate(ciphertext)))
            changed += 1
        session.commit()
        rotated += changed
        batches += 1
    return rotated, current, batches
