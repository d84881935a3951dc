"""Applications received through a site's form with files: read by its recruiters, erased by the DPO.

Every read is written to the access log in the same transaction, so no one reads a candidate's
data without a trace; a recruiter's token names the one site whose applications it may read, and
only a site that takes applications (its declared form has file fields: a CV, a cover letter) may
be named: a recruiter never reads a site's contact messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.contact import PIICipher
from consent_gateway.contact.models import ContactField, ContactFile, ContactSubmission
from consent_gateway.declaration import FILE_TYPES, Site
from consent_gateway.errors import Forbidden, NotFound, ValidationError
from consent_gateway.staff.models import ApplicationReview, StaffToken
from consent_gateway.staff.tokens import SITE_ROLES, log_access

# How many applications one listing returns, newest first.
PAGE_SIZE = 200


@dataclass(frozen=True)
class DownloadedFile:
    filename: str
    media_type: str
    data: bytes


def list_applications(session: Session, site: Site, staff: StaffToken,
                      cipher: PIICipher) -> list[dict[str, Any]]:
    """The site's submissions, newest first, their values decrypted and their files described
    (name, type, size; the bytes are fetched one by one). The read is logged; commits once."""
    check_site(staff, site)
    files = {spec.name for spec in site.contact.file_fields} if site.contact else set()
    submissions = session.scalars(
        select(ContactSubmission).where(ContactSubmission.site_id == site.id)
        .order_by(ContactSubmission.created_at.desc(), ContactSubmission.id.desc()).limit(PAGE_SIZE)
    ).all()
    rows = session.scalars(select(ContactField).where(
        ContactField.submission_id.in_([s.id for s in submissions])).order_by(ContactField.id)).all()
    status = dict(session.execute(select(ApplicationReview.submission_id, ApplicationReview.status).where(
        ApplicationReview.submission_id.in_([s.id for s in submissions]))).all())
    status = {s.id: status.get(s.id, "new") for s in submissions}
    by_submission: dict[int, list[ContactField]] = {}
    for row in rows:
        by_submission.setdefault(row.submission_id, []).append(row)
    out = []
    for sub in submissions:
        values: dict[str, Any] = {}
        attached = []
        for row in by_submission.get(sub.id, []):
            clear = cipher.decrypt(row.ciphertext)
            if row.name in files:
                described = json.loads(clear)
                path = f"/api/v1/sites/{site.id}/applications/{sub.public_id}/files/{row.name}"
                attached.append({"field": row.name, "filename": described["filename"],
                                 "type": described["type"], "size": described["size"], "path": path})
            else:
                values[row.name] = clear
        out.append({"submission_id": sub.public_id, "reference": sub.reference, "status": status[sub.id],
                    "received_at": sub.created_at.isoformat(),
                    "expires_at": sub.expires_at.isoformat(), "fields": values, "files": attached})
    log_access(session, staff, "applications.list", site_id=site.id, subject=f"{len(out)} application(s)")
    session.commit()
    return out


def download_file(session: Session, site: Site, staff: StaffToken, cipher: PIICipher, submission_id: str,
                  field_name: str) -> DownloadedFile:
    """One file of one application, decrypted; the read is logged and committed."""
    check_site(staff, site)
    found = session.execute(
        select(ContactField, ContactFile).join(ContactFile, ContactFile.field_id == ContactField.id)
        .join(ContactSubmission, ContactSubmission.id == ContactField.submission_id)
        .where(ContactSubmission.site_id == site.id, ContactSubmission.public_id == submission_id,
               ContactField.name == field_name)
    ).first()
    if found is None:
        raise NotFound(f"no file {field_name!r} in application {submission_id!r} of site {site.id!r}",
                       field="submission_id")
    field_row, file_row = found
    described = json.loads(cipher.decrypt(field_row.ciphertext))
    data = cipher.decrypt_bytes(file_row.ciphertext)
    log_access(session, staff, "applications.file.read", site_id=site.id,
               subject=f"{submission_id}/{field_name}")
    session.commit()
    return DownloadedFile(described["filename"], FILE_TYPES[described["type"]][0], data)


def erase_application(session: Session, site: Site, staff: StaffToken, submission_id: str) -> None:
    """The DPO answers an erasure request (Art. 17 GDPR): the submission goes, with every value
    and file it held (ON DELETE CASCADE). Logged and committed once."""
    row = session.scalars(select(ContactSubmission).where(
        ContactSubmission.site_id == site.id, ContactSubmission.public_id == submission_id)).first()
    if row is None:
        raise NotFound(f"no submission {submission_id!r} on site {site.id!r}", field="submission_id")
    session.delete(row)
    log_access(session, staff, "applications.erase", site_id=site.id, subject=row.reference or submission_id)
    session.commit()


def takes_applications(site: Site) -> bool:
    """Whether ``site``'s form takes applications: it declares file fields (the careers form)."""
    return site.contact is not None and bool(site.contact.file_fields)


def check_token_site(role: str, site: Site | None) -> None:
    """A recruiter token may only be made for a site that takes applications (ValidationError)."""
    if role in SITE_ROLES and site is not None and not takes_applications(site):
        raise ValidationError(
            f"the site {site.id!r} takes no applications (its form has no file field): a {role} token "
            "reads applications only, never contact messages", field="site")


def check_site(staff: StaffToken, site: Site) -> None:
    """Forbidden unless ``staff`` may read ``site`` (a site role reads its own site only, and only a
    site that takes applications)."""
    if staff.role in SITE_ROLES and staff.site_id != site.id:
        raise Forbidden(f"this {staff.role} token reads the site {staff.site_id!r} only", field="site")
    if not takes_applications(site):
        # A token made before this rule, or a site whose form lost its files: its submissions are
        # contact messages, which no recruiter reads.
        raise Forbidden(f"the site {site.id!r} takes no applications; its contact messages are not "
                        "for recruiters", field="site")
