"""The banner script over HTTP (views/banner.py) and the demo page (views/demo.py)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

from consent_gateway.consent.models import BannerConfig
from consent_gateway.db import get_session
from consent_gateway.settings import PROJECT_ROOT
from consent_gateway.web.visitor import banner as banner_views

# Built by `make banner` (which `make test` runs first).
DIST = PROJECT_ROOT / "static" / "banner" / "dist"


def test_script_is_served_precompressed_with_a_strong_etag(client):
    plain = client.get("/banner/v1/consent.js")
    assert plain.status_code == 200
    assert plain.content_type == "application/javascript; charset=utf-8"
    assert plain.headers.get("Content-Encoding") is None
    assert plain.data == (DIST / "consent.js").read_bytes()
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    assert plain.headers["ETag"].startswith('"') and not plain.headers["ETag"].startswith("W/")
    assert "Accept-Encoding" in plain.headers["Vary"]

    zipped = client.get("/banner/v1/consent.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    assert zipped.headers["ETag"] != plain.headers["ETag"]

    again = client.get("/banner/v1/consent.js", headers={
        "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_manifest_names_an_immutable_url_with_its_sri_hash(client):
    manifest = client.get("/banner/v1/manifest.json")
    assert manifest.status_code == 200
    body = manifest.get_json()
    script = client.get(body["url"])
    assert script.status_code == 200
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    digest = base64.b64encode(hashlib.sha384(script.data).digest()).decode()
    assert body["integrity"] == f"sha384-{digest}"
    assert script.data == client.get("/banner/v1/consent.js").data
    assert body["absolute_url"].endswith(body["url"])

    stale = client.get("/banner/v1/consent.0123456789abcdef.js")
    assert stale.status_code == 404 and stale.get_json()["error"] == "not_found"


def test_receipts_name_the_hash_of_the_script_that_is_served(client, post_consent, receipt_of):
    served = client.get("/banner/v1/consent.js").data
    receipt = receipt_of(post_consent("reject_all").get_json())
    assert receipt["iqera"]["script_hash"] == hashlib.sha256(served).hexdigest()


def test_unbuilt_banner_is_a_clear_503(make_app, tmp_path):
    client = make_app(banner_dist=tmp_path / "missing").test_client()
    for path in ("/banner/v1/consent.js", "/banner/v1/manifest.json"):
        response = client.get(path)
        assert response.status_code == 503 and response.headers["Retry-After"] == "60"
        assert response.get_json()["error"] == "banner_not_built"
        assert "make banner" in response.get_json()["message"]


def test_demo_page_embeds_the_banner_and_gates_its_tags(client):
    page = client.get("/demo/demo")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    nonce = re.search(r'<script src="/banner/v1/consent.js" data-site="demo" nonce="([^"]+)" async></script>',
                      html)
    assert nonce and f"'nonce-{nonce.group(1)}'" in page.headers["Content-Security-Policy"]
    assert html.count('type="text/plain" data-consent=') == 2
    assert 'data-consent="third_party_media" data-src="/demo/assets/video.html"' in html
    assert "<form data-iq-contact" in html and 'name="portfolio_code"' in html
    with client.get("/demo/assets/analytics.js") as asset:
        assert asset.status_code == 200
    assert '<html lang="en">' in client.get("/demo/demo?lang=en").get_data(as_text=True)


def test_demo_page_exists_for_every_declared_site_only(client):
    careers = client.get("/demo/careers").get_data(as_text=True)
    assert 'data-site="careers"' in careers and 'name="portfolio_code"' not in careers
    missing = client.get("/demo/nowhere")
    # A page: its 404 is a page too (the API's stay JSON).
    assert missing.status_code == 404 and missing.mimetype == "text/html"


PREFIX = b"window.__iqConsentConfig=JSON.parse("


def carried(line: bytes) -> dict:
    """The configurations a per-site script's configuration line carries (a JSON string literal)."""
    assert line.startswith(PREFIX) and line.endswith(b");")
    return json.loads(json.loads(line[len(PREFIX):-2]))


def test_the_per_site_script_carries_the_sites_configuration_then_the_generic_script(client):
    generic = client.get("/banner/v1/consent.js").data
    extra_url = client.get("/banner/v1/manifest.json").get_json()["extra"]["url"]
    extra = client.get(extra_url)
    assert extra.status_code == 200 and b"__iqExtra" in extra.data
    assert "immutable" in extra.headers["Cache-Control"]
    assert client.get("/banner/v1/extra.0123456789abcdef.js").status_code == 404
    r = client.get("/banner/v1/sites/demo/consent.js")
    assert r.status_code == 200
    assert r.content_type == "application/javascript; charset=utf-8"
    assert r.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=86400"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    hint, first_line, rest = r.data.split(b"\n", 2)
    assert hint == b"//# allFunctionsCalledOnLoad", "V8's compile hint must be the script's first line"
    assert rest == extra.data + b"\n" + generic, "the preferences and forms inside: no second request"
    configs = carried(first_line)
    assert configs["site"] == "demo" and set(configs["configs"]) == {"fr", "en"}
    for lang in ("fr", "en"):
        served = client.get(f"/api/v1/sites/demo/banner?lang={lang}").get_json()
        assert configs["configs"][lang] == served, "the same dict as the configuration endpoint"
        assert configs["configs"][lang]["gpc"] is False


def test_the_per_site_configuration_string_survives_line_separators(app, monkeypatch):
    """U+2028/2029 end a line inside a string literal before ES2019 (IE11 must reach its notice)."""
    text = "a\u2028b\u2029c « é » \\ \" '"
    monkeypatch.setattr(banner_views, "served_config", lambda *args: {"texts": {"x": text}})
    sites = app.extensions["gateway"].sites
    code = banner_views.site_script_bytes(sites, sites.sites["demo"], "https://g.example", b"/*generic*/")
    line = code.split(b"\n")[1]
    assert "\u2028".encode() not in line and "\u2029".encode() not in line
    assert carried(line)["configs"]["fr"]["texts"]["x"] == text


def test_the_per_site_script_has_only_the_sites_languages_an_etag_and_gzip(client, app):
    portal = client.get("/banner/v1/sites/portail/consent.js")
    assert set(carried(portal.data.split(b"\n", 2)[1])["configs"]) == {"fr"}
    plain = client.get("/banner/v1/sites/demo/consent.js")
    etag = plain.headers["ETag"]
    assert etag.startswith('"') and etag != portal.headers["ETag"]
    assert etag == client.get("/banner/v1/sites/demo/consent.js").headers["ETag"]
    assert client.get("/banner/v1/sites/demo/consent.js",
                      headers={"If-None-Match": etag}).status_code == 304
    zipped = client.get("/banner/v1/sites/demo/consent.js", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != etag
    again = client.get("/banner/v1/sites/demo/consent.js",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # The configurations it carries are on record, as proof of what was shown.
    hashes = app.extensions["gateway"].sites.config_hashes(app.extensions["gateway"].sites.sites["demo"])
    with app.app_context():
        assert all(get_session().get(BannerConfig, h) is not None for h in hashes.values())


def test_an_unknown_site_has_no_script(client):
    r = client.get("/banner/v1/sites/nowhere/consent.js")
    assert r.status_code == 404
    assert r.get_json() == {"error": "not_found", "message": "no site 'nowhere' is declared",
                            "field": "site"}
