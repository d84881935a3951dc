"""Start the gateway and the baseline under gunicorn on 127.0.0.1, for the benches and the tests
that need real worker processes (the kill test): the one launcher, extended by keyword arguments."""

from __future__ import annotations

import json
import os
import secrets
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
PRODUCTION_CONFIG = ROOT / "consent_gateway" / "web" / "platform" / "gunicorn_conf.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gateway_keys() -> dict[str, str]:
    """A fresh set of the gateway's keys; instances given the same set verify each other's receipts."""
    return {
        "CONSENT_GATEWAY_SECRET_KEYS": "bench-signing-key-" + secrets.token_urlsafe(32),
        "CONSENT_GATEWAY_PII_KEYS": Fernet.generate_key().decode(),
        "CONSENT_GATEWAY_RECEIPT_KEYS": generate_receipt_key(),
    }


def gateway_env(database_url: str | None = None, *, keys: dict[str, str] | None = None,
                sites: Path | None = None, migrate: bool = True, ratelimit: bool = False,
                **settings: str) -> dict[str, str]:
    """The environment of a gateway on a database of its own (a SQLite file in a new instance
    directory) or on ``database_url``. ``keys`` (``gateway_keys()``) lets several instances share
    keys; ``sites`` replaces the production declaration; ``migrate=False`` skips ``db upgrade``
    (another instance ran it); ``ratelimit`` keeps the rate limits on (off by default for the load
    benches); other ``settings`` are extra variables
    (``CONSENT_GATEWAY_RATELIMIT_STORAGE=…``, ``PROMETHEUS_MULTIPROC_DIR=…``)."""
    tmp = tempfile.mkdtemp(prefix="bench-gateway-")
    env = dict(os.environ)
    env.update(
        keys or gateway_keys(),
        CONSENT_GATEWAY_INSTANCE_PATH=tmp,
        CONSENT_GATEWAY_DATABASE_URL=database_url or os.environ.get(
            "CONSENT_GATEWAY_DATABASE_URL", f"sqlite:///{tmp}/bench.db"),
        CONSENT_GATEWAY_RATELIMIT_ENABLED="1" if ratelimit else "0",
        CONSENT_GATEWAY_SITES=str(sites or ROOT / "sites.yaml"),
    )
    env.update(settings)
    if migrate:
        subprocess.run([str(BIN / "consent-gateway"), "db", "upgrade"], env=env, check=True,
                       capture_output=True)
    return env


@contextmanager
def gunicorn(app: str, env: dict[str, str] | None = None, workers: int = 2, threads: int | None = None,
             port: int | None = None, *, config: Path | None = PRODUCTION_CONFIG,
             ready_path: str | None = None, stderr: Path | None = None,
             options: Sequence[str] = ()) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve ``app`` ("module:attr") on ``port`` (a free one by default) with the production
    ``config`` (None: gunicorn's defaults), ``workers`` worker processes and, when given,
    ``threads`` threads each; yield its base URL and the master process once ``ready_path``
    answers (default ``/healthz`` for the gateway, ``/`` otherwise); stopped on exit.
    ``stderr``: a file that receives the server's standard error (its logs); ``options``: more
    gunicorn options. Raises RuntimeError if gunicorn exits or does not answer within 30 s."""
    port = port or free_port()
    err = stderr.open("ab") if stderr is not None else None
    cmd = [str(BIN / "gunicorn")]
    if config is not None:
        cmd += ["-c", str(config)]
    cmd += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen([*cmd, *options, app], cwd=ROOT, env=env or dict(os.environ), stderr=err)
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
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker stuck in a request outlives the graceful stop
            proc.kill()
            proc.wait(timeout=10)
        if err is not None:
            err.close()


def cpu_seconds(master: int) -> float:
    """CPU time (user + system) a gunicorn master and its workers used so far, recycled and killed
    workers included (their time is added to the master's children time once reaped). Linux."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid, fields in [(master, slice(11, 15)), *((int(c), slice(11, 13)) for c in children)]:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just exited: counted in the master's children time
            continue
        total += sum(int(v) for v in stat[fields]) / tick
    return total


def demo_decision(base: str, action: str = "accept_all") -> dict:
    banner = json.load(urllib.request.urlopen(base + "/api/v1/sites/demo/banner?lang=fr"))
    return {"action": action, "choices": {}, "lang": "fr",
            "policy_version": banner["policy_version"], "config_hash": banner["config_hash"]}
