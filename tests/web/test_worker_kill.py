"""An acknowledged decision survives SIGKILL of the worker that wrote it (none lost; docs/operations.md,
Durability).

The gateway runs under gunicorn with the production settings (consent_gateway/web/platform/gunicorn_conf.py,
2 workers) on the tests' database: SQLite (WAL), or PostgreSQL when
CONSENT_GATEWAY_TEST_DATABASE_URL is set. bench/kill_worker.py is the same run at a larger size.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bench.kill_worker import run
from bench.servers import gateway_env
from consent_gateway.consent import ReceiptSigner, verify_token
from consent_gateway.declaration import load_sites
from consent_gateway.settings import Settings

KILLS = 3


def test_every_acknowledged_decision_is_stored_and_verifies_after_workers_are_killed(
        settings: Settings, db_session: Session) -> None:
    # db_session comes with the app fixture, which empties every table after the test.
    env = gateway_env(settings.database_url, migrate=False, CONSENT_GATEWAY_SITES=str(settings.sites_path))
    outcome = run(env, seconds=4, clients=4, kills=KILLS)

    assert outcome.killed == KILLS
    # A decision was acknowledged before each kill and after the last one.
    assert len(outcome.acked) > KILLS
    assert outcome.lost == set(), f"{len(outcome.lost)} acknowledged decisions are not in the database"
    signer = ReceiptSigner(env["CONSENT_GATEWAY_SECRET_KEYS"].split(","))
    sites = load_sites(settings.sites_path)
    for receipt_id, token in outcome.acked.items():
        verification = verify_token(db_session, sites, signer, token)
        assert verification.valid, verification.reason
        assert verification.event is not None and verification.event.receipt_id == receipt_id
        # Every decision started a new visitor: each receipt is that visitor's current one.
        assert verification.status == "active"
