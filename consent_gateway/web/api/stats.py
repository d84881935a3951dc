"""Stats endpoints: the staff figures (JSON or CSV) and the banner's anonymous impression count."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from consent_gateway import stats
from consent_gateway.db import get_session, utcnow
from consent_gateway.errors import ValidationError
from consent_gateway.web.auth import require_role
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import GPC_ANSWER, check_origin, gpc_header, preflight, site_or_404, with_cors
from consent_gateway.web.platform.limits import IMPRESSIONS_PER_CLIENT, IMPRESSIONS_PER_NETWORK, limited

bp = Blueprint("stats", __name__, url_prefix="/api/v1")

bp.after_request(with_cors)


@bp.get("/stats/consents")
@require_role("marketing", "dpo")
def consent_figures():
    """Aggregates for a site and period; ``format=csv`` for a spreadsheet."""
    gw = gateway()
    output = request.args.get("format", "json")
    if output not in ("json", "csv"):
        raise ValidationError("format must be json or csv", field="format")
    query = stats.parse_query(gw.sites, request.args, utcnow().date())
    comparison = stats.parse_comparison(request.args, query)
    report = stats.consent_stats(get_session(), gw.sites, query)
    if output == "csv":
        name = f"consent-stats-{query.site_id or 'all'}-{query.start}-{query.end}-{query.group_by}.csv"
        return Response(stats.stats_csv(report), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    report["fairness"] = stats.fairness_audit(get_session(), gw.sites, query)
    if comparison is not None:
        # The totals are the same whatever the breakdown: the other period's, side by side.
        other = stats.consent_stats(get_session(), gw.sites, comparison)
        report["compare"] = {"from": other["from"], "to": other["to"], "totals": other["totals"]}
    return jsonify(report)


@bp.route("/sites/<site_id>/impressions", methods=["OPTIONS"])
def impressions_preflight(site_id: str):
    return preflight(site_or_404(site_id))


@bp.post("/sites/<site_id>/impressions")
@limited(IMPRESSIONS_PER_CLIENT)
@limited(IMPRESSIONS_PER_NETWORK)
def count_impression(site_id: str):
    """One showing of the first layer. Nothing is read from or written to the visitor's device,
    and nothing about the request is kept but the day and the site."""
    site = site_or_404(site_id)
    check_origin(site)
    stats.record_impression(get_session(), site.id, utcnow())
    # A Sec-GPC header the page's script cannot see (sent by an extension or a proxy, without
    # navigator.globalPrivacyControl): the banner learns here that the gateway honours it. A POST
    # answer is never cached, so no Vary is needed.
    return Response(status=204, headers={GPC_ANSWER: "1"} if gpc_header() else {})
