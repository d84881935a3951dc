"""Production entry point: ``gunicorn wsgi:app`` (settings from CONSENT_GATEWAY_* variables)."""

from consent_gateway import create_app

app = create_app()
