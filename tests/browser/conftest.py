"""Real Chromium (Debian's) against the live gateway serving its demo page.

One browser per session, a new context per test; helpers live in browser_support.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is not installed: run `make browser`")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A French visitor, as most of the group's are: pages follow the browser's Accept-Language."""
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def demo_url(live_server: str) -> str:
    return f"{live_server}/demo/demo"


@pytest.fixture
def hosts(page: Page) -> list[str]:
    """Every host:port the page requests, from the first navigation on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(urlparse(request.url).netloc))
    return seen


@pytest.fixture
def verify(client) -> Callable[[str], dict[str, Any]]:
    """Verify a receipt token on the server, as anyone holding it would."""

    def _verify(token: str) -> dict[str, Any]:
        response = client.post("/api/v1/receipts/verify", json={"token": token})
        assert response.status_code == 200
        return response.get_json()

    return _verify


