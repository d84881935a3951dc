"""Staff API tokens (stored hashed, with a role) and the access log of personal-data reads."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.db import utcnow
from consent_gateway.errors import ValidationError
from consent_gateway.staff.models import AccessLog, StaffToken

ROLES = ("marketing", "dpo", "recruiter", "admin")
# Roles that read one site's data only: their token names that site.
SITE_ROLES = ("recruiter",)
TOKEN_PREFIX = "iqcg_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: str, name: str, site_id: str | None = None) -> str:
    """Create a token for ``name`` with ``role`` (bound to ``site_id`` for a site role such as
    ``recruiter``); the clear token is returned once, never stored."""
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}", field="role")
    if not name.strip():
        raise ValidationError("a token needs the name of its holder", field="name")
    if role in SITE_ROLES and not site_id:
        raise ValidationError(f"a {role} token reads one site's data: name the site", field="site")
    if role not in SITE_ROLES and site_id:
        raise ValidationError(f"a {role} token is not bound to a site", field="site")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(StaffToken(name=name.strip(), role=role, site_id=site_id, token_hash=_hash(token),
                           created_at=utcnow()))
    session.commit()
    return token


def authenticate(session: Session, token: str) -> StaffToken | None:
    """The live staff token matching ``token``, if any."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _hash(token)
    staff = session.scalars(select(StaffToken).where(StaffToken.token_hash == digest)).first()
    if staff is None or staff.revoked_at is not None or not hmac.compare_digest(staff.token_hash, digest):
        return None
    return staff


def active_staff(session: Session, token_id: int) -> StaffToken | None:
    """The staff token ``token_id`` if it still exists and was not revoked (a signed-in session
    ends as soon as its token is revoked)."""
    staff = session.get(StaffToken, token_id)
    return staff if staff is not None and staff.revoked_at is None else None


def log_access(session: Session, staff: StaffToken, action: str, *, site_id: str | None = None,
               subject: str | None = None) -> None:
    """Record that ``staff`` read personal data (committed with the caller's unit of work)."""
    session.add(AccessLog(staff_token_id=staff.id, action=action, site_id=site_id, subject=subject,
                          created_at=utcnow()))


def access_log(session: Session, limit: int = 500, *,
               site_id: str | None = None) -> list[tuple[AccessLog, str, str]]:
    """The latest reads of personal data (of one site if given), newest first, each with its
    reader's name and role."""
    query = (select(AccessLog, StaffToken.name, StaffToken.role)
             .join(StaffToken, StaffToken.id == AccessLog.staff_token_id))
    if site_id is not None:
        query = query.where(AccessLog.site_id == site_id)
    rows = session.execute(query.order_by(AccessLog.id.desc()).limit(limit)).all()
    return [(entry, name, role) for entry, name, role in rows]
