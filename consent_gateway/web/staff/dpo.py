"""The DPO's workspace: rights requests (overdue first, filtered by site, status, overdue), a
request's details, extending and closing it, one search box that opens a visitor's timeline from
a receipt token, a receipt id or a request reference (with the raw proof bundle as a JSON
download), the undeclared cookies of each site, and the access log in words. Signed in with a
dpo (or admin) staff token through ``web.signin``; every read of personal
data is written to the access log.
Its answers are never stored, framed or referred (``web.security``)."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField

from consent_gateway import contact, cookie_audit, rights, staff
from consent_gateway.db import get_session, utcnow
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.staff import applications, review
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import site_or_404
from consent_gateway.web.platform.credentials import counts_failures
from consent_gateway.web.platform.limits import STAFF_ACTIONS, limited
from consent_gateway.web.staff import signin, wording
from consent_gateway.web.staff.errors import html_errors
from consent_gateway.web.staff.signin import require_signed_in, sign_out
from consent_gateway.web.visitor.rights import KIND_LABELS, choices

bp = Blueprint("dpo", __name__, url_prefix="/dpo")
ROLES = ("dpo",)
OUTCOME_LABELS = {
    "fulfilled": _l("Fulfilled"),
    "partially_fulfilled": _l("Partially fulfilled"),
    "refused": _l("Refused (with reasons given)"),
    "no_data": _l("No data held"),
    "identity_not_verified": _l("Identity could not be verified"),
}
signed_in = require_signed_in(*ROLES, sign_in_endpoint="dpo.sign_in_page")
html_errors(bp, "dpo.requests")


class ExtendForm(FlaskForm):
    months = RadioField(_l("Extend by"), choices=choices([("1", _l("one month")), ("2", _l("two months"))]),
                        default="2")
    notice = TextAreaField(_l("Notice sent to the requester (why the extension is needed)"))


class CloseForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOME_LABELS.items()))
    note = TextAreaField(_l("Note (what was answered)"))


class SignOutForm(FlaskForm):
    pass


class EraseApplicationForm(FlaskForm):
    reference = StringField(_l("Reference the candidate quotes (CAND-…)"))


# Times on staff pages carry their zone: a DPO answering within a legal deadline must know which.
TIME_FORMAT = "d MMM y, HH:mm zzz"
REQUEST_STATUSES = ("open", "closed", "all")


@bp.context_processor
def _layout() -> dict:
    # The layout's sign-out form never reads the request: an error page must render whatever was sent.
    return {"sign_out_form": SignOutForm(formdata=None), "kind_labels": KIND_LABELS,
            "outcome_labels": OUTCOME_LABELS,
            "lang": str(get_locale()), "time_format": TIME_FORMAT, "wording": wording,
            "site_names": {sid: s.name for sid, s in gateway().sites.sites.items()}}


@bp.route("/sign-in", methods=["GET", "POST"])
@counts_failures
def sign_in_page():
    """The staff token, once; a marketing token is refused here."""
    return signin.sign_in_page(ROLES, "staff/dpo/sign_in.html", url_for("dpo.requests"))


@bp.post("/sign-out")
def sign_out_page():
    if SignOutForm().validate_on_submit():
        sign_out()
    return redirect(url_for("dpo.sign_in_page"))


@bp.get("/")
@signed_in
def requests():
    """Every request, open ones first by deadline (the overdue lead), filtered by site, status and
    overdue; an unknown filter value is ignored rather than refused (it is a bookmark gone stale)."""
    sites = gateway().sites.sites
    site_id = request.args.get("site") if request.args.get("site") in sites else None
    status = request.args.get("status", "all")
    status = status if status in REQUEST_STATUSES else "all"
    overdue = request.args.get("overdue") == "1"
    now = utcnow()
    rows = rights.list_requests(get_session(), site_id=site_id, status=status, overdue=overdue, now=now)
    return render_template("staff/dpo/requests.html", rows=rows, now=now, sites=sites,
                           filters={"site": site_id or "", "status": status, "overdue": overdue})


@bp.get("/requests/<reference>")
@signed_in
def request_page(reference: str):
    """A request with the requester's details decrypted (the read goes to the access log)."""
    return _request_page(reference, ExtendForm(formdata=None), CloseForm(formdata=None))


@bp.get("/requests/<reference>/export.json")
@signed_in
def export(reference: str):
    """The visitor's data with its values, for the DPO to send once the requester's identity is
    checked (a receipt token alone only shows what is held); the read goes to the access log."""
    data = rights.export_for_request(get_session(), gateway().sites, _cipher(), reference, g.staff)
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{data["site"]["id"]}-{reference}-data.json"'})


@bp.post("/requests/<reference>/extend")
@limited(STAFF_ACTIONS)
@signed_in
def extend(reference: str):
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            rights.extend_request(get_session(), _cipher(), reference, int(form.months.data or 0),
                                  form.notice.data or "", g.staff)
            return redirect(url_for("dpo.request_page", reference=reference))
        except ValidationError as exc:
            return _request_page(reference, form, CloseForm(formdata=None), error=_said(exc)), 400
    return _request_page(reference, form, CloseForm(formdata=None), error="csrf"), 400


