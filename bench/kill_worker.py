"""Acknowledged consents lost when a gateway worker is killed mid-load (DESIGN §7 bar: zero).

    .venv/bin/python bench/kill_worker.py [--seconds 6] [--clients 4] [--kills 3]

Clients post decisions to a 2-worker gunicorn on 127.0.0.1; while they do, a worker is killed
with SIGKILL (gunicorn starts a new one). Every receipt a client got a 201 for must then be in the
database. Requests cut by the kill are counted apart: they were never acknowledged.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.servers import demo_decision, gateway_env, gunicorn  # noqa: E402


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    env = gateway_env()
    acked: list[str] = []
    cut = [0]
    lock = threading.Lock()
    with gunicorn("wsgi:app", env) as (base, proc):
        body = json.dumps(demo_decision(base)).encode()
        stop = time.monotonic() + args.seconds

        def client() -> None:
            while time.monotonic() < stop:
                request = urllib.request.Request(
                    base + "/api/v1/sites/demo/consents", data=body, method="POST",
                    headers={"Content-Type": "application/json", "Origin": "http://127.0.0.1:8000"})
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        receipt = json.load(response)["receipt_id"]
                    with lock:
                        acked.append(receipt)
                except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                    with lock:
                        cut[0] += 1

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        killed = 0
        for i in range(args.kills):
            time.sleep(args.seconds / (args.kills + 1))
            pids = workers_of(proc.pid)
            if pids:
                os.kill(pids[i % len(pids)], signal.SIGKILL)
                killed += 1
        for t in threads:
            t.join()
    engine = create_engine(env["CONSENT_GATEWAY_DATABASE_URL"])
    with engine.connect() as conn:
        stored = {r for (r,) in conn.execute(text("SELECT receipt_id FROM consent_event"))}
    engine.dispose()
    lost = set(acked) - stored
    print(f"workers killed with SIGKILL: {killed}")
    print(f"acknowledged consents (201): {len(acked)}")
    print(f"requests cut by a kill (never acknowledged): {cut[0]}")
    print(f"events in the database: {len(stored)}")
    print(f"acknowledged consents lost: {len(lost)} (bar: 0 -> {'PASS' if not lost else 'FAIL'})")
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    main()
