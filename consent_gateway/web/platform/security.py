"""Security headers on every answer: a nonce-based Content-Security-Policy on HTML pages, HSTS on
https, ``nosniff``, a Referrer-Policy, ``Cache-Control: no-store`` on personal data, and the
session cookie's ``Secure`` flag.

Every inline ``<script>`` and ``<style>`` of the templates carries ``nonce="{{ csp_nonce }}"``, a
random value drawn for each request; no policy allows ``'unsafe-inline'``, so markup injected into
a page cannot run or restyle it. HTML pages cannot be framed; the banner script and the JSON API,
which other sites embed and call, are not documents and carry a policy that loads nothing.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

from consent_gateway.web.extensions import gateway

# Two years, as browsers' preload lists ask; sent only when the public URL is https.
HSTS = "max-age=63072000; includeSubDomains"
HTML_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'nonce-{nonce}'",),
    "style-src": ("'nonce-{nonce}'",),
    "img-src": ("'self'",),  # the receipt page shows the banner's screenshot
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'none'",),
    "object-src": ("'none'",),
}
# JSON, scripts, files: nothing to load, never a frame.
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# Answers with personal data or tokens in them: never kept by the browser or a cache. Everything
# else that does not state a cache policy gets no-store too; these may never say otherwise.
PRIVATE_BLUEPRINTS = {"receipts", "rights", "dpo", "dashboard", "applications", "contact_api"}
PRIVATE_ENDPOINTS = {
    "api.record_consent", "api.verify_receipt", "api.proof_bundle", "evidence.evidence",
    "stats.consent_figures", "privacy.contact_form", "demo.demo_page",
}
# Pages whose URL may hold a receipt token (``/receipts/<token>``, ``?consent_token=``) or that
# staff use: they send no Referer at all. Every other page sends its origin only, cross-origin.
NO_REFERRER_BLUEPRINTS = {"receipts", "rights", "dpo", "dashboard"}
NO_REFERRER_ENDPOINTS = {"privacy.contact_form"}


def csp_nonce() -> str:
    """This request's nonce, drawn on first use (templates read it as ``csp_nonce``)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def allow(directive: str, *sources: str) -> None:
    """Widen this request's HTML policy: ``allow("frame-src", "'self'")``. A view or blueprint
    that needs more than the strict default says so here, next to the reason."""
    extra: dict[str, list[str]] = g.setdefault("csp_extra", {})
    extra.setdefault(directive, []).extend(sources)


def content_security_policy(nonce: str, extra: dict[str, list[str]] | None = None) -> str:
    """The HTML policy with ``nonce`` and the ``extra`` sources (``'none'`` yields to any source)."""
    directives = {name: list(sources) for name, sources in HTML_POLICY.items()}
    for name, sources in (extra or {}).items():
        current = [s for s in directives.get(name, []) if s != "'none'"]
        if name == "frame-ancestors":  # replaced, not widened: who may frame is one choice
            current = []
        directives[name] = current + [s for s in sources if s not in current]
    return "; ".join(f"{name} {' '.join(sources).format(nonce=nonce)}"
                     for name, sources in directives.items())


def add_security_headers(response: Response) -> Response:
    """The app's last ``after_request``: every answer, errors included, gets its headers here."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    state = g._get_current_object()  # one proxy lookup each: this runs on every request
    endpoint, blueprint = req.endpoint or "", req.blueprint
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if gateway().settings.public_url.startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    if response.mimetype == "text/html":
        extra = getattr(state, "csp_extra", None)
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce(), extra)
        framed_by_self = "'self'" in (extra or {}).get("frame-ancestors", [])
        headers["X-Frame-Options"] = "SAMEORIGIN" if framed_by_self else "DENY"
    else:
        headers["Content-Security-Policy"] = RESOURCE_POLICY
    no_referrer = blueprint in NO_REFERRER_BLUEPRINTS or endpoint in NO_REFERRER_ENDPOINTS
    headers["Referrer-Policy"] = "no-referrer" if no_referrer else "strict-origin-when-cross-origin"
    # Personal: the visitor's or staff's own data or a token, a staff read, a cookie being set.
    private = (endpoint in PRIVATE_ENDPOINTS or blueprint in PRIVATE_BLUEPRINTS
               or "Authorization" in req.headers or "Set-Cookie" in headers)
    cache = headers.get("Cache-Control", "")
    if not cache or (private and "no-store" not in cache):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the headers (before every other ``after_request``, so that it runs last) and the
    ``csp_nonce`` template variable; the session cookie is Secure when the public URL is https."""
    app.config["SESSION_COOKIE_SECURE"] = gateway_https(app)
    app.after_request(add_security_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce()})


def gateway_https(app: Flask) -> bool:
    return app.extensions["settings"].public_url.startswith("https://")
