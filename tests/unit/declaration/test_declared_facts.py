"""Everything declared lives in sites.yaml: change a fact in the declaration and the receipts, the
privacy pages, the hosted form, the demo page and the banner follow, with no code written again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from receipt_support import fetch_receipt

from consent_gateway.declaration import load_sites
from consent_gateway.declaration.model import duration_text
from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import PROJECT_ROOT

DEMO_ORIGIN = "http://127.0.0.1:8000"
TEST_SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites.yaml"
# Declared names that are also ordinary words of the code (field kinds, a staff role, the demo's
# tag names, the browser's `location`), so finding them proves nothing.
# English words that product code uses in their own sense (a CSS background, a GeoIP city).
COMMON_WORDS = {"email", "phone", "message", "location", "marketing", "city", "background"}


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(TEST_SITES.read_text(encoding="utf-8"))


@pytest.fixture
def app_with(tmp_path: Path, make_app):
    """An app on a changed copy of the tests' declaration."""

    def _app(raw: dict):
        path = tmp_path / "sites.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return make_app(sites_path=path)

    return _app


def _accept_all(client) -> dict:
    shown = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()
    r = client.post("/api/v1/sites/demo/consents", headers={"Origin": DEMO_ORIGIN}, json={
        "action": "accept_all", "choices": {}, "policy_version": shown["policy_version"],
        "config_hash": shown["config_hash"], "lang": "fr"})
    assert r.status_code == 201, r.get_json()
    return fetch_receipt(client, r.get_json())["receipt"]


def test_receipts_take_pii_categories_jurisdiction_and_controller_from_the_declaration(raw, app_with):
    raw["controller"]["country"] = "BE"
    raw["controller"]["dpo"]["name"] = "Data Protection Office"
    raw["purposes"]["marketing"]["pii_categories"] = {
        "fr": ["Identifiant en ligne (cookie pub)", "Intention d'achat"],
        "en": ["Online identifier (ad cookie)", "Purchase intent"]}
    raw["vendors"]["iqera"]["first_party"] = False
    raw["vendors"]["demo_analytics"]["first_party"] = True  # declared as the site's own tool
    client = app_with(raw).test_client()
    receipt = _accept_all(client)
    assert receipt["jurisdiction"] == "BE"
    assert receipt["piiControllers"][0]["contact"] == "Data Protection Office"
    by_purpose = {p["purposeCategory"][0]: p for p in receipt["services"][0]["purposes"]}
    # A French receipt names them in French, as its labels.
    assert receipt["language"] == "fr"
    assert by_purpose["marketing"]["piiCategory"] == raw["purposes"]["marketing"]["pii_categories"]["fr"]
    assert by_purpose["audience_measurement"]["piiCategory"] == \
        raw["purposes"]["audience_measurement"]["pii_categories"]["fr"]
    assert by_purpose["audience_measurement"]["thirdPartyDisclosure"] is False
    assert by_purpose["strictly_necessary"]["thirdPartyName"] == "iQera"


def test_pii_categories_are_required_in_each_language_and_the_jurisdiction_is_a_country_code(
        tmp_path, raw):
    del raw["purposes"]["marketing"]["pii_categories"]
    raw["purposes"]["contact_request"]["pii_categories"] = {"fr": [], "en": ["Identity"]}
    raw["purposes"]["marketing_automation"] = {**raw["purposes"]["audience_measurement"], "pii_categories": {
        "fr": ["Identifiant en ligne"], "en": ["Online identifier", "Browsing data"]}}
    raw["purposes"]["third_party_media"]["pii_categories"] = ["Device data"]
    raw["controller"]["country"] = "France"
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_sites(path)
    message = info.value.message
    assert "purposes.marketing.pii_categories: is required" in message
    assert "purposes.contact_request.pii_categories.fr: must name at least one category" in message
    assert ("purposes.marketing_automation.pii_categories: must list the same categories in every "
            "language (fr: 1, en: 2)") in message
    assert "purposes.third_party_media.pii_categories: must give the list in fr and en" in message
    assert "controller.country: 'France' is not an ISO 3166-1 alpha-2 code" in message


@pytest.mark.parametrize("days, fr, en", [
    (1, "1 jour", "1 day"), (45, "45 jours", "45 days"), (30, "1 mois", "1 month"),
    (182, "6 mois", "6 months"), (395, "13 mois", "13 months"), (760, "25 mois", "25 months"),
    (365, "1 an", "1 year"), (730, "2 ans", "2 years"), (1095, "3 ans", "3 years"),
    (1826, "5 ans", "5 years"), (500, "500 jours", "500 days"),
])
def test_a_retention_period_is_said_in_words_from_its_number_of_days(days, fr, en):
    assert (duration_text(days).fr, duration_text(days).en) == (fr, en)


