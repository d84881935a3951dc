"""Production entry point: ``gunicorn wsgi:app`` (settings from CONSENT_GATEWAY_* variables)."""

from consent_gateway.wsgi import production_app

app = production_app()
