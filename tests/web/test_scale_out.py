"""Scale-out (docs/operations.md, Several instances): two gateway instances (two gunicorn servers) on
one PostgreSQL database and one Redis, with the same keys, behave as one gateway: a receipt one
issues verifies on the other, a withdrawal through one is seen by the other, and a rate limit is
shared."""

from __future__ import annotations

import json
from contextlib import ExitStack
from urllib.parse import quote

import pytest
from live_support import DEMO_ORIGIN, call, impression, required
from sqlalchemy import create_engine

from bench.servers import demo_decision, gateway_env, gateway_keys, gunicorn
from consent_gateway.db import Base


@pytest.fixture(scope="module")
def two_instances(database_url):
    """Two instances on the tests' PostgreSQL (migrated once, by the session's fixture) and Redis;
    every table is emptied afterwards, as the other tests expect."""
    required("CONSENT_GATEWAY_TEST_DATABASE_URL")
    redis_url = required("CONSENT_GATEWAY_TEST_REDIS_URL")
    keys = gateway_keys()
    with ExitStack() as stack:
        bases = []
        for _ in range(2):
            env = gateway_env(database_url, keys=keys, migrate=False, ratelimit=True,
                              CONSENT_GATEWAY_RATELIMIT_STORAGE=redis_url)
            base, _ = stack.enter_context(gunicorn("wsgi:app", env, workers=1))
            bases.append(base)
        yield bases
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


def post_json(url: str, body: dict, origin: str | None = DEMO_ORIGIN):
    headers = {"Content-Type": "application/json", **({"Origin": origin} if origin else {})}
    status, _, raw = call(url, method="POST", body=json.dumps(body).encode(), headers=headers)
    return status, json.loads(raw)


def verify(base: str, token: str) -> dict:
    status, body = post_json(f"{base}/api/v1/receipts/verify", {"token": token}, origin=None)
    assert status == 200
    return body


def test_a_receipt_issued_by_one_instance_verifies_on_the_other(two_instances):
    one, other = two_instances
    status, issued = post_json(f"{one}/api/v1/sites/demo/consents", demo_decision(one))
    assert status == 201
    checked = verify(other, issued["token"])
    assert checked["valid"] is True and checked["status"] == "active"
    assert checked["receipt"]["consentReceiptID"] == issued["receipt_id"]


def test_a_withdrawal_through_one_instance_is_seen_by_the_other(two_instances):
    one, other = two_instances
    _, first = post_json(f"{one}/api/v1/sites/demo/consents", demo_decision(one))
    status, _ = post_json(f"{other}/api/v1/sites/demo/consents",
                          {**demo_decision(other, "withdraw"), "previous_token": first["token"]})
    assert status == 201
    assert verify(one, first["token"])["status"] == "withdrawn"
    status, _, page = call(f"{one}/privacy/demo/receipts/{quote(first['token'])}?lang=en")
    assert status == 200 and "Withdrawn: you withdrew this consent afterwards." in page.decode()


def test_a_rate_limit_is_shared_by_both_instances(two_instances):
    one, other = two_instances
    # 20 impressions a minute per client, sent alternately to each instance.
    statuses = [impression(base)[0] for _ in range(15) for base in (one, other)]
    assert statuses == [204] * 20 + [429] * 10, "the declared limit, not twice it"
