"""Visitor pages: the privacy centre (cookie policy) and the hosted contact form (Flask-WTF, CSRF).

The hosted form gives sites without their own form a compliant one. Its fields are named as
declared in ``sites.yaml``; it goes through the same gate as the API. The visitor's receipt token
is read from the ``iq_consent`` cookie when the form is served on the same host as the banner
(base64url JSON holding ``token``), or from a hidden ``consent_token`` field, which a site that
links to the form fills with ``/privacy/<site>/contact?consent_token=TOKEN``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import EmailField, Field, HiddenField, StringField, TelField, TextAreaField

from consent_gateway import contact
from consent_gateway.contact import notice
from consent_gateway.contact.validation import is_empty
from consent_gateway.db import get_session
from consent_gateway.declaration import FILE_TYPES, Site
from consent_gateway.errors import (
    InvalidFields,
    NotFound,
    PayloadTooLarge,
    PurposeNotActive,
    ValidationError,
)
from consent_gateway.web.api.contact import takes_no_files
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import site_or_404
from consent_gateway.web.i18n import resolve_language
from consent_gateway.web.platform import metrics
from consent_gateway.web.platform.limits import HOSTED_APPLICATION, HOSTED_CONTACT, limited
from consent_gateway.web.refusals import DOCUMENT_RULES

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
CONSENT_COOKIE = "iq_consent"
# A browser keeps no cookie over 4,096 bytes; the banner's is well under that.
MAX_COOKIE_LENGTH = 4096
# What the hosted form says about a broken rule; a rule without an entry shows the service's message.
RULES = {
    "required": _l("This field is required."),
    "invalid_email": _l("Enter a valid email address, for example name@example.com."),
    "invalid_phone": _l("Enter a French (06 12 34 56 78) or international (+212 …) number."),
    "pattern_mismatch": _l("This is not in the expected format."),
    "too_long": _l("The text is too long."),
    "file_too_large": _l("The file is larger than the size allowed."),
    "file_type_not_accepted": _l("This type of file is not accepted."),
    "invalid_image": _l("This image cannot be read."),
    **DOCUMENT_RULES,
}


def _form_class(site: Site, lang: str) -> type[FlaskForm]:
    """A Flask-WTF form whose fields are the declared ones, named as declared."""
    attrs: dict[str, Field] = {}
    for spec in site.contact.fields:  # type: ignore[union-attr]
        label = spec.label.get(lang)
        if spec.is_file:
            attrs[spec.name] = FileField(label)
        elif spec.kind in notice.AUTOMATIC_KINDS:
            attrs[spec.name] = HiddenField(label)
        elif spec.kind == "email":
            attrs[spec.name] = EmailField(label)
        elif spec.kind == "phone":
            attrs[spec.name] = TelField(label)
        elif spec.max_length > 500:
            attrs[spec.name] = TextAreaField(label)
        else:
            attrs[spec.name] = StringField(label)
    attrs[contact.HONEYPOT] = StringField("website")
    attrs["consent_token"] = HiddenField()
    attrs["lang"] = HiddenField()
    return type("HostedContactForm", (FlaskForm,), attrs)


@bp.app_template_filter("extension")
def extension(file_type: str) -> str:
    """What a file input's ``accept`` lists for a declared type: every extension it is known by
    and its media type (``jpeg`` -> ``.jpg,.jpeg,image/jpeg``), so a picker offers each."""
    return ",".join([*contact.EXTENSIONS[file_type], FILE_TYPES[file_type][0]])


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A size limit as a person reads it: whole megabytes where it is some, else kilobytes."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return gettext("%(n)s MB", n=size // (1024 * 1024))
    return gettext("%(n)s KB", n=max(1, size // 1024))


def token_from_cookie(raw: str | None) -> str | None:
    """The receipt token inside the banner's ``iq_consent`` cookie (base64url JSON), if any."""
    if not raw or len(raw) > MAX_COOKIE_LENGTH:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        # RecursionError: a cookie of a thousand nested brackets is anyone's to send.
        return None
    token = data.get("token") if isinstance(data, dict) else None
    return token if isinstance(token, str) else None


