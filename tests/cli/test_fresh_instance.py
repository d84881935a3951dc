"""Where `make run` works, every command of the README works: a fresh checkout, no CONSENT_GATEWAY_*
variable exported, `serve` creates its development keys under instance/, and every other command
uses those same keys (a checkpoint sealed by `ledger seal` verifies with the JWKS `serve` published).
With a production setting (a key variable, a PostgreSQL URL) a missing key is still a refusal.

The checkout is a copy of the package, its migrations, the banner build and the tests' sites.yaml
in a temporary folder, so that its instance/ is new and the worktree's own is never touched."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

import consent_gateway
from consent_gateway.settings import PROJECT_ROOT

FIXTURE_SITES = PROJECT_ROOT / "tests" / "fixtures" / "sites.yaml"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("checkout")
    package = Path(consent_gateway.__file__).resolve().parent
    shutil.copytree(package, root / "consent_gateway", ignore=IGNORED)
    shutil.copytree(PROJECT_ROOT / "migrations", root / "consent_gateway" / "migrations", ignore=IGNORED)
    shutil.copytree(PROJECT_ROOT / "static" / "banner" / "dist", root / "static" / "banner" / "dist")
    shutil.copy(FIXTURE_SITES, root / "sites.yaml")
    where = "import consent_gateway; print(consent_gateway.__file__)"
    imported = subprocess.run([sys.executable, "-c", where],
                              cwd=root, env=_env(root), capture_output=True, text=True, check=True)
    assert imported.stdout.startswith(str(root)), "the commands must run the copy, with its own instance/"
    return root


def _env(checkout: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENT_GATEWAY_")}
    env.update(PYTHONPATH=str(checkout), **extra)
    return env


def run(checkout: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "consent_gateway.cli", *args], cwd=checkout,
                          env=_env(checkout, **extra), capture_output=True, text=True, timeout=300)


def ok(checkout: Path, *args: str) -> str:
    done = run(checkout, *args)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout}{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return bytes(answer.read())


def _serve_and_decide(checkout: Path) -> bytes:
    """`make run`'s `serve`, one decision on the demo page's site; the JWKS it publishes."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "consent_gateway.cli", "serve", "--port", str(port),
                               "--workers", "1"], cwd=checkout, env=_env(checkout),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("`serve` did not answer /healthz") from None
                time.sleep(0.3)
        banner = json.loads(_get(f"{base}/api/v1/sites/demo/banner?lang=fr"))
        choices = {p["id"]: True for p in banner["purposes"] if p["legal_basis"] == "consent"}
        body = json.dumps({"action": "accept_all", "choices": choices, "lang": "fr",
                           "policy_version": banner["policy_version"],
                           "config_hash": banner["config_hash"]}).encode()
        request = urllib.request.Request(f"{base}/api/v1/sites/demo/consents", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Origin": "http://127.0.0.1:8000"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        return _get(f"{base}/.well-known/jwks.json")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_every_command_of_the_readme_runs_with_the_keys_serve_created(checkout: Path) -> None:
    jwks = _serve_and_decide(checkout)
    instance = checkout / "instance"
    keys = {name: (instance / name).read_text() for name in ("secret_key", "pii_key", "receipt_key")}
    for name in keys:
        assert (instance / name).stat().st_mode & 0o777 == 0o600

    ok(checkout, "db", "upgrade")
    assert "sites.yaml: OK" in ok(checkout, "sites", "check")
    created = ok(checkout, "tokens", "create", "--role", "dpo", "--name", "Dominique")
    assert created.splitlines()[-1].startswith("iqcg_")
    ok(checkout, "tokens", "create", "--role", "recruiter", "--name", "Rita", "--site", "careers")
    assert "re-encrypted" in ok(checkout, "keys", "rotate-pii")
    seeded = ok(checkout, "demo", "seed", "--events", "400", "--days", "3", "--seed", "1")
    assert "seeded 400" in seeded

    sealed = ok(checkout, "ledger", "seal", "--settle", "0")
    # Everything settled is sealed: the seed wrote no decision dated after now.
    assert "sealed 401 event(s)" in sealed, sealed
    assert "nothing to seal" in ok(checkout, "ledger", "seal")
    verified = ok(checkout, "ledger", "verify")
    assert verified.startswith("ledger intact") and "0 not sealed yet" in verified
    (checkout / "jwks.json").write_bytes(jwks)
    # The checkpoint was signed with the very key `serve` published.
    assert ok(checkout, "ledger", "verify", "--jwks", "jwks.json").startswith("ledger intact")

    ok(checkout, "purge", "--dry-run")
    ok(checkout, "purge")
    assert ok(checkout, "stats", "--site", "demo", "--format", "json")
    assert "recounted" in ok(checkout, "stats", "rebuild")
    assert "counted" in ok(checkout, "stats", "catch-up")

    assert "written" in ok(checkout, "evidence", "pack", "--site", "demo", "--out", "pack.zip")
    with zipfile.ZipFile(checkout / "pack.zip") as pack:
        ledger = json.loads(pack.read("manifest.json"))["ledger"]
    assert ledger["intact"] is True and ledger["events_unsealed"] == 0 and ledger["events_sealed"] == 401

    # No command made keys of its own: serve's are the ones in use.
    assert {name: (instance / name).read_text() for name in keys} == keys
    assert sorted(p.name for p in instance.iterdir() if "key" in p.name) == sorted(keys)


def test_scan_runs_with_the_development_keys_where_make_run_works(checkout: Path) -> None:
    # The scan needs Chromium to visit a page; an undeclared site is refused before that, so the
    # keys and the schema are what this reaches (it answered "CONSENT_GATEWAY_SECRET_KEYS is not set").
    done = run(checkout, "scan", "--site", "nope")
    assert done.returncode == 1 and "no site 'nope' is declared" in done.stderr, done.stderr
    assert "is not set" not in done.stderr and "Traceback" not in done.stderr
    assert (checkout / "instance" / "secret_key").exists()


@pytest.mark.chromium
def test_evidence_snapshot_runs_with_the_keys_serve_created(checkout: Path) -> None:
    _serve_and_decide(checkout)
    assert "pictured" in ok(checkout, "evidence", "snapshot")


@pytest.mark.parametrize(("args", "variable"), [
    (("ledger", "seal"), "CONSENT_GATEWAY_RECEIPT_KEYS"),
    (("purge", "--dry-run"), "CONSENT_GATEWAY_RECEIPT_KEYS"),
    (("keys", "rotate-pii"), "CONSENT_GATEWAY_PII_KEYS"),
    (("evidence", "pack", "--site", "demo", "--out", "p.zip"), "CONSENT_GATEWAY_PII_KEYS"),
    (("scan", "--site", "demo"), "CONSENT_GATEWAY_PII_KEYS"),
])
def test_a_production_setting_still_refuses_a_missing_key(checkout: Path, args: tuple[str, ...],
                                                          variable: str) -> None:
    done = run(checkout, *args, CONSENT_GATEWAY_SECRET_KEYS="s" * 48)
    assert done.returncode != 0 and f"{variable} is not set" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
