"""``python -m consent_gateway.cli``: the same command as ``consent-gateway``."""

from consent_gateway.cli.commands import main

main()
