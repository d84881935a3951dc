"""Two gunicorn workers on the embedded default (SQLite, no Redis): a rate limit holds once across
both, not once per worker, and /metrics adds up what both counted (prometheus multiprocess)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from live_support import DEMO_ORIGIN, call, impression
from prometheus_client.parser import text_string_to_metric_families

from bench.servers import gateway_env, gunicorn

TOKEN = "metrics-token-" + "w" * 32


def worker_pids(folder: Path) -> set[str]:
    """The workers that answered at least one request: each writes its counters to its own file."""
    return {m.group(1) for f in folder.iterdir() if (m := re.fullmatch(r"counter_(\d+)\.db", f.name))}


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prometheus")
    env = gateway_env(ratelimit=True, CONSENT_GATEWAY_METRICS_TOKEN=TOKEN,
                      PROMETHEUS_MULTIPROC_DIR=str(folder))
    with gunicorn("wsgi:app", env, workers=2) as (base, _):
        yield base, folder


def test_a_rate_limit_holds_once_across_two_workers(two_workers):
    base, folder = two_workers
    # 20 impressions a minute per client: sent 4 at a time, so that both workers take some.
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: impression(base), range(32)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [204] * 20 + [429] * 12, "one limit for the machine, not one per worker"
    assert len(worker_pids(folder)) == 2, "both workers answered"
    refused = next(a for a in answers if a[0] == 429)
    assert int(refused[1]["Retry-After"]) > 0
    assert refused[1]["Access-Control-Allow-Origin"] == DEMO_ORIGIN
    assert json.loads(refused[2])["error"] == "too_many_requests"


def test_metrics_add_up_what_every_worker_counted(two_workers):
    base, folder = two_workers

    def requests_total() -> float:
        status, _, body = call(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        return sum(s.value for family in text_string_to_metric_families(body.decode())
                   for s in family.samples
                   if s.name == "gateway_http_requests_total" and s.labels["route"] == "/healthz")

    before = requests_total()
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: call(f"{base}/healthz")[0], range(40)))
    assert codes == [200] * 40
    assert len(worker_pids(folder)) == 2
    assert requests_total() - before == 40
