"""Wire the HTTP surface onto an app: session cookie, rate limits, languages, blueprints."""

from __future__ import annotations

from flask import Flask

from consent_gateway.web import (
    api,
    applications,
    banner,
    contact,
    cookies,
    dashboard,
    demo,
    dpo,
    evidence,
    i18n,
    ops,
    privacy,
    receipts,
    rights,
    stats,
)
from consent_gateway.web.extensions import limiter
from consent_gateway.web.http import redirect_to_public_url
from consent_gateway.web.signin import GatewaySessionInterface


def init_app(app: Flask) -> None:
    app.session_interface = GatewaySessionInterface()
    limiter.init_app(app)
    app.before_request(redirect_to_public_url)
    i18n.init_app(app)
    # contact before api: the contact path's preflight must reach contact's OPTIONS view.
    for module in (contact, api, cookies, applications, stats, ops, banner, demo, privacy, receipts,
                   rights, dpo, dashboard, evidence):
        app.register_blueprint(module.bp)
