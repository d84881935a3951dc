"""``consent-gateway stats``: the API's figures on the command line, the rollup catch-up, and
``consent-gateway demo seed`` for synthetic decisions."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consent_gateway import stats
from consent_gateway.cli.environment import command_engine
from consent_gateway.consent import ConsentEvent
from consent_gateway.db import utcnow
from consent_gateway.declaration import SitesConfig, load_sites
from consent_gateway.errors import ConfigurationError, GatewayError
from consent_gateway.settings import sites_path_from_env
from consent_gateway.stats.demo import seed_decisions


def _sites() -> SitesConfig:
    try:
        return load_sites(sites_path_from_env())
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc


@click.group(invoke_without_command=True)
@click.option("--site", help="a site of sites.yaml (default: every site)")
@click.option("--from", "start", help="first day, YYYY-MM-DD (default: 30 days before --to)")
@click.option("--to", "end", help="last day, YYYY-MM-DD (default: today, UTC)")
@click.option("--group-by", default="day", show_default=True, type=click.Choice(stats.GROUPS))
@click.option("--format", "output", default="table", show_default=True,
              type=click.Choice(["table", "csv", "json"]))
@click.pass_context
def stats_command(ctx: click.Context, site: str | None, start: str | None, end: str | None,
                  group_by: str, output: str) -> None:
    """Consent figures for a site and period (the same as GET /api/v1/stats/consents)."""
    if ctx.invoked_subcommand is not None:
        return
    sites = _sites()
    engine = command_engine()
    try:
        with Session(engine) as session:
            query = stats.parse_query(sites, {"site": site, "from": start, "to": end, "group_by": group_by},
                                      utcnow().date())
            report = stats.consent_stats(session, sites, query)
            if output == "json":
                report["fairness"] = stats.fairness_audit(session, sites, query)
    except GatewayError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}" if exc.field else exc.message) from exc
    finally:
        engine.dispose()
    if output == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    elif output == "csv":
        click.echo(stats.stats_csv(report), nl=False)
    else:
        click.echo(f"{report['site'] or 'all sites'}, {report['from']} to {report['to']}, by {group_by} "
                   f"(cells under {report['min_cell']} decisions hidden; {report['bots_excluded']} bot "
                   "decisions excluded)")
        click.echo(_aligned(stats.stats_csv(report)), nl=False)


def _aligned(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in
                             enumerate(zip(row, widths, strict=True))).rstrip() + "\n" for row in rows)


@stats_command.command("rebuild")
@click.option("--from", "start", help="first day to recount (default: the oldest day still in the ledger)")
@click.option("--to", "end", help="last day to recount (default: today, UTC)")
def stats_rebuild(start: str | None, end: str | None) -> None:
    """Recount the rollups of a period from the raw events. Idempotent; run it after a restore.

    The default period starts the day after the oldest event still kept, since the retention purge
    may have removed part of that day.
    """
    sites = _sites()
    engine = command_engine()
    try:
        last = datetime.fromisoformat(end).date() if end else datetime.now(UTC).date()
        first = datetime.fromisoformat(start).date() if start else None
    except ValueError as exc:
        raise click.BadParameter("dates are YYYY-MM-DD") from exc
    with Session(engine) as session:
        if first is None:
            oldest = session.scalar(select(func.min(ConsentEvent.created_at)))
            first = oldest.date() + timedelta(days=1) if oldest is not None else None
        counted = stats.rebuild(session, sites, first, last) if first is not None else 0
    engine.dispose()
    click.echo(f"recounted {counted} event(s) from {first} to {last}")


@stats_command.command("catch-up")
def stats_catch_up() -> None:
    """Count the decisions recorded since the last reading of the figures into the rollups (every
    reading does it first; run it from cron so that the backlog stays short on quiet dashboards)."""
    sites = _sites()
    engine = command_engine()
    with Session(engine) as session:
        counted = stats.catch_up(session, sites)
    engine.dispose()
    click.echo(f"counted {counted} decision(s) into the rollups")


@click.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("seed")
@click.option("--events", default=100_000, show_default=True, type=click.IntRange(min=1))
@click.option("--days", default=365, show_default=True, type=click.IntRange(min=1, max=3650))
@click.option("--seed", "seed", type=int, help="random seed, for repeatable data")
def demo_seed(events: int, days: int, seed: int | None) -> None:
    """Write synthetic decisions (every declared site, realistic mixes) and their rollups."""
    sites = _sites()
    engine = command_engine()
    with Session(engine) as session:
        rows = seed_decisions(session, sites, events, days=days, seed=seed,
                              progress=lambda n: click.echo(f"  {n} events", err=True)
                              if n % 1_000_000 == 0 else None)
    engine.dispose()
    click.echo(f"seeded {events} synthetic decisions over {days} days ({rows} rollup rows)")
