"""Start the gateway and the baseline under gunicorn on 127.0.0.1 for the benches."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gateway_env(database_url: str | None = None) -> dict[str, str]:
    tmp = tempfile.mkdtemp(prefix="bench-gateway-")
    env = dict(os.environ)
    env.update(
        CONSENT_GATEWAY_SECRET_KEYS="bench-signing-key-" + "b" * 32,  # 32+ characters or no start
        CONSENT_GATEWAY_PII_KEYS=Fernet.generate_key().decode(),
        # An Ed25519 seed (base64url): receipts' JWS; the gateway does not start without one.
        CONSENT_GATEWAY_RECEIPT_KEYS=base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode(),
        CONSENT_GATEWAY_INSTANCE_PATH=tmp,
        CONSENT_GATEWAY_DATABASE_URL=database_url or os.environ.get(
            "CONSENT_GATEWAY_DATABASE_URL", f"sqlite:///{tmp}/bench.db"),
        CONSENT_GATEWAY_RATELIMIT_ENABLED="0",
        CONSENT_GATEWAY_SITES=str(ROOT / "sites.yaml"),
    )
    subprocess.run([str(BIN / "consent-gateway"), "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    return env


@contextmanager
def gunicorn(app: str, env: dict[str, str] | None = None, workers: int = 2, threads: int = 1):
    """Serve ``app`` ("module:attr") and yield its base URL; stopped on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "--threads", str(threads), "-b",
         f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT, env=env or dict(os.environ),
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz" if "wsgi" in app else base + "/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def demo_decision(base: str, action: str = "accept_all") -> dict:
    banner = json.load(urllib.request.urlopen(base + "/api/v1/sites/demo/banner?lang=fr"))
    return {"action": action, "choices": {}, "lang": "fr",
            "policy_version": banner["policy_version"], "config_hash": banner["config_hash"]}
