"""Screenshots of every banner configuration served: the first layer and the preferences, on a
desktop and a mobile screen, rendered in real Chromium against the gateway's own demo page.

The CNIL asks controllers to keep a picture of each version of the banner. A configuration is
pictured once, by hash; one that is no longer the current one of its site and language cannot be
rendered again, so it gets a row with a note instead of a picture of the wrong banner.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from consent_gateway.consent.models import BannerConfig, BannerSnapshot
from consent_gateway.db import utcnow
from consent_gateway.declaration import SitesConfig
from consent_gateway.errors import ConfigurationError, GatewayError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

SCREENS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800},
                                    "mobile": {"width": 360, "height": 640}}
LAYERS = ("first", "preferences")
VARIANTS = tuple(f"{layer}-{screen}" for layer in LAYERS for screen in SCREENS)
NOT_RENDERED = "not-rendered"
RECEIPT_VARIANT = "first-desktop"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class SnapshotReport:
    pictured: list[str] = field(default_factory=list)
    not_rendered: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.pictured and not self.not_rendered:
            return "every banner configuration served is already pictured"
        return (f"pictured {len(self.pictured)} configuration(s) ({len(VARIANTS)} screenshots each); "
                f"{len(self.not_rendered)} could not be re-rendered (no longer current)")


def unpictured_configs(session: Session) -> list[BannerConfig]:
    """Configurations served that have no snapshot row yet, oldest first."""
    pictured = exists().where(BannerSnapshot.config_hash == BannerConfig.config_hash)
    return list(session.scalars(
        select(BannerConfig).where(~pictured).order_by(BannerConfig.first_seen_at, BannerConfig.config_hash)))


def take_snapshots(session: Session, sites: SitesConfig, base_url: str) -> SnapshotReport:
    """Picture every configuration not yet pictured, rendering ``base_url``/demo/<site>?lang=<lang>
    (a gateway serving ``sites``); commits once. ConfigurationError without Playwright or Chromium."""
    report = SnapshotReport()
    pending = unpictured_configs(session)
    if not pending:
        return report
    now = utcnow()
    renderable: list[_Shown] = []
    for config in pending:
        site = sites.site(config.site_id)
        current = sites.config_hashes(site).get(config.lang) if site is not None else None
        if current != config.config_hash:
            session.add(BannerSnapshot(
                config_hash=config.config_hash, variant=NOT_RENDERED, png=None, taken_at=now,
                note="no longer the current configuration of its site and language: not re-rendered"))
            report.not_rendered.append(config.config_hash)
        else:
            renderable.append(_Shown(config.site_id, config.lang, config.config_hash))
    if renderable:
        # Playwright's sync API refuses to run where an asyncio loop runs (an async server, a test
        # session that already drives a browser): the browser gets a thread of its own.
        with ThreadPoolExecutor(max_workers=1) as worker:
            pictured = worker.submit(_render_all, base_url, renderable).result()
        for shown, pictures in zip(renderable, pictured, strict=True):
            for variant, png in pictures.items():
                session.add(BannerSnapshot(config_hash=shown.config_hash, variant=variant, png=png,
                                           taken_at=now))
            report.pictured.append(shown.config_hash)
    session.commit()
    return report


@dataclass(frozen=True)
class _Shown:
    """What the browser needs of a configuration (no ORM object crosses into its thread)."""

    site_id: str
    lang: str
    config_hash: str


def _render_all(base_url: str, configs: list[_Shown]) -> list[dict[str, bytes]]:
    with _browser() as browser:
        return [_render(browser, base_url, config) for config in configs]


@contextmanager
def _browser() -> Iterator[Browser]:
    # Playwright is the optional `evidence` extra: a production install without it still runs the
    # gateway, so it is imported only when screenshots are asked for.
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ConfigurationError(
            "screenshots need Playwright: pip install 'consent-gateway[evidence]'") from exc
    chromium = shutil.which("chromium")
    if chromium is None:
        raise ConfigurationError("screenshots need Chromium on the PATH (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _render(browser: Browser, base_url: str, config: _Shown) -> dict[str, bytes]:
    """The four pictures of ``config``; GatewayError if the page serves another configuration."""
    pictures: dict[str, bytes] = {}
    gateway_host = urlsplit(base_url).netloc
    for screen, viewport in SCREENS.items():
        context = browser.new_context(viewport=viewport, locale=config.lang, is_mobile=screen == "mobile",
                                      has_touch=screen == "mobile")
        # Nothing leaves the gateway, and a picture is no showing: impressions are not counted.
        context.route("**/*", lambda route: route.abort()
                      if urlsplit(route.request.url).netloc != gateway_host
                      or route.request.url.endswith("/impressions") else route.continue_())
        try:
            page = context.new_page()
            with page.expect_response(lambda r: "/banner?" in r.url) as fetched:
                page.goto(f"{base_url}/demo/{config.site_id}?lang={config.lang}")
            served = fetched.value.json().get("config_hash") if fetched.value.ok else None
            if served != config.config_hash:
                raise GatewayError(f"the demo page served {served!r}, not {config.config_hash!r}")
            # A function, not an expression: polling an expression needs eval, which the page's
            # Content-Security-Policy refuses.
            page.wait_for_function("() => window.IQConsent && true")
            page.evaluate("IQConsent.ready")
            page.locator("#iq-consent .iq-banner").wait_for(state="visible")
            pictures[f"first-{screen}"] = page.screenshot()
            page.evaluate("IQConsent.open()")
            page.get_by_role("dialog").wait_for(state="visible")
            # Let the dialog's opening transition end: the picture is the banner as a visitor sees it.
            page.wait_for_timeout(300)
            pictures[f"preferences-{screen}"] = page.screenshot()
        finally:
            context.close()
    return pictures


def snapshot_png(session: Session, site_id: str, config_hash: str, variant: str) -> bytes | None:
    """The picture of ``config_hash`` (a configuration of ``site_id``) in ``variant``, or None."""
    return session.scalar(
        select(BannerSnapshot.png).join(BannerConfig, BannerConfig.config_hash == BannerSnapshot.config_hash)
        .where(BannerConfig.site_id == site_id, BannerSnapshot.config_hash == config_hash,
               BannerSnapshot.variant == variant))


def snapshots_of(session: Session, hashes: list[str]) -> list[BannerSnapshot]:
    """Every snapshot row of these configurations (pictures and notes), by hash then variant."""
    if not hashes:
        return []
    return list(session.scalars(select(BannerSnapshot).where(BannerSnapshot.config_hash.in_(hashes))
                                .order_by(BannerSnapshot.config_hash, BannerSnapshot.variant)))


def receipt_snapshot_variant(session: Session, config_hash: str) -> str | None:
    """The variant a receipt page shows (the first layer on a desktop), if it was pictured."""
    row = session.get(BannerSnapshot, (config_hash, RECEIPT_VARIANT))
    return row.variant if row is not None and row.png is not None else None
