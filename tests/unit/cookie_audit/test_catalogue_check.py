"""``sites check`` holds the vendor catalogue against the Open Cookie Database shipped in the
package: a tracker of a vendor's platform it does not declare, a lifetime shorter than the
database's, each warned with the key path; the undeclared report names what the database knows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from declaration_support import fixture_declaration, write

from consent_gateway.cli import main
from consent_gateway.cookie_audit.database import cookie_database, parse_database, retention_days


def _check(tmp_path, data):
    return CliRunner().invoke(main, ["sites", "check", str(write(tmp_path, data))])


def _gcl_au_warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("warning:") and "_gcl_au" in line]


def test_a_catalogue_without_gcl_au_is_warned_with_the_vendor_and_the_cookie(tmp_path):
    data = fixture_declaration()
    cookies = data["vendors"]["google_ads"]["cookies"]
    data["vendors"]["google_ads"]["cookies"] = [c for c in cookies if c["name"] != "_gcl_au"]
    result = _check(tmp_path, data)
    assert result.exit_code == 0, result.output
    (warning,) = _gcl_au_warnings(result.output)
    assert "vendors.google_ads.cookies:" in warning
    assert "Google Ads does not declare _gcl_au" in warning
    assert "Marketing" in warning and "the banner would never delete it on withdrawal" in warning


def test_the_catalogue_as_fixed_declares_every_gcl_cookie(tmp_path):
    result = _check(tmp_path, fixture_declaration())
    assert result.exit_code == 0, result.output
    assert not [line for line in result.output.splitlines() if "_gcl_" in line]


def test_a_lifetime_shorter_than_the_database_s_is_warned_with_its_key_path(tmp_path):
    data = fixture_declaration()
    data["vendors"]["google_ads"]["cookies"][0]["duration_days"] = 30  # _gcl_au lives 3 months
    result = _check(tmp_path, data)
    (warning,) = _gcl_au_warnings(result.output)
    assert "vendors.google_ads.cookies[0].duration_days:" in warning
    assert "declares _gcl_au for 30 days" in warning and "3 months" in warning


def test_a_vendor_declaring_nothing_the_database_knows_draws_no_warning(tmp_path):
    data = fixture_declaration()
    result = _check(tmp_path, data)
    assert "vendors.demo_analytics" not in result.output


def test_the_database_is_the_shipped_snapshot_with_its_license():
    db = cookie_database()
    assert len(db.entries) > 2000
    gcl = db.lookup("_gcl_au")
    assert gcl is not None and (gcl.platform, gcl.category) == ("Google", "Marketing")
    assert db.lookup("_ga_X1Y2Z3").platform == "Google Analytics"  # a wildcard entry
    assert db.lookup("no_such_cookie_anywhere") is None
    from importlib import resources
    data = resources.files("consent_gateway.cookie_audit").joinpath("data")
    assert "Apache License" in data.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "jkwakman/Open-Cookie-Database" in data.joinpath("SOURCE.md").read_text(encoding="utf-8")


def test_retention_words_become_days():
    assert retention_days("2 years") == 730.5
    assert retention_days("30 minutes") == pytest.approx(30 / 1440)
    assert retention_days("Session") == 0.0
    assert retention_days("30 seconds till 1 year") == 365.25
    assert retention_days("forever") is None


def test_a_host_is_named_from_the_database_s_domains():
    db = parse_database("ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,"
                        "Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n"
                        "1,Facebook,Marketing,fr,facebook.com (3rd party),x,90 days,Meta,,0\n")
    assert db.lookup_host("www.facebook.com").platform == "Facebook"
    assert db.lookup_host("example.org") is None
