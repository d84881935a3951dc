"""Throughput of the consent POST and the banner config GET next to a bare Flask "hello",
same gunicorn settings, same run (DESIGN §7: POST ≥ 50 %, config GET ≥ 90 % of hello).

    .venv/bin/python bench/api_throughput.py [--seconds 8] [--connections 8]

Needs wrk (Debian package `wrk`). Load goes to 127.0.0.1 only. Uses SQLite in a temporary
directory unless CONSENT_GATEWAY_DATABASE_URL names another database.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import demo_decision, gateway_env, gunicorn  # noqa: E402

POST_LUA = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "http://127.0.0.1:8000"
"""
ETAG_LUA = """
wrk.headers["If-None-Match"] = '{etag}'
"""


def wrk(url: str, seconds: int, connections: int, script: str | None = None) -> tuple[float, str]:
    """Requests per second, and the non-2xx/3xx count line if wrk printed one."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        path = Path(tempfile.mkstemp(suffix=".lua")[1])
        path.write_text(script)
        cmd += ["-s", str(path)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, f"{errors.group(1)} errors" if errors else "0 errors"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    rows = []
    with gunicorn("bench.hello_app:app") as (base, _):
        hello, hello_err = wrk(base + "/", args.seconds, args.connections)
    env = gateway_env()
    # The gateway logs one JSON line per request, as in production; to a file, not the terminal.
    log = Path(env["CONSENT_GATEWAY_INSTANCE_PATH"]) / "gateway.log"
    with gunicorn("wsgi:app", env, stderr=log) as (base, _):
        banner_url = base + "/api/v1/sites/demo/banner?lang=fr"
        etag = urllib.request.urlopen(banner_url).headers["ETag"]
        body = json.dumps(demo_decision(base))
        rows.append(("banner config GET (200)",) + wrk(banner_url, args.seconds, args.connections))
        rows.append(("banner config GET (304, ETag)",)
                    + wrk(banner_url, args.seconds, args.connections, ETAG_LUA.format(etag=etag)))
        rows.append(("consent POST (201, committed)",)
                    + wrk(base + "/api/v1/sites/demo/consents", args.seconds, args.connections,
                          POST_LUA.format(body=body)))
    db = env["CONSENT_GATEWAY_DATABASE_URL"].split(":")[0]
    print(f"gunicorn 2 sync workers, wrk 1 thread {args.connections} connections "
          f"{args.seconds}s, database {db}, request log {log} "
          f"({env.get('CONSENT_GATEWAY_LOG_LEVEL') or 'INFO'})")
    print(f"{'endpoint':32} {'req/s':>9} {'vs hello':>9}  errors")
    print(f"{'bare Flask hello (baseline)':32} {hello:9.0f} {'100%':>9}  {hello_err}")
    bars = {"banner": 0.90, "consent": 0.50}
    for name, rps, errors in rows:
        bar = bars["banner" if name.startswith("banner") else "consent"]
        verdict = "PASS" if rps / hello >= bar else "FAIL"
        print(f"{name:32} {rps:9.0f} {rps / hello:9.0%}  {errors}  (bar ≥ {bar:.0%}: {verdict})")


if __name__ == "__main__":
    main()
