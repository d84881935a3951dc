"""A local group site for the tracker scan, with problems planted on purpose, and the gateway its
pages embed: both on free ports of 127.0.0.1, the site under ``shop.localhost`` (Chromium resolves
every ``*.localhost`` to the loopback), its "vendors" under other ``*.localhost`` names.

Planted (each can be switched off, to check a second scan resolves it):
- ``analytics_before_choice``: a first-party analytics cookie (``shop_stats``, declared under the
  shop_stats vendor) set by an ungated tag before any choice;
- ``call_after_refusal``: a tag that calls the analytics vendor's host after a refusal;
- ``undeclared_after_accept``: GTM's conversion linker setting ``_gcl_au`` once marketing is
  granted, while the site does not list the catalogue's google_ads vendor;
- ``long_cookie``: the ads vendor's ``shop_ads_id`` set for 25 months (declared 395 days);
- the chat vendor, declared with its host and cookie, never loaded at all.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from declaration_support import fixture_declaration, write
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from consent_gateway.cli import main

PLANTED = ("analytics_before_choice", "call_after_refusal", "undeclared_after_accept", "long_cookie")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def declaration(tmp_path: Path, gateway_port: int, shop_port: int, pages: int = 2) -> Path:
    """The tests' sites.yaml plus the shop and its vendors; the demo site served where the test's
    gateway listens (its scan page is the gateway's own demo page)."""
    data = fixture_declaration()
    gateway = f"http://127.0.0.1:{gateway_port}"
    shop = f"http://shop.localhost:{shop_port}"
    data["sites"]["demo"]["origins"] = [gateway]
    data["sites"]["demo"]["scan"] = {"pages": [f"{gateway}/demo/demo"]}
    vendor = {"provider": "Shop Ltd", "country": "FR", "privacy_url": f"{shop}/privacy"}
    data["vendors"].update(
        {
            "shop_stats": {
                **vendor,
                "name": "Shop Stats",
                "purpose": "audience_measurement",
                "hosts": ["stats.localhost"],
                "cookies": [{"name": "shop_stats", "domain": "first_party", "duration_days": 395}],
            },
            "shop_ads": {
                **vendor,
                "name": "Shop Ads",
                "purpose": "marketing",
                "hosts": ["ads.localhost"],
                "cookies": [{"name": "shop_ads_id", "domain": "first_party", "duration_days": 395}],
            },
            "shop_chat": {
                **vendor,
                "name": "Shop Chat",
                "purpose": "marketing",
                "hosts": ["chat.localhost"],
                "cookies": [{"name": "chat_visitor", "domain": "first_party", "duration_days": 30}],
            },
        }
    )
    site = dict(data["sites"]["mcs"])
    site.pop("contact", None)
    site.pop("demo_tags", None)
    site.update(
        name="Boutique",
        origins=[shop],
        origins_confirmed=True,
        languages=["fr", "en"],
        purposes=["strictly_necessary", "audience_measurement", "marketing"],
        vendors=["iqera", "shop_stats", "shop_ads", "shop_chat"],
        scan={"pages": [f"{shop}/", *[f"{shop}/page-{i}" for i in range(1, pages)]]},
    )
    data["sites"]["shop"] = site
    return write(tmp_path, data)


def _page(gateway: str, port: int, planted: dict[str, bool]) -> str:
    tags = []
    if planted["analytics_before_choice"]:
        tags.append(
            "if (!document.cookie.includes('iq_consent=')) "
            "document.cookie = 'shop_stats=1; max-age=2592000; path=/';"
        )
    if planted["call_after_refusal"]:
        tags.append(
            "document.addEventListener('iqconsent:change', function () {"
            " if (!IQConsent.has('audience_measurement'))"
            f" new Image().src = 'http://stats.localhost:{port}/hit.gif'; }});"
        )
    ads_days = 760 if planted["long_cookie"] else 300
    gated = [
        f"new Image().src = 'http://ads.localhost:{port}/px.gif';",
        f"document.cookie = 'shop_ads_id=a1; max-age={ads_days * 86400}; path=/';",
    ]
    if planted["undeclared_after_accept"]:
        gated.append("document.cookie = '_gcl_au=1.1.123; max-age=7776000; path=/';")
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title>
<script src="{gateway}/banner/v1/sites/shop/consent.js" async></script>
<script>{" ".join(tags)}</script>
<script type="text/plain" data-consent="marketing">{" ".join(gated)}</script>
</head><body><h1>Boutique</h1><p style="height: 2000px">Bienvenue.</p></body></html>"""


@contextmanager
def served_shop(port: int, gateway: str, planted: dict[str, bool]) -> Iterator[str]:
    """The shop and its vendors' hosts (every *.localhost name lands here); ``planted`` is read
    on every request, so a test fixes a problem by switching it off."""

    @Request.application
    def app(request: Request) -> Response:
        host = (request.host or "").split(":")[0]
        if host == "shop.localhost" and request.path == "/no-banner":
            return Response("<!doctype html><title>Plain</title><p>Rien.</p>", content_type="text/html")
        if host == "shop.localhost" and request.path == "/gone":
            return Response(
                "<!doctype html><title>Gone</title><p>Introuvable.</p>", status=404, content_type="text/html"
            )
        if host == "shop.localhost" and request.path != "/favicon.ico":
            return Response(_page(gateway, port, planted), content_type="text/html; charset=utf-8")
        if request.path.endswith(".gif"):
            return Response(b"GIF89a", content_type="image/gif")
        return Response("", status=404)

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://shop.localhost:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def run_scan(settings: Any, sites_path: Path, gateway: str, *args: str) -> Result:
    env = {
        "CONSENT_GATEWAY_DATABASE_URL": settings.database_url,
        "CONSENT_GATEWAY_SITES": str(sites_path),
        "CONSENT_GATEWAY_INSTANCE_PATH": str(settings.instance_path),
        "CONSENT_GATEWAY_SECRET_KEYS": ",".join(settings.secret_keys),
        "CONSENT_GATEWAY_PII_KEYS": ",".join(settings.pii_keys),
        "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys),
        "CONSENT_GATEWAY_PUBLIC_URL": gateway,
    }
    return CliRunner().invoke(main, ["scan", *args], env=env)
