"""The evidence pack and the banner screenshots, as services: every banner version served is
pictured once in Chromium, a stale one is noted rather than pictured wrongly, and the pack's
manifest matches every file it holds."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from evidence_support import config_files, open_pack
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import BannerConfig
from consent_gateway.consent.models import BannerSnapshot
from consent_gateway.consent.snapshots import NOT_RENDERED, VARIANTS, take_snapshots
from consent_gateway.db import utcnow
from consent_gateway.errors import ValidationError
from consent_gateway.staff.evidence import (
    Declaration,
    evidence_pack,
    manifest_problems,
    parse_period,
)


def _pack(app, session: Session, **period: str) -> bytes:
    gw = app.extensions["gateway"]
    site = gw.sites.site("demo")
    return evidence_pack(
        session, gw.sites, site, parse_period(period.get("start"), period.get("end"), utcnow().date()),
        declaration=Declaration(gw.settings.sites_path.read_text(), gw.sites.consent_events_retention_days),
        receipt_keys=gw.receipt_keys, notices={"fr": "<html>notice</html>"},
        public_url=gw.settings.public_url, now=utcnow())


def _stale_config(session: Session) -> str:
    """A configuration the demo site served once, before its declaration changed."""
    session.add(BannerConfig(config_hash="0" * 64, site_id="demo", lang="fr", policy_version="2025-01",
                             body={"config_hash": "0" * 64}, first_seen_at=utcnow() - timedelta(days=3)))
    session.commit()
    return "0" * 64


@pytest.mark.chromium
def test_every_version_served_is_pictured_once_and_the_pack_holds_its_screenshots(
        app, client, live_server, db_session):
    current = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()["config_hash"]
    stale = _stale_config(db_session)
    sites = app.extensions["gateway"].sites

    first = take_snapshots(db_session, sites, live_server)
    assert first.pictured == [current] and first.not_rendered == [stale]
    again = take_snapshots(db_session, sites, live_server)
    assert again.pictured == [] and again.not_rendered == []
    assert again.summary() == "every banner configuration served is already pictured"

    rows = {(r.config_hash, r.variant): r for r in db_session.scalars(select(BannerSnapshot))}
    assert set(rows) == {(current, v) for v in VARIANTS} | {(stale, NOT_RENDERED)}
    noted_row = rows[(stale, NOT_RENDERED)]
    assert noted_row.png is None and "no longer the current" in noted_row.note
    sizes = {v: Image.open(io.BytesIO(rows[(current, v)].png)).size for v in VARIANTS}
    assert sizes["first-desktop"] == sizes["preferences-desktop"] == (1280, 800)
    assert sizes["first-mobile"] == (360, 640)

    archive, manifest = open_pack(_pack(app, db_session))
    pictures = config_files(archive)
    assert sorted(pictures) == sorted([current, stale])
    assert len(pictures[current]) == len(VARIANTS)
    noted = json.loads(archive.read(f"banner-configs/{stale}.json"))
    assert noted["snapshots"][0]["file"] is None and noted["snapshots"][0]["note"]
    assert manifest["site"] == "demo"


def test_the_pack_lists_every_file_with_its_digest_and_verifies_the_ledger(app, client, db_session):
    client.get("/api/v1/sites/demo/banner?lang=fr")
    archive, manifest = open_pack(_pack(app, db_session))
    names = set(archive.namelist())
    assert {"declaration/sites.yaml", "declaration/declaration.json", "ledger/checkpoints.json",
            "ledger/verify.json", "jwks.json", "stats.json", "privacy-notice/fr.html"} <= names
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    declaration = json.loads(archive.read("declaration/declaration.json"))
    demo = app.extensions["gateway"].sites.site("demo")
    assert declaration["policy_versions_served"] == [demo.policy_version]
    assert json.loads(archive.read("ledger/verify.json"))["intact"] is True
    assert json.loads(archive.read("jwks.json"))["keys"][0]["crv"] == "Ed25519"
    assert json.loads(archive.read("undeclared-cookies.json")) == {"site": "demo", "cookies": []}
    assert manifest["generated_at"] and manifest["public_url"]


def test_an_altered_pack_no_longer_matches_its_manifest(app, db_session):
    body = _pack(app, db_session)
    archive, _ = open_pack(body)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as forged:
        for name in archive.namelist():
            data = archive.read(name)
            forged.writestr(name, b"{}" if name == "jwks.json" else data)
    assert manifest_problems(buffer.getvalue()) == ["altered: jwks.json"]


def test_a_period_leaves_out_configurations_first_served_after_it(app, client, db_session):
    _stale_config(db_session)
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    before = (utcnow() - timedelta(days=10)).date().isoformat()
    archive, manifest = open_pack(_pack(app, db_session, start=before, end=yesterday))
    assert config_files(archive) == {"0" * 64: []}
    assert manifest["period"] == {"from": before, "to": yesterday}


def test_a_period_must_be_dates_in_order():
    with pytest.raises(ValidationError) as bad:
        parse_period("2026-02-01", "2026-01-01", utcnow().date())
    assert bad.value.field == "from"
    with pytest.raises(ValidationError):
        parse_period("yesterday", None, utcnow().date())


def test_the_figures_of_a_pack_cover_the_counted_days_not_every_day_asked_for(app, post_consent, db_session):
    """A pack asked from year 1 to year 9999 is answered within seconds: the period ends today
    (9999-12-31 was a 500: it has no next day), and its figures run from the site's first counted
    day (before, one row per day of the period: minutes, a timeout)."""
    assert post_consent("accept_all").status_code == 201
    today = utcnow().date()
    archive, manifest = open_pack(_pack(app, db_session, start="0001-01-01", end="9999-12-31"))
    stats = json.loads(archive.read("stats.json"))
    assert manifest["period"] == {"from": "0001-01-01", "to": today.isoformat()}
    assert (stats["from"], stats["to"]) == (today.isoformat(), today.isoformat())
    # One day, its one decision suppressed as too few to show.
    assert [(r["key"], r["decisions"], r["suppressed"]) for r in stats["rows"]] == [
        (today.isoformat(), None, True)]

    # A period before anything was counted has no figures, and none from outside it.
    archive, _ = open_pack(_pack(app, db_session, start="2001-01-01", end="2001-12-31"))
    assert json.loads(archive.read("stats.json"))["rows"] == []


def test_the_manifest_counts_the_sealed_and_unsealed_events_instead_of_a_bare_flag(app, db_session):
    from contact_support import decide

    from consent_gateway.consent.ledger import seal_ledger

    gw = app.extensions["gateway"]
    decide(app)
    decide(app, action="reject_all")
    seal_ledger(db_session, gw.receipt_keys, settle=timedelta(0))
    decide(app)  # recorded after the seal: not covered by any checkpoint yet
    archive, manifest = open_pack(_pack(app, db_session))
    ledger = manifest["ledger"]
    assert "ledger_intact" not in manifest
    assert ledger["intact"] is True and ledger["checkpoints"] == 1
    assert (ledger["events_sealed"], ledger["events_unsealed"]) == (2, 1)
    assert (ledger["site_period_events_sealed"], ledger["site_period_events_unsealed"]) == (2, 1)
    assert "1 not sealed yet" in ledger["summary"]


def test_the_pack_carries_the_latest_tracker_scan_of_its_period(app, db_session):
    from consent_gateway import scan

    archive, _ = open_pack(_pack(app, db_session))
    assert json.loads(archive.read("tracker-scan.json"))["scan"] is None

    def record(days_ago: int, subject: str) -> int:
        finding = scan.Finding("violation", "cookie", subject, f"{subject} before consent")
        finding.seen("http://127.0.0.1:8000/demo/demo", "before")
        return scan.record_scan(db_session, "demo", ["http://127.0.0.1:8000/demo/demo"], full=True,
                                started_at=utcnow() - timedelta(days=days_ago), duration_ms=900,
                                findings=[finding]).id

    older, newer = record(40, "old_tracker"), record(2, "new_tracker")
    archive, manifest = open_pack(_pack(app, db_session))
    carried = json.loads(archive.read("tracker-scan.json"))
    assert carried["id"] == newer and "tracker-scan.json" in {f["path"] for f in manifest["files"]}
    assert {(f["subject"], f["status"]) for f in carried["findings"]} == {("new_tracker", "new"),
                                                                        ("old_tracker", "resolved")}
    start = (utcnow() - timedelta(days=45)).date().isoformat()
    end = (utcnow() - timedelta(days=30)).date().isoformat()
    archive, _ = open_pack(_pack(app, db_session, start=start, end=end))
    assert json.loads(archive.read("tracker-scan.json"))["id"] == older
