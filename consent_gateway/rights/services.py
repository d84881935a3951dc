"""Rights requests: receive one (with its deadline and how identity was checked), extend, close,
read, and list them for the DPO, overdue first.

A valid receipt token of the site proves the requester is the pseudonymous visitor it names, for
the data linked to that visitor; without one the request is flagged for the DPO to verify identity.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from consent_gateway.consent import (
    ConsentEvent,
    InvalidReceipt,
    ReceiptSigner,
    lock_visitor,
    receipt_status,
    signed_event,
)
from consent_gateway.contact import PIICipher
from consent_gateway.contact.objections import site_purpose_ids
from consent_gateway.db import utcnow
from consent_gateway.declaration import Site
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.rights.deadlines import MAX_EXTENSION_MONTHS, due_date, extended_due_date
from consent_gateway.rights.models import RightsRequest
from consent_gateway.staff import StaffToken, log_access

KINDS = ("access", "rectification", "erasure", "restriction", "objection", "portability", "withdrawal",
         "post_mortem")
OUTCOMES = ("fulfilled", "partially_fulfilled", "refused", "no_data", "identity_not_verified")
IDENTITY_RECEIPT = "receipt"
IDENTITY_TO_VERIFY = "to_verify"
MAX_TEXT = 5000
MAX_LINE = 254
# No 0/O or 1/I: a reference is read aloud on the phone and typed back.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class RequestDetails:
    """What the requester tells us; stored encrypted as one JSON document."""

    name: str = ""
    email: str = ""
    message: str = ""
    designated_name: str = ""
    designated_email: str = ""
    instructions: str = ""

    def to_dict(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class RequestView:
    """A request with its encrypted parts opened, for the DPO."""

    request: RightsRequest
    details: dict[str, str]
    extension_notice: str | None
    outcome_note: str | None


def identify(session: Session, signer: ReceiptSigner, site: Site, token: Any) -> ConsentEvent:
    """The event of ``token`` when it is a genuine receipt of ``site`` (whatever its status: a
    superseded or withdrawn receipt still proves who holds it); else InvalidReceipt."""
    event = signed_event(session, signer, token)
    if event.site_id != site.id:
        raise InvalidReceipt("other_site")
    return event


def submit_request(session: Session, signer: ReceiptSigner, cipher: PIICipher, site: Site, kind: str,
                   details: RequestDetails, *, lang: str, purpose: str | None = None,
                   token: str | None = None, cookie_token: str | None = None,
                   now: datetime | None = None) -> RightsRequest:
    """Record a request received now, due one calendar month later; commit once.

    ``token`` is a receipt code the requester typed: if it is not a receipt of this site, the
    request is refused (400 on ``consent_token``) so that they can correct it. ``cookie_token``
    comes from the banner's cookie: when it is not valid the request is simply flagged for the DPO.
    """
    details = _checked(kind, details, site, purpose)
    event = None
    if token:
        try:
            event = identify(session, signer, site, token)
        except InvalidReceipt as exc:
            raise ValidationError("this receipt code is not a receipt of this site", field="consent_token",
                                  code="invalid_receipt") from exc
    elif cookie_token:
        try:
            event = identify(session, signer, site, cookie_token)
        except InvalidReceipt:
            event = None
    if event is not None:
        # Serialised with the visitor's other writes (decisions, captures, self-service erasure).
        lock_visitor(session, site.id, event.visitor_id)
    row = new_request(site, kind, event, lang=lang, purpose=purpose, channel="form", now=now)
    if event is not None and receipt_status(session, event, now) != "active":
        # An old receipt (superseded, withdrawn, expired) still links the visitor, but proves less:
        # any script of the page may have kept it. The DPO checks identity before sending values.
        row.identity = IDENTITY_TO_VERIFY
    row.details_ciphertext = cipher.encrypt(json.dumps(details.to_dict(), ensure_ascii=False))
    session.add(row)
    session.commit()
    return row


def new_request(site: Site, kind: str, event: ConsentEvent | None, *, lang: str, channel: str,
                purpose: str | None = None, now: datetime | None = None) -> RightsRequest:
    """A request row (not added to any session) received at ``now``, with its deadline."""
    received = (now or utcnow()).replace(microsecond=0)
    return RightsRequest(
        reference=_reference(), site_id=site.id, kind=kind, channel=channel, lang=lang,
        identity=IDENTITY_RECEIPT if event is not None else IDENTITY_TO_VERIFY,
        visitor_id=event.visitor_id if event is not None else None,
        receipt_id=event.receipt_id if event is not None else None,
        purpose=purpose, received_at=received, due_at=due_date(received),
    )


def extend_request(session: Session, cipher: PIICipher, reference: str, months: int, notice: str,
                   staff: StaffToken, now: datetime | None = None) -> RightsRequest:
    """Extend the deadline by ``months`` (1 or 2) and record the notice sent to the requester.

    Art. 12(3) GDPR: the requester must be told of the extension, and why, within the first month;
    a request is extended once, and never past three months from its receipt.
    """
    now = now or utcnow()
    row = get_request(session, reference)
    if row.closed_at is not None:
        raise ValidationError("this request is closed", field="reference", code="request_closed")
    if row.extended_due_at is not None:
        raise ValidationError("this request was already extended", field="months", code="already_extended")
    if now > row.due_at:
        raise ValidationError("an extension must be notified within the first month", field="months",
                              code="extension_too_late")
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise ValidationError(f"an extension is 1 to {MAX_EXTENSION_MONTHS} months", field="months")
    notice = notice.strip()
    if not notice:
        raise ValidationError("the notice sent to the requester is required", field="notice")
    row.extended_at = now.replace(microsecond=0)
    row.extended_due_at = extended_due_date(row.received_at, months)
    row.extension_notice_ciphertext = cipher.encrypt(notice[:MAX_TEXT])
    log_access(session, staff, "rights_request.extend", site_id=row.site_id, subject=row.reference)
    session.commit()
    return row


def close_request(session: Session, cipher: PIICipher, reference: str, outcome: str, note: str,
                  staff: StaffToken, now: datetime | None = None) -> RightsRequest:
    """Close the request with its ``outcome`` and the DPO's note; commit."""
    row = get_request(session, reference)
    if row.closed_at is not None:
        raise ValidationError("this request is already closed", field="reference", code="request_closed")
    if outcome not in OUTCOMES:
        raise ValidationError(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    row.closed_at = (now or utcnow()).replace(microsecond=0)
    row.outcome = outcome
    note = note.strip()
    row.outcome_note_ciphertext = cipher.encrypt(note[:MAX_TEXT]) if note else None
    log_access(session, staff, "rights_request.close", site_id=row.site_id, subject=row.reference)
    session.commit()
    return row


def read_request(session: Session, cipher: PIICipher, reference: str, staff: StaffToken) -> RequestView:
    """The request with its details decrypted; the read is written to the access log (committed)."""
    row = get_request(session, reference)
    details = json.loads(cipher.decrypt(row.details_ciphertext)) if row.details_ciphertext else {}
    view = RequestView(
        row, details,
        cipher.decrypt(row.extension_notice_ciphertext) if row.extension_notice_ciphertext else None,
        cipher.decrypt(row.outcome_note_ciphertext) if row.outcome_note_ciphertext else None,
    )
    log_access(session, staff, "rights_request.read", site_id=row.site_id, subject=row.reference)
    session.commit()
    return view


def get_request(session: Session, reference: str) -> RightsRequest:
    row = session.scalars(select(RightsRequest).where(RightsRequest.reference == reference)).first()
    if row is None:
        raise NotFound(f"no rights request {reference!r}", field="reference")
    return row


def list_requests(session: Session, limit: int = 500, *, site_id: str | None = None, status: str = "all",
                  overdue: bool = False, now: datetime | None = None) -> list[RightsRequest]:
    """Open requests first, the nearest deadline first (so the overdue ones lead), then closed
    ones, the latest closed first; of one site, ``open`` or ``closed`` ones only, or only those
    ``overdue`` (open past their deadline) when asked. Nothing is decrypted."""
    deadline = func.coalesce(RightsRequest.extended_due_at, RightsRequest.due_at)
    is_open = case((RightsRequest.closed_at.is_(None), 0), else_=1)
    query = select(RightsRequest)
    if site_id is not None:
        query = query.where(RightsRequest.site_id == site_id)
    if status == "open" or overdue:
        query = query.where(RightsRequest.closed_at.is_(None))
    elif status == "closed":
        query = query.where(RightsRequest.closed_at.is_not(None))
    if overdue:
        query = query.where(deadline < (now or utcnow()))
    return list(session.scalars(
        query.order_by(is_open, deadline, RightsRequest.closed_at.desc(), RightsRequest.id).limit(limit)))


def overdue_requests(session: Session, now: datetime | None = None) -> list[RightsRequest]:
    """Open requests whose deadline (extended or not) has passed, the oldest deadline first."""
    deadline = func.coalesce(RightsRequest.extended_due_at, RightsRequest.due_at)
    return list(session.scalars(
        select(RightsRequest).where(RightsRequest.closed_at.is_(None), deadline < (now or utcnow()))
        .order_by(deadline, RightsRequest.id)
    ))


def _checked(kind: str, details: RequestDetails, site: Site, purpose: str | None) -> RequestDetails:
    if kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if purpose is not None and purpose not in site_purpose_ids(site):
        raise ValidationError(f"purpose must be one of the purposes of site {site.id!r}", field="purpose",
                              code="unknown_purpose")
    clean = {key: value.strip() for key, value in asdict(details).items()}
    for key, value in clean.items():
        limit = MAX_TEXT if key in ("message", "instructions") else MAX_LINE
        if len(value) > limit:
            raise ValidationError(f"{key} must be at most {limit} characters", field=key, code="too_long")
    required = ["name", "email"] + (["instructions", "designated_name"] if kind == "post_mortem" else [])
    for key in required:
        if not clean[key]:
            raise ValidationError(f"{key} is required", field=key, code="required")
    for key in ("email", "designated_email"):
        if clean[key]:
            try:
                clean[key] = validate_email(clean[key], check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise ValidationError(f"{key} is not a valid email address", field=key,
                                      code="invalid_email") from exc
    return RequestDetails(**clean)


def _reference() -> str:
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"DR-{code[:4]}-{code[4:]}"
