"""Production entry point: ``gunicorn wsgi:app`` (settings from CONSENT_GATEWAY_* variables)."""

import sys

from consent_gateway import create_app
from consent_gateway.errors import ConfigurationError

try:
    app = create_app()
except ConfigurationError as exc:
    # The operator needs the variable to fix, not a traceback. Exit status 4 is gunicorn's "the
    # application failed to load": the arbiter stops instead of restarting workers forever.
    print(f"consent gateway: {exc.message}", file=sys.stderr)
    raise SystemExit(4) from None
