"""What gunicorn serves in production: ``production_app()`` (``wsgi.py`` at the checkout's root and
``consent-gateway serve --production`` both go through it)."""

from __future__ import annotations

import sys

from flask import Flask

from consent_gateway import create_app
from consent_gateway.errors import ConfigurationError


def production_app() -> Flask:
    """The gateway from the environment's settings; a setting, ``sites.yaml`` or a service it
    cannot use (an unreachable Redis) is one line on standard error and exit status 4, gunicorn's
    "the application failed to load": the arbiter stops instead of restarting workers forever, and
    the operator reads the variable to fix, not a traceback."""
    try:
        return create_app()
    except ConfigurationError as exc:
        # One line, even when the cause quotes a YAML parser's several.
        line = " ".join(part.strip() for part in exc.message.splitlines() if part.strip())
        print(f"consent gateway: {line}", file=sys.stderr)
        raise SystemExit(4) from None
