"""Staff sessions kept on the server: a random id in the browser's cookie, a row behind it.

The row, not the cookie, says whether a session is live: signing out, staying idle past the limit,
the session's lifetime running out or the token's revocation end it (``ended_at``), and every copy
of the cookie stops working at its next request. Only the SHA-256 of the id is stored, so the table
cannot be used to sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from consent_gateway.db import utcnow
from consent_gateway.staff.models import StaffSession, StaffToken
from consent_gateway.staff.tokens import active_staff, mark_used

# The longest a session lasts, however active: a working day.
SESSION_LIFETIME = timedelta(hours=12)
# ``last_seen_at`` is written at most this often: one write a minute per signed-in browser, not one
# per page; the idle limit is thus kept to within this much.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_staff_session(session: Session, staff: StaffToken, *, now: datetime | None = None) -> str:
    """Start a session for ``staff`` and return its id (for the cookie; only its hash is kept).
    Commits once."""
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    session.add(StaffSession(id_hash=_hash(session_id), staff_token_id=staff.id, created_at=now,
                             last_seen_at=now, expires_at=now + SESSION_LIFETIME))
    mark_used(session, staff, now)
    session.commit()
    return session_id


def resume_staff_session(session: Session, session_id: str, *, idle: timedelta,
                         now: datetime | None = None) -> StaffToken | None:
    """The staff token of the live session ``session_id``, its last-seen time moved on; None when
    the session is unknown, ended, idle longer than ``idle``, past its lifetime or its token was
    revoked (it is then ended, for every copy of the cookie)."""
    now = now or utcnow()
    row = session.get(StaffSession, _hash(session_id)) if session_id else None
    if row is None or row.ended_at is not None:
        return None
    staff = active_staff(session, row.staff_token_id)
    if staff is None or now - row.last_seen_at > idle or now >= row.expires_at:
        row.ended_at = now
        session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        mark_used(session, staff, now)
        session.commit()
    return staff


def end_staff_session(session: Session, session_id: str, *, now: datetime | None = None) -> None:
    """Sign-out: the session ends for every copy of its cookie. Commits once."""
    session.execute(update(StaffSession)
                    .where(StaffSession.id_hash == _hash(session_id), StaffSession.ended_at.is_(None))
                    .values(ended_at=now or utcnow()))
    session.commit()
