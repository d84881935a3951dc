"""Visitors' rights: the request form (Flask-WTF, CSRF) and, with a valid receipt, self-service.

A receipt token identifies the visitor: from the banner's ``iq_consent`` cookie (as the hosted
contact form reads it), or pasted into the form, or passed by a site as ``?consent_token=``. With
one, the visitor can download everything linked to them, erase their contact data, and object to
or restrict a non-consent purpose at once; each of these is recorded as a closed request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from consent_gateway import contact, rights, workflows
from consent_gateway.db import get_session
from consent_gateway.declaration import Site
from consent_gateway.errors import Forbidden, InvalidReceipt, ValidationError
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import site_or_404
from consent_gateway.web.i18n import resolve_language
from consent_gateway.web.platform.limits import RIGHTS, limited
from consent_gateway.web.visitor.privacy import CONSENT_COOKIE, RULES, token_from_cookie

T = TypeVar("T")
bp = Blueprint("rights", __name__, url_prefix="/privacy")
KIND_LABELS = {
    "access": _l("Access to my data"),
    "rectification": _l("Rectification of my data"),
    "erasure": _l("Erasure of my data"),
    "restriction": _l("Restriction of processing"),
    "objection": _l("Objection to processing"),
    "portability": _l("Portability of my data"),
    "withdrawal": _l("Withdrawal of my consent"),
    "post_mortem": _l("Directives for after my death"),
}
ERRORS = {**RULES, "invalid_receipt": _l("This receipt code is not a receipt of this site.")}


def choices(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class RequestForm(FlaskForm):
    kind = RadioField(_l("Your request"), choices=choices(KIND_LABELS.items()),
                      validators=[InputRequired(message=RULES["required"])])
    purpose = SelectField(_l("Processing concerned (optional)"), choices=[], validate_choice=False)
    name = StringField(_l("Your name"), validators=[InputRequired(message=RULES["required"])])
    email = EmailField(_l("Your email address"), validators=[InputRequired(message=RULES["required"])])
    message = TextAreaField(_l("Your request in your own words"))
    instructions = TextAreaField(_l("Your directives"))
    designated_name = StringField(_l("Name of the person you designate"))
    designated_email = EmailField(_l("Email address of the person you designate"))
    consent_token = StringField(_l("Receipt code (optional)"))
    website = StringField("website")
    lang = HiddenField()


class SelfServiceForm(FlaskForm):
    consent_token = HiddenField()
    lang = HiddenField()


class ObjectionForm(SelfServiceForm):
    purpose = SelectField(_l("Processing"), choices=[], validate_choice=False)
    kind = RadioField(_l("What you ask"), choices=choices([("objection", _l("I object to it")),
                                                          ("restriction", _l("Restrict it"))]),
                      default="objection")


@bp.route("/<site_id>/rights", methods=["GET", "POST"])
@limited(RIGHTS, methods=["POST"])
def request_form(site_id: str):
    """GET: the form (and self-service when a receipt identifies the visitor). POST: the request
    is recorded with its deadline; the confirmation page gives its reference."""
    gw = gateway()
    site = site_or_404(site_id)
    lang = resolve_language(site)
    form = RequestForm()
    form.purpose.choices = choices([("", "—"), *_purposes(site, lang, consent_too=True)])
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if form.website.data:
            raise ValidationError("the request was refused as automated", field="website",
                                  code="spam_detected")
        if not form.validate_on_submit():
            errors = {name: str(messages[0]) for name, messages in form.errors.items()}
            status = 400
        else:
            details = rights.RequestDetails(**{name: form[name].data or "" for name in (
                "name", "email", "message", "designated_name", "designated_email", "instructions")})
            try:
                row = rights.submit_request(
                    get_session(), gw.signer, contact.cipher_for(gw.settings.pii_keys), site,
                    form.kind.data, details, lang=lang, purpose=form.purpose.data or None,
                    token=(form.consent_token.data or "").strip() or None, cookie_token=_cookie_token())
            except ValidationError as exc:
                errors, status = {exc.field or "kind": str(ERRORS.get(exc.code, exc.message))}, 400
            else:
                return render_template("visitor/privacy/rights_done.html", site=site, lang=lang, row=row,
                                       kind_label=KIND_LABELS[row.kind]), 201
    else:
        form.lang.data = lang
        form.consent_token.data = request.args.get("consent_token", "")
    return _page(site, lang, form, errors=errors), status


@bp.post("/<site_id>/rights/export")
@limited(RIGHTS)
def export(site_id: str):
    """Everything linked to the visitor, as a JSON file (the portability format)."""
    gw = gateway()
    site = site_or_404(site_id)
    lang = resolve_language(site)
    done = _self_service(site, lang, SelfServiceForm(), lambda token: workflows.export_visitor_data(
        get_session(), gw.sites, site, gw.signer, contact.cipher_for(gw.settings.pii_keys), token, lang=lang))
    if isinstance(done, tuple):
        return done
    body = json.dumps(done.export, ensure_ascii=False, indent=2)
    filename = f"{site.id}-my-data-{done.request.received_at:%Y-%m-%d}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Request-Reference": done.request.reference})


@bp.post("/<site_id>/rights/erase")
@limited(RIGHTS)
def erase(site_id: str):
    """Erase the visitor's contact data on this site; their consent proof stays."""
    gw = gateway()
    site = site_or_404(site_id)
    lang = resolve_language(site)
    done = _self_service(site, lang, SelfServiceForm(), lambda token: workflows.erase_visitor_contact_data(
        get_session(), site, gw.signer, token, lang=lang))
    if isinstance(done, tuple):
        return done
    return _page(site, lang, RequestForm(formdata=None), done=done), 200


