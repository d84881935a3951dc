"""Where a request's time goes, in-process: cProfile around the Flask test client.

    .venv/bin/python bench/profile_requests.py [--requests 500] [--top 25] [--database-url URL]
        [--only consent|banner|contact|hello]

Builds the gateway as gunicorn would (wsgi.py, settings from the bench environment: throwaway keys,
a new SQLite file unless ``--database-url``), warms each endpoint up, then profiles ``--requests``
requests of each and prints the mean time per request next to a bare Flask hello's, and the
functions with the most time of their own (cProfile's tottime) and cumulated.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_throughput import CONTACT, ORIGIN  # noqa: E402
from bench.servers import gateway_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--database-url")
    parser.add_argument("--only", choices=("consent", "banner", "contact", "hello"))
    args = parser.parse_args()
    os.environ.update(gateway_env(args.database_url))
    from bench.hello_app import app as hello_app
    from wsgi import app

    client = app.test_client()
    banner = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()
    decision = json.dumps({"action": "accept_all", "choices": {}, "lang": "fr",
                           "policy_version": banner["policy_version"], "config_hash": banner["config_hash"]})
    headers = {"Origin": ORIGIN, "Content-Type": "application/json",
               "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}
    hello = hello_app.test_client()
    calls = {
        "hello": (lambda: hello.get("/"), 200),
        "banner": (lambda: client.get("/api/v1/sites/demo/banner?lang=fr"), 200),
        "consent": (lambda: client.post("/api/v1/sites/demo/consents", data=decision, headers=headers), 201),
        "contact": (lambda: client.post("/api/v1/sites/demo/contact", data=json.dumps(CONTACT),
                                        headers=headers), 201),
    }
    for name, (call, status) in calls.items():
        if args.only and name not in (args.only, "hello"):
            continue
        for _ in range(20):
            answer = call()
            assert answer.status_code == status, (name, answer.status_code, answer.get_data(as_text=True))
        started = time.perf_counter()
        for _ in range(args.requests):
            call()
        plain = (time.perf_counter() - started) / args.requests
        print(f"{name:8} {plain * 1e6:8.0f} µs per request (test client, no profiler)")
        if name == "hello" or (args.only and name != args.only):
            continue
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            call()
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"--- {name}: by {order} ---")
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
