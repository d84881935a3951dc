"""Helpers for the browser tests: the banner's cookie, axe-core, screenshots."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from consent_gateway.settings import PROJECT_ROOT

AXE = PROJECT_ROOT / "static" / "banner" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "test-results" / "screenshots"
IE11_UA = "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"
GPC_INIT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def banner(page: Page):
    """The first layer: a region named by its title."""
    return page.get_by_role("region", name="Vos choix sur les cookies")


def open_demo(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.IQConsent && true")
    page.evaluate("IQConsent.ready")


def stored(context: BrowserContext) -> dict[str, Any] | None:
    """The decoded iq_consent cookie, or None."""
    for cookie in context.cookies():
        if cookie["name"] == "iq_consent":
            raw = cookie["value"]
            return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return None


def cookie_names(context: BrowserContext) -> set[str]:
    return {c["name"] for c in context.cookies()}


def wait_for_receipt(page: Page, previous: str | None = None) -> dict[str, Any]:
    """Wait until the banner stored a receipt other than ``previous``; return the decision. The
    page may reload meanwhile (a withdrawal reloads it): until its script runs again there is no
    ``IQConsent`` yet, which is not an answer."""
    page.wait_for_function(
        "prev => window.IQConsent && IQConsent.get() && !IQConsent.get().pending"
        " && IQConsent.get().token && IQConsent.get().token !== prev", arg=previous)
    decision = stored(page.context)
    assert decision is not None and decision["token"] != previous
    return decision


def axe_violations(page: Page, include: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page; the violations, each with its failing targets."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make banner` (npm ci in static/banner)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, which the pages' Content-Security-Policy does not govern (an
        # injected <script> would be refused, as it should).
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "([include, tags]) => axe.run(include ? {include: include.map(s => [s])} : document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [include, AXE_TAGS],
    )
    return [
        {"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def assert_accessible(page: Page, include: list[str] | None = None) -> None:
    violations = axe_violations(page, include)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path

