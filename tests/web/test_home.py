"""``/`` says what is running: the version, each declared site with its demo and privacy centre,
the staff pages and the documentation, in the browser's language, as a page like the others."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


@pytest.mark.parametrize(("accept", "lang", "heading", "demo"), [
    ("fr-FR,fr;q=0.9", "fr", "Cette passerelle de consentement est en service",
     "Démonstration de Démo iQera"),
    ("en-GB,en;q=0.9", "en", "This consent gateway is running", "Demo of Démo iQera"),
])
def test_the_first_page_says_what_runs_in_the_browsers_language(client, app, accept, lang, heading, demo):
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert heading in html and demo in html
    assert version("consent-gateway") in html
    assert "Accept-Language" in response.headers.get("Vary", "")
    links = _links(html)
    sites = app.extensions["gateway"].sites.sites
    for site_id in sites:
        assert any(link.startswith(f"/demo/{site_id}") for link in links), site_id
        assert any(link.startswith(f"/privacy/{site_id}/") for link in links), site_id
    assert any(link.startswith("/dpo/sign-in") for link in links)
    assert any(link.startswith("/dashboard") for link in links)
    assert "/api/v1/openapi.json" in links
    assert "docs/README.md" in html


def test_every_link_of_the_first_page_leads_somewhere(client):
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for link in _links(html):
        assert client.get(link).status_code in (200, 302, 303), link


def test_the_first_page_keeps_the_pages_content_security_policy(client):
    response = client.get("/?lang=en")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'nonce-" in policy and "'unsafe-inline'" not in policy
    [nonce] = re.findall(r"style-src 'nonce-([^']+)'", policy)
    assert f'<style nonce="{nonce}">' in response.get_data(as_text=True)
    assert " style=" not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
