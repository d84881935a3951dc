"""The package works away from the checkout: `pip install .` into a fresh virtualenv gives a
`consent-gateway` that upgrades a database, checks a declaration and serves."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from consent_gateway.settings import PROJECT_ROOT

FIXTURE_SITES = PROJECT_ROOT / "tests" / "fixtures" / "sites.yaml"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding a regular (not editable) install of the checkout.

    Its dependencies come from the test run's own environment through a .pth file, so the test
    checks what the wheel carries without downloading the dependency tree again.
    """
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "outer_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                    "--no-deps", "-w", str(wheels), str(PROJECT_ROOT)], check=True)
    wheel = next(wheels.glob("consent_gateway-*.whl"))
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "--no-deps", "--target", str(purelib), str(wheel)],
                   check=True)
    return venv


def _run(venv: Path, cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "python"), "-m", "consent_gateway.cli", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_installed_wheel_upgrades_checks_and_serves(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(FIXTURE_SITES, work / "sites.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENT_GATEWAY_")}
    env.update(PYTHONPATH="", CONSENT_GATEWAY_INSTANCE_PATH=str(work / "instance"),
               CONSENT_GATEWAY_DATABASE_URL=f"sqlite:///{work / 'gateway.db'}")

    imported = subprocess.run([str(installed / "bin" / "python"), "-c",
                               "import consent_gateway; print(consent_gateway.__file__)"],
                              cwd=work, env=env, capture_output=True, text=True, check=True)
    assert str(PROJECT_ROOT) not in imported.stdout, "the test must exercise the installed copy"

    upgraded = _run(installed, work, "db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    checked = _run(installed, work, "sites", "check", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "sites.yaml: OK" in checked.stdout

    port = _free_port()
    server = subprocess.Popen([str(installed / "bin" / "python"), "-m", "consent_gateway.cli", "serve",
                               "--port", str(port), "--workers", "1"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert json.load(answer)["status"] == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("the installed gateway did not serve /healthz") from None
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/privacy/demo/", timeout=5) as page:
            assert page.status == 200
            assert "<html" in page.read().decode()
        # The OpenAPI document is package data: the wheel must carry it.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as doc:
            assert json.load(doc)["openapi"] == "3.1.0"
    finally:
        server.terminate()
        server.wait(timeout=10)
