"""The tracker scan of 20 pages, three states each, against the bar of docs/development.md (≤ 60 s, 2 cores).

    make banner && .venv/bin/python bench/scan_pages.py [--pages 20] [--concurrency 4]

The gateway runs under gunicorn on 127.0.0.1 (SQLite in a temporary directory, the production
declaration plus a bench site); the bench site is served on ``shop.localhost`` (Chromium resolves
every ``*.localhost`` to the loopback): each page embeds the per-site banner, a gated analytics tag
and a gated advertising tag that set first-party cookies and call two other local hosts, as a
group site does. ``consent-gateway scan --site benchshop`` runs as the operator runs it; the bench
prints its wall time (process start to exit: Chromium's start included) and the scan's own
duration, and checks the scan found the site clean (what the bench site does is declared).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402
from werkzeug.wrappers import Request, Response  # noqa: E402

from bench.servers import BIN, ROOT, free_port, gateway_env, gunicorn  # noqa: E402

BAR_SECONDS = 60.0


def declaration(folder: Path, shop: str, pages: int) -> Path:
    data = yaml.safe_load((ROOT / "sites.yaml").read_text(encoding="utf-8"))
    vendor = {"provider": "Bench", "country": "FR", "privacy_url": f"{shop}/privacy"}
    data["vendors"]["bench_stats"] = {
        **vendor,
        "name": "Bench Stats",
        "purpose": "audience_measurement",
        "hosts": ["stats.localhost"],
        "cookies": [{"name": "bench_stats", "domain": "first_party", "duration_days": 390}],
    }
    data["vendors"]["bench_ads"] = {
        **vendor,
        "name": "Bench Ads",
        "purpose": "marketing",
        "hosts": ["ads.localhost"],
        "cookies": [{"name": "bench_ads", "domain": "first_party", "duration_days": 90}],
    }
    site = {key: value for key, value in data["sites"]["mcs"].items() if key not in ("contact", "demo_tags")}
    site.update(
        name="Bench",
        origins=[shop],
        purposes=["strictly_necessary", "audience_measurement", "marketing"],
        vendors=["iqera", "bench_stats", "bench_ads"],
        scan={"pages": [f"{shop}/page-{i}" for i in range(pages)]},
    )
    data["sites"]["benchshop"] = site
    path = folder / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def page(gateway: str, port: int, n: int) -> str:
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page {n}</title>
<script src="{gateway}/banner/v1/sites/benchshop/consent.js" async></script>
<script type="text/plain" data-consent="audience_measurement">
document.cookie = 'bench_stats=1; max-age={390 * 86400}; path=/';
new Image().src = 'http://stats.localhost:{port}/hit.gif?p={n}';
</script>
<script type="text/plain" data-consent="marketing">
document.cookie = 'bench_ads=1; max-age={90 * 86400}; path=/';
new Image().src = 'http://ads.localhost:{port}/px.gif?p={n}';
</script></head><body><h1>Page {n}</h1><p style="height: 3000px">Texte.</p></body></html>"""


def serve_shop(port: int, gateway: str) -> None:
    @Request.application
    def app(request: Request) -> Response:
        if request.path.endswith(".gif"):
            return Response(b"GIF89a", content_type="image/gif")
        if request.path.startswith("/page-"):
            return Response(page(gateway, port, int(request.path.split("-")[1])), content_type="text/html")
        return Response("", status=404)

    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    gateway_port, shop_port = free_port(), free_port()
    gateway = f"http://127.0.0.1:{gateway_port}"
    shop = f"http://shop.localhost:{shop_port}"
    env = gateway_env(sites=declaration(folder, shop, args.pages), CONSENT_GATEWAY_PUBLIC_URL=gateway)
    serve_shop(shop_port, gateway)
    with gunicorn("wsgi:app", env, workers=2, port=gateway_port):
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run(
            [
                str(BIN / "consent-gateway"),
                "scan",
                "--site",
                "benchshop",
                "--format",
                "json",
                "--concurrency",
                str(args.concurrency),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The scan's processes (the command, Playwright's driver, Chromium's) are waited for, so their
    # CPU time is counted here: on a shared machine, what the scan itself costs.
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if run.returncode != 0 or not run.stdout.strip():
        sys.exit(f"the scan failed ({run.returncode}):\n{run.stderr}\n{run.stdout}")
    (report,) = json.loads(run.stdout)
    findings = [(f["kind"], f["subject"]) for f in report["findings"]]
    print(
        f"tracker scan: {len(report['pages'])} pages x 3 states, concurrency {args.concurrency}: "
        f"{wall:.1f} s wall (command start to exit), {report['duration_ms'] / 1000:.1f} s scanning; "
        f"bar {BAR_SECONDS:.0f} s: {'OK' if wall <= BAR_SECONDS else 'OVER'}"
    )
    print(
        f"CPU used by the scan's processes: {cpu:.1f} s (that is {cpu / 2:.1f} s on 2 idle cores); "
        f"load average while it ran: {os.getloadavg()[0]:.1f}"
    )
    print(f"findings: {findings or 'none (the bench site is declared as it runs)'}")


if __name__ == "__main__":
    main()
