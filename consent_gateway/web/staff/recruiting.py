"""Recruiters' inbox: sign in with a recruiter token (tied to one site, same session rules as the
other staff areas), the site's applications by status, one application with its fields, files
(downloaded as attachments), notes, status and retention date. Every read and change is written
to the access log by ``staff.review``. Administrators and the DPO do not read candidates here:
the DPO erases an application by its reference from the DPO's workspace."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField

from consent_gateway import contact
from consent_gateway.db import get_session, utcnow
from consent_gateway.declaration import Site
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.staff import applications, review
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import attachment
from consent_gateway.web.platform.credentials import counts_failures
from consent_gateway.web.platform.limits import STAFF_ACTIONS, limited
from consent_gateway.web.staff import signin
from consent_gateway.web.staff.errors import html_errors
from consent_gateway.web.staff.signin import require_signed_in, sign_out
from consent_gateway.web.visitor.rights import choices

bp = Blueprint("recruiting", __name__, url_prefix="/recruiting")
ROLES = ("recruiter",)
STATUS_LABELS = {
    "new": _l("New"),
    "in_review": _l("In review"),
    "answered": _l("Answered"),
    "rejected": _l("Rejected"),
    "hired": _l("Hired"),
}
NOTE_ERRORS = {"required": _l("Write the note first."), "too_long": _l("A note is at most 4,000 characters.")}
TIME_FORMAT = "d MMM y, HH:mm zzz"
signed_in = require_signed_in(*ROLES, sign_in_endpoint="recruiting.sign_in_page")
html_errors(bp, "recruiting.inbox")


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note for the other recruiters"))


class SignOutForm(FlaskForm):
    pass


@bp.context_processor
def _layout() -> dict:
    # The layout's sign-out form never reads the request: an error page must render whatever was sent.
    return {"sign_out_form": SignOutForm(formdata=None), "lang": str(get_locale()),
            "status_labels": STATUS_LABELS,
            "time_format": TIME_FORMAT}


@bp.route("/sign-in", methods=["GET", "POST"])
@counts_failures
def sign_in_page():
    """A recruiter's token, once; any other role is refused here (candidates are theirs only)."""
    return signin.sign_in_page(ROLES, "staff/recruiting/sign_in.html", url_for("recruiting.inbox"),
                               admin=False)


@bp.post("/sign-out")
def sign_out_page():
    if SignOutForm().validate_on_submit():
        sign_out()
    return redirect(url_for("recruiting.sign_in_page"))


@bp.get("/")
@signed_in
def inbox():
    """The site's applications, newest first, optionally of one status."""
    site = _site()
    status = request.args.get("status", "")
    status = status if status in review.STATUSES else ""
    rows = review.inbox(get_session(), site, g.staff, _cipher(), status=status or None)
    return render_template("staff/recruiting/inbox.html", site=site, rows=rows, status_filter=status)


@bp.get("/applications/<reference>")
@signed_in
def application(reference: str):
    """One application decrypted (logged), with its notes and the forms that move it."""
    return _application_page(reference, StatusForm(formdata=None), NoteForm(formdata=None))


@bp.get("/applications/<reference>/files/<field>")
@signed_in
def download(reference: str, field: str):
    """One file of the application, always as an attachment (logged)."""
    site = _site()
    site_id, submission_id = _found(reference)
    if site_id != site.id:
        abort(404)
    found = applications.download_file(get_session(), site, g.staff, _cipher(), submission_id, field)
    return attachment(found.data, found.media_type, found.filename)


@bp.post("/applications/<reference>/status")
@limited(STAFF_ACTIONS)
@signed_in
def change_status(reference: str):
    form = StatusForm()
    if not form.validate_on_submit():
        return _application_page(reference, form, NoteForm(formdata=None), error="csrf"), 400
    review.set_status(get_session(), _site(), g.staff, reference, form.status.data or "")
    return redirect(url_for("recruiting.application", reference=reference.upper()))


@bp.post("/applications/<reference>/notes")
@limited(STAFF_ACTIONS)
@signed_in
def add_note(reference: str):
    form = NoteForm()
    if not form.validate_on_submit():
        return _application_page(reference, StatusForm(formdata=None), form, error="csrf"), 400
    try:
        review.add_note(get_session(), _site(), g.staff, _cipher(), reference, form.note.data or "")
    except ValidationError as exc:
        said = NOTE_ERRORS.get(exc.code)
        return _application_page(reference, StatusForm(formdata=None), form,
                                 error=str(said) if said is not None else exc.message), 400
    return redirect(url_for("recruiting.application", reference=reference.upper()))


def _application_page(reference: str, status_form: StatusForm, note_form: NoteForm, error: str | None = None):
    site = _site()
    found = review.read_application(get_session(), site, g.staff, _cipher(), reference)
    if status_form.status.data is None:
        status_form.status.data = found.status
    declared = site.contact.fields if site.contact else ()
    labels = {spec.name: spec.label.get(str(get_locale())) for spec in declared}
    return render_template("staff/recruiting/application.html", site=site, app=found, labels=labels,
                           status_form=status_form, note_form=note_form, error=error, now=utcnow())


def _site() -> Site:
    """The one site of the signed-in recruiter's token (an administrator's session opened
    elsewhere does not read candidates: 403)."""
    if g.staff.role not in ROLES:
        abort(403)
    site = gateway().sites.site(g.staff.site_id or "")
    if site is None:
        abort(404)
    return site


def _found(reference: str) -> tuple[str, str]:
    try:
        return review.find_reference(get_session(), reference)
    except NotFound:
        abort(404)


def _cipher() -> contact.PIICipher:
    return contact.cipher_for(gateway().settings.pii_keys)
