"""Contact-form gating and encrypted storage (docs/embedding.md, Contact forms). Re-exports only."""

from consent_gateway.contact.capture import (
    HONEYPOT,
    TEXT_LIMIT,
    Submission,
    SubmissionResult,
    parse_form_submission,
    parse_submission,
    request_limit,
    submit_contact,
)
from consent_gateway.contact.encryption import PIICipher, cipher_for
from consent_gateway.contact.erasure import delete_empty_submissions, erase_revoked_fields
from consent_gateway.contact.files import EXTENSIONS, Upload
from consent_gateway.contact.gate import Drop, Standing, visitor_standing
from consent_gateway.contact.models import ContactField, ContactSubmission, PurposeObjection
from consent_gateway.contact.objections import (
    RecordedObjection,
    add_objection,
    check_objection,
    record_objection,
)

__all__ = [
    "EXTENSIONS",
    "HONEYPOT",
    "TEXT_LIMIT",
    "ContactField",
    "ContactSubmission",
    "Drop",
    "PIICipher",
    "PurposeObjection",
    "RecordedObjection",
    "Standing",
    "Submission",
    "SubmissionResult",
    "Upload",
    "add_objection",
    "check_objection",
    "cipher_for",
    "delete_empty_submissions",
    "erase_revoked_fields",
    "parse_form_submission",
    "parse_submission",
    "record_objection",
    "request_limit",
    "submit_contact",
    "visitor_standing",
]
