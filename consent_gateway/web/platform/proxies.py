"""Forwarded headers believed from the proxies ``TRUSTED_PROXIES`` names, and from no one else.

As gunicorn's ``forwarded_allow_ips``: when the peer is a trusted proxy, the client is the
right-most ``X-Forwarded-For`` address that is not itself a trusted proxy (what the outermost
proxy saw), and the scheme and host are the nearest proxy's ``X-Forwarded-Proto``/``-Host``. From any
other peer the ``X-Forwarded-*`` and ``Forwarded`` headers are removed before anything reads them,
so a client that reaches the gateway directly cannot choose its address (rate limits, GeoIP).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class TrustedProxies:
    """WSGI middleware: ``REMOTE_ADDR``, ``wsgi.url_scheme`` and ``HTTP_HOST`` as the trusted
    proxies tell them; forwarded headers from anyone else dropped."""

    def __init__(self, app: Any, networks: Iterable[Network]):
        self.app = app
        self.networks = tuple(networks)

    def trusted(self, address: str | None) -> bool:
        if not self.networks:
            return False
        try:
            ip = ipaddress.ip_address((address or "").strip())
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusted(environ.get("REMOTE_ADDR")):
            self._believe(environ)
        else:
            for name in FORWARDED_HEADERS:
                environ.pop(name, None)
        return self.app(environ, start_response)

    def _believe(self, environ: dict[str, Any]) -> None:
        hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        client = None
        for hop in reversed(hops):
            if not _is_address(hop):
                break  # nothing left of a hop that is not an address can be believed
            client = hop
            if not self.trusted(hop):
                break
        if client is not None:
            environ["REMOTE_ADDR"] = client
        proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            environ["wsgi.url_scheme"] = proto
        host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[-1].strip()
        if host:
            environ["HTTP_HOST"] = host


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
