"""Plain HTTP against a live server (the ``live_server`` fixture, or gunicorn from bench/servers.py):
one-shot calls, and a client that is what a browser without JavaScript is (it keeps cookies, reads
every header, and follows no redirect)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

import pytest

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


@dataclass
class Answer:
    status: int
    headers: Message
    body: str

    @property
    def csp(self) -> dict[str, list[str]]:
        policy = self.headers["Content-Security-Policy"]
        return {name: sources for name, *sources in (d.split() for d in policy.split(";"))}

    @property
    def nonce(self) -> str:
        [source] = [s for s in self.csp["script-src"] if s.startswith("'nonce-")]
        return source.removeprefix("'nonce-").removesuffix("'")


class Browser:
    """A client of a live server with a cookie jar, that does not follow redirects."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def get(self, path: str, **headers: str) -> Answer:
        return self.send(urllib.request.Request(self.base + path, headers=headers))

    def post(self, path: str, data: dict | None = None, json_body: object = None, **headers: str) -> Answer:
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode(data or {}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.send(urllib.request.Request(self.base + path, data=body, headers=headers, method="POST"))

    def send(self, req: urllib.request.Request) -> Answer:
        try:
            with self.opener.open(req, timeout=10) as r:
                return Answer(r.status, r.headers, r.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read().decode("utf-8", "replace"))


def csrf(page: str) -> str:
    """The CSRF token of a Flask-WTF form page."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def required(variable: str) -> str:
    """A service CI provides (.ci/run starts PostgreSQL and Redis): missing there is a failure,
    elsewhere a skip."""
    value = os.environ.get(variable, "")
    if not value:
        if os.environ.get("CI"):
            pytest.fail(f"{variable} is not set under CI: .ci/run provides it")
        pytest.skip(f"{variable} is not set")
    return value
