"""What the scan's browser saw on one page in one state: plain data, no Playwright types."""

from __future__ import annotations

from dataclasses import dataclass, field

# The three visits of each page, each in a fresh browser context.
BEFORE, REFUSED, ACCEPTED = "before", "refused", "accepted"
STATES = (BEFORE, REFUSED, ACCEPTED)


@dataclass(frozen=True)
class SeenCookie:
    name: str
    domain: str
    path: str
    # Days from the visit to its expiry; None for a session cookie.
    lifetime_days: float | None
    first_party: bool
    http_only: bool
    same_site: str
    # The lifetime the page asked for when it wrote the cookie from script (Chromium stores at
    # most 400 days); None when it came from a Set-Cookie header or asked for none.
    asked_days: float | None = None

    @property
    def lifetime(self) -> float | None:
        """The longer of what the page asked for and what the browser kept."""
        known = [d for d in (self.lifetime_days, self.asked_days) if d is not None]
        return max(known) if self.lifetime_days is not None and known else self.lifetime_days

    def evidence(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "path": self.path,
            "lifetime_days": None if self.lifetime is None else round(self.lifetime, 1),
            "stored_days": None if self.lifetime_days is None else round(self.lifetime_days, 1),
            "party": "first" if self.first_party else "third",
            "http_only": self.http_only,
            "same_site": self.same_site,
        }


@dataclass(frozen=True)
class SeenKey:
    name: str
    storage: str  # "localStorage" or "sessionStorage"


@dataclass(frozen=True)
class SeenRequest:
    host: str  # host:port as requested
    hostname: str
    url: str
    resource_type: str
    initiator: str | None


@dataclass
class PageVisit:
    """One page in one state. ``problem`` says why the visit could not be made as asked (the page
    did not answer, carries no banner): the scan reports it instead of crashing."""

    page: str
    state: str
    cookies: list[SeenCookie] = field(default_factory=list)
    keys: list[SeenKey] = field(default_factory=list)
    requests: list[SeenRequest] = field(default_factory=list)
    problem: str | None = None
