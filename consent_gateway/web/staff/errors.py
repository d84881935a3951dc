"""Errors on the staff pages answer an HTML page in the page's language (the JSON error shape is
the API's): a reference that does not exist, a file that is not there, a role that may not."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from consent_gateway.errors import GatewayError

MESSAGES = {
    403: _l("Your role does not open this page."),
    404: _l("Nothing here: the reference may be mistyped, or what it named was erased."),
}
DEFAULT = _l("This request could not be handled.")


def html_errors(bp: Blueprint, home_endpoint: str) -> None:
    """Answer ``bp``'s own errors (ours and Werkzeug's, 4xx) with the staff error page."""

    def page(status: int):
        return render_template("staff/error.html", status=status, message=MESSAGES.get(status, DEFAULT),
                               home=home_endpoint, lang=str(get_locale())), status

    @bp.errorhandler(GatewayError)
    def _gateway(exc: GatewayError):
        if exc.status >= 500:
            raise exc
        return page(exc.status)

    @bp.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        if status >= 500 or status == 429:
            return exc
        return page(status)
