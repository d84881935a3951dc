"""The visitor's language: one resolver for every view.

``?lang=`` (or the hosted form's ``lang`` field) when the site offers that language, else the
best match of the browser's Accept-Language among the site's languages, else the site's default.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from consent_gateway.declaration import Site


def resolve_language(site: Site) -> str:
    """The language to answer in for ``site``, among the languages it declares."""
    asked = request.values.get("lang", "")
    if asked in site.languages:
        return asked
    # The answer now depends on a header: caches must keep one copy per Accept-Language.
    g.language_negotiated = True
    return request.accept_languages.best_match(site.languages) or site.default_language


def _vary_on_accept_language(response: Response) -> Response:
    if g.get("language_negotiated"):
        response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary_on_accept_language)
