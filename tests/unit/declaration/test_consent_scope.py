"""What consent covers (``consent_hash``), Consent Mode types per vendor and the floating control's
position: declared in sites.yaml, checked with their key paths (issue 19, items 2, 4 and 6)."""

from __future__ import annotations

from declaration_support import SITES_YAML, fixture_declaration, problems, write

from consent_gateway.declaration import load_sites


def hashes(tmp_path, data) -> tuple[str, str]:
    config = load_sites(write(tmp_path, data))
    site = config.sites["vendorsite"]
    return config.consent_hash(site), config.banner_config(site, "fr")["config_hash"]


def test_a_change_of_wording_keeps_the_consent_hash_and_a_new_vendor_changes_it(tmp_path):
    consent, config = hashes(tmp_path, fixture_declaration())
    assert load_sites(SITES_YAML).banner_config(load_sites(SITES_YAML).sites["vendorsite"], "fr")[
        "consent_hash"] == consent, "the banner carries it"

    reworded = fixture_declaration()
    reworded["texts"]["fr"]["days"] = "jour(s)"
    reworded["purposes"]["marketing"]["description"]["fr"] = "Une autre façon de le dire."
    same, shown = hashes(tmp_path, reworded)
    assert same == consent and shown != config, "other words: proven by config_hash, not asked again"

    vendor = fixture_declaration()
    vendor["sites"]["vendorsite"]["vendors"].append("demo_ads")
    assert hashes(tmp_path, vendor)[0] != consent, "a new vendor is owed a new consent"

    moved = fixture_declaration()
    moved["sites"]["vendorsite"]["vendors"] = [
        {"id": "youtube", "purpose": "marketing"} if v == "youtube" else v
        for v in moved["sites"]["vendorsite"]["vendors"]]
    assert hashes(tmp_path, moved)[0] != consent, "a vendor serving another purpose"

    policy = fixture_declaration()
    policy["sites"]["vendorsite"]["policy_version"] = "2027-01-01"
    assert hashes(tmp_path, policy)[0] != consent
    english = load_sites(SITES_YAML)
    site = english.sites["vendorsite"]
    assert (english.banner_config(site, "en")["consent_hash"]
            == english.banner_config(site, "fr")["consent_hash"]), "the same in every language"


def test_each_vendor_declares_its_consent_mode_types_or_takes_its_purposes():
    config = load_sites(SITES_YAML)
    site = config.sites["vendorsite"]
    shown = {v["id"]: v["gcm"] for p in config.banner_config(site, "fr")["purposes"] for v in p["vendors"]}
    assert shown["google_analytics"] == ["analytics_storage"]
    assert shown["linkedin_insight"] == [] and shown["meta_pixel"] == []
    assert shown["google_tag_manager"] == ["analytics_storage"], "none declared: its purpose's"
    demo = config.sites["demo"]
    demo_shown = {v["id"]: v["gcm"]
                  for p in config.banner_config(demo, "fr")["purposes"] for v in p["vendors"]}
    assert demo_shown["demo_ads"] == ["ad_storage", "ad_user_data", "ad_personalization"]


def test_a_wrong_consent_mode_type_or_fab_position_is_named_by_key_path(tmp_path):
    data = fixture_declaration()
    data["vendors"]["google_analytics"]["gcm"] = ["analytics_storage", "ads"]
    data["vendors"]["matomo"]["gcm"] = "analytics_storage"
    data["sites"]["demo"]["fab_position"] = "top-middle"
    message = problems(tmp_path, data)
    assert "vendors.google_analytics.gcm[1]: 'ads' is not a Consent Mode type" in message
    assert "vendors.matomo.gcm: must be a list" in message
    assert "sites.demo.fab_position: 'top-middle' is not one of bottom-left, bottom-right" in message


def test_the_floating_control_position_is_declared_per_site(tmp_path):
    data = fixture_declaration()
    data["sites"]["demo"]["fab_position"] = "bottom-right"
    config = load_sites(write(tmp_path, data))
    assert config.banner_config(config.sites["demo"], "fr")["fab_position"] == "bottom-right"
    assert config.banner_config(config.sites["mcs"], "fr")["fab_position"] == "bottom-left"
