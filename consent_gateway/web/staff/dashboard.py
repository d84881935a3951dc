"""The marketing dashboard: figures, charts, CSV, for a marketing, dpo or admin staff token.

Sign-in, sign-out, the staff session cookie and its idle expiry are ``web.signin``'s, as for the
DPO's workspace; the language is the staff pages' (``?lang=``, else the browser's, see ``web.i18n``)
and the UI strings are the gettext catalogue's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from consent_gateway import stats
from consent_gateway.db import get_session, utcnow
from consent_gateway.errors import GatewayError, ValidationError
from consent_gateway.web.extensions import gateway
from consent_gateway.web.platform.credentials import TooManyAttempts, counts_failures
from consent_gateway.web.staff import charts, labels
from consent_gateway.web.staff.numbers import Numbers
from consent_gateway.web.staff.signin import SignInForm, require_signed_in, safe_next, sign_in, sign_out

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
ROLES = ("marketing", "dpo", "admin")
ACTION_LABELS = {
    "accept_all": _l("Accept all"),
    "reject_all": _l("Reject all"),
    "custom": _l("Custom"),
    "withdraw": _l("Withdrawal"),
}
signed_in = require_signed_in(*ROLES, sign_in_endpoint="dashboard.sign_in_page")


@bp.context_processor
def _layout() -> dict:
    return {"lang": str(get_locale()), "ui_languages": current_app.extensions["ui_languages"],
            "action_labels": ACTION_LABELS}


def _asked_lang() -> str | None:
    """The ``?lang=`` asked, carried over redirects (the dashboard keeps no language in the session)."""
    return request.args.get("lang") or None


@bp.route("/sign-in", methods=["GET", "POST"])
@counts_failures
def sign_in_page():
    form = SignInForm()
    error, retry_after = None, None
    if form.validate_on_submit():
        try:
            if sign_in(form.token.data or "", ROLES) is not None:
                return redirect(safe_next(request.args.get("next"),
                                          url_for("dashboard.overview", lang=_asked_lang())))
            error = "invalid"
        except TooManyAttempts as exc:
            error, retry_after = "throttled", exc.retry_after
    elif request.method == "POST":
        # An empty token reads as an invalid one; only a missing or stale CSRF token says so.
        error = "csrf" if "csrf_token" in form.errors else "invalid"
    status = 429 if retry_after else 401 if error else 200
    page = render_template("staff/dashboard/sign_in.html", form=form, error=error,
                           minutes=-(-(retry_after or 0) // 60), expired=request.args.get("expired") == "1")
    return page, status, {"Retry-After": str(retry_after)} if retry_after else {}


@bp.post("/sign-out")
def sign_out_page():
    if FlaskForm().validate_on_submit():
        sign_out()
    return redirect(url_for("dashboard.sign_in_page", lang=_asked_lang()))


FILTERS = ("site", "from", "to", "group_by", "compare_from", "compare_to", "purpose")


def _query(group_by: str = "day") -> stats.StatsQuery:
    args = {k: request.args.get(k) for k in ("site", "from", "to")}
    return stats.parse_query(gateway().sites, {**args, "group_by": group_by}, utcnow().date())


def _series_period() -> str:
    """The period of the dashboard's series: day, week or month (the other breakdowns have their
    own tables)."""
    period = request.args.get("group_by") or "day"
    if period not in stats.TIME_GROUPS:
        raise ValidationError("group_by must be day, week or month", field="group_by", code="unknown_group")
    return period


@bp.get("")
@bp.get("/")
@signed_in
def overview():
    """The overview of a period: cards, series by day, week or month with their tables, the
    breakdowns, per-vendor opt-in, the sites ranked, a comparison of two periods, fairness.

    Filters that cannot be read come back in the page's language, the values as entered. The
    comparison fields stay as entered too: left empty, the period compared with follows the one
    shown (the previous period of the same length), whatever dates are chosen next."""
    gw = gateway()
    lang = str(get_locale())
    entered = {k: request.args.get(k, "") for k in FILTERS}
    error = field = None
    figures = query = comparison = None
    try:
        query = _query(_series_period())
        comparison = stats.parse_comparison(request.args, query) or query.previous()
    except GatewayError as exc:
        error, field = labels.form_error(exc), exc.field
    if query is not None and comparison is not None:
        figures = stats.dashboard_figures(get_session(), gw.sites, query, comparison,
                                          request.args.get("purpose") or None)
        entered.update({"site": query.site_id or "", "from": query.start.isoformat(),
                        "to": query.end.isoformat(), "group_by": query.group_by,
                        "purpose": figures["ranking"]["purpose"] or ""})
    return render_template(
        "staff/dashboard/overview.html", query=query, figures=figures, entered=entered,
        sites=gw.sites, error=error, error_field=field, staff=g.staff,
        charts=_charts(figures, lang) if figures else None, form=FlaskForm(),
        label=lambda group, key: labels.group_label(group, key, lang), **Numbers(lang).writers(),
    ), (400 if error else 200)


def _charts(figures: dict[str, Any], lang: str) -> dict[str, Any]:
    series = figures["series"]
    labels_ = [row["key"] + ("*" if row["partial"] else "") for row in series["rows"]]
    opt_in = charts.line_chart(labels_, [
        (p["label"][lang], [row["opt_in"][p["id"]] for row in series["rows"]])
        for p in series["purposes"]
    ])
    actions = charts.stacked_bars(labels_, [
        (str(label), [row["actions"][action] for row in series["rows"]])
        for action, label in ACTION_LABELS.items()
    ])
    breakdowns = {
        name: charts.horizontal_bars(sorted(
            ((labels.group_label(group, row["key"], lang), row["decisions"])
             for row in figures[name]["rows"]),
            key=lambda item: -(item[1] or 0))[:12])
        for name, group in (("countries", "country"), ("devices", "device"))
    }
    return {"opt_in": opt_in, "actions": actions, **breakdowns}


@bp.get("/export.csv")
@signed_in
def export_csv():
    """What the dashboard shows, as CSV (``group_by`` as the API's; by day unless given)."""
    gw = gateway()
    query = _query(request.args.get("group_by") or "day")
    report = stats.consent_stats(get_session(), gw.sites, query)
    name = f"consent-stats-{query.site_id or 'all'}-{query.start}-{query.end}-{query.group_by}.csv"
    return Response(stats.stats_csv(report), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