@bp.get("/<site_id>/")
def centre(site_id: str):
    """The privacy centre: cookie policy (anchor ``cookies``), purposes, controller, rights."""
    gw = gateway()
    site = site_or_404(site_id)
    lang = resolve_language(site)
    return render_template("visitor/privacy/centre.html", site=site, lang=lang,
                           page=notice.privacy_centre(gw.sites, site, lang))


@bp.route("/<site_id>/contact", methods=["GET", "POST"])
@limited(HOSTED_CONTACT, methods=["POST"])
@limited(HOSTED_APPLICATION, methods=["POST"], exempt_when=takes_no_files)
def contact_form(site_id: str):
    """The hosted form: GET shows it with its notice; POST gates and stores, or shows the errors."""
    gw = gateway()
    site = site_or_404(site_id)
    if site.contact is None:
        raise NotFound(f"site {site_id!r} has no contact form", field="site")
    # Set before the form reads the body: a request over every declared file's limit is a 413.
    request.max_content_length = contact.request_limit(site.contact)
    lang = resolve_language(site)
    form = _form_class(site, lang)()
    page: dict[str, Any] = {"errors": {}, "problem": None, "result": None}
    status = 200
    if request.method == "GET":
        form.lang.data = lang
        form.consent_token.data = request.args.get("consent_token") or ""
        _fill_navigation(form, site)
    elif not form.validate_on_submit():
        status, page["problem"] = 400, ("csrf", None)
    else:
        token = form.consent_token.data or token_from_cookie(request.cookies.get(CONSENT_COOKIE))
        fields = {spec.name: _value(form[spec.name].data) for spec in site.contact.fields
                  if not is_empty(form[spec.name].data)}
        country = gw.geoip.country(request.remote_addr)
        for spec in site.contact.fields:
            if country and spec.kind == "country":
                fields[spec.name] = country
        fields[contact.HONEYPOT] = form[contact.HONEYPOT].data
        try:
            submission = contact.parse_submission({"fields": fields, "consent_token": token})
            page["result"] = contact.submit_contact(
                get_session(), gw.sites, site, submission, gw.signer,
                contact.cipher_for(gw.settings.pii_keys), channel="hosted")
            metrics.contact_captured(site, page["result"])
            status = 201
        except InvalidFields as exc:
            status = 400
            page["errors"] = {field: str(RULES[rule]) if rule in RULES else message
                              for field, rule, message in exc.errors}
        except PayloadTooLarge as exc:
            status = 413
            page["errors"] = {exc.field or "": str(RULES["file_too_large"])}
        except PurposeNotActive as exc:
            status, page["problem"] = 403, ("purpose_not_active", exc.field)
        except ValidationError as exc:
            status, page["problem"] = 400, (exc.code, exc.field)
    return render_template(
        "visitor/privacy/contact.html", site=site, lang=lang, form=form,
        notice=notice.information_notice(gw.sites, site, lang), declared=site.contact.fields,
        automatic=notice.AUTOMATIC_KINDS, **page,
    ), status


def _value(data: Any) -> Any:
    """A field's value for the gate: an uploaded file as an ``Upload`` (read into memory)."""
    if isinstance(data, FileStorage):
        return contact.Upload(data.filename or "", data.stream.read(request.max_content_length or 0))
    return data


def _fill_navigation(form: FlaskForm, site: Site) -> None:
    """What a browser would tell, in the fields whose declared kind asks for it: when the visitor
    arrived (``datetime``) and the pages they came through (``url_list``). It is stored only if
    the visitor granted the field's purpose; the gate decides, not this form."""
    pages = [request.path]
    referrer = urlsplit(request.referrer or "")
    if referrer.scheme in ("http", "https") and referrer.netloc:
        # Scheme, host and path only: a query string may carry tokens or search terms.
        pages.insert(0, f"{referrer.scheme}://{referrer.netloc}{referrer.path}")
    for spec in site.contact.fields:  # type: ignore[union-attr]
        if spec.kind == "datetime":
            form[spec.name].data = datetime.now(UTC).isoformat(timespec="seconds")
        elif spec.kind == "url_list":
            form[spec.name].data = "\n".join(pages)
