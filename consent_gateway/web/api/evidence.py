"""``GET /api/v1/sites/<site>/evidence``: the evidence pack for the CNIL (dpo or admin), and the
banner screenshots a receipt page shows, ``/privacy/<site>/banner-snapshots/<hash>/<variant>.png``."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, request
from flask_babel import force_locale

from consent_gateway.consent.snapshots import snapshot_png
from consent_gateway.contact import notice
from consent_gateway.db import get_session, utcnow
from consent_gateway.declaration import Site
from consent_gateway.errors import NotFound
from consent_gateway.staff.evidence import Declaration, evidence_pack, parse_period
from consent_gateway.web.auth import require_role
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import site_or_404

bp = Blueprint("evidence", __name__)


@bp.get("/api/v1/sites/<site_id>/evidence")
@require_role("dpo")
def evidence(site_id: str):
    """The zip of the site's evidence for ``from``..``to`` (YYYY-MM-DD); the read is logged."""
    gw = gateway()
    site = site_or_404(site_id)
    period = parse_period(request.args.get("from"), request.args.get("to"), utcnow().date())
    now = utcnow()
    body = evidence_pack(
        get_session(), gw.sites, site, period,
        declaration=Declaration(gw.settings.sites_path.read_text(encoding="utf-8"),
                                gw.sites.consent_events_retention_days),
        receipt_keys=gw.receipt_keys, notices=_notices(site), public_url=gw.settings.public_url,
        now=now, staff=g.staff)
    name = f"evidence-{site.id}-{period.start.isoformat()}-{period.end.isoformat()}.zip"
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


def _notices(site: Site) -> dict[str, str]:
    """The privacy centre as a visitor reads it, in each of the site's languages."""
    gw = gateway()
    out = {}
    for lang in site.languages:
        with force_locale(lang):
            out[lang] = render_template("visitor/privacy/centre.html", site=site, lang=lang,
                                        page=notice.privacy_centre(gw.sites, site, lang))
    return out


@bp.get("/privacy/<site_id>/banner-snapshots/<config_hash>/<variant>.png")
def banner_snapshot(site_id: str, config_hash: str, variant: str):
    """A screenshot of a banner version: public, like the banner it shows, and never changing."""
    site = site_or_404(site_id)
    png = snapshot_png(get_session(), site.id, config_hash, variant)
    if png is None:
        raise NotFound(f"no screenshot {variant!r} of configuration {config_hash!r}", field="config_hash")
    return Response(png, mimetype="image/png",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})
