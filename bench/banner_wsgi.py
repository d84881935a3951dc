"""The gateway plus the pages of the banner timing bench under /bench, for gunicorn:

    gunicorn bench.banner_wsgi:app   (settings from CONSENT_GATEWAY_* variables, like wsgi.py)

/bench/page/<variant> is the demo page whose banner tag is swapped for the variant's script:
``banner`` (consent.js with one statement noting performance.now() put before it), ``site`` (the
per-site script /banner/v1/sites/demo/consent.js, configuration inside, marked the same way,
just after its first line, V8's compile-hint comment), ``trivial``
(an async script that injects a plain element), ``fetch`` (the same after fetching the banner
configuration: the network floor) or ``none`` (no script, for DOMContentLoaded).

With ``?report=<id>``, the page carries its own watcher (``bench.banner_timing.WATCH``) and, once
loaded and painted, posts its figures to /bench/report, which appends them as one JSON line to the
file ``BENCH_REPORTS`` names: how the bench times a browser that no DevTools client is attached to.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache

from flask import Flask, Response, abort, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from consent_gateway.settings import PROJECT_ROOT
from consent_gateway.web.visitor.banner import COMPILE_HINT
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


# Posted once the page has loaded and the shown element (if any) painted: the same figures the bench
# reads through Playwright. ``__REPORT__`` is the load's id.
REPORT = """
addEventListener('load', function () {
  function send() {
    var config = performance.getEntriesByType('resource').filter(function (e) {
      return e.name.indexOf('/banner?') >= 0; })[0];
    var script = performance.getEntriesByType('resource').filter(function (e) {
      return e.initiatorType === 'script'; })[0];
    navigator.sendBeacon('/bench/report', JSON.stringify({id: '__REPORT__', start: window.__startAt,
      shown: window.__shownAt, painted: window.__paintedAt, laid: window.__laidAt, cls: window.__cls,
      dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      config: config ? config.responseEnd : null, loaded: script ? script.responseEnd : null}));
  }
  (function wait() {
    if (window.__paintedAt !== undefined || !document.querySelector('script[data-site]')) send();
    else setTimeout(wait, 20);
  })();
});
"""


@pages.get("/page/<variant>")
def page(variant: str) -> Response:
    scripts = {"banner": "/bench/consent-marked.js", "site": "/bench/consent-site-marked.js",
               "trivial": "/bench/script/trivial.js", "fetch": "/bench/script/fetch.js"}
    if variant == "none":
        html = TAG.sub("", demo_html())
    elif variant in scripts:
        src = scripts[variant]
        html = TAG.sub(lambda tag: tag.group().replace("/banner/v1/consent.js", src), demo_html())
    else:
        abort(404)
    report = request.args.get("report")
    if report is not None:
        from bench.banner_timing import WATCH

        watcher = WATCH + REPORT.replace("__REPORT__", re.sub(r"[^\w-]", "", report))
        html = html.replace("<head>", f"<head><script>{watcher}</script>", 1)
    return Response(html, content_type="text/html")


@pages.post("/report")
def report() -> Response:
    line = json.dumps(json.loads(request.get_data(as_text=True)))
    with open(os.environ["BENCH_REPORTS"], "a", encoding="utf-8") as out:
        out.write(line + "\n")
    return Response(status=204)


# The marked scripts are built once and served from memory, as the gateway serves the real ones: built
# per request, they cost the server milliseconds of CPU while the page loads, which the "no script"
# variant does not pay and which showed as a DOMContentLoaded delay on a 2-core machine.
@cache
def marked_generic() -> str:
    return START + (PROJECT_ROOT / "static" / "banner" / "dist" / "consent.js").read_text(encoding="utf-8")


@cache
def marked_site() -> str:
    """The per-site script as the gateway serves it (compile hint, configuration, generic code),
    marked after the hint: V8 reads that comment only at the top, and it is no statement."""
    code = gateway.test_client().get("/banner/v1/sites/demo/consent.js").get_data(as_text=True)
    hint, code = code.split("\n", 1)
    assert hint == COMPILE_HINT
    return hint + "\n" + START + code


@pages.get("/consent-marked.js")
def consent_marked() -> Response:
    return Response(marked_generic(), content_type="application/javascript")


@pages.get("/consent-site-marked.js")
def consent_site_marked() -> Response:
    return Response(marked_site(), content_type="application/javascript")


@pages.get("/script/<name>.js")
def script(name: str) -> Response:
    if name not in SCRIPTS:
        abort(404)
    return Response(SCRIPTS[name], content_type="application/javascript")


app = DispatcherMiddleware(gateway, {"/bench": pages})
