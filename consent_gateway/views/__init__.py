"""Thin blueprints: parse the request, call one service, answer."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from consent_gateway.views import contact

    # Before api: the contact path's preflight must reach contact's OPTIONS view, not api's GET.
    app.register_blueprint(contact.bp)
    from consent_gateway.views import api, ops

    app.register_blueprint(api.bp)
    app.register_blueprint(ops.bp)
    from consent_gateway.views import banner, demo

    app.register_blueprint(banner.bp)
    app.register_blueprint(demo.bp)
    from consent_gateway.views import privacy

    app.register_blueprint(privacy.bp)
