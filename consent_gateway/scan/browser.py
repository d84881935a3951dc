"""The scan's browser: each page visited in headless Chromium three times, in fresh contexts —
before any choice, after the real banner's reject-all button, after its accept-all button — with
what each visit set, stored and requested.

Playwright is the optional ``evidence`` extra (as for ``evidence snapshot``): imported only here,
when a scan runs. Pages are visited a few at a time (one browser, one context per visit) within a
time limit; a page that does not answer or carries no banner is reported, never raised.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from consent_gateway.consent.snapshots import CHROMIUM_ARGS
from consent_gateway.errors import ConfigurationError
from consent_gateway.scan.observations import (
    BEFORE,
    REFUSED,
    STATES,
    PageVisit,
    SeenCookie,
    SeenKey,
    SeenRequest,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

BANNER = "#iq-consent .iq-banner"
# The banner's own reports are not the site's traffic: a scan is no showing and reports nothing.
_NOT_SENT = ("/impressions", "/undeclared-cookies")
# Chromium keeps no cookie longer than 400 days: what a tag asked for is read as it writes
# document.cookie (observed, passed on unchanged), so a 25-month cookie shows as 25 months.
_COOKIE_WATCH = """(() => {
  const real = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  if (!real || !window.__iqScanCookie) return;
  Object.defineProperty(document, 'cookie', {configurable: true, get() { return real.get.call(this); },
    set(value) {
      try {
        const parts = String(value).split(';');
        const name = parts[0].split('=')[0].trim();
        let days = null;
        for (const part of parts.slice(1)) {
          const [k, v] = part.split('=');
          const key = k.trim().toLowerCase();
          if (key === 'max-age') days = Number(v) / 86400;
          else if (key === 'expires' && days === null) days = (Date.parse(v) - Date.now()) / 86400;
        }
        if (name) window.__iqScanCookie(name, days);
      } catch (e) { /* observing never breaks the page */ }
      real.set.call(this, value);
    }});
})();"""
_STORAGE_KEYS = """() => {
  const out = [];
  for (const kind of ['localStorage', 'sessionStorage']) {
    try {
      const store = window[kind];
      for (let i = 0; i < store.length; i++) out.push([kind, store.key(i)]); } catch (e) { /* denied */ }
  }
  return out;
}"""


@dataclass(frozen=True)
class ScanPlan:
    """What to visit and how. ``reject_label``/``accept_label`` are the banner's own button texts
    in ``lang`` (from the declaration); ``gateway`` is the gateway's origin, whose requests are
    the banner's and not counted."""

    pages: tuple[str, ...]
    gateway: str
    lang: str
    reject_label: str
    accept_label: str
    concurrency: int = 4
    page_timeout_s: float = 20.0
    settle_ms: int = 300
    total_timeout_s: float = 300.0


def visit_all(plan: ScanPlan) -> list[PageVisit]:
    """Every page of ``plan`` in every state, in the order of ``plan.pages`` then STATES."""
    try:
        from playwright.async_api import async_playwright  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "the scan needs Playwright: pip install 'consent-gateway[evidence]'"
        ) from exc
    if shutil.which("chromium") is None:
        raise ConfigurationError("the scan needs Chromium on the PATH (Debian: apt-get install chromium)")
    # In a thread of its own, with its own event loop: the caller's thread may already run one (a
    # Playwright sync session, as in the tests, or any asyncio host), where asyncio.run would refuse
    # and leave the coroutine unawaited.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan") as pool:
        return pool.submit(asyncio.run, _visit_all(plan)).result()


async def _visit_all(plan: ScanPlan) -> list[PageVisit]:
    from playwright.async_api import async_playwright

    gate = asyncio.Semaphore(plan.concurrency)
    deadline = time.monotonic() + plan.total_timeout_s
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        try:
            jobs = [
                _bounded(gate, browser, plan, page, state, deadline)
                for page in plan.pages
                for state in STATES
            ]
            return list(await asyncio.gather(*jobs))
        finally:
            await browser.close()


async def _bounded(
    gate: asyncio.Semaphore, browser: Browser, plan: ScanPlan, url: str, state: str, deadline: float
) -> PageVisit:
    async with gate:
        left = deadline - time.monotonic()
        if left <= 0:
            return PageVisit(url, state, problem="not visited: the scan's time limit was reached")
        try:
            return await asyncio.wait_for(_visit(browser, plan, url, state), min(plan.page_timeout_s, left))
        except TimeoutError:
            return PageVisit(url, state, problem=f"did not finish within {plan.page_timeout_s:.0f} s")


