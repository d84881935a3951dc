"""``consent-gateway``: the command line, calling the same services as the views."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import click
from gunicorn.app.base import BaseApplication
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from consent_gateway import create_app
from consent_gateway.cli.backup import backup, restore
from consent_gateway.cli.environment import command_engine, command_settings, receipt_keys
from consent_gateway.cli.evidence import evidence
from consent_gateway.cli.ledger import ledger
from consent_gateway.cli.scan import scan_command
from consent_gateway.cli.stats import demo, stats_command
from consent_gateway.cli.tokens import tokens
from consent_gateway.contact import PIICipher
from consent_gateway.contact.rotation import rotate_pii
from consent_gateway.cookie_audit.catalogue import catalogue_warnings
from consent_gateway.db.files import exposed, sqlite_file, with_companions
from consent_gateway.db.migrate import upgrade
from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError
from consent_gateway.logs import GunicornLogger
from consent_gateway.settings import (
    PREFIX,
    Settings,
    database_url_from_env,
    sites_path_from_env,
)
from consent_gateway.web.platform import server_errors
from consent_gateway.web.platform.limits import storage_uri
from consent_gateway.workflows import purge as purge_expired

GUNICORN_CONF = "consent_gateway.web.platform.gunicorn_conf"


def _settings(development: bool = False, environ: dict[str, str] | None = None) -> Settings:
    try:
        return Settings.from_env(environ, development=development)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc


def _app(settings: Settings):

    try:
        return create_app(settings)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc


@click.group()
def main() -> None:
    """iQera consent gateway."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--production", is_flag=True,
              help="Run gunicorn with the production settings "
                   "(consent_gateway/web/platform/gunicorn_conf.py): keys required, no migration applied, "
                   "--workers ignored (WEB_CONCURRENCY sets it).")
def serve(host: str, port: int, workers: int, production: bool) -> None:
    """Run the gateway on its embedded default: SQLite under instance/, the demo site.

    Applies migrations on SQLite, creates a development signing key if none is set.
    With --production: checks the settings, then becomes gunicorn with the production settings.
    """
    if production:
        _warn_exposed(_settings())  # a bad or missing setting stops here, with the variable named
        gunicorn = Path(sys.executable).with_name("gunicorn")
        # The same entry as wsgi.py: a bad sites.yaml or an unreachable Redis is one line, not a
        # traceback from inside gunicorn.
        os.execv(gunicorn, [str(gunicorn), "-c", f"python:{GUNICORN_CONF}", "-b", f"{host}:{port}",
                            "consent_gateway.wsgi:production_app()"])
        return  # execv does not return; nothing below may run in its stead
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        settings = _settings(development=True, environ=served_environ(host, port))
    for warning in caught:
        click.secho(f"warning: {warning.message}", fg="yellow", err=True)
    _warn_exposed(settings)
    app = _app(settings)
    if settings.database_url.startswith("sqlite"):

        upgrade(settings.database_url)
    here = settings.public_url
    click.echo(f"Consent gateway on {here}/ — demo: {here}/demo/demo")

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            # No access log (it would hold addresses, query strings, Referers): the gateway writes
            # one JSON line per request itself, and gunicorn's own lines are JSON too.
            self.cfg.set("accesslog", None)
            self.cfg.set("logger_class", GunicornLogger)
            # As in production: no control socket (one path per user, which a second instance
            # would take over and the first delete on exit), and gunicorn's own error answers
            # with the gateway's security headers.
            self.cfg.set("control_socket_disable", True)
            self.cfg.set("post_worker_init", server_errors.post_worker_init)

        def load(self):
            return app

    _Server().run()


def served_environ(host: str, port: int) -> dict[str, str]:
    """The environment with, unless ``CONSENT_GATEWAY_PUBLIC_URL`` names it, the address the
    development server is reached at as the gateway's public origin (its links, redirects and the
    origin its demo page posts from)."""
    environ = dict(os.environ)
    if not environ.get(PREFIX + "PUBLIC_URL"):
        reachable = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        reachable = f"[{reachable}]" if ":" in reachable else reachable
        environ[PREFIX + "PUBLIC_URL"] = f"http://{reachable}:{port}"
    return environ


