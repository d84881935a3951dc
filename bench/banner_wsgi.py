"""The gateway plus the pages of the banner timing bench under /bench, for gunicorn:

    gunicorn bench.banner_wsgi:app   (settings from CONSENT_GATEWAY_* variables, like wsgi.py)

/bench/page/<variant> is the demo page whose banner tag is swapped for the variant's script:
``banner`` (consent.js with one statement noting performance.now() put before it), ``site`` (the
per-site script /banner/v1/sites/demo/consent.js, configuration inside, marked the same way,
just after its first line, V8's compile-hint comment), ``trivial``
(an async script that injects a plain element), ``fetch`` (the same after fetching the banner
configuration: the network floor) or ``none`` (no script, for DOMContentLoaded).
"""

from __future__ import annotations

import re
from functools import cache

from flask import Flask, Response, abort
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from consent_gateway.settings import PROJECT_ROOT
from consent_gateway.web.banner import COMPILE_HINT
from wsgi import app as gateway

# The demo page's banner tag (it carries the page's CSP nonce, which this bench app does not send).
TAG = re.compile(r'<script src="/banner/v1/consent\.js" data-site="demo"[^>]*></script>')
START = "window.__startAt=performance.now();"
SHOW = """function show() { var d = document.createElement('div'); d.className = 'bench-element';
  d.textContent = 'Cookies'; document.body.insertBefore(d, document.body.firstChild); }"""
WHEN_BODY = "if (document.body) show(); else document.addEventListener('DOMContentLoaded', show);"
SCRIPTS = {
    "trivial": START + SHOW + WHEN_BODY,
    "fetch": START + SHOW + "fetch('/api/v1/sites/demo/banner?lang=fr')"
             ".then(function (r) { return r.json(); }).then(function () {" + WHEN_BODY + "});",
}

pages = Flask(__name__)


@cache
def demo_html() -> str:
    html = gateway.test_client().get("/demo/demo").get_data(as_text=True)
    assert TAG.search(html)
    return html


@pages.get("/page/<variant>")
def page(variant: str) -> Response:
    scripts = {"banner": "/bench/consent-marked.js", "site": "/bench/consent-site-marked.js",
               "trivial": "/bench/script/trivial.js", "fetch": "/bench/script/fetch.js"}
    if variant == "none":
        return Response(TAG.sub("", demo_html()), content_type="text/html")
    if variant not in scripts:
        abort(404)
    html = TAG.sub(lambda tag: tag.group().replace("/banner/v1/consent.js", scripts[variant]), demo_html())
    return Response(html, content_type="text/html")


@pages.get("/consent-marked.js")
def consent_marked() -> Response:
    code = (PROJECT_ROOT / "static" / "banner" / "dist" / "consent.js").read_text(encoding="utf-8")
    return Response(START + code, content_type="application/javascript")


@pages.get("/consent-site-marked.js")
def consent_site_marked() -> Response:
    """The per-site script as the gateway serves it (compile hint, configuration, generic code),
    marked after the hint: V8 reads that comment only at the top, and it is no statement."""
    code = gateway.test_client().get("/banner/v1/sites/demo/consent.js").get_data(as_text=True)
    hint, code = code.split("\n", 1)
    assert hint == COMPILE_HINT
    return Response(hint + "\n" + START + code, content_type="application/javascript")


@pages.get("/script/<name>.js")
def script(name: str) -> Response:
    if name not in SCRIPTS:
        abort(404)
    return Response(SCRIPTS[name], content_type="application/javascript")


app = DispatcherMiddleware(gateway, {"/bench": pages})
