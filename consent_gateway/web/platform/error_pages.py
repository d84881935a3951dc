"""An error on an HTML page is an HTML page, in the page's language; the JSON API keeps the JSON
error shape (``errors.register_error_handlers`` asks ``error_page`` first).

A page is a view of the visitor's or staff's pages (privacy centre, hosted form, receipts, rights,
DPO workspace, dashboard, demo), except the files they link to (a receipt's JSON or JWS, the
demo's assets); a URL that matches no route is a page when the client prefers HTML (a browser's
navigation) or its path is among the pages', so that a mistyped link shows a page while a
script still reads JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from consent_gateway.web.extensions import gateway
from consent_gateway.web.platform.security import csp_nonce

PAGE_BLUEPRINTS = {"privacy", "receipts", "rights", "dpo", "dashboard", "demo"}
NOT_PAGES = {"receipts.receipt_json", "receipts.receipt_jws", "demo.static"}
PAGE_PREFIXES = ("/privacy/", "/dpo/", "/dashboard/", "/demo/")
NOT_PAGE_PREFIXES = ("/demo/assets/",)
# What the visitor reads: what happened, and what to do. The API's message (English, technical)
# is not repeated: the page's language may be another.
WORDING = {
    400: (_l("The request could not be read."), _l("Go back, check what you entered and try again.")),
    401: (_l("You are not signed in."), _l("Sign in, then open this page again.")),
    403: (_l("This action is not allowed."), _l("Go back to the previous page.")),
    404: (_l("This page does not exist."), _l("Check the address, or go back to the previous page.")),
    405: (_l("This action is not allowed."), _l("Go back to the previous page.")),
    413: (_l("What you sent is too large."), _l("Send smaller files or a shorter text, then try again.")),
    415: (_l("The request could not be read."), _l("Go back, check what you entered and try again.")),
    429: (_l("Too many requests."), _l("Wait a moment, then try again.")),
    503: (_l("The service is unavailable for a moment."),
          _l("Nothing was recorded. Please try again in a few minutes.")),
}
UNEXPECTED = (_l("Something went wrong on our side."), _l("The error is logged. Please try again later."))


def is_page() -> bool:
    """Does the current request show an HTML page (so that its errors must too)?"""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: where the pages are, or what the client prefers
        if request.path.startswith(PAGE_PREFIXES) and not request.path.startswith(NOT_PAGE_PREFIXES):
            return True
        accept = request.accept_mimetypes
        return accept.quality("text/html") > accept.quality("application/json")
    return request.blueprint in PAGE_BLUEPRINTS and endpoint not in NOT_PAGES


def page_language() -> str:
    """The page's language, from the URL and the browser only: the body may be what failed."""
    site_id = (request.view_args or {}).get("site_id")
    site = gateway().sites.site(site_id) if isinstance(site_id, str) else None
    languages: list[str] = list(site.languages) if site else list(current_app.extensions["ui_languages"])
    default = site.default_language if site else "fr"
    asked = request.args.get("lang", "")
    if asked in languages:
        return asked
    return request.accept_languages.best_match(languages) or default


def error_page(status: int, body: dict[str, Any], retry_after: int | None) -> Response | None:
    """The HTML answer for an error on a page, else None (the caller answers JSON)."""
    if not is_page():
        return None
    lang = page_language()
    heading, advice = WORDING.get(status, UNEXPECTED)
    # Rendered without the app's and blueprints' context processors: one of those may read the body
    # (a form), which may be the very thing that failed.
    with force_locale(lang):
        html = current_app.jinja_env.get_template("platform/error.html").render(
            lang=lang, status=status, heading=str(heading), advice=str(advice), retry_after=retry_after,
            csp_nonce=csp_nonce())
    response = Response(html, status=status, mimetype="text/html")
    response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    app.extensions["error_page"] = error_page
