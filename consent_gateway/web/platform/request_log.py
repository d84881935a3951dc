"""One JSON log line per request, in place of an access log, and the request id.

Logged: the request id, the method, the route's pattern (``/privacy/<site_id>/receipts/<token>``,
never the path, which can hold a token), the status, the duration and the site. Never logged: the
client's address, the path or query string, a header other than ``X-Request-ID``, the body.

The request id is the client's ``X-Request-ID`` when it has the shape of a request id (a load
balancer's, so that its lines and ours can be joined): hex digits in groups joined by ``-`` or
``.``, after an optional short lowercase label (a UUID, nginx's 32 hex digits, ``lb-7f3a9c.2``).
Anything else, an email or a token that a client put there, is never written: a new random id
replaces it. Either way it is sent back in the answer's ``X-Request-ID`` and appears on the
application's log lines of that request.

The site is logged when the path names a declared one; any other text in its place is logged as
``(undeclared)``, never as sent (it may be anything a client typed: an address, a token).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

from consent_gateway.logs import StderrHandler, clean
from consent_gateway.web.extensions import gateway

logger = logging.getLogger("consent_gateway.request")
HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"(?:[a-z]{1,8}-)?[0-9a-f]{1,64}(?:[.-][0-9a-f]{1,64}){0,7}")
_MAX_ID = 128
UNDECLARED_SITE = "(undeclared)"


def request_id() -> str:
    """This request's id: the client's when valid, else a new random one."""
    rid = g.get("request_id")
    if rid is None:
        rid = g.request_id = choose_request_id(request.headers.get(HEADER, ""))
    return rid


def choose_request_id(asked: str) -> str:
    """The client's ``X-Request-ID`` (``asked``) when it has a request id's shape, else a new one."""
    return asked if len(asked) <= _MAX_ID and _VALID_ID.fullmatch(asked) else uuid.uuid4().hex


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    response.headers[HEADER] = g.request_id
    _log(response.status_code)
    return response


def _teardown(exc: BaseException | None) -> None:
    """A request that ended without an answer going through ``_finish`` is logged as a 500."""
    if exc is not None:
        _log(500)


def _log(status: int) -> None:
    state = g._get_current_object()  # each proxy lookup costs; this runs on every request
    if getattr(state, "request_logged", False):
        return
    state.request_logged = True
    # A 5xx is a warning here: the error itself, with its traceback, is logged where it happened.
    level = logging.WARNING if status >= 500 else logging.INFO
    req = request._get_current_object()  # type: ignore[attr-defined]
    write_line(level, getattr(state, "request_id", None) or request_id(), req.method,
               req.url_rule.rule if req.url_rule is not None else None, status,
               getattr(state, "request_started", None), logged_site((req.view_args or {}).get("site_id")))


def logged_site(site_id: object) -> str | None:
    """What the log says of the path's site: its id if declared, else ``(undeclared)``."""
    if site_id is None:
        return None
    return site_id if isinstance(site_id, str) and site_id in gateway().sites.sites else UNDECLARED_SITE


def write_line(level: int, rid: str, method: str, route: str | None, status: int, started: float | None,
               site: str | None) -> None:
    """The request's line: also written by ``web.replay`` for the answers it sends from memory."""
    if not logger.isEnabledFor(level):
        return
    fields = {
        "event": "request",
        "request_id": rid,
        "method": clean(method, 16),
        "route": route,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        "site": clean(site, 64) if site is not None else None,
    }
    # Made directly: Logger.log would walk the stack for a caller that every line shares.
    logger.handle(logger.makeRecord(logger.name, level, __file__, 0, "request", (), None, extra=fields))


class RequestIdFilter(logging.Filter):
    """Adds the request id to every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id")
        return True


def init_app(app: Flask) -> None:
    """Register first, so that the start time is taken before any other hook can refuse the
    request (rate limits, redirects) and the line is written after every other hook."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_teardown)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, StderrHandler) and not any(isinstance(f, RequestIdFilter)
                                                         for f in handler.filters):
            handler.addFilter(RequestIdFilter())
