"""``consent-gateway serve --port N`` as a newcomer runs it: its first page says what runs, and its
demo accepts and refuses in real Chromium on that port, in French and in English, at 127.0.0.1 and
at localhost; the files it created are its owner's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import assert_accessible, open_demo, stored, wait_for_receipt
from playwright.sync_api import Browser, expect

from bench.servers import free_port
from tests.conftest import SITES_YAML

WORDS = {
    "fr": {"locale": "fr-FR", "region": "Vos choix sur les cookies", "accept": "Tout accepter",
           "reject": "Tout refuser", "heading": "Cette passerelle de consentement est en service"},
    "en": {"locale": "en-GB", "region": "Your cookie choices", "accept": "Accept all",
           "reject": "Reject all", "heading": "This consent gateway is running"},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """``consent-gateway serve --port PORT`` on a fresh instance folder, under a usual umask."""
    instance = tmp_path_factory.mktemp("served") / "instance"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSENT_GATEWAY_")}
    env.update(CONSENT_GATEWAY_INSTANCE_PATH=str(instance), CONSENT_GATEWAY_SITES=str(SITES_YAML))
    command = [str(Path(sys.executable).with_name("consent-gateway")), "serve", "--port", str(port),
               "--workers", "1"]
    printed = instance.parent / "printed.txt"
    with printed.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL, umask=0o022)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("consent-gateway serve did not start") from None
                time.sleep(0.3)
        assert f"Consent gateway on http://127.0.0.1:{port}/" in printed.read_text(encoding="utf-8")
        yield port, instance
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_demo_accepts_and_refuses_on_any_port(browser: Browser, served, lang: str, host: str) -> None:
    port, _ = served
    words = WORDS[lang]
    for action, button in (("accept_all", words["accept"]), ("reject_all", words["reject"])):
        context = browser.new_context(locale=words["locale"])
        page = context.new_page()
        open_demo(page, f"http://{host}:{port}/demo/demo")
        assert page.evaluate("document.documentElement.lang") == lang
        region = page.get_by_role("region", name=words["region"])
        region.get_by_role("button", name=button, exact=True).click()
        decision = wait_for_receipt(page)
        expect(region).to_have_count(0)
        assert decision["token"] and stored(context) is not None
        with urllib.request.urlopen(urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/receipts/verify", method="POST",
                data=f'{{"token": "{decision["token"]}"}}'.encode(),
                headers={"Content-Type": "application/json"})) as answer:
            verified = answer.read().decode()
        assert '"valid":true' in verified.replace(" ", "") and action in verified
        context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_first_page_shows_what_runs_in_the_browsers_language(browser: Browser, served, lang: str) -> None:
    port, _ = served
    context = browser.new_context(locale=WORDS[lang]["locale"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[lang]["heading"])
    assert page.evaluate("document.documentElement.lang") == lang
    page.get_by_role("link", name="Démo iQera", exact=False).first.click()
    page.wait_for_function("() => window.IQConsent && true")
    assert page.url.startswith(f"http://127.0.0.1:{port}/demo/demo")
    page.goto(f"http://127.0.0.1:{port}/")
    assert_accessible(page)
    assert errors == []  # nothing refused by the Content-Security-Policy
    context.close()


def test_what_serve_created_is_its_owners_only(served) -> None:
    _, instance = served
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    for path in instance.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert {"consent.db", "secret_key", "pii_key", "receipt_key", "ratelimits.db"} <= {
        p.name for p in instance.iterdir()}
