"""Wire the HTTP surface onto an app: session cookie, rate limits, languages, blueprints."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from consent_gateway.web import api, banner, contact, demo, i18n, ops, privacy, receipts
from consent_gateway.web.extensions import limiter
from consent_gateway.web.http import redirect_to_public_url


def init_app(app: Flask) -> None:
    app.session_interface = _CachedSerializerSessionInterface()
    limiter.init_app(app)
    app.before_request(redirect_to_public_url)
    i18n.init_app(app)
    # contact before api: the contact path's preflight must reach contact's OPTIONS view.
    for module in (contact, api, ops, banner, demo, privacy, receipts):
        app.register_blueprint(module.bp)


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
