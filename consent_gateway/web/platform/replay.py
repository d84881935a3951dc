"""Answers that every page view of every group site asks for, sent again from memory.

The banner's configuration and scripts are the same bytes for every visitor who asks the same
thing: in a process, they only change when it restarts (``sites.yaml`` and the build are read at
start). A view that answers so opts in with ``@replayable(...)``, naming the request headers its
answer depends on besides the URL's path and query string. The first answer to a request is
kept, whole (status, headers, body), under a key made of exactly those: the path, the raw query
string and each named header's raw value; a later GET with the same key gets the same answer
without entering Flask, its hooks or the view.

What differs from one request to the next is done for each replayed one too, by the same code as
in Flask's hooks: the ``X-Request-ID`` (the client's, else a new one), the JSON request log line
and the metrics. The rest of the answer (security headers, CORS, ``Vary``, ETag, cache policy) is
what the hooks produced the first time.

Kept: answers to a GET with status 200 or 304 that any cache may keep (``Cache-Control: public``)
and set no cookie. A request with ``Authorization`` is never answered from memory (staff get
``no-store`` answers, see ``web.security``), nor kept. At most ``LIMIT`` answers
are kept per process, the oldest first out, so that made-up query strings or header values cannot
grow memory; such requests are served by Flask as any other.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, request

from consent_gateway.web.platform import metrics, request_log

F = TypeVar("F", bound=Callable[..., Any])
LIMIT = 256
# Where a replayable view leaves what the answer depends on, for the middleware to read.
_MARK = "consent_gateway.replayable"
_KEPT_STATUSES = ("200 ", "304 ")
_PER_REQUEST_HEADERS = {request_log.HEADER.lower()}


@dataclass(frozen=True)
class _Mark:
    headers: tuple[str, ...]  # the WSGI environ keys of the request headers the answer depends on
    route: str
    site: str | None


@dataclass(frozen=True)
class _Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    route: str
    site: str | None

    @property
    def code(self) -> int:
        return int(self.status[:3])


def replayable(*headers: str) -> Callable[[F], F]:
    """Mark a GET view whose answer depends only on the URL and the request ``headers`` named
    (``"Accept-Encoding"``, ``"If-None-Match"``…), so that it can be sent again from memory."""
    keys = tuple("HTTP_" + name.upper().replace("-", "_") for name in headers)

    def apply(view: F) -> F:
        @functools.wraps(view)
        def marked(*args: Any, **kwargs: Any) -> Any:
            site = request_log.logged_site((request.view_args or {}).get("site_id"))
            rule = request.url_rule.rule if request.url_rule is not None else request.path
            request.environ[_MARK] = _Mark(keys, rule, site)
            return view(*args, **kwargs)

        return cast(F, marked)

    return apply


class Replay:
    """The WSGI middleware in front of the Flask application (``init_app``)."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], limit: int = LIMIT) -> None:
        self.wsgi_app = wsgi_app
        self.limit = limit
        # By path: the header keys its answers depend on (learned from the first answer kept).
        self._headers: dict[str, tuple[str, ...]] = {}
        self._answers: dict[tuple[str, ...], _Answer] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_AUTHORIZATION" in environ:
            return self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        names = self._headers.get(path)
        if names is not None:
            answer = self._answers.get(self._key(environ, path, names))
            if answer is not None:
                return self._replay(answer, environ, start_response)
        return self._answer_and_keep(environ, start_response, path)

    @staticmethod
    def _key(environ: dict[str, Any], path: str, names: tuple[str, ...]) -> tuple[str, ...]:
        return (path, environ.get("QUERY_STRING", ""), *(environ.get(name, "") for name in names))

    def _replay(self, answer: _Answer, environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        rid = request_log.choose_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(answer.status, [*answer.headers, (request_log.HEADER, rid)])
        request_log.write_line(logging.INFO, rid, "GET", answer.route, answer.code, started, answer.site)
        metrics.count_request("GET", answer.route, answer.code, started)
        return [answer.body]

    def _answer_and_keep(self, environ: dict[str, Any], start_response: Callable[..., Any],
                         path: str) -> Iterable[bytes]:
        sent: list[Any] = []

        def keep_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, keep_start_response)
        mark = environ.get(_MARK)
        if not isinstance(mark, _Mark) or not sent or not sent[0].startswith(_KEPT_STATUSES):
            return chunks
        status, headers = sent
        named = {name.lower(): value for name, value in headers}
        if "set-cookie" in named or "public" not in named.get("cache-control", ""):
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        kept = [(name, value) for name, value in headers if name.lower() not in _PER_REQUEST_HEADERS]
        with self._lock:
            if len(self._answers) >= self.limit:
                del self._answers[next(iter(self._answers))]
            self._headers[path] = mark.headers
            self._answers[self._key(environ, path, mark.headers)] = _Answer(
                status, kept, body, mark.route, mark.site)
        return [body]


def init_app(app: Flask) -> None:
    """Put the replay in front of the application (and of ``ProxyFix``: no kept answer depends on
    the client's address or the Host it named)."""
    app.wsgi_app = Replay(app.wsgi_app)  # type: ignore[method-assign]
