"""``/``: what is running here, for whoever opens the address ``serve`` prints: the version, the
declared sites with their demo and privacy centre, the staff pages and the documentation, in the
browser's language among the UI catalogues."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, current_app, render_template
from flask_babel import force_locale
from sqlalchemy.engine import make_url

from consent_gateway.web.extensions import gateway
from consent_gateway.web.i18n import choose_language

DISTRIBUTION = "consent-gateway"
# Where the documentation lives in the project (the repository's docs/ folder).
DOCS_PATH = "docs/README.md"
bp = Blueprint("home", __name__)


def running_version() -> str:
    """The installed distribution's version (the wheel's, or the checkout's editable install)."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


@bp.get("/")
def index():
    """The first page: a page of links, no personal data, the same for everyone but its language."""
    settings = gateway().settings
    lang = choose_language(current_app.extensions["ui_languages"], "fr")
    backend = make_url(settings.database_url).get_backend_name()
    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(backend, backend)
    with force_locale(lang):
        return render_template("visitor/home/index.html", lang=lang, version=running_version(),
                               sites=list(gateway().sites.sites.values()), database=database,
                               development=settings.development, docs_path=DOCS_PATH)
