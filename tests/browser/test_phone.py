"""At home on a phone, and failing closed visibly when the banner cannot load (issue 8)."""

from __future__ import annotations

import pytest
from browser_support import assert_accessible, screenshot
from playwright.sync_api import Browser, Page, expect
from vendor_page import VendorPage, install, settle

COVERAGE = """() => { const b = document.querySelector('.iq-banner').getBoundingClientRect();
  const w = Math.min(b.right, innerWidth) - Math.max(b.left, 0);
  const h = Math.min(b.bottom, innerHeight) - Math.max(b.top, 0);
  return w * h / (innerWidth * innerHeight); }"""


# Whether an element of the first layer is in view, at least its first line: inside the part of the
# scrolling text that shows (above the fade), and on screen.
SHOWN = """el => { const b = el.closest('.iq-body').getBoundingClientRect();
  const r = el.getBoundingClientRect();
  const cue = el.closest('.iq-banner').querySelector('.iq-more');
  const end = cue.offsetParent ? Math.min(b.bottom, cue.getBoundingClientRect().top) : b.bottom;
  return r.top >= b.top - 1 && Math.min(r.bottom, r.top + 18) <= end + 1 && r.bottom <= innerHeight; }"""


@pytest.fixture
def vp(page: Page, live_server: str) -> VendorPage:
    return install(page, live_server)


def phone(browser: Browser, live_server: str, width: int, height: int) -> tuple[Page, VendorPage]:
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    return page, install(page, live_server)


@pytest.mark.parametrize("size", [(360, 640), (320, 568)])
def test_first_layer_covers_at_most_40_percent_of_a_phone(browser: Browser, live_server: str, size):
    page, vp = phone(browser, live_server, *size)
    vp.open()
    first = page.get_by_role("region", name="Vos choix sur les cookies")
    expect(first).to_be_visible()
    assert page.evaluate(COVERAGE) <= 0.40
    # Every action is in view without scrolling; the text scrolls inside the layer.
    for name in ("Tout accepter", "Tout refuser", "Personnaliser"):
        expect(first.get_by_role("button", name=name, exact=True)).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    screenshot(page, f"60-first-layer-{size[0]}x{size[1]}")
    assert_accessible(page)
    # Every purpose's name, the partner list and the transfer notice: in view, or the text that
    # scrolls says so (a fade and a "more" cue that the keyboard reaches) and brings them in view.
    substance = [first.locator("li strong").nth(i) for i in range(first.locator("li strong").count())]
    substance += [first.get_by_role("link", name="Liste des partenaires"),
                  first.get_by_text("hors de l'Union européenne")]
    assert len(substance) == 5
    more = first.get_by_role("button", name="Lire la suite")
    hidden = [item for item in substance if not page.evaluate(SHOWN, item.element_handle())]
    if hidden:
        expect(more).to_be_in_viewport(ratio=1)
        more.focus()
        while hidden and more.is_visible():
            page.keyboard.press("Enter")
            page.wait_for_timeout(100)
            hidden = [item for item in hidden if not page.evaluate(SHOWN, item.element_handle())]
            screenshot(page, f"60-first-layer-{size[0]}x{size[1]}-more")
        assert hidden == [], "the cue brings the rest of the first layer in view"
        assert_accessible(page)
    for name in ("Tout accepter", "Tout refuser", "Personnaliser"):
        expect(first.get_by_role("button", name=name, exact=True)).to_be_in_viewport(ratio=1)
    page.context.close()


def test_preferences_keep_their_actions_in_view_on_a_phone(browser: Browser, live_server: str):
    page, vp = phone(browser, live_server, 360, 640)
    vp.open()
    page.get_by_role("button", name="Personnaliser").click()
    dialog = page.get_by_role("dialog", name="Personnaliser mes choix")
    for name in ("Tout accepter", "Tout refuser", "Enregistrer mes choix"):
        expect(dialog.get_by_role("button", name=name, exact=True)).to_be_in_viewport(ratio=1)
    # The body scrolls under a pinned footer: the last switch is reachable, the actions stay.
    dialog.get_by_role("switch", name="Google Maps").scroll_into_view_if_needed()
    expect(dialog.get_by_role("switch", name="Google Maps")).to_be_in_viewport()
    expect(dialog.get_by_role("button", name="Enregistrer mes choix")).to_be_in_viewport(ratio=1)
    screenshot(page, "61-preferences-360x640")
    assert_accessible(page)
    page.context.close()


def test_save_fits_on_one_line_on_desktop(vp: VendorPage, page: Page):
    page.set_viewport_size({"width": 1280, "height": 800})
    vp.open()
    page.get_by_role("button", name="Personnaliser").click()
    save = page.get_by_role("button", name="Enregistrer mes choix")
    lines = save.evaluate("""el => { const r = document.createRange(); r.selectNodeContents(el);
        return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; }""")
    assert lines == 1
    accept = page.get_by_role("dialog").get_by_role("button", name="Tout accepter", exact=True)
    reject = page.get_by_role("dialog").get_by_role("button", name="Tout refuser", exact=True)
    assert round(accept.bounding_box()["width"]) == round(reject.bounding_box()["width"])
    screenshot(page, "62-preferences-desktop")


def test_the_pill_is_small_and_readable_on_a_dark_footer(browser: Browser, live_server: str):
    page, vp = phone(browser, live_server, 360, 640)
    vp.open()
    page.get_by_role("button", name="Tout refuser", exact=True).click()
    page.wait_for_function("IQConsent.get() !== null")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    pill = page.locator(".iq-fab")
    box = pill.bounding_box()
    assert box["height"] <= 48 and box["width"] <= 0.6 * 360
    look = pill.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.borderTopWidth]; }")
    assert look == ["rgb(255, 255, 255)", "2px"]
    screenshot(page, "63-pill-dark-footer-360x640")
    assert_accessible(page)
    page.context.close()


def test_when_the_script_cannot_load_embeds_show_their_plain_fallback(vp: VendorPage, page: Page):
    vp.script_blocked = True
    vp.open(wait=False)
    page.wait_for_load_state("load")
    settle(page)
    assert page.evaluate("typeof window.IQConsent") == "undefined"
    youtube = page.frame_locator('iframe[data-vendor="youtube"]')
    expect(youtube.get_by_role("link", name="Présentation du Groupe iQera")).to_have_attribute(
        "href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    expect(page.frame_locator('iframe[data-vendor="google_maps"]').get_by_role("link")).to_be_visible()
    # Nothing granted, nothing loaded from another host.
    page.mouse.click(700, 20)
    settle(page)
    assert vp.hits == []
    assert page.locator('script[type="text/plain"][data-consent]').count() == 7
    screenshot(page, "64-script-blocked-fallback-desktop")
    assert_accessible(page)
