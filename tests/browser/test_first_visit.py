"""A fresh profile on the demo page: nothing runs, nothing is stored, nothing leaves the site."""

from __future__ import annotations

from browser_support import assert_accessible, banner, open_demo, screenshot
from playwright.sync_api import Browser, Page, expect

GCM_TYPES = {"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage",
             "functionality_storage", "personalization_storage", "security_storage"}


def test_fresh_profile_runs_nothing_stores_nothing_and_stays_on_the_gateway(
        page: Page, demo_url: str, live_server: str, hosts: list[str]):
    open_demo(page, demo_url)
    first = banner(page)
    expect(first).to_be_visible()
    for text in ("Tout accepter", "Tout refuser", "Personnaliser"):
        expect(first.get_by_role("button", name=text, exact=True)).to_be_visible()
    # Who the controller is, what the purposes are, what closing does, where to read more.
    expect(first).to_contain_text("iQera (site de démonstration)")
    for label in ("Mesure d'audience", "Publicité et réseaux sociaux", "Contenus tiers (vidéos)"):
        expect(first.get_by_role("listitem").filter(has_text=label)).to_be_visible()
    expect(first).to_contain_text("Fermer ce bandeau revient à tout refuser")
    expect(first.get_by_role("link", name="Politique cookies")).to_be_visible()
    expect(first.get_by_role("link", name="Centre de confidentialité")).to_have_attribute(
        "href", f"{live_server}/privacy/demo/")

    assert page.context.cookies() == []
    assert page.evaluate("window.demoTagOrder") is None
    assert page.locator('script[type="text/plain"][data-consent]').count() == 2
    frame = page.locator("iframe[data-consent]")
    assert frame.get_attribute("src") is None
    expect(frame).to_be_hidden()
    placeholder = page.get_by_role("group", name="Contenus tiers (vidéos)")
    expect(placeholder).to_contain_text("Ce contenu est bloqué")
    expect(placeholder.get_by_role("button", name="Autoriser « Contenus tiers (vidéos) »")).to_be_visible()
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0

    here = live_server.removeprefix("http://")
    assert hosts and set(hosts) == {here}, hosts

    # Consent Mode v2: the default, every type denied, before anything else; no update yet.
    layer = page.evaluate("dataLayer.map(a => Array.from(a))")
    assert layer[0][:2] == ["consent", "default"]
    assert layer[0][2]["wait_for_update"] == 500
    assert {k for k, v in layer[0][2].items() if v == "denied"} == GCM_TYPES
    assert [e for e in layer if e[:2] == ["consent", "update"]] == []

    screenshot(page, "01-first-layer-desktop")
    assert_accessible(page)


def test_accept_and_reject_are_the_same_element_size_and_style(page: Page, demo_url: str):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 720})
        open_demo(page, demo_url)
        first = banner(page)
        accept = first.get_by_role("button", name="Tout accepter", exact=True)
        reject = first.get_by_role("button", name="Tout refuser", exact=True)
        look = """el => { const s = getComputedStyle(el); return [el.tagName, el.className,
            s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.borderTopWidth, s.borderTopColor,
            s.paddingTop, s.paddingLeft, s.borderRadius]; }"""
        assert accept.evaluate(look) == reject.evaluate(look)
        a, r = accept.bounding_box(), reject.bounding_box()
        assert (round(a["width"]), round(a["height"])) == (round(r["width"]), round(r["height"]))
        assert a["height"] >= 24 and a["width"] >= 24


def test_english_page_gets_the_english_banner(page: Page, demo_url: str):
    open_demo(page, demo_url + "?lang=en")
    first = page.get_by_role("region", name="Your cookie choices")
    for text in ("Accept all", "Reject all", "Customise"):
        expect(first.get_by_role("button", name=text, exact=True)).to_be_visible()
    expect(first.get_by_role("link", name="Privacy centre")).to_be_visible()


def test_an_english_browser_gets_the_english_page_and_banner(browser: Browser, demo_url: str):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    open_demo(page, demo_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your debt file, handled with care")
    first = page.get_by_role("region", name="Your cookie choices")
    expect(first.get_by_role("button", name="Accept all", exact=True)).to_be_visible()
    context.close()


def test_usable_at_320px_and_200_percent_text(page: Page, demo_url: str):
    page.set_viewport_size({"width": 320, "height": 640})
    open_demo(page, demo_url)
    first = banner(page)
    normal = first.get_by_role("button", name="Tout refuser", exact=True).evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert first.get_by_role("button", name="Tout refuser", exact=True).evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)") == 2 * normal
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # Every control is reachable: the banner scrolls inside the viewport instead of overflowing it.
    reject = first.get_by_role("button", name="Tout refuser", exact=True)
    reject.scroll_into_view_if_needed()
    expect(reject).to_be_in_viewport()
    screenshot(page, "02-first-layer-320px-200pct")
    page.evaluate("document.documentElement.style.fontSize = ''")
    screenshot(page, "03-first-layer-320px")
    first.get_by_role("button", name="Personnaliser").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    screenshot(page, "04-preferences-320px")
