"""User-agent classification of unseen agents: our classifier next to ua-parser's pure-Python
resolver (the baseline, same process), against the 50 µs bar of docs/development.md.

    .venv/bin/python bench/ua_classify.py [--n 3000]

Each agent is made unique (a varying build number), so no cache helps: this is the cost of a
visitor whose user agent the process has never seen.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ua_parser import BasicResolver, Parser, load_builtins

from consent_gateway.enrich import classify_user_agent

TEMPLATES = [  # real agents, one number varied per call
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.{n}.0 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{n} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.{n}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.{n}) Gecko/20100101 Firefox/133.{n}",  # noqa: E501
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.{n}.0",  # noqa: E501
    "Mozilla/5.0 (compatible; Googlebot/2.{n}; +http://www.google.com/bot.html)",  # noqa: E501
    "Mozilla/5.0 (iPad; CPU OS 17_{n} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.{n}) like Gecko",  # noqa: E501
]


def agents(n: int, salt: int) -> list[str]:
    return [TEMPLATES[i % len(TEMPLATES)].format(n=salt * 100000 + i) for i in range(n)]


def per_call_us(fn, uas: list[str], batch: int = 100) -> list[float]:
    """Microseconds per call, measured in batches (a batch median is robust to GC pauses)."""
    samples = []
    for start in range(0, len(uas), batch):
        chunk = uas[start:start + batch]
        t0 = time.perf_counter_ns()
        for ua in chunk:
            fn(ua)
        samples.append((time.perf_counter_ns() - t0) / len(chunk) / 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    ours = classify_user_agent.__wrapped__  # the function without its LRU cache
    baseline = Parser(BasicResolver(load_builtins())).parse
    ours(TEMPLATES[0].format(n=0))  # load the rules once, outside the timing
    baseline(TEMPLATES[0].format(n=0))
    ours_us = statistics.median(per_call_us(ours, agents(args.n, 1)))
    base_us = statistics.median(per_call_us(baseline, agents(max(args.n // 10, 200), 2), batch=20))
    cached = statistics.median(per_call_us(classify_user_agent, agents(100, 3) * 30))
    print(f"{'what':48} {'median µs/agent':>16}")
    print(f"{'consent_gateway classify_user_agent (unseen)':48} {ours_us:16.1f}")
    print(f"{'ua-parser pure-Python resolver (baseline)':48} {base_us:16.1f}")
    print(f"{'consent_gateway classify_user_agent (cached)':48} {cached:16.2f}")
    print(f"speed-up over baseline: {base_us / ours_us:.0f}x; bar: ≤ 50 µs for an unseen agent -> "
          f"{'PASS' if ours_us <= 50 else 'FAIL'}")


if __name__ == "__main__":
    main()
