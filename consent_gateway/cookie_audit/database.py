"""The Open Cookie Database, shipped in the package (``data/``, Apache-2.0, source in SOURCE.md):
what a cookie or storage key that no vendor declares most likely is (platform, category,
description, usual lifetime).

Read once, lazily, on the first lookup: nothing is read at import time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

DATA_FILE = "open-cookie-database.csv"
_UNIT_DAYS = {
    "second": 1 / 86400, "sec": 1 / 86400, "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24,
    "day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25,
}
_DURATION = re.compile(r"(\d+)\s*(second|sec|minute|min|hour|day|week|month|year)s?\b", re.I)
_SESSION = re.compile(r"\bsession\b", re.I)


@dataclass(frozen=True)
class KnownCookie:
    """One entry of the database. ``wildcard``: ``name`` is a prefix (``_ga_`` names ``_ga_X1``)."""

    name: str
    platform: str
    category: str
    description: str
    domain: str
    retention: str
    controller: str
    wildcard: bool

    def matches(self, name: str) -> bool:
        return name.startswith(self.name) if self.wildcard else name == self.name

    @property
    def retention_days(self) -> float | None:
        """The usual lifetime in days (0 for a session cookie); None when the database's words
        give no figure ("forever", "Varies", a date)."""
        return retention_days(self.retention)

    def describe(self) -> dict[str, str]:
        """What the DPO is told about a cookie the database knows."""
        return {"platform": self.platform, "category": self.category, "description": self.description,
                "retention": self.retention}


def retention_days(words: str) -> float | None:
    """``"2 years"`` is 730.5, ``"30 minutes"`` 0.02, ``"session"`` 0; the longest figure when
    the words give a range ("30 seconds till 1 year"); None when they give none."""
    found = [int(n) * _UNIT_DAYS[unit.lower()] for n, unit in _DURATION.findall(words)]
    if found:
        return max(found)
    return 0.0 if _SESSION.search(words) else None


class CookieDatabase:
    """The entries, with an index by exact name and the wildcard prefixes longest first."""

    def __init__(self, entries: list[KnownCookie]) -> None:
        self.entries = tuple(entries)
        self._exact: dict[str, KnownCookie] = {}
        for entry in entries:
            if not entry.wildcard:
                self._exact.setdefault(entry.name, entry)
        self._prefixes = sorted((e for e in entries if e.wildcard), key=lambda e: -len(e.name))
        self._hosts: dict[str, KnownCookie] = {}
        for entry in entries:
            domain = entry.domain.split(" ")[0].strip().lstrip(".").lower()
            if domain and "." in domain and domain not in self._hosts:
                self._hosts[domain] = KnownCookie(
                    name=domain, platform=entry.platform, category=entry.category,
                    description=f"a host of {entry.platform} ({entry.controller or entry.platform})",
                    domain=domain, retention="", controller=entry.controller, wildcard=False)

    def lookup(self, name: str) -> KnownCookie | None:
        """The entry naming the cookie or storage key ``name``: an exact name first, else the
        longest wildcard prefix it starts with."""
        exact = self._exact.get(name)
        if exact is not None:
            return exact
        return next((e for e in self._prefixes if name.startswith(e.name)), None)

    def lookup_host(self, hostname: str) -> KnownCookie | None:
        """The platform whose cookies the database files under ``hostname`` or a parent domain."""
        parts = hostname.lower().split(".")
        for i in range(len(parts) - 1):
            known = self._hosts.get(".".join(parts[i:]))
            if known is not None:
                return known
        return None

    def platform(self, platform: str) -> list[KnownCookie]:
        return [e for e in self.entries if e.platform == platform]


def parse_database(text: str) -> CookieDatabase:
    """The CSV's rows (columns as published upstream) as a CookieDatabase."""
    entries = []
    for row in csv.DictReader(io.StringIO(text)):
        name = (row.get("Cookie / Data Key name") or "").strip()
        if not name:
            continue
        entries.append(KnownCookie(
            name=name,
            platform=(row.get("Platform") or "").strip(),
            category=(row.get("Category") or "").strip(),
            description=(row.get("Description") or "").strip(),
            domain=(row.get("Domain") or "").strip(),
            retention=(row.get("Retention period") or "").strip(),
            controller=(row.get("Data Controller") or "").strip(),
            wildcard=(row.get("Wildcard match") or "0").strip() == "1",
        ))
    return CookieDatabase(entries)


@lru_cache(maxsize=1)
def cookie_database() -> CookieDatabase:
    """The snapshot shipped in the package, read on first use."""
    data = resources.files("consent_gateway.cookie_audit").joinpath("data", DATA_FILE)
    return parse_database(data.read_text(encoding="utf-8"))
