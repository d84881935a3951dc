"""Staff API tokens (stored hashed, with a role) and the access log of personal-data reads."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consent_gateway.db import utcnow
from consent_gateway.errors import NotFound, ValidationError
from consent_gateway.staff.models import AccessLog, StaffSession, StaffToken

ROLES = ("marketing", "dpo", "recruiter", "admin")
# Roles that read one site's data only: their token names that site.
SITE_ROLES = ("recruiter",)
TOKEN_PREFIX = "iqcg_"
# ``last_used_at`` is written at most this often per token: a bearer client's every request would
# otherwise be a write.
LAST_USED_PRECISION = timedelta(minutes=1)


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


def authenticate(session: Session, token: str, *, record_use: bool = False) -> StaffToken | None:
    """The live staff token matching ``token``, if any. With ``record_use`` (a bearer request), its
    last use is recorded and committed, at most once a minute."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _hash(token)
    staff = session.scalars(select(StaffToken).where(StaffToken.token_hash == digest)).first()
    if staff is None or staff.revoked_at is not None or not hmac.compare_digest(staff.token_hash, digest):
        return None
    if record_use and mark_used(session, staff):
        session.commit()
    return staff


def mark_used(session: Session, staff: StaffToken, now: datetime | None = None) -> bool:
    """Record that ``staff`` was used now, unless it already was within the last minute (True when
    a write is pending, for the caller to commit)."""
    now = now or utcnow()
    if staff.last_used_at is not None and now - staff.last_used_at < LAST_USED_PRECISION:
        return False
    staff.last_used_at = now
    return True


@dataclass(frozen=True)
class TokenInfo:
    """What ``tokens list`` shows of a token: never its secret, nor its hash."""

    id: int
    role: str
    site_id: str | None
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def list_tokens(session: Session, *, include_revoked: bool = False) -> list[TokenInfo]:
    """Every staff token (live ones only, unless ``include_revoked``), oldest first."""
    query = select(StaffToken).order_by(StaffToken.id)
    if not include_revoked:
        query = query.where(StaffToken.revoked_at.is_(None))
    return [TokenInfo(t.id, t.role, t.site_id, t.name, t.created_at, t.last_used_at, t.revoked_at)
            for t in session.scalars(query)]


def revoke_token(session: Session, token_id: int, *, now: datetime | None = None) -> StaffToken:
    """Revoke token ``token_id`` and end its open sessions: refused at its next request, in every
    browser and bearer client. Idempotent (an already revoked token keeps its first date). Commits."""
    now = now or utcnow()
    staff = session.get(StaffToken, token_id)
    if staff is None:
        raise NotFound(f"no staff token {token_id}", field="id")
    if staff.revoked_at is None:
        staff.revoked_at = now
    session.execute(update(StaffSession)
                    .where(StaffSession.staff_token_id == token_id, StaffSession.ended_at.is_(None))
                    .values(ended_at=now))
    session.commit()
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
