"""Contact-form capture: parse, gate field by field, validate, encrypt, store."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import ReceiptSigner
from consent_gateway.contact.encryption import PIICipher
from consent_gateway.contact.files import CheckedFile, Upload, check_upload
from consent_gateway.contact.gate import Drop, Standing, visitor_standing
from consent_gateway.contact.models import ContactField, ContactFile, ContactSubmission
from consent_gateway.contact.validation import is_empty, validate_field
from consent_gateway.db import utcnow
from consent_gateway.declaration import ContactField as FieldSpec
from consent_gateway.declaration import ContactForm, Site, SitesConfig
from consent_gateway.errors import (
    FieldInvalid,
    InvalidFields,
    NotFound,
    PurposeNotActive,
    ValidationError,
    expect_object,
)

# A field no person sees or fills in: a value in it means a robot filled the form.
HONEYPOT = "website"
# The characters of an application's reference: no 0/O, 1/I/L or U to misread on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY_KEYS = {"consent_token", "fields", HONEYPOT}
# What the text of one submission may weigh; a multipart request may add its declared files.
TEXT_LIMIT = 64 * 1024
# Room for the multipart boundaries and part headers around the declared files.
_MULTIPART_OVERHEAD = 16 * 1024


@dataclass(frozen=True)
class Submission:
    """A parsed submission: the visitor's receipt token (if any) and the raw field values."""

    fields: dict[str, Any]
    consent_token: str | None = None


@dataclass(frozen=True)
class SubmissionResult:
    submission_id: str
    stored: list[str]
    dropped: list[Drop]
    standing: Standing = field(repr=False)

    files: list[dict[str, Any]] = field(default_factory=list)
    # An application's short reference (forms with files), which the candidate quotes.
    reference: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"submission_id": self.submission_id, "stored": self.stored,
                                "dropped": [d.to_dict() for d in self.dropped]}
        if self.files:
            body["files"] = self.files
        if self.reference:
            body["reference"] = self.reference
        return body


def request_limit(form: ContactForm | None) -> int:
    """The largest request a submission to ``form`` may be: its text plus every declared file."""
    files = sum(spec.max_bytes for spec in form.file_fields) if form else 0
    return TEXT_LIMIT + (files + _MULTIPART_OVERHEAD if files else 0)


def parse_form_submission(site: Site, values: dict[str, list[str]],
                          uploads: dict[str, list[Upload]]) -> Submission:
    """A multipart submission: text parts and file parts named as the declared fields, plus
    ``consent_token``. A name sent twice, or more files than the form declares, is refused."""
    declared_files = len(site.contact.file_fields) if site.contact else 0
    sent = [(name, u) for name, items in uploads.items() for u in items if u.data or u.filename]
    if len(sent) > declared_files:
        raise ValidationError(f"this form takes at most {declared_files} file(s); {len(sent)} were sent",
                              field=sent[-1][0], code="too_many_files")
    fields: dict[str, Any] = {}
    parts: list[tuple[str, list[Any]]] = [*values.items(), *uploads.items()]
    for name, given in parts:
        items = [i for i in given if not isinstance(i, Upload) or i.data or i.filename]
        if not items:
            continue
        if len(items) > 1 or name in fields:
            raise ValidationError(f"{name} was sent more than once", field=name, code="duplicate_field")
        fields[name] = items[0]
    body: dict[str, Any] = {"fields": fields}
    for key in ("consent_token", HONEYPOT):
        if isinstance(fields.get(key), str):
            body[key] = fields.pop(key)
    return parse_submission(body)


def parse_submission(body: Any) -> Submission:
    """Check the shape of ``{"consent_token"?, "fields": {...}}``; refuse a filled honeypot."""
    body = expect_object(body, _BODY_KEYS)
    fields = body.get("fields")
    if not isinstance(fields, dict):
        raise ValidationError("fields must be an object of NAME: VALUE", field="fields")
    token = body.get("consent_token")
    if token is not None and not isinstance(token, str):
        raise ValidationError("consent_token must be a string", field="consent_token")
    fields = dict(fields)
    trap = [body.get(HONEYPOT), fields.pop(HONEYPOT, None)]
    if any(not is_empty(value) for value in trap):
        raise ValidationError("the submission was refused as automated", field=HONEYPOT,
                              code="spam_detected")
    return Submission(fields, token or None)


