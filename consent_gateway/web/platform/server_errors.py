"""gunicorn's own answers, to requests it cannot parse (a bad request line or header: 400, a URI
too long: 414, headers too large: 431), with the headers every answer of the gateway carries.

gunicorn writes these itself, before any request reaches the app, with ``gunicorn.util.write_error``
and no hook; ``post_worker_init`` (a gunicorn server hook, set by ``gunicorn_conf`` and the
development ``serve``) puts ``write_error`` here in its place in each worker. The page repeats
nothing of the request (gunicorn's quoted the offending line back).
"""

from __future__ import annotations

import html
import os
import socket
from typing import Any

from gunicorn import util

from consent_gateway.settings import PREFIX
from consent_gateway.web.platform.security import HSTS, RESOURCE_POLICY

# Its own page: no inline style, so the resources' policy fits it (nothing to load, never framed).
HEADERS = {
    "Connection": "close",
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": RESOURCE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error``, with the security headers and without the echo."""
    page = (f"<!doctype html>\n<html><head><title>{status_int} {html.escape(reason)}</title></head>"
            f"<body><h1>{status_int} {html.escape(reason)}</h1></body></html>\n").encode()
    headers = dict(HEADERS)
    if os.environ.get(f"{PREFIX}PUBLIC_URL", "").startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    head = f"HTTP/1.1 {status_int} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"Content-Length: {len(page)}\r\n\r\n"
    util.write_nonblock(sock, head.encode("latin-1") + page)


def post_worker_init(worker: Any) -> None:
    """gunicorn's server hook, run in each worker once it is ready."""
    util.write_error = write_error
