"""iQera consent gateway."""

from consent_gateway.app import create_app

__all__ = ["create_app"]
