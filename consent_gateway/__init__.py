"""iQera consent gateway: ``create_app`` wires settings, declaration, database, blueprints, errors."""

from __future__ import annotations

import hashlib

from flask import Flask

from consent_gateway import db, logs, web
from consent_gateway.consent import ReceiptKeys, ReceiptSigner
from consent_gateway.declaration import load_sites
from consent_gateway.enrich import GeoIP
from consent_gateway.errors import register_error_handlers
from consent_gateway.settings import Settings, trusted_networks
from consent_gateway.web.extensions import Gateway
from consent_gateway.web.platform.proxies import TrustedProxies


def create_app(settings: Settings | None = None) -> Flask:
    """Build the gateway. Without ``settings``, read them from the environment (production rules:
    a missing signing key refuses to start). A bad ``sites.yaml`` refuses to start too."""
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level)
    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()),
                template_folder="web/templates", static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_keys[-1],
        MAX_CONTENT_LENGTH=1024 * 1024,
        # Flask-WTF keeps the hosted form's CSRF secret in Flask's cookie session: a browser-session
        # cookie, declared in sites.yaml as strictly necessary under this name.
        SESSION_COOKIE_NAME="iq_form_session",
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # Forwarded headers are believed from the TRUSTED_PROXIES only, and dropped from anyone else.
    app.wsgi_app = TrustedProxies(app.wsgi_app, trusted_networks(settings.trusted_proxies))  # type: ignore[method-assign]
    app.extensions["settings"] = settings
    app.extensions["gateway"] = Gateway(
        settings=settings,
        sites=load_sites(settings.sites_path),
        signer=ReceiptSigner(settings.secret_keys),
        receipt_keys=ReceiptKeys(settings.receipt_keys),
        geoip=GeoIP(settings.geoip_db),
        script_hash=_script_hash(settings),
    )
    db.init_app(app)
    register_error_handlers(app)
    web.init_app(app)
    return app


def _script_hash(settings: Settings) -> str | None:
    """SHA-256 of the built banner script, recorded on each receipt (what code asked)."""
    bundle = settings.banner_dist / "consent.js"
    if not bundle.exists():
        return None
    return hashlib.sha256(bundle.read_bytes()).hexdigest()
