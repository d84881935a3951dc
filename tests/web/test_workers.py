"""Two gunicorn workers on the embedded default (SQLite, no Redis): a rate limit holds once across
both, not once per worker, and /metrics adds up what both counted (prometheus multiprocess)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from live_support import DEMO_ORIGIN, call, impression
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from bench.servers import gateway_env, gunicorn

TOKEN = "metrics-token-" + "w" * 32


def worker_pids(folder: Path) -> set[str]:
    """The workers that answered at least one request: each writes its counters to its own file."""
    return {m.group(1) for f in folder.iterdir() if (m := re.fullmatch(r"counter_(\d+)\.db", f.name))}


def impressions_by_worker(folder: Path) -> dict[str, float]:
    """How many impression requests each worker has answered, from its own counter file."""
    counts: dict[str, float] = {}
    for pid in worker_pids(folder):
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(folder / f"counter_{pid}.db")):
            _, sample, labels, _ = json.loads(key)
            if sample == "gateway_http_requests_total" and labels["route"].endswith("/impressions"):
                counts[pid] = counts.get(pid, 0.0) + value
    return counts


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prometheus")
    env = gateway_env(ratelimit=True, CONSENT_GATEWAY_METRICS_TOKEN=TOKEN,
                      CONSENT_GATEWAY_TRUSTED_PROXIES="127.0.0.1", PROMETHEUS_MULTIPROC_DIR=str(folder))
    with gunicorn("wsgi:app", env, workers=2) as (base, _):
        yield base, folder


def test_a_rate_limit_holds_once_across_two_workers(two_workers):
    base, folder = two_workers
    # 20 impressions a minute per client, sent 4 at a time; each round is a new client (proxy
    # header), until a round that both workers served, which the limit must hold across.
    for client in (f"198.51.100.{n}" for n in range(1, 9)):
        before = impressions_by_worker(folder)
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(impression, [base] * 32, [client] * 32))
        statuses = sorted(status for status, _, _ in answers)
        assert statuses == [204] * 20 + [429] * 12, "one limit for the machine, not one per worker"
        after = impressions_by_worker(folder)
        if len([pid for pid in after if after[pid] > before.get(pid, 0)]) == 2:
            break
    else:
        pytest.fail("no round was served by both workers")
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
    sent = 0
    with ThreadPoolExecutor(4) as pool:
        for _ in range(10):  # until both workers have answered some
            codes = list(pool.map(lambda _: call(f"{base}/healthz")[0], range(20)))
            assert codes == [200] * 20
            sent += 20
            if len(worker_pids(folder)) == 2:
                break
    assert len(worker_pids(folder)) == 2, "both workers answered"
    assert requests_total() - before == sent
