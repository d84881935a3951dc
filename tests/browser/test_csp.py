"""Real Chromium under the gateway's Content-Security-Policy: the demo page (banner, gated tags, the
gated embed), the receipt page, the rights form, the dashboard and the DPO's workspace load and work
with no violation reported, and the nonce'd inline scripts do run."""

from __future__ import annotations

import pytest
from browser_support import banner, cookie_names, open_demo, wait_for_receipt
from playwright.sync_api import ConsoleMessage, Page, expect
from rights_support import staff_token, submit

# Runs in every frame before the page's own scripts (through DevTools, which no CSP governs).
LISTEN = """document.addEventListener('securitypolicyviolation', (e) => {
  (window.cspViolations = window.cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every CSP violation of the test: the frames' events and Chromium's console refusals."""
    seen: list[str] = []
    page.add_init_script(LISTEN)

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", console)
    yield seen
    for frame in page.frames:
        seen.extend(frame.evaluate("() => window.cspViolations || []"))
    assert seen == []


def test_the_demo_page_runs_its_banner_tags_and_embed_under_its_policy(page: Page, demo_url: str,
                                                                       violations: list[str]):
    open_demo(page, demo_url)
    expect(banner(page)).to_be_visible()
    banner_css = "() => [...document.querySelectorAll('style')].find((s) => s.textContent.startsWith('.iq,'))"
    assert page.evaluate(banner_css + ".nonce.length") > 0
    assert page.evaluate("() => getComputedStyle(document.querySelector('.iq-banner')).position") == "fixed"
    placeholder = page.locator(".iq-ph")
    expect(placeholder).to_be_visible()
    assert placeholder.evaluate("el => [el.style.width, el.style.height]") == ["560px", "315px"]

    banner(page).get_by_role("button", name="Tout accepter", exact=True).click()
    wait_for_receipt(page)
    page.wait_for_function("() => (window.demoTagOrder || []).length === 2")
    assert page.evaluate("() => window.demoTagOrder") == ["analytics", "marketing"]
    page.wait_for_function("() => document.cookie.includes('demo_video=')")
    assert {"demo_analytics", "demo_marketing", "demo_video"} <= cookie_names(page.context)
    assert page.frame_locator("iframe[data-consent]").locator("body").evaluate(
        "b => getComputedStyle(b).backgroundColor") == "rgb(16, 36, 62)", "the embed's own stylesheet"
    assert violations == []


def test_an_injected_inline_script_is_refused(page: Page, live_server: str):
    """The policy is enforced, not only sent: markup without the nonce does not run."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server}/privacy/demo/")
    page.evaluate("""() => { const s = document.createElement('script');
        s.text = 'window.injected = true'; document.body.appendChild(s); }""")
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in refused)


def test_visitor_pages_load_without_violation_and_their_inline_scripts_run(
        page: Page, live_server: str, post_consent, violations: list[str]):
    token = post_consent("accept_all").get_json()["token"]
    page.goto(f"{live_server}/privacy/demo/receipts/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre reçu de consentement")

    page.goto(f"{live_server}/privacy/demo/rights")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.locator("#error-summary")).to_be_focused()  # focused by the page's nonce'd script
    assert violations == []


def test_staff_pages_load_without_violation(app, page: Page, live_server: str, violations: list[str]):
    dpo, _ = staff_token(app)
    marketing, _ = staff_token(app, "marketing", "Marie Marketing")
    reference = submit(app).reference

    page.goto(f"{live_server}/dashboard/sign-in")
    page.get_by_label("Jeton personnel").fill(marketing)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("svg.chart")).to_have_count(4)
    swatch = page.locator(".legend .swatch").first
    assert swatch.evaluate("el => getComputedStyle(el).borderTopColor") == "rgb(10, 75, 140)"

    page.goto(f"{live_server}/dpo/sign-in")
    page.locator("#f-token").fill(dpo)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    assert violations == []
