"""The fairness audit of our own banner: is refusing as easy as accepting, in numbers?

From the ``ui`` of each decision (the layer it was taken on, the time since the banner showed):
the share of refusals and of acceptances taken in one step on the first layer, against those that
needed the preferences, and the median time to refuse against the median time to accept. A site is
flagged when refusing takes measurably more steps or more time than accepting (EDPB guidelines
03/2022 and the CNIL: "as easy to refuse as to accept").
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway.declaration import SitesConfig
from consent_gateway.stats.backlog import catch_up
from consent_gateway.stats.queries import StatsQuery, median_ms
from consent_gateway.stats.rollup import UNKNOWN
from consent_gateway.stats.source import Conditions, rollups
from consent_gateway.stats.suppression import MIN_CELL

REFUSE, ACCEPT = "reject_all", "accept_all"
ONE_STEP = ("first", "close")  # a button of the first layer, or its close button (a refusal)
MORE_STEPS = ("preferences",)
# Refusals may be taken on the first layer this much less often than acceptances before we flag,
# and take this much longer (ratio and absolute) than acceptances.
STEP_GAP = 0.10
TIME_RATIO = 1.25
TIME_GAP_MS = 500


def fairness_audit(session: Session, sites: SitesConfig, query: StatsQuery) -> list[dict[str, Any]]:
    """One entry per site in scope: steps and time for refusing and accepting, and the flags.
    The decisions still in the stats backlog are counted first (and committed)."""
    catch_up(session, sites)
    layers: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    times: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for dimension, target in (("layer", layers), ("ms", times)):
        c = rollups(query.start, query.end, query.site_id, _audited(dimension)).c
        stmt = (select(c.site_id, c.action, c.value, func.sum(c.decisions))
                .group_by(c.site_id, c.action, c.value))
        for site_id, action, value, n in session.execute(stmt):
            if value != UNKNOWN:
                target[site_id][action][value] += int(n)
    site_ids = [query.site_id] if query.site_id else list(sites.sites)
    return [_audit(sid, layers[sid], times[sid]) for sid in site_ids]


def _audited(dimension: str) -> Conditions:
    """The rollup rows the audit reads: refusals and acceptances along ``dimension``."""
    return lambda m: [m.dimension == dimension, m.purpose == "", m.action.in_((REFUSE, ACCEPT))]


def _one_step_share(by_layer: dict[str, int]) -> float | None:
    one = sum(by_layer.get(layer, 0) for layer in ONE_STEP)
    more = sum(by_layer.get(layer, 0) for layer in MORE_STEPS)
    return round(one / (one + more), 4) if one + more else None


def _audit(site_id: str, layers: dict[str, dict[str, int]],
           times: dict[str, dict[str, int]]) -> dict[str, Any]:
    counts = {action: sum(layers[action].values()) for action in (REFUSE, ACCEPT)}
    entry: dict[str, Any] = {"site": site_id, "flags": [], "enough_data": False}
    if min(counts.values()) < MIN_CELL:
        return entry
    refuse_share, accept_share = _one_step_share(layers[REFUSE]), _one_step_share(layers[ACCEPT])
    refuse_ms, accept_ms = median_ms(times[REFUSE]), median_ms(times[ACCEPT])
    entry.update(
        enough_data=True,
        refusals=counts[REFUSE],
        acceptances=counts[ACCEPT],
        refuse_first_layer_share=refuse_share,
        accept_first_layer_share=accept_share,
        refuse_median_ms=refuse_ms,
        accept_median_ms=accept_ms,
    )
    if refuse_share is not None and accept_share is not None and accept_share - refuse_share > STEP_GAP:
        entry["flags"].append("more_steps_to_refuse")
    if (refuse_ms is not None and accept_ms is not None and refuse_ms >= accept_ms * TIME_RATIO
            and refuse_ms - accept_ms >= TIME_GAP_MS):
        entry["flags"].append("longer_to_refuse")
    return entry