def test_the_retention_text_follows_retention_days_and_cannot_be_declared_apart(tmp_path, raw, app_with):
    raw["purposes"]["marketing"]["retention_days"] = 1095
    raw["purposes"]["contact_request"]["retention_days"] = 730
    client = app_with(raw).test_client()
    centre = client.get("/privacy/demo/?lang=en").get_data(as_text=True)
    marketing = re.search(r'<tr id="purpose-marketing">.*?</tr>', centre, re.S).group(0)
    assert "<td>3 years</td>" in marketing
    notice = client.get("/privacy/demo/contact").get_data(as_text=True)
    assert "2 ans après notre dernier échange" in notice
    raw["purposes"]["marketing"]["retention"] = {"fr": "13 mois", "en": "13 months"}
    path = tmp_path / "stale.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"purposes\.marketing\.retention: .*derived from "
                                                 r"retention_days"):
        load_sites(path)


def test_hosted_form_hints_labels_and_autocomplete_come_from_the_declaration(raw, app_with):
    fields = raw["sites"]["demo"]["contact"]["fields"]
    email = next(f for f in fields if f["name"] == "email")
    email.update(autocomplete="work email", hint={"fr": "Votre adresse professionnelle.",
                                                  "en": "Your work address."},
                 label={"fr": "Courriel", "en": "E-mail"})
    phone = next(f for f in fields if f["name"] == "phone")
    del phone["hint"]
    client = app_with(raw).test_client()
    page = client.get("/privacy/demo/contact").get_data(as_text=True)
    assert '<label for="f-email">Courriel' in page
    assert '<p class="hint" id="f-email-hint">Votre adresse professionnelle.</p>' in page
    assert re.search(r'<input[^>]*aria-describedby="f-email-hint"[^>]*autocomplete="work email"'
                     r'|<input[^>]*autocomplete="work email"[^>]*aria-describedby="f-email-hint"', page)
    assert 'id="f-phone-hint"' not in page
    assert "Numéro français" not in page


def test_bad_autocomplete_tokens_and_demo_tags_are_refused(tmp_path, raw):
    raw["sites"]["demo"]["contact"]["fields"][0]["autocomplete"] = "Family Name!"
    raw["sites"]["portail"]["demo_tags"] = {"video": "third_party_media"}
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_sites(path)
    message = info.value.message
    assert "sites.demo.contact.fields[0].autocomplete" in message
    assert "sites.portail.demo_tags.video: 'third_party_media' is not one of this site's" in message


def test_the_demo_page_labels_and_gated_elements_come_from_the_declaration(raw, app_with):
    fields = raw["sites"]["demo"]["contact"]["fields"]
    next(f for f in fields if f["name"] == "surname")["label"] = {"fr": "Nom de famille", "en": "Last name"}
    raw["sites"]["demo"]["demo_tags"] = {"analytics": "audience_measurement", "video": "marketing"}
    client = app_with(raw).test_client()
    fr = client.get("/demo/demo").get_data(as_text=True)
    en = client.get("/demo/demo?lang=en").get_data(as_text=True)
    assert '<label for="f-surname">Nom de famille</label>' in fr
    assert '<label for="f-surname">Last name</label>' in en
    assert "Indiqué sur nos courriers, par exemple MCS1234." in fr
    assert 'autocomplete="family-name"' in fr
    assert re.search(r'<iframe data-consent="marketing"', fr)
    assert 'id="demo-marketing-tag"' not in fr
    assert 'name="connection_time"' not in fr  # the banner adds what a browser collects


def _product_files() -> list[Path]:
    package = PROJECT_ROOT / "consent_gateway"
    files = [*package.rglob("*.py"), *package.rglob("*.html"), *package.rglob("*.js")]
    return files + sorted((PROJECT_ROOT / "static" / "banner" / "src").glob("*.js"))


def test_no_product_code_names_a_declared_purpose_or_field():
    config = load_sites(TEST_SITES)
    names = set(config.purposes)
    for site in config.sites.values():
        names |= {f.name for f in site.contact.fields} if site.contact else set()
    names -= COMMON_WORDS
    assert {"audience_measurement", "connection_time", "surname"} <= names
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b")
    found = {f"{path.relative_to(PROJECT_ROOT)}: {match}"
             for path in _product_files()
             for match in pattern.findall(path.read_text(encoding="utf-8"))}
    assert not found, "declared in sites.yaml, written again in code:\n" + "\n".join(sorted(found))
