"""``/privacy/<site>/receipts/<token>``: a receipt in plain words for whoever holds its token, its
Kantara JSON and JWS to download, and one-click withdrawal (Flask-WTF, CSRF) answered with the
withdrawal's own receipt page.

The token in the path is the holder's proof: these answers are never cached by anyone else, never
indexed, and send no Referer that would carry the token to another site.
"""

from __future__ import annotations

import json
from dataclasses import replace

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from consent_gateway import consent, workflows
from consent_gateway.consent.snapshots import receipt_snapshot_variant
from consent_gateway.db import get_session
from consent_gateway.declaration import Site
from consent_gateway.errors import InvalidReceipt
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import request_context, site_or_404
from consent_gateway.web.i18n import resolve_language
from consent_gateway.web.platform import metrics
from consent_gateway.web.platform.limits import WITHDRAW, limited

bp = Blueprint("receipts", __name__, url_prefix="/privacy")
# Not indexed; no-store and no-referrer come with every answer of this blueprint (web.security).
PRIVATE = {"X-Robots-Tag": "noindex"}


class WithdrawForm(FlaskForm):
    """No fields: the receipt is in the URL; the form only carries its CSRF token."""


def _page(site: Site, token: str) -> consent.ReceiptPage:
    gw = gateway()
    page = consent.receipt_page(get_session(), gw.sites, gw.signer, gw.receipt_keys, site, token)
    variant = receipt_snapshot_variant(get_session(), page.event.config_hash)
    if variant is None:
        return page
    return replace(page, snapshot_url=url_for("evidence.banner_snapshot", site_id=site.id,
                                              config_hash=page.event.config_hash, variant=variant))


@bp.errorhandler(InvalidReceipt)
def _no_such_receipt(exc: InvalidReceipt):
    """A link that is cut, forged, of another site or unknown: one plain page, never a 500."""
    site = site_or_404(_site_id())
    lang = resolve_language(site)
    return render_template("visitor/privacy/receipt_invalid.html", site=site, lang=lang), 404, PRIVATE


def _site_id() -> str:
    return (request.view_args or {}).get("site_id", "")


@bp.get("/<site_id>/receipts/<token>")
def receipt(site_id: str, token: str):
    site = site_or_404(site_id)
    lang = resolve_language(site)
    page = _page(site, token)
    return render_template("visitor/privacy/receipt.html", site=site, lang=lang, page=page, token=token,
                           form=WithdrawForm(), jwks_url=url_for("ops.jwks_json")), 200, PRIVATE


@bp.get("/<site_id>/receipts/<token>/receipt.json")
def receipt_json(site_id: str, token: str):
    page = _page(site_or_404(site_id), token)
    body = json.dumps(page.receipt, ensure_ascii=False, indent=2)
    return _download(body, "application/json", f"receipt-{page.event.receipt_id}.json")


@bp.get("/<site_id>/receipts/<token>/receipt.jws")
def receipt_jws(site_id: str, token: str):
    page = _page(site_or_404(site_id), token)
    return _download(page.receipt_jws, "application/jose", f"receipt-{page.event.receipt_id}.jws")


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype, headers=PRIVATE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/<site_id>/receipts/<token>/withdraw")
@limited(WITHDRAW)
def withdraw(site_id: str, token: str):
    """Withdraw in one click; 303 to the withdrawal's own receipt. A missing or stale CSRF token,
    or a receipt that is no longer the current decision, shows the receipt page again."""
    gw = gateway()
    site = site_or_404(site_id)
    lang = resolve_language(site)
    page = _page(site, token)
    form = WithdrawForm()
    if not form.validate_on_submit() or not page.withdrawable:
        problem = "csrf" if form.errors else "not_withdrawable"
        return render_template("visitor/privacy/receipt.html", site=site, lang=lang, page=page, token=token,
                               form=form, problem=problem, jwks_url=url_for("ops.jwks_json")), 400, PRIVATE
    recorded = workflows.withdraw_receipt(
        get_session(), gw.sites, site, token, lang, request_context(), gw.signer,
        receipt_keys=gw.receipt_keys, script_hash=gw.script_hash)
    metrics.decision_recorded(site.id, "withdraw")
    return redirect(url_for("receipts.receipt", site_id=site.id, token=recorded.token, lang=lang,
                            withdrawn=1), code=303)
