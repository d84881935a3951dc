"""sites.yaml: a declaration loads, and every mistake is named with file and key path.

The tests' own declaration (tests/fixtures/sites.yaml) is the one they load and break; the
production file is only checked, once, the way an operator checks it: ``consent-gateway sites check``.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from declaration_support import SITES_YAML, problems, write

from consent_gateway.cli import main
from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import PROJECT_ROOT, Settings

PRODUCTION_SITES_YAML = PROJECT_ROOT / "sites.yaml"


def test_the_production_declaration_passes_sites_check():
    """The only test that reads the production file: it must pass the operator's own check."""
    result = CliRunner().invoke(main, ["sites", "check", str(PRODUCTION_SITES_YAML)])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(f"{PRODUCTION_SITES_YAML}: OK")


def test_the_test_declaration_is_valid_and_covers_every_feature():
    config = load_sites(SITES_YAML)
    assert {"demo", "iqera", "mcs", "portail", "careers"} <= set(config.sites)
    mcs_fields = {f.name for f in config.sites["mcs"].contact.fields}
    assert {"portfolio_code", "file_reference"} <= mcs_fields
    demo_fields = {f.name for f in config.sites["demo"].contact.fields}
    assert demo_fields >= {"surname", "first_name", "email", "phone", "message", "portfolio_code",
                           "file_reference", "connection_time", "pages_visited", "location"}
    countries = {t.country.en for t in config.controller.transfers}
    assert countries == {"Morocco", "Mauritius"}
    assert "CNIL" in config.controller.authority_name
    for purpose in config.purposes.values():
        assert purpose.label.fr and purpose.label.en and purpose.retention_days > 0
        if purpose.trackers:
            assert purpose.legal_basis == "consent"
    for site in config.sites.values():
        for cookie in site.cookies:
            if config.purposes[cookie.purpose].trackers:
                assert cookie.duration_days <= 395
    assert config.sites["demo"].origins == ("http://127.0.0.1:8000", "http://localhost:8000")


def test_tracker_purpose_with_another_legal_basis_is_refused(tmp_path, raw):
    raw["purposes"]["audience_measurement"]["legal_basis"] = "legitimate_interest"
    message = problems(tmp_path, raw)
    assert "purposes.audience_measurement.legal_basis" in message
    assert "consent" in message


def test_tracker_cookie_longer_than_13_months_is_refused(tmp_path, raw):
    raw["vendors"]["demo_analytics"]["cookies"][0]["duration_days"] = 500
    message = problems(tmp_path, raw)
    assert "vendors.demo_analytics.cookies[0].duration_days" in message and "13 months" in message
    assert "used by sites.demo.vendors[1]" in message


def test_unknown_keys_undeclared_purposes_and_bad_patterns_are_all_reported(tmp_path, raw):
    raw["sites"]["iqera"]["colour"] = "blue"
    raw["sites"]["mcs"]["purposes"].append("telepathy")
    raw["sites"]["demo"]["contact"]["fields"][5]["pattern"] = "([A-Z"
    raw["sites"]["demo"]["origins"].append("https://example.com/path")
    message = problems(tmp_path, raw)
    assert "sites.iqera.colour: unknown key" in message
    assert "sites.mcs.purposes[3]: 'telepathy' is not declared" in message
    assert "sites.demo.contact.fields[5].pattern: not a valid regular expression" in message
    assert "sites.demo.origins[2]" in message and "origin" in message


def test_consent_purpose_cannot_be_required(tmp_path, raw):
    raw["purposes"]["marketing"]["required"] = True
    assert "purposes.marketing.required" in problems(tmp_path, raw)


def test_missing_translation_is_named(tmp_path, raw):
    del raw["texts"]["en"]["reject_all"]
    assert "texts.en.reject_all: is missing" in problems(tmp_path, raw)


def test_not_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "sites.yaml"
    bad.write_text("sites: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_sites(bad)
    with pytest.raises(ConfigurationError, match="file not found"):
        load_sites(tmp_path / "nope.yaml")


def test_the_service_refuses_to_start_on_a_bad_file(tmp_path, raw, settings: Settings, make_app):
    raw["purposes"]["marketing"]["legal_basis"] = "vibes"
    path = write(tmp_path, raw)
    with pytest.raises(ConfigurationError, match=r"purposes\.marketing\.legal_basis"):
        make_app(sites_path=path)


def test_sites_check_command_exits_non_zero_with_the_same_text(tmp_path, raw):
    ok = CliRunner().invoke(main, ["sites", "check", str(SITES_YAML)])
    assert ok.exit_code == 0, ok.output
    assert "to confirm:" in ok.output and "OK" in ok.output
    raw["sites"]["careers"]["consent_lifetime_days"] = 800
    path = write(tmp_path, raw)
    bad = CliRunner().invoke(main, ["sites", "check", str(path)])
    assert bad.exit_code == 1
    assert f"{path}: sites.careers.consent_lifetime_days" in bad.output


def test_config_hash_changes_with_what_is_shown(tmp_path, raw):
    before = load_sites(SITES_YAML)
    raw["texts"]["fr"]["accept_all"] = "J'accepte tout"
    after = load_sites(write(tmp_path, raw))
    demo_before, demo_after = before.sites["demo"], after.sites["demo"]
    assert before.config_hashes(demo_before)["fr"] != after.config_hashes(demo_after)["fr"]
    assert before.config_hashes(demo_before)["en"] == after.config_hashes(demo_after)["en"]


def _careers_field(raw: dict, name: str) -> dict:
    return next(f for f in raw["sites"]["careers"]["contact"]["fields"] if f["name"] == name)


def test_file_fields_declare_their_types_and_size_limit(tmp_path, raw):
    cv = load_sites(SITES_YAML).sites["careers"].contact.field("cv")
    assert (cv.kind, cv.accept, cv.max_bytes, cv.required) == ("file", ("pdf", "docx"), 256 * 1024, True)
    _careers_field(raw, "cv")["accept"] = ["pdf", "exe"]
    del _careers_field(raw, "photo")["max_size_kb"]
    _careers_field(raw, "city")["accept"] = ["pdf"]
    found = problems(tmp_path, raw)
    assert "sites.careers.contact.fields[6].accept[1]: 'exe' is not one of pdf, docx, jpeg, png" in found
    assert "sites.careers.contact.fields[7].max_size_kb: a file field needs a size limit, in KiB" in found
    assert "sites.careers.contact.fields[4].accept: only a field of kind 'file' takes this key" in found
