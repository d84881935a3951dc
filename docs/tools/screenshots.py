"""Take the guides' screenshots from the running product, in Debian's Chromium (Playwright).

    .venv/bin/python docs/tools/screenshots.py [--out docs/images]

A gateway on the shipped sites.yaml, a scratch SQLite database and fresh keys is served on a free
port of 127.0.0.1; synthetic decisions, a few rights requests and staff tokens are written to it;
then each page a guide shows is opened as its reader would (signed in with their token) and
pictured at 1280x800, in French. Nothing is kept but the pictures.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from consent_gateway import contact, create_app, rights
from consent_gateway.db.migrate import upgrade
from consent_gateway.settings import PROJECT_ROOT, Settings, generate_receipt_key
from consent_gateway.staff import create_token
from consent_gateway.stats.demo import seed_decisions

IMAGES = PROJECT_ROOT / "docs" / "images"
VIEWPORT = {"width": 1280, "height": 800}
# Each picture a guide shows: its file name (without .png) and what it is.
PICTURES = {
    "home": "the first page of a running gateway",
    "demo-banner": "the demo site's banner, first layer",
    "receipt-page": "a visitor's receipt page",
    "dashboard-sign-in": "marketing's sign-in",
    "dashboard": "marketing's consent statistics",
    "dpo-requests": "the DPO's list of rights requests",
    "dpo-request": "one rights request, decrypted, with its deadline",
    "dpo-access-log": "the access log",
    "careers-form": "the careers site's application form",
}
REQUESTS = [
    ("access", rights.RequestDetails(name="Camille Durand", email="camille.durand@example.fr",
                                     message="Je souhaite recevoir une copie de mes données.")),
    ("erasure", rights.RequestDetails(name="Jean Martin", email="jean.martin@example.fr",
                                      message="Merci d'effacer mes coordonnées.")),
]


def _settings(folder: Path) -> Settings:
    return Settings(instance_path=folder, sites_path=PROJECT_ROOT / "sites.yaml",
                    database_url=f"sqlite:///{folder / 'consent.db'}",
                    secret_keys=(secrets.token_urlsafe(48),), pii_keys=(Fernet.generate_key().decode(),),
                    receipt_keys=(generate_receipt_key(),), ratelimit_enabled=False)


def _seed(app: Flask) -> dict[str, str]:
    """Decisions over 60 days, two rights requests, and a token for each staff role shown."""
    gw = app.extensions["gateway"]
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        seed_decisions(session, gw.sites, 4000, days=60, seed=7)
        for kind, details in REQUESTS:
            rights.submit_request(session, gw.signer, contact.cipher_for(gw.settings.pii_keys),
                                  gw.sites.sites["iqera"], kind, details, lang="fr")
        return {"marketing": create_token(session, "marketing", "Marie (marketing)"),
                "dpo": create_token(session, "dpo", "Claire (DPO)")}


@contextmanager
def _served(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    gw = app.extensions["gateway"]
    gw.settings = app.extensions["settings"] = replace(gw.settings, public_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _shoot(page: Page, out: Path, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / f"{name}.png"))


def _sign_in(page: Page, url: str, token: str) -> None:
    page.goto(url)
    page.locator("input[name=token]").fill(token)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def take(out: Path) -> list[Path]:
    """Every picture of PICTURES, written into ``out``; the paths written."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Chromium is not installed: run `make browser`")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gateway-screenshots-") as scratch:
        settings = _settings(Path(scratch))
        upgrade(settings.database_url)
        app = create_app(settings)
        tokens = _seed(app)
        with _served(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
            page.goto(f"{url}/")
            _shoot(page, out, "home")
            page.goto(f"{url}/demo/iqera")
            page.wait_for_function("() => window.IQConsent && true")
            page.get_by_role("region").first.wait_for()
            _shoot(page, out, "demo-banner")
            page.get_by_role("button", name="Tout accepter", exact=True).click()
            page.wait_for_function("() => IQConsent.get() && IQConsent.get().token")
            token = page.evaluate("IQConsent.get().token")
            page.goto(f"{url}/privacy/iqera/receipts/{token}")
            _shoot(page, out, "receipt-page")
            page.goto(f"{url}/privacy/careers/contact")
            _shoot(page, out, "careers-form")

            page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
            page.goto(f"{url}/dashboard/sign-in")
            _shoot(page, out, "dashboard-sign-in")
            _sign_in(page, f"{url}/dashboard/sign-in", tokens["marketing"])
            _shoot(page, out, "dashboard")

            page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
            _sign_in(page, f"{url}/dpo/sign-in", tokens["dpo"])
            _shoot(page, out, "dpo-requests")
            page.locator("a[href*='/dpo/requests/']").first.click()
            _shoot(page, out, "dpo-request")
            page.goto(f"{url}/dpo/access-log")
            _shoot(page, out, "dpo-access-log")
            browser.close()
        app.extensions["db_engine"].dispose()
    return [out / f"{name}.png" for name in PICTURES]


def referenced(markdown: str) -> set[str]:
    """The picture names a guide shows (``images/NAME.png``)."""
    return set(re.findall(r"images/([a-z0-9-]+)\.png", markdown))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMAGES)
    args = parser.parse_args(argv)
    for path in take(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
