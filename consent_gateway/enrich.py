"""Country (GeoIP2) and browser family / device class / bot flag (user agent), cached.

The IP address is only used here, to look the country up; it is never returned or stored.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geoip2.database
import geoip2.errors
from ua_parser import Parser, RegexResolver, load_builtins

# Matched against the lower-cased agent: a case-insensitive alternation is ten times slower.
_BOT = re.compile(r"bot|crawl|spider|slurp|headless|lighthouse|python-requests|curl|wget")
_DESKTOP_OS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "FreeBSD", "Debian"}
_MOBILE_OS = {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "HarmonyOS"}
_TABLET_DEVICE = re.compile(r"ipad|tablet|kindle|nexus (7|9|10)|sm-t\d|tab", re.I)


@lru_cache(maxsize=1)
def _parser() -> Parser:
    """ua-parser's native (``regex`` extra) resolver, built on first use, without its own cache:
    the LRU below caches the whole classification instead."""
    # RegexResolver is typed as optional (None without the `regex` extra, which we pin).
    return Parser(RegexResolver(load_builtins()))  # type: ignore[misc]


@dataclass(frozen=True)
class UserAgentClass:
    browser_family: str | None
    device_class: str  # desktop, mobile, tablet, bot, other
    is_bot: bool


@lru_cache(maxsize=4096)
def classify_user_agent(ua: str | None) -> UserAgentClass:
    """Browser family, device class and bot flag of ``ua``.

    ua-parser 1.x with its ``regex`` extra (a native matcher) parses an unseen agent in tens of
    microseconds; the LRU cache makes the common agents free.
    """
    if not ua:
        return UserAgentClass(None, "other", False)
    ua = ua[:512]
    result = _parser().parse(ua)
    family = result.user_agent.family if result.user_agent else None
    device = result.device.family if result.device else ""
    os_family = result.os.family if result.os else ""
    is_bot = device == "Spider" or bool(_BOT.search(ua.lower()))
    if is_bot:
        device_class = "bot"
    elif _TABLET_DEVICE.search(device) or (os_family == "Android" and "Mobile" not in ua):
        device_class = "tablet"
    elif os_family in _MOBILE_OS or "Mobi" in ua:
        device_class = "mobile"
    elif os_family in _DESKTOP_OS:
        device_class = "desktop"
    else:
        device_class = "other"
    return UserAgentClass(family[:50] if family and family != "Other" else None, device_class, is_bot)


class GeoIP:
    """Country lookups in a GeoIP2/GeoLite2 Country or City database; absent file: unknown."""

    def __init__(self, path: Path | None):
        self._path = path
        self._reader: geoip2.database.Reader | None = None
        self._opened = False

    def _open(self) -> geoip2.database.Reader | None:
        self._opened = True
        if self._path is None or not self._path.exists():
            return None
        self._reader = geoip2.database.Reader(str(self._path))
        return self._reader

    def country(self, ip: str | None) -> str | None:
        """ISO country code of ``ip``, or None when unknown or not configured."""
        reader = self._reader if self._opened else self._open()
        if reader is None or not ip:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address.is_private or address.is_loopback:
            return None
        try:
            if "City" in reader.metadata().database_type:
                return reader.city(str(address)).country.iso_code
            return reader.country(str(address)).country.iso_code
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return None

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
