"""``GET /api/v1/sites/<site>/evidence``: the DPO downloads the evidence pack (never cached, the
read logged); marketing is refused, anonymous callers asked for a token. A receipt page shows the
screenshot of the banner version it was given on."""

from __future__ import annotations

import re

from contact_support import decide
from evidence_support import open_pack
from rights_support import staff_token

from consent_gateway import staff
from consent_gateway.consent.models import BannerSnapshot
from consent_gateway.db import utcnow

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_the_dpo_downloads_the_pack_never_cached_and_the_read_is_logged(app, client, db_session):
    client.get("/api/v1/sites/demo/banner?lang=fr")
    token, _ = staff_token(app)
    answer = client.get("/api/v1/sites/demo/evidence?from=2026-01-01",
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.mimetype == "application/zip"
    assert 'filename="evidence-demo-2026-01-01-' in answer.headers["Content-Disposition"]
    archive, manifest = open_pack(answer.data)
    assert manifest["period"]["from"] == "2026-01-01"
    notice = archive.read("privacy-notice/fr.html").decode()
    assert "<html" in notice and 'lang="fr"' in notice
    assert [entry.action for entry, _, _ in staff.access_log(db_session)] == ["evidence.pack"]


def test_marketing_is_refused_and_anonymous_callers_are_asked_for_a_token(app, client):
    marketing, _ = staff_token(app, "marketing", "Marie Marketing")
    assert client.get("/api/v1/sites/demo/evidence",
                      headers={"Authorization": f"Bearer {marketing}"}).status_code == 403
    assert client.get("/api/v1/sites/demo/evidence").status_code == 401


def test_a_bad_period_is_a_400_naming_the_field(app, client):
    token, _ = staff_token(app, "admin", "Alex Admin")
    answer = client.get("/api/v1/sites/demo/evidence?from=2026-13-01",
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400 and answer.get_json()["field"] == "from"


def test_the_receipt_page_shows_the_screenshot_of_its_banner_version(app, client, db_session):
    token, _ = decide(app)
    page = client.get(f"/privacy/demo/receipts/{token}?lang=fr").get_data(as_text=True)
    assert "banner-snapshots" not in page
    config_hash = app.extensions["gateway"].sites.banner_config(
        app.extensions["gateway"].sites.site("demo"), "fr")["config_hash"]
    db_session.add(BannerSnapshot(config_hash=config_hash, variant="first-desktop", png=PNG,
                                  taken_at=utcnow()))
    db_session.commit()
    page = client.get(f"/privacy/demo/receipts/{token}?lang=fr").get_data(as_text=True)
    src = re.search(r'<img src="([^"]+)"', page).group(1)
    assert src == f"/privacy/demo/banner-snapshots/{config_hash}/first-desktop.png"
    image = client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG
    assert client.get(f"/privacy/other/banner-snapshots/{config_hash}/first-desktop.png").status_code == 404
    assert client.get(f"/privacy/demo/banner-snapshots/{config_hash}/first-mobile.png").status_code == 404