@bp.post("/<site_id>/rights/object")
@limited(RIGHTS)
def object_to(site_id: str):
    """Object to, or restrict, a non-consent purpose (contact.record_objection's rules)."""
    gw = gateway()
    site = site_or_404(site_id)
    lang = resolve_language(site)
    form = ObjectionForm()
    done = _self_service(site, lang, form, lambda token: workflows.object_as_visitor(
        get_session(), gw.sites, site, gw.signer, token, form.purpose.data or "", form.kind.data or "",
        lang=lang))
    if isinstance(done, tuple):
        return done
    return _page(site, lang, RequestForm(formdata=None), done=done), 200


def _self_service(site: Site, lang: str, form: SelfServiceForm,
                  act: Callable[[str | None], T]) -> T | tuple[str, int]:
    """Run a self-service action for the visitor the form's receipt (or the banner's cookie)
    identifies; a stale form, an unknown receipt or a refused request answers the rights page."""
    if not form.validate_on_submit():
        return _page(site, lang, RequestForm(formdata=None), problem="csrf"), 400
    try:
        return act(_self_token(form))
    except Forbidden:
        return _page(site, lang, RequestForm(formdata=None), problem="invalid_receipt"), 403
    except ValidationError as exc:
        return _page(site, lang, RequestForm(formdata=None), problem=exc.code), 400


def _page(site: Site, lang: str, form: RequestForm, **page: Any) -> str:
    """The rights page; the self-service forms appear when a receipt of the site identifies the visitor."""
    gw = gateway()
    form.purpose.choices = choices([("", "—"), *_purposes(site, lang, consent_too=True)])
    form.lang.data = lang
    token = request.values.get("consent_token") or _cookie_token()
    identified = False
    if token:
        try:
            rights.identify(get_session(), gw.signer, site, token)
            identified = True
        except InvalidReceipt:
            identified = False
    pasted = request.values.get("consent_token", "")
    self_form = SelfServiceForm(formdata=None, consent_token=pasted, lang=lang)
    objection_form = ObjectionForm(formdata=None, consent_token=pasted, lang=lang)
    objection_form.purpose.choices = choices(_purposes(site, lang, consent_too=False))
    return render_template("visitor/privacy/rights.html", site=site, lang=lang, form=form,
                           identified=identified, self_form=self_form, objection_form=objection_form,
                           kinds=KIND_LABELS,
                           errors=page.get("errors", {}), problem=page.get("problem"), done=page.get("done"))


def _purposes(site: Site, lang: str, *, consent_too: bool) -> list[tuple[str, str]]:
    """The site's purposes (banner and contact form) as declared, labelled in ``lang``; without
    ``consent_too``, only those one can object to or restrict (not consent-based, not required)."""
    sites = gateway().sites
    ids = list(site.purpose_ids) + ([f.purpose for f in site.contact.fields] if site.contact else [])
    purposes = [sites.purposes[pid] for pid in dict.fromkeys(ids)]
    return [(p.id, p.label.get(lang)) for p in purposes
            if consent_too or not (p.consent_based or p.required)]


def _cookie_token() -> str | None:
    return token_from_cookie(request.cookies.get(CONSENT_COOKIE))


def _self_token(form: SelfServiceForm) -> str | None:
    return (form.consent_token.data or "").strip() or _cookie_token()
