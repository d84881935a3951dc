"""``consent-gateway ledger seal|verify``: one summary line and exit 0 when intact; exit 1 naming
the event when not; verifiable by an auditor from the published JWKS alone."""

from __future__ import annotations

from click.testing import CliRunner
from contact_support import decide
from ledger_support import append_only_trigger_off, raw_sql
from sqlalchemy import text

from consent_gateway.cli import main


def ledger(settings, *args: str, receipt_keys: bool = True):
    env = {"CONSENT_GATEWAY_DATABASE_URL": settings.database_url,
           "CONSENT_GATEWAY_SITES": str(settings.sites_path),
           "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys) if receipt_keys else ""}
    return CliRunner().invoke(main, ["ledger", *args], env=env)


def test_seal_then_verify_says_intact_in_one_line(app, settings):
    for _ in range(3):
        decide(app)
    sealed = ledger(settings, "seal", "--settle", "0")
    assert sealed.exit_code == 0, sealed.output
    assert sealed.output.startswith("sealed 3 event(s) in 1 checkpoint(s); checkpoint #1")
    assert ledger(settings, "seal", "--settle", "0").output.startswith("nothing to seal")
    checked = ledger(settings, "verify")
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines() == [
        "ledger intact: 1 checkpoint(s), 3 sealed event(s) (0 purged by retention, digest kept), "
        "0 not sealed yet"]


def test_verify_fails_naming_the_edited_and_the_deleted_event(app, settings):
    for _ in range(3):
        decide(app)
    ledger(settings, "seal", "--settle", "0")
    engine = app.extensions["db_engine"]
    with engine.connect() as conn:
        first, second, _ = conn.execute(text("SELECT id FROM consent_event ORDER BY id")).scalars()
    with append_only_trigger_off(engine):
        raw_sql(engine, "UPDATE consent_event SET country = 'MA' WHERE id = :id", id=second)
    raw_sql(engine, "DELETE FROM consent_event WHERE id = :id", id=first)
    checked = ledger(settings, "verify")
    assert checked.exit_code == 1
    lines = checked.output.splitlines()
    assert lines[0] == (f"ledger NOT intact: 2 problem(s); first: event #{first} was deleted after it "
                        "was sealed (checkpoint #1)")
    assert f"edited: event #{second} was edited after it was sealed" in lines[2]


def test_an_auditor_verifies_with_the_published_jwks(app, settings, client, tmp_path):
    decide(app)
    ledger(settings, "seal", "--settle", "0")
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(client.get("/.well-known/jwks.json").data)
    checked = ledger(settings, "verify", "--jwks", str(jwks), receipt_keys=False)
    assert checked.exit_code == 0 and checked.output.startswith("ledger intact"), checked.output
    jwks.write_text('{"keys": []}')
    refused = ledger(settings, "verify", "--jwks", str(jwks), receipt_keys=False)
    assert refused.exit_code == 1 and "no valid signature" in refused.output


def test_seal_without_receipt_keys_in_production_says_what_to_set(settings):
    # Another key variable set says production: no development key stands in for the missing one.
    env = {"CONSENT_GATEWAY_DATABASE_URL": settings.database_url,
           "CONSENT_GATEWAY_SITES": str(settings.sites_path),
           "CONSENT_GATEWAY_INSTANCE_PATH": str(settings.instance_path),
           "CONSENT_GATEWAY_SECRET_KEYS": ",".join(settings.secret_keys),
           "CONSENT_GATEWAY_RECEIPT_KEYS": ""}
    result = CliRunner().invoke(main, ["ledger", "seal"], env=env)
    assert result.exit_code == 1
    assert "CONSENT_GATEWAY_RECEIPT_KEYS is not set" in result.output and "Traceback" not in result.output
