"""Acknowledged consents lost when a gateway worker is killed mid-load (bar: zero, docs/development.md).

    .venv/bin/python bench/kill_worker.py [--seconds 6] [--clients 4] [--kills 3]
        [--database-url postgresql+psycopg://…]

Clients post decisions to gunicorn (the production settings, 2 workers) on 127.0.0.1; while they
do, a worker is killed with SIGKILL (gunicorn starts a new one), several times. Every receipt a
client got a 201 for must then be in the database. Requests cut by a kill are counted apart: they
were never acknowledged. tests/web/test_worker_kill.py runs ``run`` at a small size in CI.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.servers import demo_decision, gateway_env, gunicorn  # noqa: E402

ORIGIN = "http://127.0.0.1:8000"  # declared by the demo site


@dataclass
class Outcome:
    """What the clients saw and what the database holds afterwards."""

    killed: int = 0
    # Every 201: the receipt id and the token it came with.
    acked: dict[str, str] = field(default_factory=dict)
    cut: int = 0
    # Answers other than a 201, by status (a database stopped mid-load may be a 503; never a 500).
    refused: dict[int, int] = field(default_factory=dict)
    stored: set[str] = field(default_factory=set)

    @property
    def lost(self) -> set[str]:
        return set(self.acked) - self.stored


def workers_of(master: int) -> list[int]:
    """The live children of gunicorn's master: its workers (read from /proc, Linux)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == master and fields[0] != "Z":
            children.append(int(stat.parent.name))
    return children


def run(env: dict[str, str], *, seconds: float, clients: int, kills: int) -> Outcome:
    """Serve the gateway with ``env``, post decisions from ``clients`` threads for about ``seconds``
    and SIGKILL a worker ``kills`` times at even intervals, each kill once the service has
    acknowledged a decision since the one before (so every kill hits a serving gateway under load);
    stop once one more decision was acknowledged after the last kill, then read the stored ids."""
    outcome = Outcome()
    lock = threading.Lock()
    stop = threading.Event()
    with gunicorn("wsgi:app", env) as (base, proc):
        body = json.dumps(demo_decision(base)).encode()

        def client() -> None:
            while not stop.is_set():
                request = urllib.request.Request(
                    base + "/api/v1/sites/demo/consents", data=body, method="POST",
                    headers={"Content-Type": "application/json", "Origin": ORIGIN})
                try:
                    with urllib.request.urlopen(request, timeout=20) as response:
                        answer = json.load(response)
                    with lock:
                        outcome.acked[answer["receipt_id"]] = answer["token"]
                except urllib.error.HTTPError as exc:  # an answer, not a cut: a 503 may be, a 500 never
                    exc.close()
                    with lock:
                        outcome.refused[exc.code] = outcome.refused.get(exc.code, 0) + 1
                except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError,
                        json.JSONDecodeError):
                    # Cut by a kill before the whole answer arrived (the decision may be stored,
                    # but the client holds no receipt: it was never acknowledged).
                    with lock:
                        outcome.cut += 1

        def acknowledged_since(count: int) -> None:
            give_up = time.monotonic() + 30
            while len(outcome.acked) <= count and time.monotonic() < give_up:
                time.sleep(0.05)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        try:
            seen = 0
            for i in range(kills):
                time.sleep(seconds / (kills + 1))
                acknowledged_since(seen)
                pids = workers_of(proc.pid)
                if pids:
                    os.kill(pids[i % len(pids)], signal.SIGKILL)
                    outcome.killed += 1
                seen = len(outcome.acked)
            time.sleep(seconds / (kills + 1))
            acknowledged_since(seen)
        finally:
            stop.set()
            for t in threads:
                t.join()
    engine = create_engine(env["CONSENT_GATEWAY_DATABASE_URL"])
    with engine.connect() as conn:
        outcome.stored = {r for (r,) in conn.execute(text("SELECT receipt_id FROM consent_event"))}
    engine.dispose()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    outcome = run(gateway_env(args.database_url), seconds=args.seconds, clients=args.clients,
                  kills=args.kills)
    print(f"workers killed with SIGKILL: {outcome.killed}")
    print(f"acknowledged consents (201): {len(outcome.acked)}")
    print(f"requests cut by a kill (never acknowledged): {outcome.cut}")
    print(f"answers other than 201: {dict(sorted(outcome.refused.items())) or 'none'}; "
          f"500s: {outcome.refused.get(500, 0)}")
    print(f"events in the database: {len(outcome.stored)}")
    lost = outcome.lost
    print(f"acknowledged consents lost: {len(lost)} (bar: 0 -> {'PASS' if not lost else 'FAIL'})")
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    main()
