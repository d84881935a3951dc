"""``consent-gateway backup --out FILE`` and ``consent-gateway restore FILE``: a consistent copy
of the database with its manifest, and a restore into an empty database that proves itself."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from sqlalchemy.orm import Session

from consent_gateway.backup import KeySet, check_restore, opened, restore_into, write_backup
from consent_gateway.db import make_engine
from consent_gateway.db.migrate import upgrade
from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError, GatewayError
from consent_gateway.settings import PREFIX, database_url_from_env, default_instance_path, sites_path_from_env

KEY_SETTINGS = (("secret_keys", "SECRET_KEYS", "secret_key"), ("pii_keys", "PII_KEYS", "pii_key"),
                ("receipt_keys", "RECEIPT_KEYS", "receipt_key"))


def present_keys() -> KeySet:
    """The keys at hand: each ``CONSENT_GATEWAY_*_KEYS`` variable, else the development key file
    under the instance folder if there is one (never created here)."""
    found: dict[str, tuple[str, ...]] = {}
    instance = default_instance_path()
    for attribute, variable, filename in KEY_SETTINGS:
        raw = os.environ.get(PREFIX + variable, "")
        keys = tuple(k.strip() for k in raw.split(",") if k.strip())
        if not keys and (instance / filename).is_file():
            keys = ((instance / filename).read_text(encoding="utf-8").strip(),)
        found[attribute] = keys
    return KeySet(**found)


@click.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the archive to write (a .tar.gz, created 0600)")
def backup(out: Path) -> None:
    """Write a consistent copy of CONSENT_GATEWAY_DATABASE_URL and its manifest to --out.

    SQLite: its online backup; PostgreSQL: pg_dump, in the snapshot the manifest is computed in.
    The manifest states the rows of every table, the ledger's last checkpoint and the ids of the
    keys the data needs (never a key). The keys are not in the archive: keep them apart.
    """
    try:
        manifest = write_backup(database_url_from_env(), out, present_keys())
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    ledger = manifest["ledger"]
    last = ledger["last_checkpoint"]
    click.echo(f"backed up {manifest['counts'].get('consent_event', 0)} consent event(s) and "
               f"{sum(manifest['counts'].values())} row(s) in all to {out}")
    click.echo(f"ledger: {ledger['checkpoints']} checkpoint(s)"
               + (f", the last #{last['id']} sealing events up to #{last['last_event_id']}" if last else ""))
    needed = manifest["keys_needed"]
    click.echo("keys needed (ids only; keep the keys themselves apart from this file): "
               + json.dumps({k: needed[k] for k in ("receipt_keys", "pii_keys", "secret_keys")}))


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(archive: Path) -> None:
    """Restore ARCHIVE into CONSENT_GATEWAY_DATABASE_URL, which must be empty, then prove it.

    After restoring: the ledger verification (`ledger verify`), whether every sealed event and row
    the backup held is there, and whether the keys present can read the contact data. Exit 0 only
    if all of that holds; 1 if the restore is incomplete or a key is missing.
    """
    url = database_url_from_env()
    try:
        retention = load_sites(sites_path_from_env()).consent_events_retention_days
        with opened(archive) as (manifest, data):
            restore_into(url, manifest, data)
    except GatewayError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"restored {archive} (backup of {manifest['created_at']}, schema "
               f"{manifest['database']['schema_revision']})")
    upgrade(url)  # a backup of an earlier release gets this release's schema, as `db upgrade` would
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            report = check_restore(session, manifest, present_keys(), retention)
    except ConfigurationError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        engine.dispose()
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)
