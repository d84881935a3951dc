"""Accept, reject, customise, withdraw, reload: what each does (docs/embedding.md), proven on the server."""

from __future__ import annotations

import base64
import json

from browser_support import (
    assert_accessible,
    banner,
    cookie_names,
    open_demo,
    screenshot,
    stored,
    wait_for_receipt,
)
from playwright.sync_api import Page, Route, expect

from consent_gateway.consent import ReceiptSigner

TRACKERS = {"demo_analytics", "demo_marketing", "demo_video"}


def consent_updates(page: Page) -> list[dict]:
    layer = page.evaluate("dataLayer.map(a => Array.from(a))")
    assert layer[0][:2] == ["consent", "default"]
    return [e[2] for e in layer if e[:2] == ["consent", "update"]]


def test_accept_all_runs_every_tag_in_order_after_the_receipt(page: Page, demo_url: str, verify):
    open_demo(page, demo_url)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)
    expect(banner(page)).to_have_count(0)
    page.wait_for_function("() => (window.demoTagOrder || []).length === 2")
    # Document order: the external analytics tag has loaded before the inline marketing tag ran.
    assert page.evaluate("demoTagOrder") == ["analytics", "marketing"]
    tag = page.locator("#demo-analytics-tag")
    assert tag.get_attribute("data-tag") == "analytics" and tag.get_attribute("src").endswith("/analytics.js")
    expect(page.locator("iframe[data-consent]")).to_be_visible()
    page.wait_for_function("() => document.cookie.includes('demo_video=')")
    assert TRACKERS <= cookie_names(page.context)

    result = verify(decision["token"])
    assert result["valid"] is True and result["status"] == "active"
    assert result["receipt"]["iqera"]["choices"] == {
        "strictly_necessary": True, "audience_measurement": True, "marketing": True,
        "third_party_media": True}
    assert decision["choices"]["marketing"] is True
    updates = consent_updates(page)
    assert len(updates) == 1
    assert updates[0]["analytics_storage"] == "granted" and updates[0]["ad_storage"] == "granted"

    cookie = next(c for c in page.context.cookies() if c["name"] == "iq_consent")
    assert cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert 182 * 86400 - 60 < cookie["expires"] - page.evaluate("Date.now() / 1000") <= 182 * 86400

    expect(page.get_by_role("button", name="Gérer mes cookies")).to_be_visible()
    screenshot(page, "05-after-accept-floating-control")
    assert_accessible(page)


def test_reject_all_takes_effect_at_once_and_is_remembered(page: Page, demo_url: str, verify):
    open_demo(page, demo_url)
    page.route("**/consents", lambda route: (page.wait_for_timeout(300), route.continue_()))
    banner(page).get_by_role("button", name="Tout refuser", exact=True).click()
    # Before the receipt came back: the banner is gone, Consent Mode already says denied, and the
    # refusal is stored, pending (it never depends on the network).
    expect(banner(page)).to_have_count(0)
    pending = stored(page.context)
    assert pending["pending"]["action"] == "reject_all" and "token" not in pending
    assert consent_updates(page)[0]["analytics_storage"] == "denied"
    decision = wait_for_receipt(page)
    result = verify(decision["token"])
    assert result["valid"] and result["receipt"]["iqera"]["action"] == "reject_all"
    assert result["receipt"]["iqera"]["choices"]["audience_measurement"] is False
    assert cookie_names(page.context) == {"iq_consent"}
    assert page.evaluate("window.demoTagOrder") is None

    page.reload()
    page.evaluate("IQConsent.ready")
    expect(banner(page)).to_have_count(0)
    # After the first view, the floating control is one small labelled button.
    expect(page.get_by_role("button", name="Gestion des cookies")).to_have_attribute("aria-expanded", "false")
    updates = consent_updates(page)
    assert len(updates) == 1 and set(updates[0].values()) <= {"denied", "granted"}
    assert updates[0]["ad_storage"] == "denied" and updates[0]["security_storage"] == "granted"
    assert page.evaluate("window.demoTagOrder") is None
    assert cookie_names(page.context) == {"iq_consent"}


