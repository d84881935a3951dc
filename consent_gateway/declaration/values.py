"""The types of ``sites.yaml``'s values, for the models of ``document.py``: each is a type with its
check, worded as ``sites check`` reports it (never pydantic's generic text), and what its JSON
Schema says (``WithJsonSchema``), so an editor checks the same thing.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from consent_gateway.declaration.model import (
    AUTOCOMPLETE_TOKENS,
    CONSENT_MAX_DAYS,
    COOKIE_NAME,
    COUNTRY_CODE,
    FAB_POSITIONS,
    FIELD_KINDS,
    FIELD_NAME,
    FILE_TYPES,
    FIRST_PARTY,
    GCM_TYPES,
    LANGUAGES,
    LEGAL_BASES,
    MAX_FILE_KB,
    PURPOSE_ID,
    SITE_ID,
    VENDOR_ID,
)

# A dotted path of JavaScript identifiers on window: "fbq", "_paq.push", "_hsq.push".
CALL_PATH = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
# An explicit cookie domain: a host name, with an optional leading dot.
DOMAIN = re.compile(r"^\.?([a-z0-9-]+\.)*[a-z0-9-]+$")
# A host a vendor loads from: a DNS name, covering its subdomains.
HOST = re.compile(r"^([a-z0-9-]+\.)+[a-z0-9-]+$")


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("declaration", message)


def _one_of(choices: tuple[str, ...], what: str = "one of") -> AfterValidator:
    def check(value: str) -> str:
        if value not in choices:
            raise _problem(f"{value!r} is not {what} {', '.join(choices)}")
        return value
    return AfterValidator(check)


def _enum(choices: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(choices)})


def _matching(pattern: re.Pattern[str], message: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise _problem(message.format(value=value))
        return value
    return AfterValidator(check)


def _pattern(pattern: re.Pattern[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern.pattern})


def _whole(low: int, high: int) -> BeforeValidator:
    """A whole number from ``low`` to ``high`` (not a boolean, not 1.0)."""
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _problem(f"must be a whole number from {low} to {high}, got {value!r}")
        return value
    return BeforeValidator(check)


def _range(low: int, high: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _problem(f"{value!r} is not an http(s) URL")
    return value


def _origin(value: str) -> str:
    _url(value)
    parts = urlsplit(value)
    if parts.path or parts.query or parts.fragment:
        raise _problem(f"{value!r} must be an origin (scheme://host[:port]) with no path")
    return value.rstrip("/")


def _non_empty(what: str) -> AfterValidator:
    def check(value: list[Any]) -> list[Any]:
        if not value:
            raise _problem(f"must {what}")
        return value
    return AfterValidator(check)


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise _problem(f"not a valid regular expression: {exc}") from None
    return value


def _cookie_name(value: str) -> str:
    if not COOKIE_NAME.match(value) or "*" in value[:-1]:
        raise _problem(f"{value!r} is not a cookie name (RFC 6265 token characters, optionally "
                       "ending with a * wildcard)")
    return value


def _cookie_domain(value: str) -> str:
    if value != FIRST_PARTY and not DOMAIN.match(value):
        raise _problem(f"{value!r} is neither {FIRST_PARTY!r} (the embedding site's own domain) nor a "
                       "domain such as .linkedin.com")
    return value


def _json_values(value: list[Any]) -> list[Any]:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise _problem("must be a list of JSON values") from None
    return value


def _version(value: Any) -> Any:
    """A version YAML reads as a number or a date (``3``, ``2.1``, ``2026-11-01`` unquoted) is
    that text, as ``sites check`` always took it."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _email(value: str) -> str:
    if "@" not in value:
        raise _problem(f"{value!r} is not an email address")
    return value


def _country(value: str) -> str:
    if not COUNTRY_CODE.match(value):
        raise _problem(f"{value!r} is not an ISO 3166-1 alpha-2 code such as FR (it is the receipts' "
                       "jurisdiction)")
    return value


# The types of the file's values, each with its check (worded as `sites check` says it) and what
# its JSON Schema says.
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, strict=True)]
Url = Annotated[NonEmpty, AfterValidator(_url), WithJsonSchema({"type": "string", "format": "uri",
                                                                "pattern": "^https?://"})]
Origin = Annotated[NonEmpty, AfterValidator(_origin), WithJsonSchema({"type": "string",
                                                                      "pattern": "^https?://[^/?#]+/?$"})]