def private_files(settings: Settings) -> list[Path]:
    """The files that hold consent proof, contact data or keys: the instance folder, its development
    keys, the SQLite databases (consent and rate limits) and their WAL, SHM and journal."""
    paths = [settings.instance_path, *(settings.instance_path / name
                                       for name in ("secret_key", "pii_key", "receipt_key"))]
    for url in (settings.database_url, storage_uri(settings)):
        database = sqlite_file(url) if url.startswith("sqlite") else None
        if database is not None:
            paths.extend(with_companions(database))
    return paths


def _warn_exposed(settings: Settings) -> None:
    for path, mode in exposed(private_files(settings)):
        owner_only = "0700" if path.is_dir() else "0600"
        click.secho(f"warning: {path} is open to other users of this host (mode {mode:04o}); it holds "
                    f"consent proof, contact data or keys: chmod {owner_only} {path}", fg="yellow", err=True)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations to CONSENT_GATEWAY_DATABASE_URL."""

    url = database_url_from_env()
    upgrade(url, revision)
    click.echo(f"database at {_safe_url(url)} is at {revision}")


@main.group()
def sites() -> None:
    """The sites.yaml declaration."""


@sites.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def sites_check(path: Path | None) -> None:
    """Validate PATH (default CONSENT_GATEWAY_SITES or ./sites.yaml); exit 1 on any error."""

    path = path or sites_path_from_env()
    try:
        config = load_sites(path)
    except ConfigurationError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    for site in config.sites.values():
        hashes = ", ".join(f"{lang} {h[:12]}" for lang, h in config.config_hashes(site).items())
        click.echo(f"{site.id}: {site.name} — {len(site.purpose_ids)} purposes, "
                   f"{len(site.contact.fields) if site.contact else 0} contact fields, config {hashes}")
    for item in config.to_confirm:
        click.secho(f"to confirm: {item}", fg="yellow")
    # Warnings, not errors: the database is a second opinion the DPO weighs.
    for warning in catalogue_warnings(config):
        click.secho(f"warning: {path}: {warning}", fg="yellow")
    click.echo(f"{path}: OK")


@main.group()
def keys() -> None:
    """Key management."""


@keys.command("rotate-pii")
@click.option("--batch", default=500, show_default=True, type=int, help="rows per transaction")
def keys_rotate_pii(batch: int) -> None:
    """Re-encrypt every stored contact value under the newest CONSENT_GATEWAY_PII_KEYS key.

    Add the new key at the end of the list, run this, then drop the old keys.
    """

    settings = command_settings()
    try:
        cipher = PIICipher(settings.pii_keys)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc
    engine = command_engine(settings.database_url)
    with Session(engine) as session:
        report = rotate_pii(session, cipher, batch=batch)
    engine.dispose()
    click.echo(f"re-encrypted {report.rotated} contact value(s) under the newest key "
               f"({report.already_current} already were, {report.batches} batch(es))")


@main.command()
@click.option("--dry-run", is_flag=True, help="only print what would be removed")
def purge(dry_run: bool) -> None:
    """Delete contact data and consent events past their retention; safe to run from cron.

    The ledger is sealed first (CONSENT_GATEWAY_RECEIPT_KEYS, or the development key) and purged
    events keep their sealed
    digests, so `ledger verify` still passes.
    """

    try:
        sites_config = load_sites(sites_path_from_env())
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc
    keys = receipt_keys()
    engine = command_engine()
    with Session(engine) as session:
        report = purge_expired(session, sites_config, keys, dry_run=dry_run)
    engine.dispose()
    for line in report.lines():
        click.echo(line)


main.add_command(tokens)
main.add_command(ledger)
main.add_command(evidence)
main.add_command(backup)
main.add_command(restore)


def _safe_url(url: str) -> str:

    return make_url(url).render_as_string(hide_password=True)


main.add_command(stats_command, "stats")
main.add_command(demo)
main.add_command(scan_command, "scan")


if __name__ == "__main__":  # pragma: no cover
    main()
