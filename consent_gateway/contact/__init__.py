"""Contact-form gating and encrypted storage (DESIGN §5). Re-exports only."""

from __future__ import annotations

from consent_gateway.contact.gate import Drop, Standing, visitor_standing
from consent_gateway.contact.service import (
    HONEYPOT,
    Submission,
    SubmissionResult,
    erase_revoked_fields,
    parse_submission,
    submit_contact,
)

__all__ = [
    "HONEYPOT",
    "Drop",
    "Standing",
    "Submission",
    "SubmissionResult",
    "erase_revoked_fields",
    "parse_submission",
    "submit_contact",
    "visitor_standing",
]
