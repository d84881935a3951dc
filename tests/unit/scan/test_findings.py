"""Holding what a scan saw against the declaration, without a browser: storage keys and hosts are
matched like cookies, what the database files under analytics is a violation before a choice, a
strictly necessary cookie is exempt from the 13 months, and the suggested lines name what is known."""

from __future__ import annotations

from declaration_support import SITES_YAML

from consent_gateway.cookie_audit.database import cookie_database
from consent_gateway.declaration import load_sites
from consent_gateway.scan import assess, suggestions
from consent_gateway.scan.observations import PageVisit, SeenCookie, SeenKey, SeenRequest

PAGE = "http://localhost:47810/"


def cookie(name: str, days: float | None, **extra) -> SeenCookie:
    return SeenCookie(name, "localhost", "/", days, True, False, "Lax", **extra)


def test_hosts_keys_and_database_categories_are_held_against_the_declaration():
    config = load_sites(SITES_YAML)
    site = config.sites["vendorsite"]
    before = PageVisit(
        PAGE,
        "before",
        cookies=[cookie("iq_consent", 182.0), cookie("_hjid", 365.0)],
        keys=[SeenKey("_ga_XYZ", "localStorage")],
        requests=[
            SeenRequest(
                "www.googletagmanager.com",
                "www.googletagmanager.com",
                "https://www.googletagmanager.com/gtm.js?id=GTM-1",
                "script",
                None,
            ),
            SeenRequest("cdn.example.org", "cdn.example.org", "https://cdn.example.org/a.js", "script", PAGE),
        ],
    )
    accepted = PageVisit(PAGE, "accepted", cookies=[cookie("_gcl_au", 90.0), cookie("iq_consent", 400.0)])
    found = {
        (f.kind, f.subject): f
        for f in assess(config, site, [before, accepted], cookie_database(), full=False)
    }
    assert set(found) == {
        ("violation", "www.googletagmanager.com"),  # a consent-based vendor's host before a choice
        ("violation", "_ga_XYZ"),  # a storage key named like a declared cookie
        ("violation", "_hjid"),
        ("undeclared", "_hjid"),  # the database files it under Analytics
        ("undeclared", "cdn.example.org"),  # unknown: undeclared, not a violation
        ("lifetime", "iq_consent"),  # strictly necessary: only the declared 182 days bind it
    }
    assert found["violation", "_ga_XYZ"].subject_type == "storage"
    assert found["undeclared", "_hjid"].known["platform"] == "Hotjar"
    assert found["undeclared", "cdn.example.org"].evidence["initiator"] == PAGE
    assert "182 days declared" in found["lifetime", "iq_consent"].message


def test_a_cookie_asked_for_25_months_counts_as_25_months_though_chromium_keeps_400_days():
    config = load_sites(SITES_YAML)
    site = config.sites["vendorsite"]
    visit = PageVisit(PAGE, "accepted", cookies=[cookie("_fbp", 400.0, asked_days=760.0)])
    (finding,) = assess(config, site, [visit], cookie_database(), full=False)
    assert finding.kind == "lifetime" and "760 days" in finding.message
    assert finding.evidence["stored_days"] == 400.0 and finding.evidence["declared_days"] == 90


def test_suggested_lines_name_a_catalogue_vendor_or_the_database_entry():
    config = load_sites(SITES_YAML)
    site = config.sites["mcs"]
    visit = PageVisit(
        "https://www.mcs-et-associes.fr/", "accepted", cookies=[cookie("_hjid", 365.0), cookie("_fbp", 90.0)]
    )
    lines = suggestions(config, site, assess(config, site, [visit], cookie_database(), full=False))
    assert lines[0] == "# sites.mcs.vendors: add meta_pixel (already in the catalogue)"
    assert lines[1].startswith("vendors: [") and lines[1].endswith(", meta_pixel]")
    assert lines[2].startswith("# vendors.<a vendor for Hotjar>.cookies: Analytics, Hotjar cookie.")
    assert lines[3] == "- {name: _hjid, domain: first_party, duration_days: 365}"
