"""Plain HTTP against a gateway served by gunicorn (bench.servers), for the multi-process tests."""

from __future__ import annotations

import urllib.error
import urllib.request

DEMO_ORIGIN = "http://127.0.0.1:8000"


def call(url: str, *, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def impression(base: str, client: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """One banner impression; ``client`` is the address a trusted proxy says it came from."""
    headers = {"Origin": DEMO_ORIGIN, **({"X-Forwarded-For": client} if client else {})}
    return call(f"{base}/api/v1/sites/demo/impressions", method="POST", headers=headers)
