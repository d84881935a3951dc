"""The banner script over HTTP (views/banner.py) and the demo page (views/demo.py)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

from consent_gateway.settings import PROJECT_ROOT

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


def test_receipts_name_the_hash_of_the_script_that_is_served(client, post_consent):
    served = client.get("/banner/v1/consent.js").data
    receipt = post_consent("reject_all").get_json()["receipt"]
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
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
