"""``consent-gateway serve --production``: the settings are checked first, then the command becomes
gunicorn with the production settings (consent_gateway/web/platform/gunicorn_conf.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_gateway.cli import commands, main
from consent_gateway.settings import Settings


@pytest.fixture
def execv(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(commands.os, "execv", lambda path, argv: calls.append((str(path), list(argv))))
    return calls


def _env(settings: Settings, **changes: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "CONSENT_GATEWAY_SECRET_KEYS": ",".join(settings.secret_keys),
        "CONSENT_GATEWAY_PII_KEYS": ",".join(settings.pii_keys),
        "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys),
        "CONSENT_GATEWAY_DATABASE_URL": settings.database_url,
        "CONSENT_GATEWAY_SITES": str(settings.sites_path),
        "CONSENT_GATEWAY_INSTANCE_PATH": str(settings.instance_path),
    }
    env.update(changes)
    return env


def test_production_serve_becomes_gunicorn_with_the_production_settings(settings, execv) -> None:
    result = CliRunner().invoke(main, ["serve", "--production", "--host", "0.0.0.0", "--port", "8080"],
                                env=_env(settings))
    assert result.exit_code == 0, result.output
    [(path, argv)] = execv
    assert Path(path).name == "gunicorn" and Path(path).is_file()
    assert argv[1:] == ["-c", "python:consent_gateway.web.platform.gunicorn_conf", "-b", "0.0.0.0:8080",
                        "consent_gateway:create_app()"]


def test_production_serve_refuses_a_missing_key_before_starting_anything(settings, execv) -> None:
    result = CliRunner().invoke(main, ["serve", "--production"],
                                env=_env(settings, CONSENT_GATEWAY_SECRET_KEYS=None))
    assert result.exit_code != 0
    assert "CONSENT_GATEWAY_SECRET_KEYS is not set" in result.output
    assert execv == []


def test_serve_warns_when_a_database_or_key_is_open_to_other_users(settings, execv, tmp_path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    database = instance / "consent.db"
    database.touch(mode=0o600)
    database.chmod(0o644)  # as the gateway created it before files were owner-only
    (instance / "pii_key").touch(mode=0o600)
    env = _env(settings, CONSENT_GATEWAY_DATABASE_URL=f"sqlite:///{database}",
               CONSENT_GATEWAY_INSTANCE_PATH=str(instance))
    result = CliRunner().invoke(main, ["serve", "--production"], env=env)
    assert result.exit_code == 0, result.output
    assert f"warning: {database} is open to other users of this host (mode 0644)" in result.output
    assert f"chmod 0600 {database}" in result.output
    assert "pii_key" not in result.output
    assert len(execv) == 1


def test_serve_is_silent_about_owner_only_files(settings, execv, tmp_path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    env = _env(settings, CONSENT_GATEWAY_DATABASE_URL=f"sqlite:///{instance / 'consent.db'}",
               CONSENT_GATEWAY_INSTANCE_PATH=str(instance))
    (instance / "consent.db").touch(mode=0o600)
    result = CliRunner().invoke(main, ["serve", "--production"], env=env)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
