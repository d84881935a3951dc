"""Start the gateway and the baseline under gunicorn on 127.0.0.1, for the benches and the tests
that need real worker processes (the kill test): the one launcher, extended by keyword arguments."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

from consent_gateway.settings import generate_receipt_key

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The production settings (workers, threads, timeouts...); a bench overrides only what it names.
PRODUCTION_CONFIG = ROOT / "consent_gateway" / "web" / "gunicorn_conf.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gateway_env(database_url: str | None = None, *, migrate: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a gateway with throwaway keys and its own instance directory, on
    ``database_url`` (default: CONSENT_GATEWAY_DATABASE_URL, else a new SQLite file), migrated
    unless ``migrate`` is false (a test's database already is). Rate limits are off (load tests);
    ``extra`` sets more variables (e.g. CONSENT_GATEWAY_SITES, the production file by default)."""
    tmp = tempfile.mkdtemp(prefix="bench-gateway-")
    env = dict(os.environ)
    env.update(
        CONSENT_GATEWAY_SECRET_KEYS="bench-signing-key-" + "b" * 32,  # 32+ characters or no start
        CONSENT_GATEWAY_PII_KEYS=Fernet.generate_key().decode(),
        CONSENT_GATEWAY_RECEIPT_KEYS=generate_receipt_key(),
        CONSENT_GATEWAY_INSTANCE_PATH=tmp,
        CONSENT_GATEWAY_DATABASE_URL=database_url or os.environ.get(
            "CONSENT_GATEWAY_DATABASE_URL", f"sqlite:///{tmp}/bench.db"),
        CONSENT_GATEWAY_RATELIMIT_ENABLED="0",
        CONSENT_GATEWAY_SITES=str(ROOT / "sites.yaml"),
    )
    env.update(extra)
    if migrate:
        subprocess.run([str(BIN / "consent-gateway"), "db", "upgrade"], env=env, check=True,
                       capture_output=True)
    return env


@contextmanager
def gunicorn(app: str, env: dict[str, str] | None = None, workers: int = 2, threads: int | None = None,
             *, config: Path | None = PRODUCTION_CONFIG, ready_path: str | None = None,
             args: Sequence[str] = ()) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve ``app`` ("module:attr") with the production ``config`` (None: gunicorn's defaults),
    ``workers`` worker processes and, when given, ``threads`` threads each; yield its base URL and
    the master process once ``ready_path`` answers (default ``/healthz`` for the gateway, ``/``
    otherwise); stopped on exit. Raises RuntimeError if gunicorn exits before it is ready."""
    port = free_port()
    cmd = [str(BIN / "gunicorn")]
    if config is not None:
        cmd += ["-c", str(config)]
    cmd += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen([*cmd, *args, app], cwd=ROOT, env=env or dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    probe = base + (ready_path or ("/healthz" if "wsgi" in app else "/"))
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited with status {proc.returncode} before serving")
            try:
                urllib.request.urlopen(probe, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn {app} did not answer {probe} within 30 s")
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def demo_decision(base: str, action: str = "accept_all") -> dict:
    banner = json.load(urllib.request.urlopen(base + "/api/v1/sites/demo/banner?lang=fr"))
    return {"action": action, "choices": {}, "lang": "fr",
            "policy_version": banner["policy_version"], "config_hash": banner["config_hash"]}