async def _visit(browser: Browser, plan: ScanPlan, url: str, state: str) -> PageVisit:
    visit = PageVisit(url, state)
    context = await browser.new_context(locale=plan.lang)
    gateway = urlsplit(plan.gateway).netloc
    own = urlsplit(url).netloc
    initiators: dict[str, str] = {}
    recording = {"on": state == BEFORE}

    async def route(route: Any) -> None:
        if urlsplit(route.request.url).netloc == gateway and route.request.url.split("?")[0].endswith(
            _NOT_SENT
        ):
            await route.abort()
        else:
            await route.continue_()

    def on_request(request: Any) -> None:
        parts = urlsplit(request.url)
        if not recording["on"] or parts.scheme not in ("http", "https") or parts.netloc in (own, gateway):
            return
        visit.requests.append(
            SeenRequest(
                parts.netloc,
                parts.hostname or "",
                request.url,
                request.resource_type,
                initiators.get(request.url) or _frame_url(request),
            )
        )

    asked: dict[str, float | None] = {}

    def on_cookie(source: Any, name: str, days: float | None) -> None:
        asked[str(name)] = days if isinstance(days, (int, float)) else None

    await context.route("**/*", route)
    context.on("request", on_request)
    await context.expose_binding("__iqScanCookie", on_cookie)
    await context.add_init_script(_COOKIE_WATCH)
    try:
        page = await context.new_page()
        await _watch_initiators(context, page, initiators)
        try:
            response = await page.goto(url, wait_until="load", timeout=plan.page_timeout_s * 1000 / 2)
        except Exception as exc:  # noqa: BLE001 — any navigation failure is the page's finding
            visit.problem = f"did not answer: {str(exc).splitlines()[0]}"
            return visit
        if response is None or response.status >= 400:
            visit.problem = f"answered {response.status if response else 'nothing'}"
            return visit
        banner = True
        try:
            await page.locator(BANNER).wait_for(state="visible", timeout=5000)
        except Exception:  # noqa: BLE001 — no banner is a finding, not a crash
            banner = False
        if state != BEFORE:
            if not banner:
                visit.problem = "carries no consent banner: no choice could be made"
                return visit
            label = plan.reject_label if state == REFUSED else plan.accept_label
            recording["on"] = True
            await page.locator(BANNER).get_by_role("button", name=label, exact=True).click()
            # A refusal takes effect at once, an acceptance once the gateway's receipt is back.
            await page.wait_for_function("() => window.IQConsent && IQConsent.get() !== null", timeout=10000)
            if state == REFUSED:
                # What the refusal set off, then the next page as it runs under the stored refusal
                # (a tag that ignores it there is the commonest violation). After an acceptance the
                # gated tags run in the page itself: no second load needed to see them.
                await _quiet(page)
                await page.reload(wait_until="load")
        elif not banner:
            visit.problem = "carries no consent banner"
        await _settle(page, plan.settle_ms)
        await _collect(context, page, visit, asked)
    finally:
        await context.close()
    return visit


async def _settle(page: Page, settle_ms: int) -> None:
    """Scroll to the end (lazy tags), wait for the network to be quiet, then for late timers."""
    try:
        await page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    except Exception:  # noqa: BLE001 — a page navigating away is observed as it is
        pass
    await _quiet(page)
    await page.wait_for_timeout(settle_ms)


async def _quiet(page: Page) -> None:
    """No request for 500 ms (Playwright's network idle), waited for at most 3 s."""
    try:
        await page.wait_for_load_state("networkidle", timeout=3000)
    except Exception:  # noqa: BLE001 — a page that never goes quiet is observed as it is
        pass


async def _collect(
    context: BrowserContext, page: Page, visit: PageVisit, asked: dict[str, float | None]
) -> None:
    now = time.time()
    host = urlsplit(visit.page).hostname or ""
    for c in await context.cookies():
        domain = c.get("domain", "")
        bare = domain.lstrip(".")
        expires = c.get("expires", -1)
        visit.cookies.append(
            SeenCookie(
                name=c["name"],
                domain=domain,
                path=c.get("path", "/"),
                lifetime_days=None if expires is None or expires < 0 else max(0.0, (expires - now) / 86400),
                first_party=host == bare or host.endswith(f".{bare}"),
                http_only=bool(c.get("httpOnly")),
                same_site=str(c.get("sameSite", "")),
                asked_days=asked.get(c["name"]),
            )
        )
    try:
        keys = await page.evaluate(_STORAGE_KEYS)
    except Exception:  # noqa: BLE001 — a page that navigated away has no storage to read
        keys = []
    visit.keys.extend(SeenKey(name, kind) for kind, name in keys)


async def _watch_initiators(context: BrowserContext, page: Page, initiators: dict[str, str]) -> None:
    """Chromium's own word on who asked for each URL (script, parser), through the DevTools protocol."""
    try:
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
    except Exception:  # noqa: BLE001 — without it, the requesting frame is named instead
        return

    def on_sent(params: dict[str, Any]) -> None:
        who = params.get("initiator") or {}
        where = who.get("url")
        if not where:
            frames = (who.get("stack") or {}).get("callFrames") or []
            where = frames[0].get("url") if frames else None
        if where:
            initiators.setdefault(params["request"]["url"], where)

    cdp.on("Network.requestWillBeSent", on_sent)


def _frame_url(request: Any) -> str | None:
    try:
        return request.frame.url or None
    except Exception:  # noqa: BLE001 — a service worker's request has no frame
        return None
