"""The DPO's "Scans" page: per site, the latest tracker scan, the findings still open by severity
and the history of scans; one scan's findings with their evidence. Read-only: the scan itself runs
from the command line (``consent-gateway scan``), on a schedule."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent_gateway import scan
from consent_gateway.db import get_session
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import site_or_404
from consent_gateway.web.staff.dpo import _layout, signed_in

bp = Blueprint("dpo_scans", __name__, url_prefix="/dpo/scans")
bp.context_processor(_layout)
HISTORY = 10
SEVERITY_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
KIND_LABELS = {
    "violation": _l("Violation (before a choice or after a refusal)"),
    "page": _l("Page not scanned"),
    "lifetime": _l("Lifetime too long"),
    "undeclared": _l("Undeclared"),
    "stale": _l("Declared, never seen"),
}
STATE_LABELS = {"before": _l("before any choice"), "refused": _l("after refusing all"),
                "accepted": _l("after accepting all")}
STATUS_LABELS = {"new": _l("New"), "open": _l("Still open"), "resolved": _l("Resolved")}


@bp.context_processor
def _labels() -> dict:
    return {"severity_labels": SEVERITY_LABELS, "kind_labels": KIND_LABELS, "state_labels": STATE_LABELS,
            "status_labels": STATUS_LABELS, "describe": describe}


def describe(finding: dict[str, Any]) -> str:
    """The finding in the page's language (the stored ``message`` is the command line's English)."""
    vendors = gateway().sites.vendors
    vendor = vendors.get(finding["vendor"] or "")
    known = finding["database"]
    owner = vendor.name if vendor else known["platform"] if known else _("unknown")
    subject, evidence = finding["subject"], finding["evidence"]
    kind = finding["kind"]
    if kind == "violation":
        return _("%(subject)s (%(owner)s) is used without consent.", subject=subject, owner=owner)
    if kind == "undeclared":
        return _("No vendor of the site declares %(subject)s (%(owner)s).", subject=subject, owner=owner)
    if kind == "lifetime":
        declared = evidence.get("declared_days")
        days = round(evidence.get("lifetime_days") or 0)
        if declared is None:
            return _("%(subject)s lives %(days)s days, more than the 13 months a tracker may live.",
                     subject=subject, days=days)
        return _("%(subject)s lives %(days)s days; %(declared)s days are declared.",
                 subject=subject, days=days, declared=declared)
    if kind == "stale":
        return _("%(owner)s is declared but was never seen, even after acceptance.", owner=owner)
    return _("The page could not be scanned: %(problem)s", problem=evidence.get("problem", ""))


@bp.get("/")
@signed_in
def scans():
    """Every site: its latest scan, its open findings (most severe first), its recent scans."""
    session = get_session()
    sites = gateway().sites.sites
    rows = {}
    for site_id in sites:
        history = scan.list_scans(session, site_id, HISTORY)
        latest = history[0] if history else None
        rows[site_id] = {"history": history, "latest": latest,
                         "open": [scan.finding_json(f, latest) for f in scan.open_findings(session, site_id)]}
    return render_template("staff/dpo/scans.html", sites=sites, rows=rows)


@bp.get("/<site_id>/<int:scan_id>")
@signed_in
def scan_page(site_id: str, scan_id: int):
    """One scan: the findings it saw and those it resolved, each with its evidence."""
    site = site_or_404(site_id)
    session = get_session()
    row = scan.get_scan(session, site.id, scan_id)
    return render_template("staff/dpo/scan.html", site=site, report=scan.scan_report(session, row),
                           started_at=row.started_at)
