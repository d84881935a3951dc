"""Helpers for the stats tests: post decisions as a site's banner would, count raw events."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import ConsentEvent

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Safari/605.1.15")
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def today() -> date:
    """Today when the test runs, not when its module was collected (a run may cross midnight)."""
    return datetime.now(UTC).date()


def opt_in_purposes(sites, site_id: str) -> list[str]:
    """Refusable purposes of a site, read from the declaration as the banner would."""
    return [p.id for p in sites.site_purposes(sites.sites[site_id]) if p.consent_based and not p.required]


class Poster:
    """POSTs decisions for any declared site from its first declared origin."""

    def __init__(self, client, sites):
        self.client, self.sites, self.n = client, sites, 0

    def __call__(self, site_id: str, action: str, *, ua: str = CHROME, ui: dict | None = None,
                 gpc: bool = False, choices: dict | None = None,
                 vendors: dict | None = None) -> dict[str, Any]:
        site = self.sites.sites[site_id]
        shown = self.sites.banner_config(site, site.default_language)
        body: dict[str, Any] = {"action": action, "choices": choices or {}, "lang": site.default_language,
                                "policy_version": site.policy_version, "config_hash": shown["config_hash"],
                                "gpc": gpc}
        if ui:
            body["ui"] = ui
        if vendors is not None:
            body["vendors"] = vendors
        self.n += 1
        # A new client address every few posts keeps the consent endpoint's per-client limit away.
        r = self.client.post(f"/api/v1/sites/{site_id}/consents", json=body,
                             headers={"Origin": site.origins[0], "User-Agent": ua},
                             environ_base={"REMOTE_ADDR": f"10.0.{self.n // 50}.{self.n % 50 + 1}"})
        assert r.status_code == 201, r.get_json()
        return r.get_json()


def raw_counts(session: Session, sites, start: date, end: date, key) -> dict[str, dict[str, Any]]:
    """The figures computed independently from every raw event: per group ``key(event)``."""
    groups: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "decisions": 0, "actions": Counter(), "gpc": 0, "bots": 0, "granted": Counter(), "asked": Counter()})
    for e in session.scalars(select(ConsentEvent)):
        if not start <= e.created_at.date() <= end:
            continue
        g = groups[key(e)]
        if e.is_bot:
            g["bots"] += 1
            continue
        g["decisions"] += 1
        g["actions"][e.action] += 1
        g["gpc"] += e.gpc
        if e.action != "withdraw":
            for p in opt_in_purposes(sites, e.site_id):
                g["asked"][p] += 1
                g["granted"][p] += bool(e.choices.get(p))
    return groups


def sign_in_dashboard(client, token: str) -> None:
    """Sign ``client`` in to the dashboard with a staff token, through the CSRF-protected form."""
    import re

    page = client.get("/dashboard/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/dashboard/sign-in", data={"csrf_token": csrf, "token": token}).status_code == 302
