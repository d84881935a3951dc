"""``/demo/<site>``: a believable page of a group site with the banner, gated tags, a gated
iframe and the contact form; its local assets are served under ``/demo/assets/``."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from consent_gateway.contact.notice import AUTOMATIC_KINDS
from consent_gateway.web.http import site_or_404
from consent_gateway.web.i18n import resolve_language
from consent_gateway.web.platform import security

# The HTML input type of each field kind a person types (other kinds are text).
INPUT_TYPES = {"email": "email", "phone": "tel", "file": "file"}
bp = Blueprint("demo", __name__, url_prefix="/demo", static_folder="static/demo",
               static_url_path="/assets")


@bp.before_request
def _policy() -> None:
    """The demo page loads the banner and the site's own files, the banner calls the API, and the
    gated "video" is an embed of this origin: the page's CSP allows exactly that. The embed's own
    page (``assets/video.html``) may be framed by this origin only."""
    for directive in ("script-src", "style-src", "connect-src", "frame-src"):
        security.allow(directive, "'self'")
    if request.endpoint == "demo.static":
        security.allow("frame-ancestors", "'self'")


@bp.get("/<site_id>")
def demo_page(site_id: str):
    """The demo page of a declared site, in the visitor's language (web/i18n.py)."""
    site = site_or_404(site_id)
    lang = resolve_language(site)
    # Fields a browser collects (connection time, pages, country) are added by the banner, if granted.
    typed = [f for f in site.contact.fields if f.kind not in AUTOMATIC_KINDS] if site.contact else []
    return render_template("visitor/demo/page.html", site=site, lang=lang, typed=typed,
                           input_types=INPUT_TYPES)
