"""One language resolver: ?lang= when offered, else the browser's Accept-Language, else the default."""

from __future__ import annotations

import pytest

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}


def test_accept_language_en_gives_the_privacy_centre_in_english(client):
    page = client.get("/privacy/iqera/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Privacy centre</h1>" in html
    assert "Accept-Language" in page.headers["Vary"]


@pytest.mark.parametrize("path", ["/privacy/iqera/", "/privacy/iqera/contact", "/demo/iqera"])
def test_an_offered_lang_parameter_beats_the_browser(client, path):
    page = client.get(f"{path}?lang=fr", headers=ENGLISH)
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Accept-Language" not in page.headers.get("Vary", "")


@pytest.mark.parametrize("path", ["/privacy/iqera/", "/privacy/iqera/contact", "/demo/iqera"])
def test_every_visitor_page_follows_the_browser(client, path):
    assert '<html lang="en">' in client.get(path, headers=ENGLISH).get_data(as_text=True)
    assert '<html lang="fr">' in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("site, header, lang", [
    ("iqera", "de-DE,de;q=0.9", "fr"),       # nothing offered: the site's default
    ("iqera", "de,en;q=0.5", "en"),          # the best offered one
    ("portail", "en", "fr"),                 # the portal is French only
])
def test_unoffered_languages_fall_back(client, site, header, lang):
    page = client.get(f"/privacy/{site}/?lang=xx", headers={"Accept-Language": header})
    assert f'<html lang="{lang}">' in page.get_data(as_text=True)


def test_the_api_answers_in_the_browser_language_and_says_it_varies(client):
    banner = client.get("/api/v1/sites/demo/banner?lang=xx", headers=ENGLISH)
    assert banner.get_json()["lang"] == "en"
    assert {"Sec-GPC", "Accept-Language"} <= set(banner.headers["Vary"].replace(" ", "").split(","))
    asked = client.get("/api/v1/sites/demo/banner?lang=fr", headers=ENGLISH)
    assert asked.get_json()["lang"] == "fr" and asked.headers["Vary"] == "Sec-GPC"
    contact = client.get("/api/v1/sites/mcs/contact", headers=ENGLISH)
    assert contact.get_json()["lang"] == "en" and "Accept-Language" in contact.headers["Vary"]