@bp.post("/requests/<reference>/close")
@limited(STAFF_ACTIONS)
@signed_in
def close(reference: str):
    form = CloseForm()
    if form.validate_on_submit():
        try:
            rights.close_request(get_session(), _cipher(), reference, form.outcome.data or "",
                                 form.note.data or "", g.staff)
            return redirect(url_for("dpo.requests"))
        except ValidationError as exc:
            return _request_page(reference, ExtendForm(formdata=None), form, error=_said(exc)), 400
    return _request_page(reference, ExtendForm(formdata=None), form, error="csrf"), 400


@bp.get("/proof")
@signed_in
def proof():
    """One search box: a receipt token, a receipt id or a request reference opens the visitor's
    timeline on that site (``rights.find_timeline`` logs the read). ``?site=&receipt=`` (older
    links) searches the receipt id."""
    query = (request.args.get("q") or request.args.get("receipt") or "").strip()
    timeline, error = None, None
    if query:
        gw = gateway()
        try:
            timeline = rights.find_timeline(get_session(), gw.sites, gw.signer, gw.receipt_keys, _cipher(),
                                            query,
                                            g.staff, lang=str(get_locale()))
        except NotFound as exc:
            error = wording.SEARCH_ERRORS.get(exc.code, wording.SEARCH_ERRORS["token_malformed"])
    return render_template("staff/dpo/proof.html", query=query, timeline=timeline, error=error,
                           now=utcnow()), 404 if error else 200


@bp.get("/proof/<receipt_id>.json")
@signed_in
def proof_json(receipt_id: str):
    """The raw proof bundle of a receipt, as a JSON file to keep or hand over (logged)."""
    gw = gateway()
    event_site = staff.receipt_site(get_session(), receipt_id)
    bundle = staff.proof_bundle(get_session(), gw.sites, site_or_404(event_site), receipt_id, g.staff)
    answer = Response(json.dumps(bundle, indent=2, ensure_ascii=False), mimetype="application/json")
    answer.headers["Content-Disposition"] = f'attachment; filename="proof-{receipt_id}.json"'
    return answer


@bp.route("/applications/erase", methods=["GET", "POST"])
@limited(STAFF_ACTIONS, methods=["POST"])
@signed_in
def erase_application():
    """The DPO answers a candidate's erasure request by the reference they quote: the application
    goes with its files and notes (logged), without the DPO reading it."""
    form = EraseApplicationForm()
    erased, error = None, None
    if request.method == "POST":
        if not form.validate_on_submit():
            error = "csrf"
        else:
            reference = (form.reference.data or "").strip().upper()
            try:
                site_id, submission_id = review.find_reference(get_session(), reference)
                applications.erase_application(get_session(), site_or_404(site_id), g.staff, submission_id)
                erased, form = reference, EraseApplicationForm(formdata=None)
            except NotFound:
                error = "not_found"
    status = 400 if error == "csrf" else 404 if error else 200
    return render_template("staff/dpo/erase_application.html", form=form, erased=erased, error=error), status


@bp.get("/cookies")
@signed_in
def undeclared_cookies():
    """Per site, the first-party cookies the banners found that the declaration does not name."""
    sites = gateway().sites.sites
    session = get_session()
    found = {sid: cookie_audit.undeclared_cookies(session, site) for sid, site in sites.items()}
    return render_template("staff/dpo/cookies.html", sites=sites, found=found)


@bp.get("/access-log")
@signed_in
def access_log():
    """The latest reads of personal data, in words, optionally for one site."""
    sites = gateway().sites.sites
    site_id = request.args.get("site") if request.args.get("site") in sites else None
    entries = staff.access_log(get_session(), site_id=site_id)
    return render_template("staff/dpo/access_log.html", entries=entries,
                           sites=sites, site_filter=site_id or "")


def _request_page(reference: str, extend_form: ExtendForm, close_form: CloseForm, error: str | None = None):
    view = rights.read_request(get_session(), _cipher(), reference, g.staff)
    return render_template("staff/dpo/request.html", view=view, row=view.request, extend_form=extend_form,
                           close_form=close_form, error=error, now=utcnow(),
                           can_extend=_can_extend(view.request, utcnow()))


def _can_extend(row: rights.RightsRequest, now: datetime) -> bool:
    return row.closed_at is None and row.extended_due_at is None and now <= row.due_at


def _said(exc: ValidationError) -> str:
    """A refusal of the service in the page's language (its message is the API's, in English)."""
    said = wording.EXTEND_ERRORS.get(exc.code) or wording.EXTEND_ERRORS.get(exc.field or "")
    return str(said) if said is not None else exc.message


def _cipher() -> contact.PIICipher:
    return contact.cipher_for(gateway().settings.pii_keys)
