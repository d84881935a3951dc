"""Structured logs: one JSON object per line on stderr, for the gateway and the libraries it uses.

A line never holds an IP address, a token, a query string, a form value, a Referer or a User-Agent:
the request log (``web.request_log``) writes only the fields below, and application messages name
routes by their pattern. Every line is one physical line whatever a value holds: ``json.dumps``
escapes control characters, and what it leaves raw (DEL, C1 controls such as the 8-bit ANSI CSI,
Unicode line separators and bidirectional overrides) is escaped here, so nothing a client sends can
forge a log line or drive an operator's terminal.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from gunicorn.glogging import Logger as GunicornBaseLogger

# Libraries log at WARNING and above whatever the gateway's level: werkzeug's development server
# and Flask-Limiter write the client's address at INFO.
LIBRARY_LEVEL = logging.WARNING
# Left raw by json.dumps(ensure_ascii=False) yet read by terminals or log viewers as controls.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Anything a client sent that is logged is cut to this and loses every control character.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_CLIENT_VALUE = 128
# LogRecord attributes that are not extra fields.
_RECORD_KEYS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def clean(value: str, limit: int = MAX_CLIENT_VALUE) -> str:
    """A value that came from a request, fit for a log: no control characters, at most ``limit``."""
    return _CONTROL.sub("", value)[:limit]


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message"?, ...extra fields, "exc"?}`` on one line."""

    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        whole = int(record.created)
        if whole != self._second[0]:  # lines come many a second: format each second once
            self._second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
        second = self._second[1]
        line: dict[str, Any] = {
            "ts": f"{second}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        extra = {k: v for k, v in vars(record).items() if k not in _RECORD_KEYS and k[0] != "_"}
        if not extra.get("event"):
            line["message"] = record.getMessage()
        line.update(extra)
        if record.exc_info:
            line["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            line["exc"] = self.formatException(record.exc_info)
        return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}",
                                   json.dumps(line, ensure_ascii=False, default=str))


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(JsonFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: str) -> None:
    """Send every log record to stderr as JSON: the gateway's at ``level``, the libraries' at
    WARNING. Idempotent (each app built in a process configures the same handler once)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    root.addHandler(StderrHandler())
    root.setLevel(LIBRARY_LEVEL)
    logging.getLogger("consent_gateway").setLevel(level)
    for name in ("werkzeug", "flask-limiter"):
        logging.getLogger(name).setLevel(LIBRARY_LEVEL)


class _GunicornScrubber(logging.Filter):
    """gunicorn's own messages without what a client sent: it names the client's address on a
    refused request (``Invalid request from ip=…: … 'the request line'``) and the URI, query
    string included, on an error."""

    _IP = re.compile(r"\bip=\S+?(?=:|\s|$)")
    _QUOTED = re.compile(r"'[^']*'")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Error handling request"):
            message = "Error handling request (its URI is not logged)"
        else:
            message = self._QUOTED.sub("'…'", self._IP.sub("ip=…", message))
        record.msg, record.args = message, ()
        return True


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's logger for the gateway (``--logger-class consent_gateway.logs.GunicornLogger``):
    its own messages as JSON like ours, and no access log even if one is configured, since an
    access line holds the client's address, the query string, the Referer and the User-Agent."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, _GunicornScrubber) for f in self.error_log.filters):
            self.error_log.addFilter(_GunicornScrubber())
        self.access_log.handlers.clear()
        self.access_log.disabled = True

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """The gateway's request log (one JSON line per request, no personal data) replaces it."""
