"""``consent-gateway purge``: removes exactly what is past retention, prints it, is idempotent."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from contact_support import PERSON, decide, field_rows
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway import contact
from consent_gateway.cli import main
from consent_gateway.contact import cipher_for
from consent_gateway.db import utcnow


def _submit_in_the_past(app, days_ago: int, token: str | None = None) -> None:
    gw = app.extensions["gateway"]
    then = utcnow() - timedelta(days=days_ago)
    fields = {**PERSON, "connection_time": (then - timedelta(hours=1)).isoformat(), "location": "MA"}
    with Session(app.extensions["db_engine"]) as session:
        contact.submit_contact(session, gw.sites, gw.sites.sites["demo"], contact.Submission(fields, token),
                               gw.signer, cipher_for(gw.settings.pii_keys), channel="api", now=then)


def _purge(settings, *args: str):
    env = {"CONSENT_GATEWAY_DATABASE_URL": settings.database_url,
           "CONSENT_GATEWAY_SITES": str(settings.sites_path),
           "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys)}
    result = CliRunner().invoke(main, ["purge", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _count(db_session, table: str) -> int:
    db_session.rollback()
    return db_session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_purge_removes_exactly_what_expired(app, settings, db_session):
    # audience_measurement keeps 760 days, contact_request 1095, consent events 1826.
    old_token, _ = decide(app, days_ago=800)
    _submit_in_the_past(app, 800, old_token)   # audience fields expired, contact fields not
    _submit_in_the_past(app, 1100)             # everything expired
    _submit_in_the_past(app, 10)               # nothing expired
    decide(app, days_ago=1830)                 # a consent event past its retention
    decide(app, days_ago=1820)                 # one that is not
    assert len(field_rows(db_session)) == 4 + 2 + 4 + 4
    dry = _purge(settings, "--dry-run")
    assert "would remove 6 contact field(s)" in dry
    assert "audience_measurement: 2" in dry and "contact_request: 4" in dry
    assert "would remove 1 contact submission(s)" in dry
    assert "would remove 1 consent event(s)" in dry
    assert len(field_rows(db_session)) == 14 and _count(db_session, "consent_event") == 3

    out = _purge(settings)
    assert "removed 6 contact field(s)" in out and "removed 1 contact submission(s)" in out
    assert "removed 1 consent event(s)" in out
    rows = field_rows(db_session)
    assert len(rows) == 8
    assert "audience_measurement" not in {r["purpose"] for r in rows}
    assert _count(db_session, "contact_submission") == 2
    assert _count(db_session, "consent_event") == 2

    again = _purge(settings)
    assert "removed 0 contact field(s)" in again and "removed 0 consent event(s)" in again
    assert len(field_rows(db_session)) == 8


def test_purge_in_small_batches_removes_everything_expired(app, db_session):
    from consent_gateway.workflows import purge

    for _ in range(3):
        _submit_in_the_past(app, 1100)
    _submit_in_the_past(app, 1)
    with Session(app.extensions["db_engine"]) as session:
        gw = app.extensions["gateway"]
        report = purge(session, gw.sites, gw.receipt_keys, batch=2)
    assert report.contact_fields == 12 and report.submissions == 3
    assert len(field_rows(db_session)) == 4