def submit_contact(session: Session, sites: SitesConfig, site: Site, submission: Submission,
                   signer: ReceiptSigner, cipher: PIICipher, *, channel: str,
                   now: datetime | None = None) -> SubmissionResult:
    """Gate, validate, encrypt and store a submission; commit once.

    Raises PurposeNotActive (403) when a required field's purpose is not active for the visitor,
    InvalidFields (400) listing every value that broke a rule; nothing is stored in either case.
    """
    if site.contact is None:
        raise NotFound(f"site {site.id!r} has no contact form", field="site")
    now = now or utcnow()
    standing = visitor_standing(session, sites, signer, site, submission.consent_token, now)
    declared = {spec.name for spec in site.contact.fields}
    dropped = [Drop(name, "undeclared") for name in submission.fields if name not in declared]
    kept: list[tuple[FieldSpec, str | CheckedFile]] = []
    errors: list[tuple[str, str, str]] = []
    for spec in site.contact.fields:
        refusal = standing.refusal(sites.purposes[spec.purpose])
        if refusal is not None and spec.required:
            raise PurposeNotActive(
                f"{spec.name} is required and its purpose {spec.purpose!r} is not active for this "
                f"visitor ({refusal[0]}): nothing was stored", field=spec.name)
        if spec.name not in submission.fields:
            if spec.required:
                errors.append((spec.name, "required", "is required"))
            continue
        if refusal is not None:
            # Dropped fields are neither validated nor stored: we never look at what we may not keep.
            dropped.append(Drop(spec.name, *refusal))
            continue
        value = submission.fields[spec.name]
        if not isinstance(value, Upload) and is_empty(value):
            if spec.required:
                errors.append((spec.name, "required", "is required"))
            else:
                dropped.append(Drop(spec.name, "empty"))
            continue
        try:
            kept.append((spec, _checked(spec, value, now)))
        except FieldInvalid as exc:
            errors.append((exc.field or spec.name, exc.rule, exc.message))
    if errors:
        raise InvalidFields(errors)
    if not kept:
        raise ValidationError("no declared field with an active purpose was submitted", field="fields",
                              code="nothing_to_store")
    submission_row = _store(session, sites, site, standing, kept, cipher, channel, now)
    session.commit()
    files = [{"field": spec.name, "filename": value.filename, "type": value.file_type,
              "size": len(value.data)} for spec, value in kept if isinstance(value, CheckedFile)]
    return SubmissionResult(submission_row.public_id, [spec.name for spec, _ in kept], dropped, standing,
                            files, submission_row.reference)


def _application_reference(session: Session) -> str:
    """A short reference a candidate can quote on the phone (``CAND-7K3F9Q``): six characters
    without look-alikes (no 0/O, 1/I/L, U), drawn again on the rare clash with a stored one."""
    while True:
        reference = "CAND-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        taken = session.scalar(select(ContactSubmission.id).where(ContactSubmission.reference == reference))
        if taken is None:
            return reference


def _checked(spec: FieldSpec, value: Any, now: datetime) -> str | CheckedFile:
    """The value to store: a checked file for a ``file`` field, normalised text for the others."""
    if spec.is_file:
        if not isinstance(value, Upload):
            raise FieldInvalid(spec.name, "invalid_type", "must be a file sent as multipart/form-data")
        return check_upload(spec, value)
    if isinstance(value, Upload):
        raise FieldInvalid(spec.name, "invalid_type", "must be text")
    return validate_field(spec, value, now=now)


def _store(session: Session, sites: SitesConfig, site: Site, standing: Standing,
           kept: list[tuple[FieldSpec, str | CheckedFile]], cipher: PIICipher, channel: str,
           now: datetime) -> ContactSubmission:
    now = now.replace(microsecond=0)
    expiries = {spec.name: now + timedelta(days=sites.purposes[spec.purpose].retention_days)
                for spec, _ in kept}
    row = ContactSubmission(
        public_id=uuid.uuid4().hex, site_id=site.id, channel=channel,
        reference=_application_reference(session) if site.contact and site.contact.file_fields else None,
        receipt_id=standing.receipt_id, visitor_id=standing.visitor_id,
        created_at=now, expires_at=max(expiries.values()),
    )
    session.add(row)
    session.flush()
    for spec, value in kept:
        text = value.description() if isinstance(value, CheckedFile) else value
        field_row = ContactField(
            submission_id=row.id, site_id=site.id, name=spec.name, purpose=spec.purpose,
            ciphertext=cipher.encrypt(text), receipt_id=standing.receipt_id,
            visitor_id=standing.visitor_id, created_at=now, expires_at=expiries[spec.name],
        )
        session.add(field_row)
        if isinstance(value, CheckedFile):
            session.flush()
            session.add(ContactFile(field_id=field_row.id, ciphertext=cipher.encrypt_bytes(value.data)))
    return row
