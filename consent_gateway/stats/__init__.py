"""Consent statistics: daily rollups, anonymous impressions, aggregate queries, the fairness audit."""

from consent_gateway.stats.backlog import catch_up, queue_decisions, rebuild
from consent_gateway.stats.export import stats_csv
from consent_gateway.stats.fairness import fairness_audit
from consent_gateway.stats.models import BannerImpressionDaily, ConsentDaily, ConsentMonthly
from consent_gateway.stats.overview import dashboard_figures
from consent_gateway.stats.periods import TIME_GROUPS
from consent_gateway.stats.queries import (
    GROUPS,
    StatsQuery,
    consent_stats,
    parse_comparison,
    parse_date,
    parse_query,
)
from consent_gateway.stats.rollup import (
    count_decision,
    count_decisions,
    count_impression,
    record_impression,
)
from consent_gateway.stats.suppression import MIN_CELL

__all__ = [
    "GROUPS",
    "MIN_CELL",
    "TIME_GROUPS",
    "BannerImpressionDaily",
    "ConsentDaily",
    "ConsentMonthly",
    "StatsQuery",
    "catch_up",
    "consent_stats",
    "count_decision",
    "count_decisions",
    "count_impression",
    "dashboard_figures",
    "fairness_audit",
    "parse_comparison",
    "parse_date",
    "parse_query",
    "queue_decisions",
    "rebuild",
    "record_impression",
    "stats_csv",
]
