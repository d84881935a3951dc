"""``consent-gateway serve --production``: the settings are checked first, then the command becomes
gunicorn with the production settings (consent_gateway/web/platform/gunicorn_conf.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.servers import free_port
from consent_gateway.cli import commands, main
from consent_gateway.settings import Settings

CLI = Path(sys.executable).with_name("consent-gateway")


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
                        "consent_gateway.wsgi:production_app()"]


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


def _environ(env: dict[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in {**os.environ, **env}.items() if v is not None}


def _run(args: list[str], env: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], env=_environ(env), capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("problem", ["sites", "redis"])
def test_production_serve_says_what_is_wrong_in_one_line_not_a_traceback(settings, tmp_path, problem) -> None:
    if problem == "sites":
        bad = tmp_path / "sites.yaml"
        bad.write_text("sites: [\n", encoding="utf-8")
        env = _env(settings, CONSENT_GATEWAY_SITES=str(bad))
        expected = "not valid YAML"
    else:  # a port nothing listens on
        env = _env(settings, CONSENT_GATEWAY_RATELIMIT_STORAGE=f"redis://127.0.0.1:{free_port()}/0",
                   CONSENT_GATEWAY_RATELIMIT_ENABLED="1")
        expected = "CONSENT_GATEWAY_RATELIMIT_STORAGE"
    result = _run(["serve", "--production", "--port", str(free_port())], env)
    assert result.returncode == 4, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("consent gateway:")]
    assert expected in line
    assert not any(expected in other for other in result.stderr.splitlines() if other != line)


def test_two_development_servers_run_side_by_side_without_a_control_socket(settings, tmp_path) -> None:
    """gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl): a second
    instance took it over and the first deleted it on exit. Development serve opens none."""
    home = tmp_path / "home"
    home.mkdir()
    ports = [free_port(), free_port()]
    servers = []
    for port in ports:  # each on its own SQLite file, which serve migrates
        env = _environ({**_env(settings, CONSENT_GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path / f'{port}.db'}"),
                        "HOME": str(home), "XDG_RUNTIME_DIR": None})
        servers.append(subprocess.Popen([str(CLI), "serve", "--port", str(port), "--workers", "1"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                        assert r.status == 200
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"serve on {port} did not answer"
                    time.sleep(0.2)
        assert list(home.rglob("*.ctl")) == [] and not (home / ".gunicorn").exists()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
