"""Receive a banner's report of undeclared cookie names, and list them for the DPO."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import iso
from consent_gateway.cookie_audit.database import cookie_database
from consent_gateway.cookie_audit.models import UndeclaredCookie
from consent_gateway.db import upsert_insert
from consent_gateway.declaration import Site
from consent_gateway.declaration.model import COOKIE_NAME
from consent_gateway.errors import ValidationError, expect_object

MAX_NAMES = 50


def parse_names(body: Any) -> list[str]:
    """The ``names`` of a report body, distinct, in order; ValidationError naming ``names``."""
    body = expect_object(body, {"names"})
    names = body.get("names")
    if not isinstance(names, list) or not names:
        raise ValidationError("names must be a non-empty list of cookie names", field="names")
    if len(names) > MAX_NAMES:
        raise ValidationError(f"at most {MAX_NAMES} names per report", field="names")
    for name in names:
        if not isinstance(name, str) or not COOKIE_NAME.match(name):
            raise ValidationError("each name must be a cookie name: 1 to 128 token characters "
                                  "(RFC 6265), nothing else", field="names")
    return list(dict.fromkeys(names))


def record_undeclared(session: Session, site: Site, names: list[str], now: datetime) -> list[str]:
    """Count the names ``site`` does not declare (wildcards honoured) and commit; the names kept."""
    kept = sorted(n for n in names if not site.declares_cookie(n))
    if kept:
        stmt = upsert_insert(session)(UndeclaredCookie)
        stmt = stmt.on_conflict_do_update(
            index_elements=["site_id", "name"],
            set_={"last_seen": stmt.excluded.last_seen, "reports": UndeclaredCookie.reports + 1})
        # Sorted names: concurrent reports lock the same rows in the same order (no deadlock).
        session.execute(stmt, [{"site_id": site.id, "name": n, "first_seen": now, "last_seen": now,
                                "reports": 1} for n in kept])
    session.commit()
    return kept


def undeclared_cookies(session: Session, site: Site) -> list[dict[str, Any]]:
    """The names reported on ``site`` that it still does not declare, the most recently seen first,
    each with what the Open Cookie Database says of it (``database``: platform, category,
    description, usual retention; None when it does not know the name)."""
    rows = session.scalars(select(UndeclaredCookie).where(UndeclaredCookie.site_id == site.id)
                           .order_by(UndeclaredCookie.last_seen.desc(), UndeclaredCookie.name))
    db = cookie_database()
    out = []
    for r in rows:
        if site.declares_cookie(r.name):
            continue
        known = db.lookup(r.name)
        out.append({"name": r.name, "first_seen": r.first_seen, "last_seen": r.last_seen,
                    "reports": r.reports, "database": known.describe() if known else None})
    return out


def undeclared_report(session: Session, site: Site) -> dict[str, Any]:
    """The DPO's list as JSON (the API's answer, the evidence pack's file): dates in ISO 8601."""
    return {"site": site.id, "cookies": [
        {**c, "first_seen": iso(c["first_seen"]), "last_seen": iso(c["last_seen"])}
        for c in undeclared_cookies(session, site)]}
