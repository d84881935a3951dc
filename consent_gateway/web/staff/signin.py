"""Staff sign-in with a staff token, kept as a session on the server behind a hardened cookie.

Staff areas (the DPO's workspace and the marketing dashboard) use their own Flask session
cookie: ``__Host-iq_staff`` when the public URL is https (Secure, Path=/, no Domain), HttpOnly,
SameSite=Strict, signed under its own salt so that a visitor's form-session cookie can never stand
in for it. Everywhere else the session is the hosted forms' ``iq_form_session`` (SameSite=Lax).
The cookie holds a random session id, never the token; the ``staff_session`` row behind it
(``staff.sessions``) decides: sign-out, idle expiry and the token's revocation end the session for
every copy of the cookie at its next request, and a changed role takes effect at once.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask import Flask, Request, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import URLSafeTimedSerializer
from wtforms import PasswordField
from wtforms.validators import InputRequired

from consent_gateway.db import get_session
from consent_gateway.staff import StaffToken, end_staff_session, open_staff_session, resume_staff_session
from consent_gateway.web.extensions import gateway
from consent_gateway.web.platform.credentials import TooManyAttempts, check_credential

F = TypeVar("F", bound=Callable[..., Any])
# Path prefixes served with the staff session cookie.
STAFF_AREAS: list[str] = ["/dpo", "/dashboard", "/recruiting"]
STAFF_COOKIE = "iq_staff"
IDLE_SECONDS = 30 * 60
# The cookie's one entry: the random id of the session kept on the server.
SESSION_KEY = "staff_session"
_STAFF_SALT = "iq-staff-session"


class SignInForm(FlaskForm):
    token = PasswordField(_l("Staff token"),
                          validators=[InputRequired(message=_l("Enter your staff token."))])


# The public API and the banner's files never read or write a cookie session.
SESSIONLESS_PREFIXES = ("/api/", "/banner/")


def in_staff_area() -> bool:
    path = request.path
    return any(path == area or path.startswith(area + "/") for area in STAFF_AREAS)


class GatewaySessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, with the staff cookie in staff areas and its signers built once.

    Flask builds a new itsdangerous serializer on every request; on the hot, session-less API
    paths that was a measurable share of a banner-config GET.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """No session on the cookie-less paths (None: Flask's null session, never saved): the
        cookie's parsing and the answer's session checks were a fifth of a banner-config GET."""
        if request.path.startswith(SESSIONLESS_PREFIXES):
            return None
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        staff = in_staff_area()
        key = "staff_session_serializer" if staff else "session_serializer"
        serializer = app.extensions.get(key)
        if serializer is None and app.secret_key:
            keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key]
            serializer = app.extensions[key] = URLSafeTimedSerializer(
                keys, salt=_STAFF_SALT if staff else self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})
        return serializer

    def get_cookie_name(self, app: Flask) -> str:
        if not in_staff_area():
            return super().get_cookie_name(app)
        return f"__Host-{STAFF_COOKIE}" if _https() else STAFF_COOKIE

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "Strict" if in_staff_area() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return _https() if in_staff_area() else super().get_cookie_secure(app)

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def get_cookie_domain(self, app: Flask) -> str | None:
        # A __Host- cookie must carry no Domain.
        return None if in_staff_area() else super().get_cookie_domain(app)

    def get_cookie_path(self, app: Flask) -> str:
        return "/" if in_staff_area() else super().get_cookie_path(app)


def _https() -> bool:
    return gateway().settings.public_url.startswith("https://")


def sign_in(token: str, roles: tuple[str, ...]) -> StaffToken | None:
    """Open a staff session for ``token`` if it is live and has one of ``roles`` (admin always
    may); None otherwise, and nothing is stored. The session starts afresh (no fixation). A wrong
    token counts as a failure, and past the limit raises ``credentials.TooManyAttempts`` (429)."""
    staff = check_credential(token.strip())
    if staff is None or (staff.role not in roles and staff.role != "admin"):
        return None
    sign_out()  # a session this browser had ends: the new one starts afresh
    session[SESSION_KEY] = open_staff_session(get_session(), staff, now=_now())
    return staff


def sign_in_page(roles: tuple[str, ...], template: str, landing: str, *,
                 admin: bool = True) -> ResponseReturnValue:
    """A staff area's sign-in page (``template`` extends ``_sign_in_form.html``): the token, once,
    then ``landing`` (or a safe ``?next=``). A token of another role is refused (401), an
    administrator's too where ``admin`` is False; past the failure limit, 429 with Retry-After."""
    form = SignInForm()
    failed, retry_after = False, None
    if form.validate_on_submit():
        try:
            staff = sign_in(form.token.data or "", roles)
        except TooManyAttempts as exc:
            staff, retry_after = None, exc.retry_after
        if staff is not None and (admin or staff.role in roles):
            return redirect(safe_next(request.args.get("next"), landing))
        if staff is not None:  # an administrator, where only the area's own role may enter
            sign_out()
        failed = retry_after is None
    status = 429 if retry_after else 401 if failed else 400 if form.errors else 200
    page = render_template(template, form=form, failed=failed, throttled=bool(retry_after),
                           minutes=-(-(retry_after or 0) // 60))
    return page, status, {"Retry-After": str(retry_after)} if retry_after else {}


def sign_out() -> None:
    """End this browser's session on the server (every copy of its cookie) and clear the cookie."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str) and session_id:
        end_staff_session(get_session(), session_id, now=_now())
    session.clear()


def signed_in_staff(roles: tuple[str, ...]) -> StaffToken | None:
    """The staff member of this session, if its server-side session is live (signed in, active
    within ``IDLE_SECONDS``, token not revoked) and has one of ``roles``; otherwise the cookie is
    cleared."""
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str) or not session_id:
        return None
    idle = timedelta(seconds=_idle_seconds())
    staff = resume_staff_session(get_session(), session_id, idle=idle, now=_now())
    if staff is None:
        session.clear()
        return None
    if staff.role not in roles and staff.role != "admin":
        sign_out()  # as before: the cookie goes, and no copy of it keeps the session alive
        return None
    return staff


def require_signed_in(*roles: str, sign_in_endpoint: str) -> Callable[[F], F]:
    """View guard: the signed-in staff member on ``g.staff``, else a redirect to the sign-in page,
    which keeps the ``?lang=`` asked and says ``expired=1`` when a session has just ended."""
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            had_session = SESSION_KEY in session
            staff = signed_in_staff(roles)
            if staff is None:
                return redirect(url_for(sign_in_endpoint, next=request.path,
                                        lang=request.args.get("lang") or None,
                                        expired=1 if had_session else None))
            g.staff = staff
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """Where to go after signing in: a path of a staff area, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and any(
            target == a or target.startswith(a + "/") for a in STAFF_AREAS):
        return target
    return default


def _now() -> datetime:
    # time.time(), not utcnow(): the tests move this module's clock to reach the idle expiry.
    return datetime.fromtimestamp(time.time(), UTC)


def _idle_seconds() -> int:
    return int(current_app.config.get("STAFF_IDLE_SECONDS", IDLE_SECONDS))
