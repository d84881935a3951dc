"""A withdrawal acknowledged while the visitor's contact forms are in flight leaves nothing of the
withdrawn purposes: the gateway serialises the decisions and captures of one visitor."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from contact_support import AUDIENCE, DEMO_ORIGIN, PERSON, decide
from sqlalchemy import bindparam, text

VISITORS = 30
CONTACT_POSTS_PER_VISITOR = 3


@pytest.fixture
def app(make_app):
    # Every request of this test comes from 127.0.0.1: per-address rate limits would answer 429.
    return make_app(ratelimit_enabled=False)


def test_no_field_of_a_withdrawn_purpose_survives_contact_posts_racing_the_withdrawal(
        app, live_server, db_session):
    gw = app.extensions["gateway"]
    site = gw.sites.sites["demo"]
    banner = gw.sites.banner_config(site, "fr")
    tokens = {}
    for _ in range(VISITORS):
        token, visitor = decide(app, "demo", "accept_all")
        tokens[visitor] = token

    def contact(token: str) -> tuple[int, bool]:
        """The answer's status, and whether it says the audience fields were stored."""
        r = requests.post(f"{live_server}/api/v1/sites/demo/contact", timeout=60,
                          headers={"Origin": DEMO_ORIGIN},
                          json={"consent_token": token, "fields": {**PERSON, **AUDIENCE}})
        return r.status_code, set(AUDIENCE) <= set(r.json().get("stored", []))

    def withdraw(token: str) -> int:
        body = {"action": "withdraw", "choices": {}, "policy_version": banner["policy_version"],
                "config_hash": banner["config_hash"], "lang": "fr", "previous_token": token}
        return requests.post(f"{live_server}/api/v1/sites/demo/consents", timeout=60,
                             headers={"Origin": DEMO_ORIGIN}, json=body).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        captures, withdrawals = [], {}
        for visitor, token in tokens.items():
            captures.append(pool.submit(contact, token))
            withdrawals[visitor] = pool.submit(withdraw, token)
            captures += [pool.submit(contact, token) for _ in range(CONTACT_POSTS_PER_VISITOR - 1)]
        answers = [job.result() for job in captures]
        acknowledged = [visitor for visitor, job in withdrawals.items() if job.result() == 201]
    assert len(acknowledged) == VISITORS
    assert {status for status, _ in answers} == {201}
    # The captures really ran on both sides of the withdrawals (those before stored the audience
    # fields, those after were told the receipt was withdrawn): the race was there to be lost.
    assert {stored for _, stored in answers} == {True, False}

    consent_purposes = [pid for pid, p in gw.sites.purposes.items() if p.consent_based]
    db_session.rollback()
    survivors = db_session.execute(
        text("SELECT DISTINCT visitor_id FROM contact_field "
             "WHERE purpose IN :purposes AND visitor_id IN :visitors")
        .bindparams(bindparam("purposes", expanding=True), bindparam("visitors", expanding=True)),
        {"purposes": consent_purposes, "visitors": acknowledged},
    ).scalars().all()
    assert survivors == [], f"{len(survivors)} of {VISITORS} visitors kept fields they withdrew"
    kept = db_session.execute(text("SELECT COUNT(*) FROM contact_field WHERE purpose = 'contact_request'"))
    assert kept.scalar_one() == VISITORS * CONTACT_POSTS_PER_VISITOR * len(PERSON)
