"""The visitor's language and the one catalogue of UI strings (gettext through Flask-Babel).

One resolver answers every view and Flask-Babel's locale selector: ``?lang=`` (or the hosted
form's ``lang`` field) when the site offers that language, else the best match of the browser's
Accept-Language among the site's languages, else the site's default. Staff pages (no site) choose
the same way among the UI languages, French by default.

UI strings are English msgids, marked ``_()`` in templates and ``gettext``/``lazy_gettext`` in
Python; their translations are ``consent_gateway/translations/<lang>/LC_MESSAGES/messages.po``,
compiled to ``.mo`` by ``make``. The UI speaks the languages that have a catalogue: adding one is
adding a catalogue (``make catalogue LANG=xx``); a site may only declare languages that have one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from babel import Locale
from flask import Flask, Response, current_app, g, request
from flask_babel import Babel

from consent_gateway.declaration import Site, SitesConfig
from consent_gateway.errors import ConfigurationError
from consent_gateway.web.extensions import gateway
from consent_gateway.web.staff.signin import in_staff_area

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"


def resolve_language(site: Site) -> str:
    """The language to answer in for ``site``, among the languages it declares."""
    return choose_language(site.languages, site.default_language)


def choose_language(languages: Sequence[str], default: str) -> str:
    """``?lang=`` (or a form's ``lang`` field) if among ``languages``, else the browser's best match
    among them, else ``default``."""
    asked = request.values.get("lang", "")
    if asked in languages:
        return asked
    # The answer now depends on a header: caches must keep one copy per Accept-Language.
    g.language_negotiated = True
    return request.accept_languages.best_match(languages) or default


def _site_locale() -> str | None:
    """Flask-Babel's locale selector: the resolver's answer for the site in the URL."""
    site_id = (request.view_args or {}).get("site_id")
    site = gateway().sites.site(site_id) if site_id else None
    if site is not None:
        return resolve_language(site)
    if in_staff_area():
        # Staff pages belong to no site: ?lang= or the browser's language among the catalogues,
        # French first.
        return choose_language(current_app.extensions["ui_languages"], "fr")
    return None


def catalogue_languages(directory: Path = TRANSLATIONS) -> list[str]:
    """The languages that have a UI catalogue (``<lang>/LC_MESSAGES/messages.po``), sorted."""
    return sorted(po.parent.parent.name for po in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def check_catalogues(sites: SitesConfig, directory: Path = TRANSLATIONS) -> list[str]:
    """The UI languages, once every language a site declares is known to have a compiled
    catalogue; else a ConfigurationError saying what to do (pages would silently show msgids)."""
    languages = catalogue_languages(directory)
    problems = [f"the {lang!r} catalogue is not compiled: run `make translations`"
                for lang in languages
                if not (directory / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").exists()]
    for site in sites.sites.values():
        problems += [f"site {site.id!r} declares {lang!r} but there is no catalogue "
                     f"translations/{lang}/LC_MESSAGES/{DOMAIN}.po: run `make catalogue LANG={lang}`"
                     for lang in site.languages if lang not in languages]
    if problems:
        raise ConfigurationError("; ".join(problems))
    return languages


def language_name(code: str) -> str:
    """A language's own name for itself, for the language switcher: Français, English, Deutsch."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def _vary_on_accept_language(response: Response) -> Response:
    if g.get("language_negotiated"):
        response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    app.extensions["ui_languages"] = check_catalogues(app.extensions["gateway"].sites)
    Babel(app, locale_selector=_site_locale, default_domain=DOMAIN,
          default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["language_name"] = language_name
    app.after_request(_vary_on_accept_language)
