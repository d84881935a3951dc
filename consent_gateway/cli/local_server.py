"""The gateway served on 127.0.0.1 while a command (or a tool or test driving Chromium) needs it:
``evidence snapshot`` pictures its own demo page this way, as do the docs' screenshots."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from flask import Flask
from werkzeug.serving import make_server


@contextmanager
def served_locally(app: Flask, port: int = 0) -> Iterator[str]:
    """``app`` on ``port`` of 127.0.0.1 (0: a free one) for as long as the block runs; yields its
    base URL, which becomes the app's public URL (the demo page loads the banner from there)."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    gw = app.extensions["gateway"]
    gw.settings = app.extensions["settings"] = replace(gw.settings, public_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    # These page loads are not traffic: no request lines on the operator's terminal.
    request_log = logging.getLogger("consent_gateway.request")
    level = request_log.level
    request_log.setLevel(logging.WARNING)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)
        request_log.setLevel(level)
