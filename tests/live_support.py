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


def impression(base: str) -> tuple[int, dict[str, str], bytes]:
    return call(f"{base}/api/v1/sites/demo/impressions", method="POST", headers={"Origin": DEMO_ORIGIN})