Email = Annotated[NonEmpty, AfterValidator(_email), WithJsonSchema({"type": "string", "pattern": "@"})]
Regex = Annotated[NonEmpty, AfterValidator(_regex)]
Version = Annotated[NonEmpty, BeforeValidator(_version), WithJsonSchema({"type": ["string", "number"]})]
JsonValues = Annotated[list[Any], AfterValidator(_json_values)]
CountryCode = Annotated[str, _matching(COUNTRY_CODE, "{value!r} is not an ISO 3166-1 alpha-2 code such "
                                      "as FR or US"), _pattern(COUNTRY_CODE)]
JurisdictionCode = Annotated[str, AfterValidator(_country), _pattern(COUNTRY_CODE)]
PurposeId = Annotated[str, _matching(PURPOSE_ID, "purpose ids are lower-case letters, digits and _"),
                      _pattern(PURPOSE_ID)]
VendorId = Annotated[str, _matching(VENDOR_ID, "vendor ids are lower-case letters, digits and _"),
                     _pattern(VENDOR_ID)]
SiteId = Annotated[str, _matching(SITE_ID, "site ids are 2-40 lower-case letters, digits, - and _"),
                   _pattern(SITE_ID)]
FieldName = Annotated[str, _matching(FIELD_NAME, "field names are lower-case letters, digits and _"),
                      _pattern(FIELD_NAME)]
AutocompleteToken = Annotated[str, _matching(AUTOCOMPLETE_TOKENS, "{value!r} is not an HTML autocomplete "
                                             "token (e.g. family-name, given-name, email, tel, off)"),
                              _pattern(AUTOCOMPLETE_TOKENS)]
CallPath = Annotated[str, _matching(CALL_PATH, "{value!r} is not a dotted path of JavaScript names on "
                                    "window (e.g. fbq, _paq.push)"), _pattern(CALL_PATH)]
CookieName = Annotated[NonEmpty, AfterValidator(_cookie_name), _pattern(COOKIE_NAME)]
CookieDomain = Annotated[NonEmpty, AfterValidator(_cookie_domain)]
Host = Annotated[str, _matching(HOST, "{value!r} is not a host name such as www.googletagmanager.com (lower "
                                "case, no scheme, no path; it also covers its subdomains)"), _pattern(HOST)]
LegalBasis = Annotated[str, _one_of(LEGAL_BASES), _enum(LEGAL_BASES)]
GcmType = Annotated[str, _one_of(GCM_TYPES, "a Consent Mode type:"), _enum(GCM_TYPES)]
FabPosition = Annotated[str, _one_of(FAB_POSITIONS), _enum(FAB_POSITIONS)]
Language = Annotated[str, _one_of(LANGUAGES), _enum(LANGUAGES)]
FieldKind = Annotated[str, _one_of(FIELD_KINDS), _enum(FIELD_KINDS)]
FileType = Annotated[str, _one_of(tuple(FILE_TYPES)), _enum(tuple(FILE_TYPES))]
RetentionDays = Annotated[int, _whole(1, 3660), _range(1, 3660)]
CookieDays = Annotated[int, _whole(0, 3660), _range(0, 3660)]
LifetimeDays = Annotated[int, _whole(1, CONSENT_MAX_DAYS), _range(1, CONSENT_MAX_DAYS)]
LedgerDays = Annotated[int, _whole(30, 3660), _range(30, 3660)]
MaxLength = Annotated[int, _whole(1, 20000), _range(1, 20000)]
FileKb = Annotated[int, _whole(1, MAX_FILE_KB), _range(1, MAX_FILE_KB)]
PiiCategories = Annotated[list[NonEmpty], _non_empty("name at least one category of personal data"),
                          WithJsonSchema({"type": "array", "items": {"type": "string", "minLength": 1},
                                          "minItems": 1})]
ScanPages = Annotated[list[Url], _non_empty("list at least one page (or leave scan out: each origin's /)"),
                      WithJsonSchema({"type": "array", "minItems": 1,
                                      "items": {"type": "string", "format": "uri", "pattern": "^https?://"}})]
Origins = Annotated[list[Origin], _non_empty("list at least one allowed origin"),
                    WithJsonSchema({"type": "array", "minItems": 1,
                                    "items": {"type": "string", "pattern": "^https?://[^/?#]+/?$"}})]
Languages = Annotated[list[Language], _non_empty("list at least one language"),
                      WithJsonSchema({"type": "array", "minItems": 1,
                                      "items": {"type": "string", "enum": list(LANGUAGES)}})]
