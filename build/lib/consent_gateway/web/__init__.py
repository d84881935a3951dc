"""The HTTP surface: thin blueprints, request helpers (site, language, JSON body, CORS), templates."""

from consent_gateway.web.app import init_app

__all__ = ["init_app"]
