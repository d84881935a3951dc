"""``create_app``: wires settings, sites, database, services, blueprints, CLI and error handlers."""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from consent_gateway import db
from consent_gateway.config import Settings
from consent_gateway.enrich import GeoIP
from consent_gateway.errors import register_error_handlers
from consent_gateway.extensions import Gateway, limiter
from consent_gateway.receipts import ReceiptSigner
from consent_gateway.sites import load_sites


def create_app(settings: Settings | None = None) -> Flask:
    """Build the gateway. Without ``settings``, read them from the environment (production rules:
    a missing signing key refuses to start). A bad ``sites.yaml`` refuses to start too."""
    settings = settings or Settings.from_env()
    app = Flask("consent_gateway", instance_path=str(settings.instance_path.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_keys[-1],
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage,
        RATELIMIT_HEADERS_ENABLED=True,
        # Flask-WTF keeps the hosted form's CSRF secret in Flask's cookie session: a browser-session
        # cookie, declared in sites.yaml as strictly necessary under this name.
        SESSION_COOKIE_NAME="iq_form_session",
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.session_interface = _CachedSerializerSessionInterface()
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies,
                                x_proto=settings.trusted_proxies, x_host=settings.trusted_proxies)
    app.extensions["settings"] = settings
    app.extensions["gateway"] = Gateway(
        settings=settings,
        sites=load_sites(settings.sites_path),
        signer=ReceiptSigner(settings.secret_keys),
        geoip=GeoIP(settings.geoip_db),
        script_hash=_script_hash(settings),
    )
    db.init_app(app)
    limiter.init_app(app)
    register_error_handlers(app)

    from consent_gateway.views import register_blueprints

    register_blueprints(app)
    return app


class _CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session (used by Flask-WTF's CSRF), building its signer once per app.

    Flask builds a new itsdangerous serializer on every request; on the hot, session-less API
    paths that was a measurable share of a banner-config GET.
    """

    def get_signing_serializer(self, app: Flask):
        serializer = app.extensions.get("session_serializer")
        if serializer is None:
            serializer = app.extensions["session_serializer"] = super().get_signing_serializer(app)
        return serializer


def _script_hash(settings: Settings) -> str | None:
    """SHA-256 of the built banner script, recorded on each receipt (what code asked)."""
    bundle = settings.banner_dist / "consent.js"
    if not bundle.exists():
        return None
    return hashlib.sha256(bundle.read_bytes()).hexdigest()
