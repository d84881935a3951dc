"""Size of the consent 201 (the bar in docs/development.md: under 1,000 bytes), next to what it was.

    .venv/bin/python bench/consent_answer_size.py

A gateway under gunicorn (SQLite in a temporary directory, the production sites.yaml) records an
"accept all", a "reject all" and a withdrawal on every site, from each site's first declared
origin, and the bytes of each 201 body are printed. Beside them: the same answer as it was before
it was made lean (the same fields plus the whole Kantara receipt and its JWS, which now come from
the receipt's GET: ``/privacy/<site>/receipts/<token>/receipt.json`` and ``receipt.jws``), rebuilt
here from those two GETs. Before, the answers measured 7,985-8,491 bytes by site.
"""

from __future__ import annotations

import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import gateway_env, gunicorn  # noqa: E402
from consent_gateway.declaration import load_sites  # noqa: E402
from consent_gateway.settings import PROJECT_ROOT  # noqa: E402

BAR = 1000


def post(base: str, site: str, origin: str, body: dict) -> bytes:
    request = urllib.request.Request(f"{base}/api/v1/sites/{site}/consents", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Origin": origin})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201, answer.status
        return answer.read()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url) as answer:
        return answer.read()


def main() -> int:
    sites = load_sites(PROJECT_ROOT / "sites.yaml")
    worst = 0
    print(f"{'site':<10}{'action':<12}{'201 now':>9}{'before (+ receipt, JWS)':>26}")
    log = Path(tempfile.gettempdir()) / "consent_answer_size.log"
    with gunicorn("wsgi:app", gateway_env(), workers=1, stderr=log) as (base, _proc):
        for site in sites.sites.values():
            lang = site.default_language
            banner = json.loads(get(f"{base}/api/v1/sites/{site.id}/banner?lang={lang}"))
            decision = {"choices": {}, "lang": lang, "policy_version": banner["policy_version"],
                        "config_hash": banner["config_hash"]}
            previous = None
            for action in ("accept_all", "reject_all", "withdraw"):
                if action == "withdraw":  # withdraw what an acceptance granted
                    previous = json.loads(post(base, site.id, site.origins[0],
                                               {**decision, "action": "accept_all"}))["token"]
                body = {**decision, "action": action}
                if previous:
                    body["previous_token"] = previous
                raw = post(base, site.id, site.origins[0], body)
                answer = json.loads(raw)
                receipt_url = f"{base}/privacy/{site.id}/receipts/{answer['token']}"
                before = {**answer, "receipt": json.loads(get(receipt_url + "/receipt.json")),
                          "receipt_jws": get(receipt_url + "/receipt.jws").decode()}
                was = len(json.dumps(before, separators=(",", ":")).encode())
                worst = max(worst, len(raw))
                print(f"{site.id:<10}{action:<12}{len(raw):>7} B{was:>24} B")
                previous = answer["token"]
    print(f"largest 201: {worst} B   bar < {BAR} B: {'PASS' if worst < BAR else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
