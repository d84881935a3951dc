"""``consent-gateway scan``: a local group site with planted problems is visited in Chromium
through its real banner; each problem is reported with its severity and evidence and nothing else;
a second scan after a fix shows it resolved; the demo site scans clean; a page that does not answer
or carries no banner is a finding, not a crash."""

from __future__ import annotations

import json

import pytest
from scan_support import PLANTED, declaration, free_port, run_scan, served_shop
from sqlalchemy import func, select

from consent_gateway.cli.local_server import served_locally
from consent_gateway.consent.models import ConsentEvent
from consent_gateway.scan import Scan

pytestmark = pytest.mark.chromium


@pytest.fixture
def group(make_app, settings, tmp_path):
    """The gateway and the shop, served; yields (sites path, gateway URL, shop URL, planted)."""
    gateway_port, shop_port = free_port(), free_port()
    sites_path = declaration(tmp_path, gateway_port, shop_port)
    app = make_app(sites_path=sites_path)
    planted = dict.fromkeys(PLANTED, True)
    with served_locally(app, gateway_port) as gateway, served_shop(shop_port, gateway, planted) as shop:
        yield sites_path, gateway, shop, planted, app


def _scan(settings, group, *args, fmt: str = "json"):
    sites_path, gateway = group[0], group[1]
    result = run_scan(settings, sites_path, gateway, "--format", fmt, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result, (json.loads(result.stdout) if fmt == "json" else None)


def test_each_planted_problem_is_reported_with_its_severity_and_evidence_and_nothing_else(settings, group):
    shop = group[2]
    stats_host = "stats.localhost:" + shop.rsplit(":", 1)[1]
    result, (report,) = _scan(settings, group, "--site", "shop")
    found = {(f["kind"], f["subject"]): f for f in report["findings"]}
    assert set(found) == {
        ("violation", "shop_stats"),
        ("violation", stats_host),
        ("undeclared", "_gcl_au"),
        ("lifetime", "shop_ads_id"),
        ("stale", "shop_chat"),
    }
    pages = [f"{shop}/", f"{shop}/page-1"]

    before = found["violation", "shop_stats"]
    assert (before["severity"], before["subject_type"], before["state"], before["vendor"]) == (
        "high",
        "cookie",
        "before",
        "shop_stats",
    )
    assert before["evidence"]["party"] == "first" and before["evidence"]["pages"] == pages
    assert before["evidence"]["lifetime_days"] == pytest.approx(30, abs=0.1)

    refused = found["violation", stats_host]
    assert (refused["severity"], refused["subject_type"], refused["evidence"]["states"]) == (
        "high",
        "request",
        ["refused"],
    )
    assert refused["evidence"]["url"] == f"http://{stats_host}/hit.gif"
    assert refused["evidence"]["type"] == "image" and refused["evidence"]["initiator"].startswith(shop)

    gcl = found["undeclared", "_gcl_au"]
    assert (gcl["severity"], gcl["evidence"]["states"], gcl["vendor"]) == (
        "medium",
        ["accepted"],
        "google_ads",
    )
    assert gcl["database"]["platform"] == "Google" and gcl["database"]["category"] == "Marketing"

    long = found["lifetime", "shop_ads_id"]
    assert long["severity"] == "medium" and long["evidence"]["declared_days"] == 395
    assert long["evidence"]["lifetime_days"] == pytest.approx(760, abs=0.1)
    assert "760 days" in long["message"] and "395" in long["message"]

    stale = found["stale", "shop_chat"]
    assert stale["severity"] == "low" and stale["evidence"]["looked_for"] == [
        "chat_visitor",
        "chat.localhost",
    ]

    assert report["summary"]["open_violations"] == 2 and report["full"] is True
    assert all(f["status"] == "new" for f in report["findings"])
    assert report["suggestions"][1] == "vendors: [iqera, shop_stats, shop_ads, shop_chat, google_ads]"
    assert result.exit_code == 1  # a violation is open: cron and CI alert


def test_a_second_scan_after_a_fix_shows_it_resolved_and_the_rest_still_open(settings, group):
    first, (one,) = _scan(settings, group, "--site", "shop")
    planted = group[3]
    planted["analytics_before_choice"] = planted["call_after_refusal"] = False
    second, (two,) = _scan(settings, group, "--site", "shop")
    status = {(f["kind"], f["subject"]): f["status"] for f in two["findings"]}
    assert {k: s for k, s in status.items() if k[0] == "violation"} == {
        k: "resolved" for k in status if k[0] == "violation"
    }
    assert len([k for k in status if k[0] == "violation"]) == 2
    assert {
        status["undeclared", "_gcl_au"],
        status["lifetime", "shop_ads_id"],
        status["stale", "shop_chat"],
    } == {"open"}
    assert two["summary"]["resolved"] == 2 and two["summary"]["open_violations"] == 0
    assert second.exit_code == 0  # nothing else is a violation: no alert

    planted["analytics_before_choice"] = True  # it comes back: a new finding, not the old one
    third, (three,) = _scan(settings, group, "--site", "shop")
    back = [f for f in three["findings"] if f["kind"] == "violation"]
    assert [(f["subject"], f["status"], f["first_scan"]) for f in back] == [
        ("shop_stats", "new", three["id"])
    ]
    assert third.exit_code == 1


def test_the_table_names_each_finding_and_the_suggested_lines(settings, group):
    result, _ = _scan(settings, group, "--site", "shop", fmt="table")
    lines = result.stdout.splitlines()
    assert (
        lines[0].startswith("shop: scan ") and "5 new, 0 resolved; open: high 2, medium 2, low 1" in lines[0]
    )
    assert any(line.split()[:3] == ["high", "violation", "new"] and "shop_stats" in line for line in lines)
    assert any("_gcl_au" in line and "[Google, Marketing]" in line for line in lines)
    assert "    vendors: [iqera, shop_stats, shop_ads, shop_chat, google_ads]" in lines
    assert "1 violation" not in result.stdout and "2 violation(s) open" in result.stderr


def test_the_demo_site_scans_clean(settings, group):
    result, (report,) = _scan(settings, group, "--site", "demo")
    assert report["findings"] == [], report["findings"]
    assert report["full"] is True and result.exit_code == 0


def test_a_page_that_does_not_answer_or_has_no_banner_is_a_finding_not_a_crash(settings, group):
    shop = group[2]
    dead = f"http://127.0.0.1:{free_port()}/"
    result, (report,) = _scan(
        settings,
        group,
        "--site",
        "shop",
        "--page",
        dead,
        "--page",
        f"{shop}/gone",
        "--page",
        f"{shop}/no-banner",
    )
    pages = {f["subject"]: f for f in report["findings"] if f["kind"] == "page"}
    assert set(pages) == {dead, f"{shop}/gone", f"{shop}/no-banner"}
    assert pages[dead]["severity"] == "high" and "did not answer" in pages[dead]["message"]
    assert "answered 404" in pages[f"{shop}/gone"]["message"]
    assert "carries no consent banner" in pages[f"{shop}/no-banner"]["message"]
    assert pages[f"{shop}/no-banner"]["evidence"]["states"] == ["before", "refused", "accepted"]
    # A partial scan finds no stale vendor and resolves nothing it did not visit.
    assert report["full"] is False and not [f for f in report["findings"] if f["kind"] == "stale"]
    assert result.exit_code == 0


def test_scans_are_stored_and_the_scanner_s_own_decisions_count_as_bots(settings, group, db_session):
    _scan(settings, group, "--site", "shop")
    assert db_session.scalar(select(func.count()).select_from(Scan)) == 1
    bots = db_session.scalars(select(ConsentEvent.is_bot).where(ConsentEvent.site_id == "shop")).all()
    assert bots and all(bots)


def test_unknown_site_and_page_without_site_are_refused(settings, group):
    result, _ = _scan(settings, group, "--site", "nowhere", fmt="table")
    assert result.exit_code != 0 and "no site 'nowhere'" in result.output
    result, _ = _scan(settings, group, "--page", "http://x.example/", fmt="table")
    assert result.exit_code != 0 and "--page needs --site" in result.output
    result, _ = _scan(settings, group, "--site", "shop", "--page", "ftp://x.example/", fmt="table")
    assert result.exit_code != 0 and "'ftp://x.example/' is not an http(s) URL" in result.output
