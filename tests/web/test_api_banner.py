"""Banner configuration and contact declaration endpoints, health and GPC files."""

from __future__ import annotations

import yaml

from consent_gateway.declaration import load_sites


def test_banner_config_has_exactly_the_contract_keys(client):
    r = client.get("/api/v1/sites/demo/banner?lang=fr")
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"site", "lang", "policy_version", "config_hash", "consent_hash",
                         "consent_max_age_days", "gpc", "texts", "purposes", "reload_on_withdraw",
                         "fab_position", "partners_url"}
    facts = (body["site"], body["lang"], body["consent_max_age_days"], body["gpc"],
             body["reload_on_withdraw"], body["partners_url"])
    assert facts == ("demo", "fr", 182, False, True, "http://127.0.0.1:8000/privacy/demo/#partners")
    assert body["texts"]["accept_all"] == "Tout accepter" and body["texts"]["reject_all"] == "Tout refuser"
    for purpose in body["purposes"]:
        assert set(purpose) == {"id", "required", "legal_basis", "gpc_sensitive", "gcm", "label",
                                "description", "vendors"}
    marketing = next(p for p in body["purposes"] if p["id"] == "marketing")
    assert marketing["gpc_sensitive"] is True
    assert marketing["gcm"] == ["ad_storage", "ad_user_data", "ad_personalization"]
    assert marketing["vendors"] == [{
        "id": "demo_ads", "name": "Démo Ads", "provider": "iQera (démonstration)", "country": "France",
        "outside_eea": False, "transfer": None,
        "privacy_url": "http://127.0.0.1:8000/privacy/demo/#partners", "on_withdraw": [],
        "gcm": ["ad_storage", "ad_user_data", "ad_personalization"],
        "cookies": [{"name": "demo_marketing", "duration_days": 90, "domain": "first_party"}]}]
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_english_texts_and_fallback_to_the_site_language(client):
    en = client.get("/api/v1/sites/demo/banner?lang=en").get_json()
    assert en["lang"] == "en" and en["texts"]["reject_all"] == "Reject all"
    fr = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()
    assert en["config_hash"] != fr["config_hash"]
    portal = client.get("/api/v1/sites/portail/banner?lang=en").get_json()
    assert portal["lang"] == "fr", "the portal is French only"


def test_etag_gives_304_and_gpc_varies(client):
    first = client.get("/api/v1/sites/demo/banner?lang=fr")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/sites/demo/banner?lang=fr", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    gpc = client.get("/api/v1/sites/demo/banner?lang=fr", headers={"Sec-GPC": "1",
                                                                   "If-None-Match": etag})
    assert gpc.status_code == 200 and gpc.get_json()["gpc"] is True
    assert "Sec-GPC" in gpc.headers["Vary"]


def test_config_hash_matches_the_declaration(client, settings):
    config = load_sites(settings.sites_path)
    body = client.get("/api/v1/sites/mcs/banner?lang=en").get_json()
    assert body["config_hash"] == config.config_hashes(config.sites["mcs"])["en"]


def test_contact_declaration(client):
    body = client.get("/api/v1/sites/mcs/contact").get_json()
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["portfolio_code"]["pattern"] and fields["portfolio_code"]["legal_basis"] == "contract"
    assert fields["email"]["kind"] == "email" and fields["email"]["required"] is True
    assert fields["location"]["legal_basis"] == "consent"
    assert "pattern" not in fields["email"]
    assert body["notice"].startswith("Les informations")
    for field in body["fields"]:
        assert {"name", "purpose", "legal_basis", "required", "kind"} <= set(field)


def test_a_site_without_a_contact_form_answers_the_one_404_shape(make_app, settings, tmp_path):
    declared = yaml.safe_load(settings.sites_path.read_text(encoding="utf-8"))
    del declared["sites"]["careers"]["contact"]
    sites_path = tmp_path / "sites.yaml"
    sites_path.write_text(yaml.safe_dump(declared, allow_unicode=True), encoding="utf-8")
    r = make_app(sites_path=sites_path).test_client().get("/api/v1/sites/careers/contact")
    assert r.status_code == 404
    assert r.get_json() == {"error": "not_found", "message": "site 'careers' has no contact form",
                            "field": "site"}


def test_healthz_and_gpc_well_known(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    assert client.get("/.well-known/gpc.json").get_json()["gpc"] is True


def test_healthz_reports_an_unreachable_database(settings, tmp_path):
    from dataclasses import replace

    from consent_gateway import create_app

    # A directory where the database file should be: SQLite cannot open it.
    app = create_app(replace(settings, database_url=f"sqlite:///{tmp_path}"))
    r = app.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["database"] == "unreachable"
    app.extensions["db_engine"].dispose()


def test_unknown_route_and_method_use_the_error_shape(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and set(r.get_json()) == {"error", "message"}
    r = client.delete("/api/v1/sites/demo/consents")
    assert r.status_code == 405 and r.get_json()["error"] == "method_not_allowed"


def test_a_served_configuration_is_on_record_before_anyone_decides(client, db_session):
    from consent_gateway.consent import BannerConfig

    body = client.get("/api/v1/sites/careers/banner?lang=en").get_json()
    snapshot = db_session.get(BannerConfig, body["config_hash"])
    assert snapshot is not None and (snapshot.site_id, snapshot.lang) == ("careers", "en")
    assert snapshot.body["texts"]["reject_all"] == "Reject all"
