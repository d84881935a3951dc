"""The retention purge: contact data past its purpose's retention, consent events past theirs.

Safe from cron: it only deletes rows whose expiry has passed, in bounded batches each committed on
its own (a purge interrupted half-way has removed only expired rows and the next run finishes it),
and a second run finds nothing more to remove.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from consent_gateway.models import ConsentEvent, ContactField, ContactSubmission, utcnow
from consent_gateway.sites import SitesConfig

BATCH = 2000


@dataclass
class PurgeReport:
    """What was (or, on a dry run, would be) removed."""

    dry_run: bool
    fields_by_purpose: Counter[str] = field(default_factory=Counter)
    submissions: int = 0
    consent_events: int = 0
    events_before: datetime | None = None

    @property
    def contact_fields(self) -> int:
        return sum(self.fields_by_purpose.values())

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = [f"{verb} {self.contact_fields} contact field(s)"]
        out += [f"  {purpose}: {count}" for purpose, count in sorted(self.fields_by_purpose.items())]
        out.append(f"{verb} {self.submissions} contact submission(s)")
        before = self.events_before.date().isoformat() if self.events_before else "?"
        out.append(f"{verb} {self.consent_events} consent event(s) recorded before {before}")
        return out


def purge(session: Session, sites: SitesConfig, *, dry_run: bool = False, now: datetime | None = None,
          batch: int = BATCH) -> PurgeReport:
    """Delete (or count, with ``dry_run``) everything past retention at ``now``."""
    now = now or utcnow()
    events_before = now - timedelta(days=sites.consent_events_retention_days)
    report = PurgeReport(dry_run=dry_run, events_before=events_before)
    field_expired = ContactField.expires_at <= now
    # A submission goes once every field it held is gone, and not before its own expiry.
    fields_left = exists(select(ContactField.id).where(ContactField.submission_id == ContactSubmission.id,
                                                       ~field_expired))
    submission_expired = (ContactSubmission.expires_at <= now) & ~fields_left
    event_expired = ConsentEvent.created_at < events_before
    if dry_run:
        rows = session.execute(select(ContactField.purpose, func.count()).where(field_expired)
                               .group_by(ContactField.purpose)).all()
        report.fields_by_purpose.update({purpose: count for purpose, count in rows})
        report.submissions = session.scalar(select(func.count()).where(submission_expired)
                                            .select_from(ContactSubmission)) or 0
        report.consent_events = session.scalar(select(func.count()).where(event_expired)
                                               .select_from(ConsentEvent)) or 0
        session.rollback()
        return report
    while True:
        ids = session.execute(select(ContactField.id, ContactField.purpose).where(field_expired)
                              .limit(batch)).all()
        if not ids:
            break
        session.execute(delete(ContactField).where(ContactField.id.in_([i for i, _ in ids])))
        report.fields_by_purpose.update(purpose for _, purpose in ids)
        session.commit()
    report.submissions = _delete_in_batches(session, ContactSubmission, submission_expired, batch)
    report.consent_events = _delete_in_batches(session, ConsentEvent, event_expired, batch)
    return report


def _delete_in_batches(session: Session, model: type, condition, batch: int) -> int:
    total = 0
    while True:
        ids = session.scalars(select(model.id).where(condition).limit(batch)).all()
        if not ids:
            return total
        # rowcount, not len(ids): a purge running beside this one may have deleted some already.
        total += session.execute(delete(model).where(model.id.in_(ids))).rowcount or 0
        session.commit()
