"""What every command reads from its environment, in one place: the settings, the receipt keys
and the database, with the embedded default of ``make run`` (``settings.embedded_default``): no
key variable and SQLite mean the development keys ``serve`` created under ``instance/`` and a
schema brought up to date, as ``serve`` does; anything else is production, where a missing key is
a refusal naming its variable."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TypeVar

import click
from sqlalchemy import Engine

from consent_gateway.consent import ReceiptKeys
from consent_gateway.db import make_engine
from consent_gateway.db.migrate import upgrade
from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import Settings, database_url_from_env, embedded_default, receipt_keys_from_env

T = TypeVar("T")


def announced(make: Callable[[], T]) -> T:
    """``make()``, with the warning of a development key it creates printed as ``serve`` prints it,
    and a ConfigurationError turned into the command's error message."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = make()
        except ConfigurationError as exc:
            raise click.ClickException(exc.message) from exc
    for warning in caught:
        click.secho(f"warning: {warning.message}", fg="yellow", err=True)
    return value


def command_settings() -> Settings:
    """The settings of a command: development keys under ``instance/`` in the embedded default."""
    return announced(lambda: Settings.from_env(development=embedded_default()))


def receipt_keys() -> ReceiptKeys:
    """The receipt keys alone (the ledger's commands need no other key)."""
    return announced(lambda: ReceiptKeys(receipt_keys_from_env()))


def command_engine(url: str | None = None) -> Engine:
    """The database of a command. In the embedded default its schema is brought up to date first,
    as ``serve`` does on SQLite, so a command run before the first ``serve`` finds its tables."""
    url = url or database_url_from_env()
    if embedded_default():
        upgrade(url)
    return make_engine(url)
