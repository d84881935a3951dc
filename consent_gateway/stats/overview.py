"""What the marketing dashboard shows for a period: one card per site, the series behind the
charts (by day, week or month), the country, device and vendor breakdowns, the sites ranked by
opt-in for a purpose, a comparison with another period and the fairness audit, all from the same
queries as the API (so the dashboard, its CSV and the API never disagree)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from consent_gateway.declaration import SitesConfig
from consent_gateway.stats.fairness import fairness_audit
from consent_gateway.stats.queries import StatsQuery, consent_stats
from consent_gateway.stats.rollup import opt_in_purposes

# The figures of the comparison table, in order: (id, kind); counts and rates compare differently.
COMPARED = (("decisions", "count"), ("impressions", "count"), ("no_choice", "count"),
            ("response_rate", "rate"), ("gpc_share", "rate"), ("median_ms", "ms"))


def _change(now: float | None, then: float | None) -> float | None:
    return round(now - then, 4) if now is not None and then is not None else None


def dashboard_figures(session: Session, sites: SitesConfig, query: StatsQuery,
                      comparison: StatsQuery | None = None,
                      rank_purpose: str | None = None) -> dict[str, Any]:
    """The dashboard of ``query`` (its ``group_by`` is the series' period: day, week or month),
    compared with ``comparison`` (the previous period of the same length when None), sites ranked
    by opt-in for ``rank_purpose`` (the first purpose when None)."""
    comparison = comparison or query.previous()
    # Every site, whatever the site chosen: the ranking compares them; the cards show the chosen.
    timings: dict[tuple[Any, ...], dict[str, int]] = {}
    by_site = consent_stats(session, sites, replace(query, site_id=None, group_by="site"), timings)
    before = consent_stats(session, sites, replace(comparison, group_by="site"), timings)
    series = consent_stats(session, sites, query, timings)
    earlier = {row["key"]: row for row in before["rows"]}
    cards = []
    for row in by_site["rows"]:
        site_id = row["key"]
        if query.site_id and site_id != query.site_id:
            continue
        opt_in = []
        for purpose in by_site["purposes"]:
            if purpose["id"] not in opt_in_purposes(sites, site_id):
                continue
            rate = row["opt_in"][purpose["id"]]
            old = earlier[site_id]["opt_in"][purpose["id"]] if site_id in earlier else None
            opt_in.append({**purpose, "rate": rate, "change": _change(rate, old)})
        cards.append({"site": site_id, "name": sites.sites[site_id].name, "figures": row, "opt_in": opt_in})
    purposes = [p["id"] for p in series["purposes"]]
    rank_purpose = rank_purpose if rank_purpose in purposes else (purposes[0] if purposes else None)
    return {
        "cards": cards,
        "series": series,
        "countries": consent_stats(session, sites, replace(query, group_by="country"), timings),
        "devices": consent_stats(session, sites, replace(query, group_by="device"), timings),
        "vendors": consent_stats(session, sites, replace(query, group_by="vendor"), timings),
        "ranking": {"purpose": rank_purpose, "rows": _ranking(sites, by_site, rank_purpose)},
        "comparison": _comparison(series, before, comparison),
        "fairness": fairness_audit(session, sites, query),
        "bots_excluded": series["bots_excluded"],
    }


def _ranking(sites: SitesConfig, by_site: dict[str, Any], purpose: str | None) -> list[dict[str, Any]]:
    """The sites that ask for ``purpose``, highest opt-in first; hidden rates last."""
    if purpose is None:
        return []
    rows = [{"site": row["key"], "name": sites.sites[row["key"]].name, "decisions": row["decisions"],
             "rate": row["opt_in"][purpose]}
            for row in by_site["rows"] if purpose in opt_in_purposes(sites, row["key"])]
    rows.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["rate"] is not None else None
    return rows


def _comparison(now: dict[str, Any], then: dict[str, Any], period: StatsQuery) -> dict[str, Any]:
    """The totals of two periods side by side, with the change of each figure."""
    a, b = now["totals"], then["totals"]
    rows = [{"id": name, "kind": kind, "now": a[name], "then": b[name], "change": _change(a[name], b[name])}
            for name, kind in COMPARED]
    for p in now["purposes"]:
        rate, old = a["opt_in"][p["id"]], b["opt_in"].get(p["id"])
        rows.append({"id": f"opt_in:{p['id']}", "label": p["label"], "kind": "rate", "now": rate,
                     "then": old, "change": _change(rate, old)})
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "rows": rows}