def test_customise_then_withdraw_in_one_click(page: Page, demo_url: str, verify):
    open_demo(page, demo_url)
    banner(page).get_by_role("button", name="Personnaliser").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    expect(dialog).to_be_visible()
    assert dialog.get_attribute("aria-modal") == "true"
    switches = dialog.get_by_role("switch")
    required = dialog.get_by_role("switch", name="Cookies strictement nécessaires")
    expect(required).to_be_checked()
    expect(required).to_be_disabled()
    expect(dialog).to_contain_text("Toujours actif")
    # Said once: the description, not a second sentence repeating it.
    assert dialog.inner_text().count("fonctionnement") == 1
    # A real plural: "1 jour", never "1 jours".
    expect(dialog).to_contain_text("182 jours")
    for name in ("Mesure d'audience", "Publicité et réseaux sociaux", "Contenus tiers (vidéos)"):
        expect(dialog.get_by_role("switch", name=name)).not_to_be_checked()
    # A switch per purpose and one per vendor under it, each vendor with its cookies.
    assert switches.count() == 8
    expect(dialog.get_by_role("switch", name="Démo Analytics")).not_to_be_checked()
    expect(dialog).to_contain_text("demo_analytics (395 jours)")
    expect(dialog.get_by_role("button", name="Tout refuser", exact=True)).to_be_visible()
    screenshot(page, "06-preferences-desktop")
    assert_accessible(page)

    dialog.get_by_role("switch", name="Mesure d'audience").check()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    decision = wait_for_receipt(page)
    page.wait_for_function("() => document.cookie.includes('demo_analytics=')")
    assert page.evaluate("demoTagOrder") == ["analytics"]
    assert cookie_names(page.context) == {"iq_consent", "demo_analytics"}
    receipt = verify(decision["token"])["receipt"]["iqera"]
    assert receipt["action"] == "custom"
    assert receipt["choices"] == {"strictly_necessary": True, "audience_measurement": True,
                                  "marketing": False, "third_party_media": False}

    # Withdrawal: one click on the control that is on every page; the page reloads once it is recorded.
    with page.expect_navigation():
        page.get_by_role("button", name="Retirer mon consentement").click()
    page.evaluate("IQConsent.ready")
    withdrawal = stored(page.context)
    assert withdrawal["token"] != decision["token"]
    assert "demo_analytics" not in cookie_names(page.context)
    assert verify(decision["token"])["status"] == "withdrawn"
    assert verify(withdrawal["token"])["receipt"]["iqera"]["action"] == "withdraw"
    assert not any(withdrawal["choices"][p] for p in ("audience_measurement", "marketing"))
    assert consent_updates(page)[-1]["analytics_storage"] == "denied"
    expect(page.get_by_role("button", name="Retirer mon consentement")).to_have_count(0)


def test_reload_keeps_the_decision_and_a_stale_one_asks_again(page: Page, demo_url: str):
    open_demo(page, demo_url)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)

    page.reload()
    page.evaluate("IQConsent.ready")
    expect(banner(page)).to_have_count(0)
    page.wait_for_function("() => (window.demoTagOrder || []).length === 2")
    assert page.evaluate("IQConsent.has('marketing')") is True
    # Consent Mode hears the stored decision before any tag runs.
    layer = page.evaluate("dataLayer.map(a => Array.from(a))")
    assert [e[1] for e in layer[:2]] == ["default", "update"]

    def restore(**changes):
        value = base64.urlsafe_b64encode(json.dumps({**decision, **changes}).encode()).decode().rstrip("=")
        page.context.clear_cookies()
        page.context.add_cookies([{"name": "iq_consent", "value": value, "url": demo_url}])
        page.reload()
        page.evaluate("IQConsent.ready")

    for stale in ({"policy_version": "2020-01-01"}, {"consent_hash": "0" * 64},
                  {"expires_at": "2020-01-01T00:00:00Z"}):
        restore(**stale)
        expect(banner(page)).to_be_visible()
        assert page.evaluate("window.demoTagOrder") is None, stale
        assert page.evaluate("IQConsent.get()") is None
    restore()
    expect(banner(page)).to_have_count(0)
    # Shown with other words (another config_hash), the same consent: not asked again.
    restore(config_hash="0" * 64)
    expect(banner(page)).to_have_count(0)
    assert page.evaluate("IQConsent.has('marketing')") is True


def test_a_grant_waits_for_the_receipt_and_retries_after_a_network_failure(
        page: Page, demo_url: str, verify):
    attempts: list[str] = []

    def flaky(route):
        attempts.append(route.request.method)
        if len(attempts) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    open_demo(page, demo_url)
    page.route("**/api/v1/sites/demo/consents", flaky)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    expect(page.locator("#iq-consent").get_by_role("status")).to_contain_text("Nouvel essai en cours")
    assert page.evaluate("window.demoTagOrder") is None
    assert stored(page.context) is None
    decision = wait_for_receipt(page)
    assert attempts == ["POST", "POST"]
    page.wait_for_function("() => (window.demoTagOrder || []).length === 2")
    assert verify(decision["token"])["valid"] is True


def test_the_iframe_placeholder_grants_its_purpose(page: Page, demo_url: str, verify):
    open_demo(page, demo_url)
    placeholder = page.get_by_role("group", name="Contenus tiers (vidéos)")
    screenshot(page, "07-iframe-placeholder")
    assert_accessible(page)
    placeholder.get_by_role("button", name="Autoriser « Contenus tiers (vidéos) »").click()
    decision = wait_for_receipt(page)
    expect(placeholder).to_have_count(0)
    frame = page.locator("iframe[data-consent]")
    expect(frame).to_be_visible()
    assert frame.get_attribute("src").endswith("/demo/assets/video.html")
    page.wait_for_function("() => document.cookie.includes('demo_video=')")
    assert verify(decision["token"])["receipt"]["iqera"]["choices"] == {
        "strictly_necessary": True, "audience_measurement": False, "marketing": False,
        "third_party_media": True}
    assert page.evaluate("window.demoTagOrder") is None


