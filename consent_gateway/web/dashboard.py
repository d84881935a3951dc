"""The marketing dashboard: sign-in with a staff token (Flask-WTF), figures, charts, CSV.

The signed-in state lives in Flask's cookie session, which on /dashboard is its own cookie
(``__Host-`` prefixed on https, HttpOnly, SameSite=Strict, see ``web.app``) and expires after
``IDLE_MINUTES`` without a request.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, Response, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField

from consent_gateway import stats
from consent_gateway.db import get_session, utcnow
from consent_gateway.errors import GatewayError
from consent_gateway.staff import active_staff, authenticate
from consent_gateway.web import charts
from consent_gateway.web.extensions import gateway, limiter

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
IDLE_MINUTES = 30
ROLES = ("marketing", "dpo", "admin")
F = TypeVar("F", bound=Callable[..., Any])


def _lang() -> str:
    lang = request.args.get("lang") or session.get("lang") or "fr"
    return lang if lang in ("fr", "en") else "fr"


def _tr(lang: str) -> Callable[[str, str], str]:
    return lambda fr, en: en if lang == "en" else fr


class SignInForm(FlaskForm):
    token = PasswordField("token")


def signed_in(view: F) -> F:
    """Redirect to the sign-in page unless a live staff token signed in less than
    ``IDLE_MINUTES`` ago (counted from the last request)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        staff_id, seen = session.get("staff_id"), session.get("seen", 0)
        expired = time.time() - seen > IDLE_MINUTES * 60
        staff = None if staff_id is None or expired else active_staff(get_session(), staff_id)
        if staff is None or staff.role not in ROLES:
            lang = _lang()
            session.clear()
            return redirect(url_for("dashboard.sign_in", lang=lang, expired=int(bool(staff_id))))
        session["seen"] = int(time.time())
        g.staff = staff
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def sign_in():
    lang = _lang()
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        staff = authenticate(get_session(), (form.token.data or "").strip())
        if staff is not None and staff.role in ROLES:
            session.clear()
            session.update(staff_id=staff.id, seen=int(time.time()), lang=lang)
            return redirect(url_for("dashboard.overview", lang=lang))
        error = "invalid"
    elif request.method == "POST":
        error = "csrf"
    status = 401 if error else 200
    return render_template("dashboard/sign_in.html", form=form, error=error, lang=lang, tr=_tr(lang),
                           expired=request.args.get("expired") == "1"), status


@bp.post("/sign-out")
def sign_out():
    lang = _lang()
    form = FlaskForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("dashboard.sign_in", lang=lang))


def _query(group_by: str = "day") -> stats.StatsQuery:
    args = {k: request.args.get(k) for k in ("site", "from", "to")}
    return stats.parse_query(gateway().sites, {**args, "group_by": group_by}, utcnow().date())


@bp.get("")
@bp.get("/")
@signed_in
def overview():
    """The overview of a period: cards, charts with their tables, breakdowns, fairness."""
    lang = _lang()
    session["lang"] = lang
    gw = gateway()
    error = None
    try:
        query = _query()
    except GatewayError as exc:
        error = exc.message
        query = stats.parse_query(gw.sites, {}, utcnow().date())
    figures = stats.dashboard_figures(get_session(), gw.sites, query)
    return render_template(
        "dashboard/overview.html", lang=lang, tr=_tr(lang), query=query, figures=figures,
        sites=gw.sites, error=error, staff=g.staff, charts=_charts(figures, lang),
        form=FlaskForm(), today=date.today().isoformat(),
    ), (400 if error else 200)


def _charts(figures: dict[str, Any], lang: str) -> dict[str, Any]:
    daily = figures["daily"]
    labels = [row["key"] for row in daily["rows"]]
    opt_in = charts.line_chart(labels, [
        (p["label"][lang], [(row.get("opt_in") or {}).get(p["id"]) for row in daily["rows"]])
        for p in daily["purposes"]
    ])
    actions = charts.stacked_bars(labels, [
        (action, [(row.get("actions") or {}).get(action) for row in daily["rows"]])
        for action in ("accept_all", "reject_all", "custom", "withdraw")
    ])
    breakdowns = {
        name: charts.horizontal_bars(sorted(
            ((row["key"], row["decisions"]) for row in figures[name]["rows"]),
            key=lambda item: -(item[1] or 0))[:12])
        for name in ("countries", "devices")
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
