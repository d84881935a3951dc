"""Country (GeoIP2) and browser family / device class / bot flag (user agent), cached; the browser
family is always one of the names ua-parser knows, never text copied from the agent.

The IP address is only used here, to look the country up; it is never returned or stored.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Protocol

import geoip2.database
import geoip2.errors
from ua_parser import Parser, RegexResolver, load_builtins
from ua_parser.matchers import UserAgentMatcher

# Matched against the lower-cased agent: a case-insensitive alternation is ten times slower.
_BOT = re.compile(r"bot|crawl|spider|slurp|headless|lighthouse|python-requests|curl|wget")
_DESKTOP_OS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "FreeBSD", "Debian"}
_MOBILE_OS = {"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS", "HarmonyOS"}
_TABLET_DEVICE = re.compile(r"ipad|tablet|kindle|nexus (7|9|10)|sm-t\d|tab", re.I)
# ua-parser's name for a browser it does not know; ours too for a name it copied from the agent.
OTHER = "Other"


@lru_cache(maxsize=1)
def _parser() -> Parser:
    """ua-parser's native (``regex`` extra) resolver, built on first use, without its own cache:
    the LRU below caches the whole classification instead."""
    # RegexResolver is typed as optional (None without the `regex` extra, which we pin).
    return Parser(RegexResolver(load_builtins()))  # type: ignore[misc]


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    """ua-parser's known browser families by their case-folded name (see ``ua_families``)."""
    rules = [rule for rule in load_builtins()[0] if isinstance(rule, UserAgentMatcher)]
    return {name.casefold(): name for name in known_families(rules)}


def known_family(family: str | None) -> str | None:
    """``family`` as ua-parser names it when it is one of its known families; ``OTHER`` when it is
    text the parser copied from the user agent (``=HYPERLINK(...)/1 CFNetwork/1`` gives the family
    ``=HYPERLINK(...)``): staff pages and CSV files show names, never what a client typed."""
    if not family or family == OTHER:
        return None
    return _families().get(family.casefold(), OTHER)


@dataclass(frozen=True)
class UserAgentClass:
    # One of ua-parser's known families, "Other" for a name copied from the agent, None for none.
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
    return UserAgentClass(known_family(family), device_class, is_bot)


# ua-parser's known families, read from its own rules. Most rules name the family outright
# (``family: "Chrome Mobile"``); many copy it from the agent (``$1``), where the copied group is a
# list of names (``(Firefox|Iceweasel)``) or anything at all (``^(.{0,200})/(\\d+) CFNetwork``: any
# app's name, or ``=HYPERLINK(...)``). A family is known when a rule names it or when its copied
# group can only match fixed names; what an open group copied is the client's own text.
# Enough for the longest list of names in ua-parser's rules; an open group yields more or none.
MAX_NAMES_PER_RULE = 400


class _Rule(Protocol):
    @property
    def regex(self) -> str: ...
    @property
    def family(self) -> str: ...


def known_families(rules: Iterable[_Rule]) -> set[str]:
    """Every family name ``rules`` can give without copying open text from a user agent."""
    names: set[str] = set()
    for rule in rules:
        if "$" not in rule.family:
            names.add(rule.family)
            continue
        if "$1" not in rule.family or re.search(r"\$[2-9]", rule.family):
            continue
        group = _group(sre_parse.parse(rule.regex), 1)
        matched = _fixed_strings(group) if group is not None else None
        names.update(rule.family.replace("$1", text) for text in matched or ())
    return names


def _group(items: Sequence[Any], number: int) -> Sequence[Any] | None:
    """The parsed body of capture group ``number``."""
    for op, av in items:
        if op is sre.SUBPATTERN:
            if av[0] == number:
                return av[3]
            found = _group(av[3], number)
        elif op is sre.BRANCH:
            found = next((g for b in av[1] if (g := _group(b, number)) is not None), None)
        else:
            continue
        if found is not None:
            return found
    return None


def _fixed_strings(items: Sequence[Any]) -> list[str] | None:
    """Every string ``items`` matches when they are literals, alternatives and character sets of
    literals only; None when they can match open text."""
    outs = [""]
    for op, av in items:
        if op is sre.LITERAL:
            alts = [chr(av)]
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
            alts = [chr(v) for _, v in av]
        elif op is sre.SUBPATTERN:
            alts = _fixed_strings(av[3]) or []
        elif op is sre.BRANCH:
            alts = []
            for branch in av[1]:
                strings = _fixed_strings(branch)
                if strings is None:
                    return None
                alts += strings
        elif op is sre.MAX_REPEAT and av[0] == 0 and av[1] == 1:
            optional = _fixed_strings(av[2])
            if optional is None:
                return None
            alts = ["", *optional]
        else:
            return None
        if not alts:
            return None
        outs = [o + a for o in outs for a in alts]
        if len(outs) > MAX_NAMES_PER_RULE:
            return None
    return outs


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
