"""Recruiters' inbox: an application's status (new, in review, answered, rejected, hired) and
their notes, read and changed one application at a time. Every read and change is written to the
access log in the same transaction; a recruiter's token reads its own site only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway.contact import PIICipher
from consent_gateway.contact.models import ContactField, ContactSubmission
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.staff.applications import check_site
from consent_gateway.staff.models import ApplicationNote, ApplicationReview, StaffToken
from consent_gateway.staff.tokens import log_access

STATUSES = ("new", "in_review", "answered", "rejected", "hired")
MAX_NOTE = 4000
# The autocomplete tokens of the fields that name a candidate (the inbox's "candidate" column).
NAME_TOKENS = ("family-name", "given-name", "name")


@dataclass(frozen=True)
class Note:
    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class Application:
    reference: str
    submission_id: str
    received_at: datetime
    expires_at: datetime
    status: str
    # (field name, value) in the declaration's order; files as their description (name, type, size).
    fields: list[tuple[str, str]]
    files: list[dict[str, Any]]
    notes: list[Note]


def statuses(session: Session, submission_ids: list[int]) -> dict[int, str]:
    """The status of each of these submissions (``new`` when no recruiter moved it yet)."""
    found = dict(session.execute(select(ApplicationReview.submission_id, ApplicationReview.status)
                                 .where(ApplicationReview.submission_id.in_(submission_ids))).all())
    return {sid: found.get(sid, "new") for sid in submission_ids}


def inbox(session: Session, site: Site, staff: StaffToken, cipher: PIICipher, *,
          status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The site's applications, newest first (of one ``status`` if given): reference, dates,
    status and the candidate's name (the fields the declaration marks as a name). Logged."""
    check_site(staff, site)
    query = (select(ContactSubmission)
             .outerjoin(ApplicationReview, ApplicationReview.submission_id == ContactSubmission.id)
             .where(ContactSubmission.site_id == site.id, ContactSubmission.reference.is_not(None)))
    if status is not None:
        query = query.where(func.coalesce(ApplicationReview.status, "new") == status)
    rows = session.scalars(query.order_by(ContactSubmission.created_at.desc(), ContactSubmission.id.desc())
                           .limit(limit)).all()
    by_id = statuses(session, [r.id for r in rows])
    declared = site.contact.fields if site.contact else ()
    naming = [spec.name for spec in declared if spec.autocomplete in NAME_TOKENS]
    names: dict[int, dict[str, str]] = {}
    for field_row in session.scalars(select(ContactField).where(
            ContactField.submission_id.in_([r.id for r in rows]), ContactField.name.in_(naming))):
        names.setdefault(field_row.submission_id, {})[field_row.name] = cipher.decrypt(field_row.ciphertext)
    out = [{"reference": r.reference, "received_at": r.created_at, "expires_at": r.expires_at,
            "status": by_id[r.id],
            "candidate": " ".join(names.get(r.id, {}).get(n, "") for n in naming).strip()} for r in rows]
    log_access(session, staff, "applications.list", site_id=site.id, subject=f"{len(out)} application(s)")
    session.commit()
    return out


def read_application(session: Session, site: Site, staff: StaffToken, cipher: PIICipher,
                     reference: str) -> Application:
    """One application decrypted, with its status and notes; the read is logged and committed."""
    check_site(staff, site)
    row = _submission(session, site, reference)
    application = _application(session, site, row, cipher)
    log_access(session, staff, "applications.read", site_id=site.id, subject=row.reference)
    session.commit()
    return application


def set_status(session: Session, site: Site, staff: StaffToken, reference: str, status: str) -> None:
    """Move the application to ``status``; logged and committed."""
    check_site(staff, site)
    if status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}", field="status")
    row = _submission(session, site, reference)
    review = session.get(ApplicationReview, row.id)
    if review is None:
        review = ApplicationReview(submission_id=row.id)
        session.add(review)
    review.status, review.staff_token_id, review.updated_at = status, staff.id, utcnow()
    log_access(session, staff, "applications.status", site_id=site.id, subject=f"{row.reference}: {status}")
    session.commit()


def add_note(session: Session, site: Site, staff: StaffToken, cipher: PIICipher, reference: str,
             text: str) -> None:
    """Add a recruiter's note (encrypted); logged and committed."""
    check_site(staff, site)
    text = text.strip()
    if not text:
        raise ValidationError("a note cannot be empty", field="note", code="required")
    if len(text) > MAX_NOTE:
        raise ValidationError(f"a note is at most {MAX_NOTE} characters", field="note", code="too_long")
    row = _submission(session, site, reference)
    session.add(ApplicationNote(submission_id=row.id, staff_token_id=staff.id,
                                ciphertext=cipher.encrypt(text), created_at=utcnow()))
    log_access(session, staff, "applications.note", site_id=site.id, subject=row.reference)
    session.commit()


def find_reference(session: Session, reference: str) -> tuple[str, str]:
    """(site id, submission id) of an application's reference, whatever its site; NotFound."""
    found = session.execute(select(ContactSubmission.site_id, ContactSubmission.public_id).where(
        ContactSubmission.reference == reference.strip().upper())).first()
    if found is None:
        raise NotFound(f"no application {reference!r}", field="reference")
    return found[0], found[1]


def _submission(session: Session, site: Site, reference: str) -> ContactSubmission:
    row = session.scalars(select(ContactSubmission).where(
        ContactSubmission.site_id == site.id, ContactSubmission.reference == reference.upper())).first()
    if row is None:
        raise NotFound(f"no application {reference!r} on site {site.id!r}", field="reference")
    return row


def _application(session: Session, site: Site, row: ContactSubmission, cipher: PIICipher) -> Application:
    declared = [spec.name for spec in site.contact.fields] if site.contact else []
    files = {spec.name for spec in site.contact.file_fields} if site.contact else set()
    values: dict[str, str] = {}
    described: list[dict[str, Any]] = []
    for field_row in session.scalars(select(ContactField).where(ContactField.submission_id == row.id)
                                     .order_by(ContactField.id)):
        clear = cipher.decrypt(field_row.ciphertext)
        if field_row.name in files:
            described.append({"field": field_row.name, **json.loads(clear)})
        else:
            values[field_row.name] = clear
    written = session.execute(
        select(ApplicationNote, StaffToken.name)
        .join(StaffToken, StaffToken.id == ApplicationNote.staff_token_id)
        .where(ApplicationNote.submission_id == row.id).order_by(ApplicationNote.id))
    notes = [Note(cipher.decrypt(note.ciphertext), author, note.created_at) for note, author in written]
    return Application(
        reference=row.reference or "", submission_id=row.public_id, received_at=row.created_at,
        expires_at=row.expires_at, status=statuses(session, [row.id])[row.id],
        fields=[(name, values[name]) for name in declared if name in values],
        files=sorted(described, key=lambda f: declared.index(f["field"]) if f["field"] in declared else 0),
        notes=notes)
