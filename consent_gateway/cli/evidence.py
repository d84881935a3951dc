"""``consent-gateway evidence snapshot|pack``: screenshots of every banner version, and the
evidence pack the DPO hands to the CNIL."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy.orm import Session

from consent_gateway import create_app
from consent_gateway.cli.environment import command_engine, command_settings
from consent_gateway.cli.local_server import served_locally
from consent_gateway.consent.snapshots import take_snapshots
from consent_gateway.db import utcnow
from consent_gateway.errors import ConfigurationError, GatewayError
from consent_gateway.staff.evidence import Declaration, evidence_pack, parse_period


def _app() -> Flask:
    settings = command_settings()
    command_engine(settings.database_url).dispose()  # the embedded default's schema, as `serve` has it
    try:
        return create_app(settings)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc


@click.group()
def evidence() -> None:
    """Evidence for the CNIL: banner screenshots and the evidence pack."""


@evidence.command("snapshot")
def snapshot() -> None:
    """Picture, in Chromium, every banner configuration served and not yet pictured: the first
    layer and the preferences, desktop (1280x800) and mobile (360x640). Needs the `evidence` extra."""
    app = _app()
    engine = app.extensions["db_engine"]
    try:
        with served_locally(app) as url, Session(engine) as session:
            report = take_snapshots(session, app.extensions["gateway"].sites, url)
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    click.echo(report.summary())


@evidence.command("pack")
@click.option("--site", "site_id", required=True, help="the declared site")
@click.option("--from", "start", help="first day, YYYY-MM-DD (default: since the beginning)")
@click.option("--to", "end", help="last day, YYYY-MM-DD (default: today)")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the zip to write")
def pack(site_id: str, start: str | None, end: str | None, out: Path) -> None:
    """Write the evidence pack of SITE for the period: declaration, banner versions and their
    screenshots, ledger checkpoints and verification, JWKS, stats, privacy notice, manifest."""
    app = _app()
    gw = app.extensions["gateway"]
    site = gw.sites.site(site_id)
    if site is None:
        raise click.ClickException(f"no site {site_id!r} is declared in {gw.settings.sites_path}")
    client = app.test_client()
    notices = {lang: client.get(f"/privacy/{site.id}/?lang={lang}").get_data(as_text=True)
               for lang in site.languages}
    engine = app.extensions["db_engine"]
    try:
        with Session(engine) as session:
            body = evidence_pack(
                session, gw.sites, site, parse_period(start, end, utcnow().date()),
                declaration=Declaration(gw.settings.sites_path.read_text(encoding="utf-8"),
                                        gw.sites.consent_events_retention_days),
                receipt_keys=gw.receipt_keys, notices=notices, public_url=gw.settings.public_url,
                now=utcnow())
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    out.write_bytes(body)
    click.echo(f"evidence pack of {site.id} written to {out} ({len(body)} bytes)")
