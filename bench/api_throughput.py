"""Throughput of the gateway's hot endpoints next to a bare Flask "hello", same gunicorn settings,
same run (docs/development.md, Benchmarks: consent POST ≥ 50 %, banner config GET ≥ 90 % of hello).

    .venv/bin/python bench/api_throughput.py [--seconds 8] [--connections 8]
        [--database-url postgresql+psycopg://…]

Rows: hello, banner config GET (200, and 304 on If-None-Match), consent POST (201, committed),
contact POST (201, committed); columns req/s, p50, p99, the ratio to hello, and the server's CPU
time per request (its master and workers, user + system: unlike req/s, it hardly moves with what
else the machine runs). Every server runs
under the production gunicorn configuration (consent_gateway/web/platform/gunicorn_conf.py) with 2 workers.
The gateway runs on a new SQLite file, then, with ``--database-url``, on that database too (its
schema is migrated; events are added to whatever it holds). Hello runs all along, and each row is
measured in windows alternating with hello windows: its ratio is to the hello of its own windows
(the load of a shared machine drifts within seconds). Needs wrk (Debian `wrk`); load goes to
127.0.0.1 only; rate limits are off.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import PRODUCTION_CONFIG, cpu_seconds, demo_decision, gateway_env, gunicorn  # noqa: E402

ORIGIN = "http://127.0.0.1:8000"  # declared by the demo site
POST_LUA = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "{origin}"
"""
ETAG_LUA = """
wrk.headers["If-None-Match"] = '{etag}'
"""
# A first decision (no previous_token) always starts a new visitor: the same body posted again is a
# new, valid decision with its own receipt. The contact form keeps the non-consent fields.
CONTACT = {"fields": {"surname": "Dupont", "first_name": "Marie", "email": "marie.dupont@example.com",
                      "message": "Bonjour, je souhaite un échéancier."}}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
BARS = {"banner config": 0.90, "consent POST": 0.50}


@dataclass(frozen=True)
class Row:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float  # server CPU time per request


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+|nan)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * UNITS[unit]


def wrk(name: str, url: str, server: int, args: argparse.Namespace, script: str | None = None) -> Row:
    """One wrk run against ``url`` (served by the gunicorn master ``server``): requests per second,
    latency percentiles, answers not 2xx/3xx, server CPU per request."""
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.window}s", "--latency"]
    if script:
        path = Path(tempfile.mkstemp(suffix=".lua")[1])
        path.write_text(script)
        cmd += ["-s", str(path)]
    cpu = cpu_seconds(server)
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(server) - cpu
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, flags=re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Row(name, float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
               # wrk prints no distribution when no request completed in the window.
               _ms(percentile.get("50", "nanms")), _ms(percentile.get("99", "nanms")),
               (int(errors.group(1)) if errors else 0)
               + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
               cpu / done * 1e6 if done else math.nan)


def measure(name: str, url: str, server: int, hello: tuple[str, int], args: argparse.Namespace,
            script: str | None = None) -> tuple[Row, Row]:
    """``url`` and hello, alternately, ``--rounds`` windows each (the machine's load drifts: what
    each row is compared with is the hello measured between its own windows). Requests per second
    are the mean over the windows, p50 their median, p99 the worst window's."""
    rows: list[Row] = []
    hellos: list[Row] = []
    for _ in range(args.rounds):
        hellos.append(wrk("hello", *hello, args))
        rows.append(wrk(name, url, server, args, script))
    return _merge(name, rows), _merge("hello", hellos)


def _merge(name: str, rows: list[Row]) -> Row:
    timed = [r for r in rows if not math.isnan(r.p50_ms)] or rows
    return Row(name, statistics.mean(r.rps for r in rows), statistics.median(r.p50_ms for r in timed),
               max(r.p99_ms for r in timed), sum(r.errors for r in rows),
               statistics.median(r.cpu_us for r in timed))


def gateway_rows(database_url: str | None, hello: tuple[str, int],
                 args: argparse.Namespace) -> list[tuple[Row, Row]]:
    env = gateway_env(database_url)
    db = env["CONSENT_GATEWAY_DATABASE_URL"].split(":")[0].split("+")[0]
    # The gateway logs one JSON line per request, as in production: to a file, not the terminal.
    log = Path(env["CONSENT_GATEWAY_INSTANCE_PATH"]) / "gateway.log"
    with gunicorn("wsgi:app", env, config=args.config, stderr=log) as (base, proc):
        banner_url = base + "/api/v1/sites/demo/banner?lang=fr"
        etag = urllib.request.urlopen(banner_url).headers["ETag"]
        post = POST_LUA.replace("{origin}", ORIGIN)
        return [
            measure(f"{db}: banner config GET (200)", banner_url, proc.pid, hello, args),
            measure(f"{db}: banner config GET (304)", banner_url, proc.pid, hello, args,
                    ETAG_LUA.format(etag=etag)),
            measure(f"{db}: consent POST (201)", base + "/api/v1/sites/demo/consents", proc.pid, hello, args,
                    post.replace("{body}", json.dumps(demo_decision(base)))),
            measure(f"{db}: contact POST (201)", base + "/api/v1/sites/demo/contact", proc.pid, hello, args,
                    post.replace("{body}", json.dumps(CONTACT, ensure_ascii=False))),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="per row, and as much for its hello")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of hello and row")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", help="also run the gateway on this database (PostgreSQL)")
    parser.add_argument("--config", default=str(PRODUCTION_CONFIG),
                        help="gunicorn configuration file for every server (default: the production "
                             "one; 'none': gunicorn's defaults)")
    args = parser.parse_args()
    args.config = None if args.config == "none" else Path(args.config)
    args.window = max(1, round(args.seconds / args.rounds))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    with gunicorn("bench.hello_app:app", config=args.config) as (hello_base, hello_proc):
        hello = (hello_base + "/", hello_proc.pid)
        pairs = gateway_rows(None, hello, args)
        if args.database_url:
            pairs += gateway_rows(args.database_url, hello, args)
    config = f"-c {args.config.name}" if args.config else "(defaults)"
    print(f"gunicorn {config} -w 2, same settings for hello; wrk 1 thread, {args.connections} "
          f"connections; each row {args.rounds} x {args.window} s alternating with as much hello")
    print(f"{'endpoint':34} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'hello':>6} {'vs hello':>8} "
          f"{'errors':>6} {'CPU µs/req':>10} {'vs hello':>8}  bar")
    hello_all = _merge("bare Flask hello (all windows)", [h for _, h in pairs])
    print(f"{hello_all.name:34} {hello_all.rps:7.0f} {hello_all.p50_ms:7.2f} {hello_all.p99_ms:7.2f} "
          f"{'':6} {'100%':>8} {hello_all.errors:6d} {hello_all.cpu_us:10.0f} {'100%':>8}")
    for row, paired in pairs:
        bar = next((b for key, b in BARS.items() if key in row.name), None)
        ratio = row.rps / paired.rps
        verdict = "" if bar is None else f"≥ {bar:.0%} {'PASS' if ratio >= bar else 'FAIL'}"
        print(f"{row.name:34} {row.rps:7.0f} {row.p50_ms:7.2f} {row.p99_ms:7.2f} {paired.rps:6.0f} "
              f"{ratio:8.0%} {row.errors:6d} {row.cpu_us:10.0f} {paired.cpu_us / row.cpu_us:8.0%}  {verdict}")
    print("CPU µs/req: the server's (master and workers, user + system) per request; its 'vs hello' is "
          "hello's CPU per request over the row's (what share of hello's rate the same CPU would serve).")


if __name__ == "__main__":
    main()
