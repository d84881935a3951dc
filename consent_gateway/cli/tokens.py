"""``consent-gateway tokens``: staff tokens created, listed and revoked (never shown again)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy.orm import Session

from consent_gateway.cli.environment import command_engine
from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError, GatewayError
from consent_gateway.settings import sites_path_from_env
from consent_gateway.staff import ROLES, create_token, list_tokens, revoke_token
from consent_gateway.staff.applications import check_token_site


@click.group()
def tokens() -> None:
    """Staff API tokens."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="who holds the token")
@click.option("--site", "site_id", help="the one site a recruiter token reads (required for it; the site "
                                        "must take applications)")
def tokens_create(role: str, name: str, site_id: str | None) -> None:
    """Create a token; it is printed once, alone on the last line, and only its hash is kept."""
    if site_id is not None:
        try:
            declared = load_sites(sites_path_from_env()).site(site_id)
        except ConfigurationError as exc:
            raise click.ClickException(exc.message) from exc
        if declared is None:
            raise click.ClickException(f"no site {site_id!r} is declared in {sites_path_from_env()}")
        try:
            check_token_site(role, declared)
        except GatewayError as exc:
            raise click.ClickException(exc.message) from exc
    engine = command_engine()
    try:
        with Session(engine) as session:
            token = create_token(session, role, name, site_id)
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    scope = f" on the site {site_id}" if site_id else ""
    click.echo(f"Created {_article(role)} {role} token for {name}{scope}. It is shown once: keep it in a "
               "password manager.")
    click.echo(token)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@tokens.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="revoked tokens too")
def tokens_list(include_revoked: bool) -> None:
    """Every live staff token: id, role, site, holder, created, last used (never the secret)."""
    engine = command_engine()
    try:
        with Session(engine) as session:
            rows = list_tokens(session, include_revoked=include_revoked)
    finally:
        engine.dispose()
    if not rows:
        click.echo("no staff token" + ("" if include_revoked else " (live); --all shows revoked ones"))
        return
    revoked = ("revoked",) if include_revoked else ()
    table = [("id", "role", "site", "name", "created", "last used", *revoked)]
    for row in rows:
        table.append((str(row.id), row.role, row.site_id or "-", row.name, _minute(row.created_at),
                      _minute(row.last_used_at) if row.last_used_at else "never",
                      *((_minute(row.revoked_at) if row.revoked_at else "-",) if include_revoked else ())))
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@tokens.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke token ID (from `tokens list`): refused at its next request, open sessions included."""
    engine = command_engine()
    try:
        with Session(engine) as session:
            staff = revoke_token(session, token_id)
            name, role = staff.name, staff.role
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    click.echo(f"Revoked token {token_id} ({role}, {name}): refused from its next request, and its open "
               "sessions are ended.")
