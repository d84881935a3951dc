"""The vendor catalogue: declared once, referenced by sites, shown by the banner and the privacy
centre, and every mistake named with its key path."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from declaration_support import SITES_YAML, problems, write

from consent_gateway.declaration import load_sites

REAL_VENDORS = {"google_analytics", "google_tag_manager", "google_ads", "matomo", "meta_pixel",
                "linkedin_insight", "hubspot_forms", "youtube", "google_maps"}


def test_a_site_declares_its_vendors_cookies_by_reference():
    config = load_sites(SITES_YAML)
    site = config.sites["vendorsite"]
    assert {v.id for v in site.vendors} == REAL_VENDORS | {"iqera"}
    by_id = {v.id: v for v in site.vendors}
    assert by_id["youtube"].purpose == by_id["google_maps"].purpose == "third_party_media"
    assert by_id["meta_pixel"].on_withdraw[0].call == "fbq"
    assert by_id["matomo"].on_withdraw[0].args == (["forgetConsentGiven"],)
    names = {c.name: c for c in site.cookies}
    assert names["_fbp"].vendor == "meta_pixel" and names["_fbp"].purpose == "marketing"
    assert site.declares_cookie("_ga_ABC123") and site.declares_cookie("_pk_id.1.a2b3")
    assert not site.declares_cookie("_gat") and not site.declares_cookie("_g")
    # GTM's conversion linker sets _gcl_au for Google Ads: declared there, under advertising.
    assert names["_gcl_au"].vendor == "google_ads" and names["_gcl_au"].purpose == "marketing"
    assert config.sites["demo"].reload_on_withdraw is True


def test_a_site_may_use_a_vendor_for_another_purpose(tmp_path, raw):
    raw["sites"]["mcs"]["vendors"] = ["iqera", {"id": "youtube", "purpose": "audience_measurement"}]
    site = load_sites(write(tmp_path, raw)).sites["mcs"]
    assert site.vendor("youtube").purpose == "audience_measurement"
    assert {c.purpose for c in site.cookies if c.vendor == "youtube"} == {"audience_measurement"}


def test_catalogue_mistakes_are_named_with_their_key_path(tmp_path, raw):
    vendors = raw["vendors"]
    del vendors["meta_pixel"]["transfer"]
    vendors["matomo"]["country"] = "Germany"
    vendors["youtube"]["cookies"][0]["name"] = "bad name"
    vendors["youtube"]["cookies"][1]["domain"] = "not a domain!"
    vendors["hubspot_forms"]["on_withdraw"][0]["call"] = "_hsq.push()"
    vendors["google_maps"]["purpose"] = "telepathy"
    vendors["linkedin_insight"]["colour"] = "blue"
    raw["sites"]["portail"]["vendors"].append("tiktok")
    raw["sites"]["portail"]["vendors"].append("youtube")  # portail offers no third-party media
    raw["sites"]["mcs"]["vendors"].append("youtube")
    raw["sites"]["iqera"]["cookies"] = [{"name": "_ga"}]
    message = problems(tmp_path, raw)
    assert "vendors.meta_pixel.transfer: US is outside the EEA" in message
    assert "vendors.matomo.country: 'Germany' is not an ISO 3166-1 alpha-2 code" in message
    assert "vendors.youtube.cookies[0].name: 'bad name' is not a cookie name" in message
    assert "vendors.youtube.cookies[1].domain: 'not a domain!'" in message
    assert "vendors.hubspot_forms.on_withdraw[0].call: '_hsq.push()' is not a dotted path" in message
    assert "vendors.google_maps.purpose: 'telepathy' is not declared under purposes" in message
    assert "vendors.linkedin_insight.colour: unknown key" in message
    assert "sites.portail.vendors[2]: 'tiktok' is not a vendor of the catalogue" in message
    assert "sites.portail.vendors[3]: YouTube serves 'third_party_media', which is not one" in message
    assert "sites.mcs.vendors[3]: 'youtube' is listed twice" in message
    assert "sites.iqera.cookies: a site's cookies are its vendors' cookies" in message


def test_the_catalogue_is_required(tmp_path, raw):
    del raw["vendors"]
    assert "(top level).vendors: is required" in problems(tmp_path, raw)


def test_the_production_catalogue_declares_every_vendor_the_group_may_paste():
    config = load_sites(Path(__file__).resolve().parents[3] / "sites.yaml")
    site = config.sites["iqera"]
    assert {v.id for v in site.vendors} >= {"iqera", "google_analytics", "youtube"}
    text = (Path(__file__).resolve().parents[3] / "sites.yaml").read_text(encoding="utf-8")
    catalogue = yaml.safe_load(text)["vendors"]
    assert REAL_VENDORS <= set(catalogue)
    for vid in REAL_VENDORS:
        assert catalogue[vid]["country"] == "US" or catalogue[vid]["country"] in ("DE", "FR", "IE")
        if catalogue[vid]["country"] == "US":
            assert catalogue[vid]["transfer"]["fr"] and catalogue[vid]["transfer"]["en"]


def test_the_banner_configuration_shows_each_vendor_with_its_country_and_transfer(client):
    fr = client.get("/api/v1/sites/vendorsite/banner?lang=fr").get_json()
    en = client.get("/api/v1/sites/vendorsite/banner?lang=en").get_json()
    vendors = {v["id"]: v for p in fr["purposes"] for v in p["vendors"]}
    vendors_en = {v["id"]: v for p in en["purposes"] for v in p["vendors"]}
    assert vendors["google_analytics"]["country"] == "États-Unis"
    assert vendors_en["google_analytics"]["country"] == "United States"
    assert vendors["google_analytics"]["outside_eea"] is True
    assert "Data Privacy Framework" in vendors["google_analytics"]["transfer"]
    assert vendors["matomo"]["outside_eea"] is False and vendors["matomo"]["transfer"] is None
    assert vendors["matomo"]["country"] == "Allemagne"
    assert vendors["meta_pixel"]["on_withdraw"] == [{"call": "fbq", "args": ["consent", "revoke"]}]
    assert vendors["hubspot_forms"]["on_withdraw"] == [
        {"call": "_hsq.push", "args": [["revokeCookieConsent"]]}]
    assert {"name": "li_sugr", "domain": ".linkedin.com", "duration_days": 90} in \
        vendors["linkedin_insight"]["cookies"]
    assert vendors["iqera"]["privacy_url"].startswith("https://")
    by_purpose = {p["id"]: [v["id"] for v in p["vendors"]] for p in fr["purposes"]}
    assert by_purpose["third_party_media"] == ["youtube", "google_maps"]
    assert fr["partners_url"] == "http://127.0.0.1:8000/privacy/vendorsite/#partners"
    texts = fr["texts"]
    assert texts["accept_all_gpc"] == "Tout accepter (hors publicité)"
    assert en["texts"]["accept_all_gpc"] == "Accept all (except advertising)"
    assert "{countries}" in texts["transfer_notice"] and "{count}" in texts["partners"]
    for key in ("partner_list", "vendor_blocked", "vendor_allow", "vendor_open_link"):
        assert texts[key] and en["texts"][key] != texts[key]


def test_the_config_hash_covers_vendor_facts(tmp_path, raw, make_app):
    def hashes() -> dict[str, str]:
        config = load_sites(write(tmp_path, raw))
        return config.config_hashes(config.sites["vendorsite"])

    before = hashes()
    raw["vendors"]["meta_pixel"]["transfer"]["fr"] = "Clauses contractuelles types"
    after = hashes()
    assert before["fr"] != after["fr"] and before["en"] == after["en"]
    raw["sites"]["vendorsite"]["reload_on_withdraw"] = False
    config = load_sites(write(tmp_path, raw))
    assert config.banner_config(config.sites["vendorsite"], "en")["reload_on_withdraw"] is False
    assert config.config_hashes(config.sites["vendorsite"])["en"] != after["en"]


def test_the_privacy_centre_lists_partners_per_purpose(client):
    page = client.get("/privacy/vendorsite/?lang=fr").get_data(as_text=True)
    partners = page[page.index('id="partners"'):page.index('id="controller"')]
    assert 'id="partners-marketing"' in partners
    meta = re.search(r'<div class="partner" id="partner-meta_pixel">.*?</div>', partners, re.S).group(0)
    assert "Meta Platforms Ireland Limited" in meta and "États-Unis" in meta
    assert "Data Privacy Framework" in meta
    assert 'href="https://www.facebook.com/privacy/policy/"' in meta
    assert "<code>_fbp</code> (ce site, 90 jours)" in meta
    assert "<code>fr</code> (.facebook.com, 90 jours)" in meta
    en = client.get("/privacy/vendorsite/?lang=en").get_data(as_text=True)
    assert re.search(r'id="partner-matomo">.*?Germany', en, re.S)


def test_vendor_hosts_and_scan_pages_are_declared_and_checked(tmp_path, raw):
    config = load_sites(SITES_YAML)
    gtm = config.sites["vendorsite"].vendor("google_tag_manager")
    assert gtm.loads_from("www.googletagmanager.com")
    assert not gtm.loads_from("googletagmanager.com.evil.example")
    assert config.sites["demo"].scan_pages == ("http://127.0.0.1:8000/", "http://localhost:8000/")
    raw["vendors"]["matomo"]["hosts"] = ["https://matomo.cloud/"]
    raw["sites"]["mcs"]["scan"] = {"pages": ["https://elsewhere.example/"]}
    message = problems(tmp_path, raw)
    assert "vendors.matomo.hosts[0]: 'https://matomo.cloud/' is not a host name" in message
    assert ("sites.mcs.scan.pages[0]: 'https://elsewhere.example/' is not on one of the site's origins"
            in message)
    raw["vendors"]["matomo"]["hosts"] = ["matomo.cloud"]
    origin = raw["sites"]["mcs"]["origins"][0]
    raw["sites"]["mcs"]["scan"] = {"pages": [f"{origin}/", f"{origin}/contact/"]}
    assert load_sites(write(tmp_path, raw)).sites["mcs"].scan_pages == (f"{origin}/", f"{origin}/contact/")
