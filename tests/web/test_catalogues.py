"""One catalogue of UI strings: every msgid is translated in every language, pages render in each."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import PROJECT_ROOT
from consent_gateway.web.i18n import TRANSLATIONS, catalogue_languages, check_catalogues, language_name

LANGUAGES = catalogue_languages()


def _source_msgids() -> set[str]:
    """The msgids marked in the code and templates, as `make messages` collects them."""
    with open(PROJECT_ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found = extract_from_dir(str(PROJECT_ROOT), method_map, options_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def _tuple(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(value)


def _catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


def test_french_and_english_have_catalogues():
    assert {"fr", "en"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_ui_string_has_a_translation_in_every_catalogue(lang):
    catalogue = _catalogue(lang)
    source = _source_msgids()
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    assert source - set(translated) == set(), f"run `make messages` and translate them in {lang}"
    assert set(translated) - source == set(), f"msgids no template or module uses any more ({lang})"
    untranslated = [key for key, m in translated.items()
                    if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_is_the_current_one(lang):
    def entries(catalogue) -> dict:
        return {_tuple(m.id): _tuple(m.string) for m in catalogue if m.id}

    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        assert entries(read_mo(mo)) == entries(_catalogue(lang)), "run `make translations`"


@pytest.mark.parametrize("lang, words", [
    ("fr", ["<h1>Centre de confidentialité</h1>", "Votre consentement (art. 6.1.a RGPD)",
            "<strong>Portabilité</strong>", "395 jours", "politique de confidentialité de Google Analytics",
            "auprès de la Commission Nationale", '<a href="?lang=en" hreflang="en" lang="en">English</a>']),
    ("en", ["<h1>Privacy centre</h1>", "Your consent (Art. 6(1)(a) GDPR)",
            "<strong>Portability</strong>", "395 days", "privacy policy of Google Analytics",
            "with the Commission Nationale", '<a href="?lang=fr" hreflang="fr" lang="fr">Français</a>']),
])
def test_the_privacy_centre_renders_in_each_language(client, lang, words):
    page = client.get(f"/privacy/iqera/?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in page


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Nous contacter", "Ce champ est obligatoire.", "Le message n'a pas été envoyé"]),
    ("en", ["Contact us", "This field is required.", "Your message was not sent"]),
])
def test_the_hosted_form_says_its_errors_in_each_language(client, lang, words):
    page = client.get(f"/privacy/demo/contact?lang={lang}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    answer = client.post("/privacy/demo/contact", data={"csrf_token": token, "lang": lang, "surname": ""})
    assert answer.status_code == 400
    for word in words:
        assert word in answer.get_data(as_text=True)


@pytest.mark.parametrize("lang, words", [
    ("fr", ["Votre dossier, traité avec attention", "Paramètres des cookies"]),
    ("en", ["Your debt file, handled with care", "Cookie settings"]),
])
def test_the_demo_page_renders_in_each_language(client, lang, words):
    page = client.get(f"/demo/demo?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in page


def test_a_new_language_is_one_more_catalogue(tmp_path: Path):
    messages = tmp_path / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    assert catalogue_languages(tmp_path) == ["de"]
    assert language_name("de") == "Deutsch" and language_name("fr") == "Français"


def test_the_gateway_refuses_to_start_without_a_catalogue_for_a_declared_language(tmp_path: Path):
    sites = load_sites(PROJECT_ROOT / "sites.yaml")
    assert check_catalogues(sites) == LANGUAGES
    english = tmp_path / "en" / "LC_MESSAGES"
    english.mkdir(parents=True)
    (english / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        check_catalogues(sites, tmp_path)
    assert "'en' catalogue is not compiled: run `make translations`" in str(refused.value)
    assert "declares 'fr' but there is no catalogue" in str(refused.value)
