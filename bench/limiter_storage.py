"""What the rate-limit storage costs each limited request, next to the in-memory storage (the
baseline, which counts per process), in the same process and run.

    .venv/bin/python bench/limiter_storage.py [--requests 5000] [--redis redis://127.0.0.1:6379/15]

A limited request does what Flask-Limiter does for one limit with headers on: one increment, then
the window's count and end for the X-RateLimit-* headers. Measured twice: the storage calls alone,
and whole requests (POST /api/v1/receipts/verify through Flask's test client, 100 client
addresses in turn) with limits off, on memory://, on the embedded SQLite file (and on Redis).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from limits import parse  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

from consent_gateway import create_app  # noqa: E402
from consent_gateway.db.migrate import upgrade  # noqa: E402
from consent_gateway.settings import Settings, generate_receipt_key  # noqa: E402
from consent_gateway.web.platform import limit_storage  # noqa: E402, F401 - registers sqlite://

ROOT = Path(__file__).resolve().parent.parent


ROUNDS = 10  # the configurations take turns, so that the machine's load falls on each alike


def storage_calls(uri: str) -> Callable[[int], None]:
    """``run(i)``: one limited request's storage calls."""
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    item = parse("1000000/minute")

    def run(i: int) -> None:
        key = f"{i % 100:032x}"
        limiter.hit(item, key, "api.record_consent")
        limiter.get_window_stats(item, key, "api.record_consent")

    return run


def whole_request(settings: Settings) -> Callable[[int], None]:
    """``run(i)``: one POST /api/v1/receipts/verify (under 120 a minute for each of 100 addresses)."""
    client = create_app(settings).test_client()

    def run(i: int) -> None:
        client.post("/api/v1/receipts/verify", json={"token": "x"},
                    environ_base={"REMOTE_ADDR": f"10.0.{i % 100}.1"})

    return run


def measure(runs: dict[str, Callable[[int], None]], n: int) -> dict[str, float]:
    """Microseconds per call of each run, ``n`` calls each, in ``ROUNDS`` interleaved turns."""
    spent = dict.fromkeys(runs, 0.0)
    for run in runs.values():  # warm up
        for i in range(20):
            run(i)
    for turn in range(ROUNDS):
        for name, run in runs.items():
            start = time.perf_counter()
            for i in range(turn * n // ROUNDS, (turn + 1) * n // ROUNDS):
                run(i)
            spent[name] += time.perf_counter() - start
    return {name: total / n * 1e6 for name, total in spent.items()}


def report(figures: dict[str, float]) -> None:
    base = figures["memory://"]
    for name, us in figures.items():
        print(f"  {name:28} {us:8.1f} µs   {us - base:+8.1f} µs vs memory://")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--redis", help="also measure this Redis (a test database: keys are written)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    url = f"sqlite:///{tmp / 'consent.db'}"
    upgrade(url)
    settings = Settings(instance_path=tmp, sites_path=ROOT / "sites.yaml", database_url=url,
                        secret_keys=("bench-signing-key-" + "l" * 32,),
                        pii_keys=(Fernet.generate_key().decode(),), receipt_keys=(generate_receipt_key(),))
    storages = {"memory://": "memory://", "sqlite (embedded default)": f"sqlite:///{tmp / 'calls.db'}"}
    if args.redis:
        storages["redis"] = args.redis
    n = args.requests
    print(f"storage calls per limited request (1 incr + window stats), {n} requests:")
    report(measure({name: storage_calls(uri) for name, uri in storages.items()}, n))
    print(f"whole POST /api/v1/receipts/verify through the test client, {n} requests:")
    runs = {"limits off": replace(settings, ratelimit_enabled=False),
            "memory://": replace(settings, ratelimit_storage="memory://"),
            "sqlite (embedded default)": settings}
    if args.redis:
        runs["redis"] = replace(settings, ratelimit_storage=args.redis)
    report(measure({name: whole_request(s) for name, s in runs.items()}, n))


if __name__ == "__main__":
    main()