def test_withdrawing_unloads_the_iframe_and_the_api_reports_changes(page: Page, demo_url: str):
    open_demo(page, demo_url)
    page.evaluate("window.changes = []; IQConsent.on('change', d => changes.push(d.choices))")
    page.evaluate("IQConsent.set({third_party_media: true})")
    wait_for_receipt(page)
    page.wait_for_function("() => document.cookie.includes('demo_video=')")
    assert page.evaluate("IQConsent.has('third_party_media')") is True

    # Before the withdrawal is even recorded, the frame is unloaded and its cookie gone; once it is
    # recorded, the page reloads (reload_on_withdraw).
    held: list[Route] = []
    page.route("**/consents", lambda route: held.append(route))
    page.evaluate("() => { IQConsent.withdraw(); }")
    frame = page.locator("iframe[data-consent]")
    expect(frame).to_be_hidden()
    assert frame.get_attribute("src") == "about:blank"
    expect(page.get_by_role("group", name="Contenus tiers (vidéos)")).to_be_visible()
    assert "demo_video" not in cookie_names(page.context)
    # The refusal took effect at once: the page heard of it before the gateway answered.
    assert [c["third_party_media"] for c in page.evaluate("changes")] == [True, False]
    with page.expect_navigation():
        held[0].continue_()
    page.unroute("**/consents")
    page.evaluate("IQConsent.ready")
    assert stored(page.context)["action"] == "withdraw"
    assert frame.get_attribute("src") is None


def test_a_banner_that_changed_meanwhile_is_shown_again(page: Page, demo_url: str, verify):
    answers: list[int] = []

    def stale_once(route):
        answers.append(len(answers))
        if len(answers) == 1:
            route.fulfill(status=409, json={"error": "reconsent_required",
                                            "message": "the banner configuration changed"})
        else:
            route.continue_()

    open_demo(page, demo_url)
    page.route("**/api/v1/sites/demo/consents", stale_once)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    expect(banner(page)).to_be_visible()
    assert stored(page.context) is None and page.evaluate("window.demoTagOrder") is None
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    decision = wait_for_receipt(page)
    assert verify(decision["token"])["valid"] is True and len(answers) == 2


def test_decisions_prove_the_visitor_with_the_receipt_held_and_start_afresh_if_it_is_refused(
        page: Page, demo_url: str, verify, app):
    sent: list[dict] = []

    def record(route: Route):
        sent.append(json.loads(route.request.post_data or "{}"))
        route.continue_()

    page.route("**/api/v1/sites/demo/consents", record)
    open_demo(page, demo_url)
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    first = wait_for_receipt(page)
    page.evaluate("IQConsent.rejectAll()")
    second = wait_for_receipt(page, first["token"])
    assert "previous_token" not in sent[0] and sent[1]["previous_token"] == first["token"]
    assert not any("visitor_id" in body for body in sent)
    assert second["visitor_id"] == first["visitor_id"]

    # A receipt signed with a key the gateway no longer holds: the withdrawal it asks for is
    # refused, and the banner records a refusal as a new visitor instead of staying stuck.
    claims, _ = app.extensions["gateway"].signer.unsign(second["token"])
    retired = ReceiptSigner(["retired-key"]).sign(claims)
    value = base64.urlsafe_b64encode(json.dumps({**second, "token": retired}).encode()).decode().rstrip("=")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "iq_consent", "value": value, "domain": "127.0.0.1", "path": "/"}])
    page.reload()
    page.evaluate("IQConsent.ready")
    page.evaluate("IQConsent.withdraw()")
    fresh = wait_for_receipt(page, retired)
    assert [body.get("previous_token") for body in sent[2:]] == [retired, None]
    assert [body["action"] for body in sent[2:]] == ["withdraw", "reject_all"]
    assert fresh["visitor_id"] != first["visitor_id"]
    assert verify(fresh["token"])["status"] == "active"
    assert verify(second["token"])["status"] == "active"


def test_gated_elements_added_later_wait_for_their_purpose_too(page: Page, demo_url: str):
    open_demo(page, demo_url)
    # As a tag manager on a page with a Content-Security-Policy does: the tag gets the page's nonce.
    add_tag = """() => { const s = document.createElement('script'); s.type = 'text/plain';
        s.nonce = document.querySelector('script[data-site]').nonce;
        s.setAttribute('data-consent', 'marketing'); s.text = 'window.lateTag = (window.lateTag || 0) + 1';
        document.querySelector('main').appendChild(s); }"""
    page.evaluate(add_tag)
    page.wait_for_timeout(100)
    assert page.evaluate("window.lateTag") is None
    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    wait_for_receipt(page)
    page.wait_for_function("() => window.lateTag === 1")
    page.evaluate(add_tag)
    page.wait_for_function("() => window.lateTag === 2")
