"""Wire the HTTP surface onto an app: answers replayed from memory, request log, security headers,
session cookie, rate limits, languages, blueprints."""

from __future__ import annotations

from flask import Flask

from consent_gateway.web import i18n
from consent_gateway.web.api import applications, consents, contact, cookies, evidence, openapi, scans, stats
from consent_gateway.web.http import PathId, PathText, redirect_to_public_url, refuse_unprintable_query
from consent_gateway.web.platform import error_pages, limits, metrics, ops, replay, request_log, security
from consent_gateway.web.platform.body import TEXT_PART_LIMIT, FramingGuard, GatewayRequest
from consent_gateway.web.staff import dashboard, dpo, recruiting
from consent_gateway.web.staff import scans as dpo_scans
from consent_gateway.web.staff.signin import GatewaySessionInterface
from consent_gateway.web.visitor import banner, demo, home, privacy, receipts, rights


def init_app(app: Flask) -> None:
    app.session_interface = GatewaySessionInterface()
    # Every form is parsed with text parts capped one by one and files by their declared sizes; a
    # body whose chunked framing is broken is a 400 (web.platform.body).
    app.request_class = GatewayRequest
    app.config["MAX_FORM_MEMORY_SIZE"] = TEXT_PART_LIMIT
    app.wsgi_app = FramingGuard(app.wsgi_app)  # type: ignore[method-assign]
    error_pages.init_app(app)
    # Before any blueprint adds its rules: every id in a path is printable and bounded.
    app.url_map.converters.update(default=PathId, path=PathText)
    # The banner's public answers, once made, are sent again from memory in front of all this.
    replay.init_app(app)
    # First: the request log times every hook, and the headers are added after every other hook.
    request_log.init_app(app)
    security.init_app(app)
    metrics.init_app(app)  # times requests from the request log's start
    limits.init_app(app)
    app.before_request(redirect_to_public_url)
    app.before_request(refuse_unprintable_query)
    i18n.init_app(app)
    # contact before consents: the contact path's preflight must reach contact's OPTIONS view.
    for module in (contact, consents, cookies, applications, stats, ops, banner, demo, privacy, receipts,
                   rights, dpo, dpo_scans, dashboard, recruiting, evidence, openapi, scans, home):
        app.register_blueprint(module.bp)
