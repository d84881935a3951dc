"""``consent-gateway``: the command line, calling the same services as the views."""

from consent_gateway.cli.commands import main

__all__ = ["main"]
