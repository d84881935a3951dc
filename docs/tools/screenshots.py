"""Take the guides' screenshots from the running product, in Debian's Chromium (Playwright).

    .venv/bin/python docs/tools/screenshots.py [--out docs/images]

A gateway on the shipped sites.yaml, a scratch SQLite database and fresh keys is served on a free
port of 127.0.0.1; synthetic decisions, a few rights requests, two applications to the careers
site and staff tokens are written to it, and the demo page is scanned for trackers once (the real
scanner, in Chromium); then each page a guide shows is opened as its reader would (signed in with
their token) and pictured at 1280x800, in French. Nothing is kept but the pictures.
"""

from __future__ import annotations

import argparse
import io
import re
import secrets
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.orm import Session

from consent_gateway import contact, create_app, rights, scan
from consent_gateway.cli.local_server import served_locally
from consent_gateway.consent.ledger import seal_ledger
from consent_gateway.db import utcnow
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
    "dpo-timeline": "the DPO's timeline of a visitor, found from their receipt token",
    "dpo-scans": "the DPO's Scans page after a tracker scan of the demo page",
    "careers-form": "the careers site's application form",
    "recruiting-inbox": "a recruiter's inbox of applications",
    "recruiting-application": "one application, with its files, status and notes",
}
CANDIDATES = [
    {"surname": "Okafor-Lambert", "first_name": "Noémie", "email": "noemie.okafor@example.fr",
     "city": "Lyon", "message": "Candidature au poste de chargée de recouvrement amiable."},
    {"surname": "Lefèvre", "first_name": "Thomas", "email": "thomas.lefevre@example.fr",
     "city": "Lille", "message": "Candidature spontanée (gestion de contentieux)."},
]
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
        tokens = {"marketing": create_token(session, "marketing", "Marie"),
                  "dpo": create_token(session, "dpo", "Claire"),
                  "recruiter": create_token(session, "recruiter", "Rita", "careers")}
    _apply(app)
    return tokens


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, "PDF")
    return out.getvalue()


def _apply(app: Flask) -> None:
    """Two applications sent to the careers site as its own form sends them (from its origin)."""
    careers = app.extensions["gateway"].sites.sites["careers"]
    client = app.test_client()
    for candidate in CANDIDATES:
        data = {**candidate, "cv": (io.BytesIO(_pdf()), f"CV {candidate['first_name']}.pdf")}
        answer = client.post("/api/v1/sites/careers/contact", data=data, content_type="multipart/form-data",
                             headers={"Origin": careers.origins[0]})
        if answer.status_code != 201:
            raise SystemExit(f"the careers form refused a sample application: {answer.get_json()}")


def _seal(app: Flask) -> None:
    with Session(app.extensions["db_engine"]) as session:
        seal_ledger(session, app.extensions["gateway"].receipt_keys, settle=timedelta(0))


def _scan_demo(app: Flask, url: str) -> None:
    """A real tracker scan of the demo page (Chromium), stored like `consent-gateway scan` stores it.
    It runs before this script's own Playwright starts: the scanner drives an asyncio Chromium."""
    gw = app.extensions["gateway"]
    site = gw.sites.sites["demo"]
    plan = scan.plan_for(gw.sites, site, url, (f"{url}/demo/demo",))
    with Session(app.extensions["db_engine"]) as session:
        scan.run_scan(session, gw.sites, site, plan, utcnow())


def _shoot(page: Page, out: Path, name: str, top: str | None = None) -> None:
    """The viewport, scrolled to put ``top`` (a selector) at its top when the page is longer."""
    page.wait_for_load_state("networkidle")
    if top is not None:
        page.locator(top).first.evaluate("e => scrollTo(0, e.getBoundingClientRect().top + scrollY - 16)")
    page.screenshot(path=str(out / f"{name}.png"))


def _sign_in(page: Page, url: str, token: str) -> None:
    page.goto(url)
    page.locator("input[name=token]").fill(token)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def take(out: Path) -> list[Path]:
    """Every picture of PICTURES, written into ``out``; the paths written."""
    if shutil.which("chromium") is None:
        raise SystemExit("Chromium is not installed: run `make browser`")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gateway-screenshots-") as scratch:
        settings = _settings(Path(scratch))
        upgrade(settings.database_url)
        app = create_app(settings)
        tokens = _seed(app)
        with served_locally(app) as url:
            _scan_demo(app, url)
            _pictures(app, url, tokens, out)
        app.extensions["db_engine"].dispose()
    return [out / f"{name}.png" for name in PICTURES]


def _pictures(app: Flask, url: str, tokens: dict[str, str], out: Path) -> None:
    """Each page of PICTURES opened as its reader opens it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
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

        _seal(app)  # as cron's `ledger seal` would, so the timeline shows the receipt's inclusion
        page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
        _sign_in(page, f"{url}/dpo/sign-in", tokens["dpo"])
        _shoot(page, out, "dpo-requests")
        page.locator("a[href*='/dpo/requests/']").first.click()
        _shoot(page, out, "dpo-request")
        page.goto(f"{url}/dpo/proof")
        page.locator("input[name=q]").fill(token)
        page.locator("input[name=q]").press("Enter")
        _shoot(page, out, "dpo-timeline", top="#t-title")
        page.goto(f"{url}/dpo/scans/")
        _shoot(page, out, "dpo-scans")
        page.goto(f"{url}/dpo/access-log")
        _shoot(page, out, "dpo-access-log")

        page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
        _sign_in(page, f"{url}/recruiting/sign-in", tokens["recruiter"])
        page.locator("a[href*='/recruiting/applications/']").last.click()
        page.wait_for_load_state("networkidle")
        page.locator("#f-status").select_option("in_review")
        page.get_by_role("button", name="Enregistrer le statut").click()
        page.wait_for_load_state("networkidle")
        page.locator("#f-note").fill("Profil solide en recouvrement amiable : entretien proposé mardi.")
        page.get_by_role("button", name="Ajouter la note").click()
        _shoot(page, out, "recruiting-application", top="h2")
        page.goto(f"{url}/recruiting/")
        _shoot(page, out, "recruiting-inbox")
        browser.close()


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
