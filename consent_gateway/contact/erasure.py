"""Erasure of contact data: what a withdrawal revokes, and what its retention period has ended."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from consent_gateway.contact.models import ContactField, ContactSubmission
from consent_gateway.db import affected_rows


def erase_revoked_fields(session: Session, site_id: str, visitor_id: str, purposes: Iterable[str]) -> int:
    """Delete what this visitor's submissions stored under ``purposes`` on ``site_id``, and the
    submissions left empty. Does not commit: it runs inside the caller's write (a decision)."""
    purposes = list(purposes)
    if not purposes:
        return 0
    erased = affected_rows(session.execute(
        delete(ContactField).where(
            ContactField.site_id == site_id, ContactField.visitor_id == visitor_id,
            ContactField.purpose.in_(purposes),
        )
    ))
    if erased:
        delete_empty_submissions(session, site_id=site_id, visitor_id=visitor_id)
    return erased or 0


def erase_visitor_fields(session: Session, site_id: str, visitor_id: str) -> int:
    """Delete every field this visitor's submissions stored on ``site_id`` (an erasure request),
    and the submissions left empty. Does not commit: it runs inside the caller's write."""
    return erase_revoked_fields(session, site_id, visitor_id, _purposes_of(session, site_id, visitor_id))


def _purposes_of(session: Session, site_id: str, visitor_id: str) -> list[str]:
    return list(session.scalars(select(ContactField.purpose).distinct().where(
        ContactField.site_id == site_id, ContactField.visitor_id == visitor_id)))


def delete_empty_submissions(session: Session, *, site_id: str | None = None,
                             visitor_id: str | None = None) -> int:
    """Delete submissions with no stored field left (they hold no personal data worth keeping)."""
    has_fields = exists(select(ContactField.id).where(ContactField.submission_id == ContactSubmission.id))
    statement = delete(ContactSubmission).where(~has_fields)
    if site_id is not None:
        statement = statement.where(ContactSubmission.site_id == site_id)
    if visitor_id is not None:
        statement = statement.where(ContactSubmission.visitor_id == visitor_id)
    return affected_rows(session.execute(statement))


def count_expired_fields(session: Session, now: datetime) -> tuple[Counter[str], int]:
    """Fields past their expiry by purpose, and the submissions a purge would remove with them."""
    rows = session.execute(select(ContactField.purpose, func.count()).where(ContactField.expires_at <= now)
                           .group_by(ContactField.purpose)).all()
    submissions = session.scalar(select(func.count()).where(_submission_expired(now))
                                 .select_from(ContactSubmission)) or 0
    return Counter({purpose: count for purpose, count in rows}), submissions


def purge_expired_fields(session: Session, now: datetime, batch: int) -> tuple[Counter[str], int]:
    """Delete expired fields, then submissions left with none, each batch committed on its own."""
    by_purpose: Counter[str] = Counter()
    while True:
        ids = session.execute(select(ContactField.id, ContactField.purpose)
                              .where(ContactField.expires_at <= now).limit(batch)).all()
        if not ids:
            break
        session.execute(delete(ContactField).where(ContactField.id.in_([i for i, _ in ids])))
        by_purpose.update(purpose for _, purpose in ids)
        session.commit()
    submissions = 0
    while True:
        sub_ids = session.scalars(select(ContactSubmission.id).where(_submission_expired(now))
                                  .limit(batch)).all()
        if not sub_ids:
            break
        # rowcount, not len(ids): a purge running beside this one may have deleted some already.
        submissions += affected_rows(session.execute(delete(ContactSubmission)
                                       .where(ContactSubmission.id.in_(sub_ids))))
        session.commit()
    return by_purpose, submissions


def _submission_expired(now: datetime):
    # A submission goes once every field it held is gone, and not before its own expiry.
    fields_left = exists(select(ContactField.id).where(ContactField.submission_id == ContactSubmission.id,
                                                       ContactField.expires_at > now))
    return (ContactSubmission.expires_at <= now) & ~fields_left
