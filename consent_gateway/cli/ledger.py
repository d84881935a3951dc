"""``consent-gateway ledger seal|verify``: the tamper-evident consent ledger from cron or by hand."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy.orm import Session

from consent_gateway.cli.environment import command_engine, receipt_keys
from consent_gateway.consent import public_keys_of
from consent_gateway.consent.ledger import seal_ledger, verify_ledger
from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError, GatewayError
from consent_gateway.settings import sites_path_from_env


@click.group()
def ledger() -> None:
    """The tamper-evident consent ledger: signed checkpoints over every event."""


@ledger.command("seal")
@click.option("--settle", default=5, show_default=True, type=click.IntRange(min=0),
              help="leave events younger than this many seconds for the next seal")
def seal(settle: int) -> None:
    """Seal every event recorded so far into signed checkpoints (CONSENT_GATEWAY_RECEIPT_KEYS; with
    no key variable and SQLite, the development key `serve` created under instance/).

    Reads events in batches and writes only the ledger's own tables: decisions are never slowed.
    """
    keys = receipt_keys()
    engine = command_engine()
    try:
        with Session(engine) as session:
            report = seal_ledger(session, keys, settle=timedelta(seconds=settle))
            click.echo(report.summary())
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()


@ledger.command("verify")
@click.option("--jwks", "jwks_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="verify signatures with this published JWKS instead of CONSENT_GATEWAY_RECEIPT_KEYS")
def verify(jwks_path: Path | None) -> None:
    """Recompute every checkpoint and event digest; exit 0 with a one-line summary only if intact,
    else exit 1 naming the first event edited, deleted or inserted out of order (then the others)."""
    try:
        retention = load_sites(sites_path_from_env()).consent_events_retention_days
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc
    if jwks_path is not None:
        public_keys = public_keys_of(json.loads(jwks_path.read_text()))
    else:
        public_keys = receipt_keys().public_keys()
    engine = command_engine()
    try:
        with Session(engine) as session:
            report = verify_ledger(session, public_keys, retention)
    finally:
        engine.dispose()
    click.echo(report.summary())
    for problem in report.problems:
        click.echo(f"  {problem.kind}: {problem.message}")
    if not report.intact:
        sys.exit(1)
