"""Wire the HTTP surface onto an app: session cookie, rate limits, blueprints."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from consent_gateway.web import api, banner, contact, dashboard, demo, ops, privacy, stats
from consent_gateway.web.extensions import limiter


def init_app(app: Flask) -> None:
    app.session_interface = _CachedSerializerSessionInterface()
    limiter.init_app(app)
    # contact before api: the contact path's preflight must reach contact's OPTIONS view.
    for module in (contact, api, stats, ops, banner, demo, privacy, dashboard):
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

    # The dashboard's signed-in session is its own cookie, stricter than the hosted form's:
    # __Host- prefixed on https (Secure, Path=/, no Domain), SameSite=Strict; HttpOnly as every
    # Flask session cookie.
    def _dashboard(self) -> bool:
        return request.path.startswith("/dashboard")

    def get_cookie_name(self, app: Flask) -> str:
        if self._dashboard():
            return "__Host-iq_dashboard" if request.is_secure else "iq_dashboard"
        return super().get_cookie_name(app)

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "Strict" if self._dashboard() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure if self._dashboard() else super().get_cookie_secure(app)

    def get_cookie_path(self, app: Flask) -> str:
        return "/" if self._dashboard() else super().get_cookie_path(app)

    def get_cookie_domain(self, app: Flask) -> str | None:
        return None if self._dashboard() else super().get_cookie_domain(app)
