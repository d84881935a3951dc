"""What the marketing dashboard shows for a period: one card per site, the series behind the
charts, the country and device breakdowns and the fairness audit, all from the same queries as
the API (so the dashboard, its CSV and the API never disagree)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from consent_gateway.declaration import SitesConfig
from consent_gateway.stats.fairness import fairness_audit
from consent_gateway.stats.queries import StatsQuery, consent_stats


def dashboard_figures(session: Session, sites: SitesConfig, query: StatsQuery) -> dict[str, Any]:
    """Cards (with the change of each opt-in rate against the previous period), the daily series,
    the action, country and device breakdowns and the fairness audit of ``query``'s period."""
    site_ids = [query.site_id] if query.site_id else list(sites.sites)
    cards = []
    for site_id in site_ids:
        now = consent_stats(session, sites, replace(query, site_id=site_id, group_by="action"))
        before = consent_stats(session, sites, replace(query.previous(), site_id=site_id,
                                                       group_by="action"))
        figures, previous = now["totals"], before["totals"]
        opt_in = []
        for purpose in now["purposes"]:
            rate = (figures.get("opt_in") or {}).get(purpose["id"])
            old = (previous.get("opt_in") or {}).get(purpose["id"])
            change = round(rate - old, 4) if rate is not None and old is not None else None
            opt_in.append({**purpose, "rate": rate, "change": change})
        cards.append({"site": site_id, "name": sites.sites[site_id].name, "figures": figures,
                      "opt_in": opt_in})
    daily = consent_stats(session, sites, replace(query, group_by="day"))
    return {
        "cards": cards,
        "daily": daily,
        "countries": consent_stats(session, sites, replace(query, group_by="country")),
        "devices": consent_stats(session, sites, replace(query, group_by="device")),
        "fairness": fairness_audit(session, sites, query),
    }
