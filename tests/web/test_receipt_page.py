"""The receipt page: the receipt in plain words in French and English, its documents, one-click
withdrawal behind CSRF answered with the withdrawal's receipt, and a plain 404 for a bad link."""

from __future__ import annotations

import base64
import json
import re

import pytest

from consent_gateway.consent import ReceiptClaims, ReceiptSigner


@pytest.fixture
def verify(client):
    def _verify(token: str) -> dict:
        return client.post("/api/v1/receipts/verify", json={"token": token}).get_json()

    return _verify


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_the_page_states_the_receipt_in_plain_words(client, post_consent):
    answer = post_consent("custom", {"audience_measurement": True, "marketing": False,
                                     "third_party_media": False}).get_json()
    r = client.get(f"/privacy/demo/receipts/{answer['token']}?lang=fr")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="fr">' in page
    assert "Votre reçu de consentement" in page and "vous avez choisi finalité par finalité" in page
    assert re.search(r"Mesure d&#39;audience</th>\s*<td>Accepté", page)
    assert re.search(r"Publicité et réseaux sociaux</th>\s*<td>Refusé", page)
    assert "Actif : c" in page and "est votre choix actuel." in page
    assert answer["config_hash"] in page and "2026-11-01" in page
    jws = client.get(f"/privacy/demo/receipts/{answer['token']}/receipt.jws").get_data(as_text=True)
    assert jws in page, "the same JWS as the download: signed once, cached"
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    english = client.get(f"/privacy/demo/receipts/{answer['token']}?lang=en").get_data(as_text=True)
    assert "Your consent receipt" in english and "Withdraw my consent" in english


def test_the_receipt_downloads_as_kantara_json_and_as_jws(client, post_consent, verify):
    answer = post_consent("accept_all").get_json()
    base = f"/privacy/demo/receipts/{answer['token']}"
    as_json = client.get(f"{base}/receipt.json")
    assert as_json.headers["Content-Disposition"].startswith("attachment")
    receipt = json.loads(as_json.data)
    assert receipt == verify(answer["token"])["receipt"]
    assert receipt["consentReceiptID"] == answer["receipt_id"]
    payload = client.get(f"{base}/receipt.jws").get_data(as_text=True).split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == receipt


def test_one_click_withdraws_and_answers_with_the_withdrawal_receipt(client, post_consent, verify):
    answer = post_consent("accept_all").get_json()
    page = client.get(f"/privacy/demo/receipts/{answer['token']}?lang=en").get_data(as_text=True)
    r = client.post(f"/privacy/demo/receipts/{answer['token']}/withdraw?lang=en",
                    data={"csrf_token": csrf(page)})
    assert r.status_code == 303
    new_token = re.search(r"/receipts/([^/?]+)\?", r.headers["Location"]).group(1)
    assert verify(answer["token"])["status"] == "withdrawn"
    withdrawal = verify(new_token)
    assert withdrawal["receipt"]["iqera"]["action"] == "withdraw"
    assert withdrawal["receipt"]["piiPrincipalId"] == answer["visitor_id"]
    shown = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Receipt of your withdrawal" in shown and "Your consent is withdrawn." in shown
    old = client.get(f"/privacy/demo/receipts/{answer['token']}?lang=en").get_data(as_text=True)
    assert "Withdrawn: you withdrew this consent afterwards." in old and "<form" not in old


def test_without_the_csrf_token_nothing_is_withdrawn(client, post_consent, verify):
    answer = post_consent("accept_all").get_json()
    r = client.post(f"/privacy/demo/receipts/{answer['token']}/withdraw?lang=en")
    assert r.status_code == 400 and "The page had expired" in r.get_data(as_text=True)
    assert verify(answer["token"])["status"] == "active"


@pytest.mark.parametrize("make_token", [
    lambda token: token[:-6],                                            # cut when copied
    lambda token: ReceiptSigner(["forger-key-" + "x" * 32]).sign(
        ReceiptClaims("0" * 32, "demo", "v", {}, "2026-11-01", "h")),  # forged
    lambda token: "not-a-token",
])
def test_a_bad_link_is_a_plain_404_page(client, post_consent, make_token):
    token = make_token(post_consent("accept_all").get_json()["token"])
    r = client.get(f"/privacy/demo/receipts/{token}?lang=fr")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "Reçu introuvable" in r.get_data(as_text=True)
    assert client.post(f"/privacy/demo/receipts/{token}/withdraw").status_code == 404


def test_a_receipt_of_another_site_is_not_shown_here(client, post_consent):
    token = post_consent("accept_all").get_json()["token"]
    other = client.get(f"/privacy/iqera/receipts/{token}?lang=en")
    assert other.status_code == 404 and "Receipt not found" in other.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "data", "termination", "heading"), [
    ("fr", "Identifiant en ligne (cookie de mesure d&#39;audience)", "Expire le ",
     "Données personnelles concernées"),
    ("en", "Online identifier (analytics cookie)", "Expires ", "Personal data concerned"),
])
def test_the_receipt_and_its_words_are_in_the_receipts_language(client, app, lang, data, termination,
                                                                heading):
    site = app.extensions["gateway"].sites.site("demo")
    assert lang in site.languages
    shown = client.get(f"/api/v1/sites/demo/banner?lang={lang}").get_json()
    answer = client.post("/api/v1/sites/demo/consents", headers={"Origin": "http://127.0.0.1:8000"}, json={
        "action": "accept_all", "choices": {}, "policy_version": shown["policy_version"],
        "config_hash": shown["config_hash"], "lang": lang}).get_json()
    base = f"/privacy/demo/receipts/{answer['token']}"
    page = client.get(f"{base}?lang={lang}").get_data(as_text=True)
    assert heading in page and data in page
    document = json.loads(client.get(f"{base}/receipt.json").data)
    assert document["language"] == lang
    other = "en" if lang == "fr" else "fr"
    declared = app.extensions["gateway"].sites.purposes
    for purpose in document["services"][0]["purposes"]:
        categories = declared[purpose["purposeCategory"][0]].pii_categories
        assert purpose["piiCategory"] == list(categories.get(lang)) != list(categories.get(other))
        assert purpose["termination"].startswith(termination), purpose["termination"]
        assert "/privacy/demo/" in purpose["termination"]
