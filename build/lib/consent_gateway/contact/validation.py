"""Validation and normalisation of contact-form values, by the kind ``sites.yaml`` declares.

Every check raises ``FieldInvalid`` (errors.py) naming the field and the rule it broke; the message never
repeats the value (it may be personal data, and messages end up in logs and screenshots).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from consent_gateway.declaration import ContactField
from consent_gateway.errors import FieldInvalid

DEFAULT_PHONE_REGION = "FR"
MAX_URLS = 50
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def is_empty(value: Any) -> bool:
    """Nothing was entered: None, blank text or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(isinstance(v, str) and not v.strip() for v in value)
    return False


def validate_field(spec: ContactField, value: Any, *, now: datetime | None = None) -> str:
    """The normalised text to store for ``value``, or ``FieldInvalid``."""
    if spec.kind == "url_list":
        return _url_list(spec, value)
    if not isinstance(value, str):
        raise FieldInvalid(spec.name, "invalid_type", "must be text")
    value = unicodedata.normalize("NFC", value.strip())
    if len(value) > spec.max_length:
        raise FieldInvalid(spec.name, "too_long", f"must be at most {spec.max_length} characters")
    checker = _CHECKS[spec.kind]
    return checker(spec, value, now) if spec.kind == "datetime" else checker(spec, value)


def _text(spec: ContactField, value: str) -> str:
    # Line breaks and tabs belong in a message; other control characters are never typed by a person.
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        raise FieldInvalid(spec.name, "invalid_characters", "contains control characters")
    return value.replace("\r\n", "\n")


def _email(spec: ContactField, value: str) -> str:
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        # email-validator's own message may quote parts of the address: keep it out of ours.
        raise FieldInvalid(spec.name, "invalid_email", "is not a valid email address") from exc
    return result.normalized


def _phone(spec: ContactField, value: str) -> str:
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise FieldInvalid(spec.name, "invalid_phone", "is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise FieldInvalid(spec.name, "invalid_phone",
                           "is not a valid French or international (+country code) phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _pattern(spec: ContactField, value: str) -> str:
    regex = spec.regex
    if regex is None or not regex.fullmatch(value):
        raise FieldInvalid(spec.name, "pattern_mismatch",
                           f"does not match the expected format {spec.pattern}")
    return value


def _datetime(spec: ContactField, value: str, now: datetime | None) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FieldInvalid(spec.name, "invalid_datetime", "must be an ISO 8601 date and time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if not _EARLIEST <= moment <= now + timedelta(days=1):
        raise FieldInvalid(spec.name, "invalid_datetime", "is not a plausible connection time")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _country(spec: ContactField, value: str) -> str:
    code = value.upper()
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in phonenumbers.SUPPORTED_REGIONS:
        raise FieldInvalid(spec.name, "invalid_country", "must be an ISO 3166-1 alpha-2 country code")
    return code


def _url_list(spec: ContactField, value: Any) -> str:
    if isinstance(value, str):
        items = value.split()
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [v.strip() for v in value if v.strip()]
    else:
        raise FieldInvalid(spec.name, "invalid_type", "must be a list of URLs")
    if len(items) > MAX_URLS:
        raise FieldInvalid(spec.name, "too_many", f"must list at most {MAX_URLS} pages")
    for item in items:
        parts = urlsplit(item)
        absolute = parts.scheme in ("http", "https") and bool(parts.netloc)
        if not (absolute or (item.startswith("/") and not item.startswith("//"))) or any(
            c.isspace() or unicodedata.category(c) == "Cc" for c in item
        ):
            raise FieldInvalid(spec.name, "invalid_url_list", "must list http(s) URLs or site paths")
    joined = "\n".join(items)
    if len(joined) > spec.max_length:
        raise FieldInvalid(spec.name, "too_long", f"must be at most {spec.max_length} characters")
    return joined


_CHECKS: dict[str, Any] = {
    "text": _text,
    "email": _email,
    "phone": _phone,
    "pattern": _pattern,
    "datetime": _datetime,
    "country": _country,
}
