"""One exception tree for the gateway; ``register_error_handlers`` maps it to the JSON error shape."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from consent_gateway.db.health import cannot_write_now


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose. Carries its HTTP status and code."""

    status = 400
    code = "bad_request"
    # Seconds after which a client may try again (sent as Retry-After), for errors that pass.
    retry_after: int | None = None

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ConfigurationError(GatewayError):
    """The environment or ``sites.yaml`` is wrong: the service must not start."""

    status = 500
    code = "configuration_error"


class ValidationError(GatewayError):
    status = 400
    code = "invalid"


def expect_object(body: Any, allowed: set[str]) -> dict[str, Any]:
    """``body`` as a JSON object holding only ``allowed`` keys, else a 400 naming the culprit."""
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object")
    for key in body:
        if key not in allowed:
            raise ValidationError(f"unknown key {key!r}", field=key, code="unknown_field")
    return body


class InvalidReceipt(ValidationError):
    """A receipt token that is not one of ours; ``reason`` is a stable machine-readable word
    (``malformed``, ``bad_signature``)."""

    code = "invalid_receipt"

    def __init__(self, reason: str):
        super().__init__(f"the receipt token is not valid: {reason}", field="token")
        self.reason = reason


class FieldInvalid(ValidationError):
    """One contact-form value broke a rule; ``rule`` is a stable machine-readable word such as
    ``invalid_email``. The message never repeats the value (it may be personal data, and messages
    end up in logs and screenshots)."""

    def __init__(self, field: str, rule: str, message: str):
        super().__init__(message, field=field, code=rule)

    @property
    def rule(self) -> str:
        return self.code


class MalformedJSON(GatewayError):
    status = 400
    code = "malformed_json"


class Unauthorized(GatewayError):
    status = 401
    code = "unauthorized"


class Forbidden(GatewayError):
    status = 403
    code = "forbidden"


class OriginNotAllowed(Forbidden):
    code = "origin_not_allowed"


class NotFound(GatewayError):
    status = 404
    code = "not_found"


class StalePolicy(GatewayError):
    """The visitor saw an older policy or banner: they must be asked again."""

    status = 409
    code = "reconsent_required"


class LedgerBusy(GatewayError):
    """Two seals of the ledger ran at once; the later one kept nothing and may simply run again."""

    status = 409
    code = "ledger_busy"


class BackupRefused(GatewayError):
    """A backup or restore that cannot be done: a tool missing, a target not empty, a damaged archive."""

    status = 409
    code = "backup_refused"


class PayloadTooLarge(GatewayError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(GatewayError):
    status = 415
    code = "unsupported_media_type"


class DatabaseUnavailable(GatewayError):
    """The database cannot take a write now (down, full, read-only): try again later. Nothing the
    visitor sent was wrong, and nothing was recorded."""

    status = 503
    code = "database_unavailable"
    retry_after = 30


class BannerNotBuilt(GatewayError):
    """``static/banner/dist`` is missing: the operator has to run ``make banner``."""

    status = 503
    code = "banner_not_built"
    retry_after = 60


def register_error_handlers(app: Flask) -> None:
    """Answer every error, ours or Werkzeug's, with ``{"error", "message", "field"?}``; a database
    that cannot write is a 503 with ``Retry-After``; anything else is logged and answered 500. On
    an HTML page the web layer's ``error_page`` (``app.extensions``) answers an HTML page instead."""

    @app.errorhandler(GatewayError)
    def _gateway_error(exc: GatewayError):
        return _answer(exc.to_dict(), exc.status, {"Retry-After": str(exc.retry_after)}
                       if exc.retry_after is not None else {})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Where it happened is the route's pattern (never the path, which can hold a token), and
        # neither the body nor the query string is logged: they can hold personal data.
        where = f"{request.method} {request.url_rule.rule if request.url_rule else '(no route)'}"
        if isinstance(exc, SQLAlchemyError):  # counted by /metrics (web.metrics)
            g.database_error = "unavailable" if cannot_write_now(exc) else type(exc).__name__
        if isinstance(exc, SQLAlchemyError) and cannot_write_now(exc):
            current_app.logger.warning("database unavailable on %s: %s", where, _first_line(exc))
            return _gateway_error(DatabaseUnavailable(
                "the database cannot record anything right now; nothing was stored, try again later"))
        current_app.logger.error("unexpected %s on %s", type(exc).__name__, where, exc_info=exc)
        return _answer({"error": "internal_error",
                        "message": "the gateway failed unexpectedly; the error is logged"}, 500, {})

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        original = exc.get_response().headers
        return _answer({"error": code, "message": exc.description or exc.name}, exc.code or 500,
                       {h: original[h] for h in ("Allow", "Retry-After") if original.get(h)})


def _answer(body: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    page = current_app.extensions.get("error_page")
    retry_after = headers.get("Retry-After")
    response = page(status, body, int(retry_after) if retry_after and retry_after.isdigit() else None) \
        if page is not None else None
    if response is None:
        response = jsonify(body)
        response.status_code = status
    response.headers.update(headers)
    return response


class InvalidFields(ValidationError):
    """One or more contact-form values broke a rule. ``code`` and ``field`` name the first one;
    ``errors`` lists them all as ``(field, rule, message)`` for forms that show every error."""

    def __init__(self, errors: list[tuple[str, str, str]]):
        field, rule, message = errors[0]
        super().__init__(f"{field}: {message}", field=field, code=rule)
        self.errors = errors

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(),
                "errors": [{"field": f, "rule": r, "message": m} for f, r, m in self.errors]}


class PurposeNotActive(Forbidden):
    """A required contact field's purpose is not active for this visitor (refused, objected to,
    restricted): nothing is stored."""

    code = "purpose_not_active"


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message (e.g. "attempt to write a readonly database"), without the SQL and
    parameters SQLAlchemy appends."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0] if text else ''}"
