"""Helpers shared by the contact-form tests: submit a form, make receipts of every kind, read rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway import consent, workflows
from consent_gateway.db import utcnow

DEMO_ORIGIN = "http://127.0.0.1:8000"
PERSON = {
    "surname": "Durandal-Zéphyr",
    "first_name": "Camillette",
    "email": "camille.durandal@example.fr",
    "message": "Bonjour, je souhaite un échéancier pour ma dette.",
}
AUDIENCE = {
    "connection_time": "2026-11-20T09:15:00+01:00",
    "pages_visited": ["https://www.iqera.com/", "/contact"],
    "location": "fr",
}
DEBT = {"portfolio_code": "MCS2041", "file_reference": "20240517-12"}


def submit(client, fields: dict, token: str | None = None, *, site: str = "demo",
           origin: str = DEMO_ORIGIN, **extra):
    body = {"fields": fields, **extra}
    if token is not None:
        body["consent_token"] = token
    return client.post(f"/api/v1/sites/{site}/contact", json=body, headers={"Origin": origin})


def decide(app, site_id: str = "demo", action: str = "accept_all", choices: dict | None = None, *,
           previous_token: str | None = None, days_ago: int = 0) -> tuple[str, str]:
    """Record a decision through the consent service (optionally in the past), continuing the
    visitor of ``previous_token`` if given; (token, visitor_id)."""
    gw = app.extensions["gateway"]
    site = gw.sites.sites[site_id]
    body = {"action": action, "choices": choices or {}, "policy_version": site.policy_version,
            "config_hash": gw.sites.banner_config(site, "fr")["config_hash"], "lang": "fr"}
    if previous_token:
        body["previous_token"] = previous_token
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        decision = consent.parse_decision(gw.sites, site, body)
        recorded = workflows.record_decision(session, gw.sites, site, decision, consent.RequestContext(),
                                             gw.signer, now=utcnow() - timedelta(days=days_ago))
    return recorded.token, recorded.event.visitor_id


def field_rows(db_session) -> list[dict]:
    """contact_field rows exactly as the database holds them (raw SQL, no ORM type processing)."""
    db_session.rollback()
    result = db_session.execute(text(
        "SELECT name, purpose, ciphertext, receipt_id, visitor_id, created_at, expires_at "
        "FROM contact_field ORDER BY id"))
    return [dict(row._mapping) for row in result]


def submission_count(db_session) -> int:
    db_session.rollback()
    return db_session.execute(text("SELECT COUNT(*) FROM contact_submission")).scalar_one()
