"""``consent-gateway scan``: the tracker scan of the declared sites, for the DPO, cron or CI
(exit 1 while a violation is open)."""

from __future__ import annotations

import json
import sys

import click
from sqlalchemy.orm import Session

from consent_gateway import create_app, scan
from consent_gateway.cli.environment import command_engine, command_settings
from consent_gateway.db import utcnow
from consent_gateway.errors import ConfigurationError, GatewayError


@click.command("scan")
@click.option("--site", "site_id", help="the declared site to scan (default: every site)")
@click.option("--page", "pages", multiple=True, metavar="URL",
              help="scan this page instead of the site's scan.pages (repeatable); a partial scan "
                   "resolves no finding")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 16),
              help="pages visited at once")
def scan_command(site_id: str | None, pages: tuple[str, ...], fmt: str, concurrency: int) -> None:
    """Visit each declared page in Chromium (before a choice, after "Tout refuser", after "Tout
    accepter"), report what the declaration does not cover, keep the scan and compare it with the
    previous one. The pages load the banner from CONSENT_GATEWAY_PUBLIC_URL. Needs the `evidence`
    extra. Exit 1 while a violation is open."""
    settings = command_settings()
    command_engine(settings.database_url).dispose()  # the embedded default's schema, as `serve` has it
    try:
        app = create_app(settings)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc
    gw = app.extensions["gateway"]
    if site_id is not None and gw.sites.site(site_id) is None:
        raise click.ClickException(f"no site {site_id!r} is declared in {gw.settings.sites_path}")
    if pages and site_id is None:
        raise click.ClickException("--page needs --site: a page belongs to one site")
    sites = [gw.sites.site(site_id)] if site_id else list(gw.sites.sites.values())
    engine = app.extensions["db_engine"]
    reports, violations = [], 0
    try:
        with Session(engine) as session:
            for site in sites:
                plan = scan.plan_for(gw.sites, site, gw.settings.public_url, pages, concurrency=concurrency)
                outcome = scan.run_scan(session, gw.sites, site, plan, utcnow())
                report = {**scan.scan_report(session, outcome.scan), "suggestions": outcome.suggestions}
                violations += outcome.scan.summary["open_violations"]
                reports.append(report)
                if fmt == "table":
                    click.echo(_table(report))
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    if fmt == "json":
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if violations:
        click.secho(f"{violations} violation(s) open", fg="red", err=True)
        sys.exit(1)


def _table(report: dict) -> str:
    summary = report["summary"]
    opened = ", ".join(f"{k} {summary['open'].get(k, 0)}" for k in scan.SEVERITIES)
    lines = [f"{report['site']}: scan {report['id']}, {len(report['pages'])} page(s), "
             f"{report['duration_ms'] / 1000:.1f} s{'' if report['full'] else ' (partial)'} — "
             f"{summary['new']} new, {summary['resolved']} resolved; open: {opened}"]
    for f in report["findings"]:
        where = f"{f['state'] or '-'} {f['page'] or ''}".strip()
        known = f" [{f['database']['platform']}, {f['database']['category']}]" if f["database"] else ""
        lines.append(f"  {f['severity']:<6} {f['kind']:<10} {f['status']:<8} {f['message']}{known} ({where})")
    if report["suggestions"]:
        lines.append("  suggested sites.yaml lines (review before use; the scan edits nothing):")
        lines.extend(f"    {line}" for line in report["suggestions"])
    return "\n".join(lines)
