"""Vendor-level choices: a placeholder grants only its own vendor (YouTube does not unlock Google
Maps); the rules, the stored event, the receipt, its JWS and the sealed ledger all carry them."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from ledger_support import append_only_trigger_off, raw_sql
from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway.consent import ConsentEvent, event_record
from consent_gateway.consent.ledger import event_digest, seal_ledger, verify_ledger

ORIGIN = "http://localhost:47810"
MARKETING = ("google_ads", "meta_pixel", "linkedin_insight", "hubspot_forms")
MEASUREMENT = ("matomo", "google_analytics", "google_tag_manager")


@pytest.fixture
def decide(client):
    banner = client.get("/api/v1/sites/vendorsite/banner?lang=fr").get_json()

    def _decide(action: str, choices: dict | None = None, vendors: dict | None = None, **extra):
        body = {"action": action, "choices": choices or {}, "policy_version": banner["policy_version"],
                "config_hash": banner["config_hash"], "lang": "fr", **extra}
        if vendors is not None:
            body["vendors"] = vendors
        return client.post("/api/v1/sites/vendorsite/consents", json=body, headers={"Origin": ORIGIN})

    return _decide


def stored(db_session, receipt_id: str) -> ConsentEvent:
    return db_session.scalars(select(ConsentEvent).where(ConsentEvent.receipt_id == receipt_id)).one()


def test_a_placeholder_grants_only_its_own_vendor(decide, client, db_session, with_receipt):
    r = decide("custom", {"audience_measurement": False, "marketing": False, "third_party_media": True},
               {"youtube": True, "google_maps": False}, ui={"layer": "placeholder", "ms": 900})
    assert r.status_code == 201, r.get_json()
    body = with_receipt(r.get_json(), "vendorsite")
    expected = {"youtube": True, "google_maps": False,
                **dict.fromkeys(MARKETING + MEASUREMENT, False)}
    assert body["receipt"]["iqera"]["vendors"] == dict(sorted(expected.items()))
    assert "iqera" not in body["receipt"]["iqera"]["vendors"], "a required purpose's vendor is no choice"
    media = next(p for p in body["receipt"]["services"][0]["purposes"]
                 if p["purposeCategory"] == ["third_party_media"])
    assert media["vendors"] == [{"id": "youtube", "name": "YouTube", "consent": True},
                                {"id": "google_maps", "name": "Google Maps", "consent": False}]
    assert media["thirdPartyName"] == "YouTube", "only the vendors consented to receive data"
    assert stored(db_session, body["receipt_id"]).vendors == expected
    # The DPO's proof and the visitor's export show the one record of a decision.
    assert event_record(stored(db_session, body["receipt_id"]))["vendors"] == expected
    verified = client.post("/api/v1/receipts/verify", json={"token": body["token"]}).get_json()
    assert verified["valid"] is True and verified["receipt"] == body["receipt"]


def test_vendors_of_a_granted_purpose_left_out_are_granted(decide, db_session):
    body = decide("accept_all").get_json()
    vendors = stored(db_session, body["receipt_id"]).vendors
    assert vendors == dict.fromkeys(MARKETING + MEASUREMENT + ("youtube", "google_maps"), True)
    partial = decide("custom", {"audience_measurement": True, "marketing": True, "third_party_media": False},
                     {"meta_pixel": False}).get_json()
    vendors = stored(db_session, partial["receipt_id"]).vendors
    assert vendors["meta_pixel"] is False and vendors["linkedin_insight"] is True
    assert vendors["youtube"] is False and vendors["matomo"] is True


@pytest.mark.parametrize("action, choices, vendors, message", [
    ("custom", {"audience_measurement": True, "marketing": True, "third_party_media": True},
     {"tiktok": True}, "'tiktok' is not a vendor of site 'vendorsite'"),
    ("custom", {"audience_measurement": True, "marketing": False, "third_party_media": True},
     {"meta_pixel": True}, "'meta_pixel' cannot be granted while its purpose 'marketing' is refused"),
    ("reject_all", {}, {"youtube": True}, "'youtube' cannot be granted"),
    ("accept_all", {}, {"iqera": False}, "required for the site to work"),
    ("accept_all", {}, {"google_maps": False}, "accept_all cannot refuse vendor 'google_maps'"),
    ("accept_all", {}, {"youtube": "yes"}, "must be true or false"),
    ("accept_all", {}, ["youtube"], "vendors must be an object"),
])
def test_bad_vendor_choices_are_refused_naming_vendors(decide, action, choices, vendors, message):
    r = decide(action, choices, vendors)
    assert r.status_code == 400
    body = r.get_json()
    assert body["field"] == "vendors" and message in body["message"], body
    assert r.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_the_jws_and_the_receipt_page_show_vendor_choices(decide, client, with_receipt):
    body = with_receipt(decide("custom", {"audience_measurement": True, "marketing": False,
                                          "third_party_media": True}, {"google_maps": False}).get_json(),
                        "vendorsite")
    payload = body["receipt_jws"].split(".")[1]
    signed = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert signed["iqera"]["vendors"]["google_maps"] is False
    assert signed["iqera"]["vendors"]["youtube"] is True
    page = client.get(f"/privacy/vendorsite/receipts/{body['token']}?lang=en").get_data(as_text=True)
    assert "<li>Google Maps: refused</li>" in page and "<li>YouTube: accepted</li>" in page
    assert "<li>Meta Pixel: refused</li>" in page
    fr = client.get(f"/privacy/vendorsite/receipts/{body['token']}?lang=fr").get_data(as_text=True)
    assert "<li>Google Maps : refusé</li>" in fr


def test_the_ledger_covers_vendor_choices_and_old_events_keep_their_digest(app, decide, db_session):
    body = decide("accept_all").get_json()
    event = stored(db_session, body["receipt_id"])
    covered = event_digest(event)
    old = ConsentEvent(**{c.name: getattr(event, c.name) for c in ConsentEvent.__table__.columns})
    old.vendors = None
    before_vendors = event_digest(old)
    assert covered != before_vendors, "the vendors are part of the digest when the event has them"
    gw = app.extensions["gateway"]
    engine = app.extensions["db_engine"]
    with Session(engine, expire_on_commit=False) as session:
        assert seal_ledger(session, gw.receipt_keys, settle=timedelta(0)).events == 1
    with Session(engine) as session:
        assert verify_ledger(session, gw.receipt_keys.public_keys(),
                             gw.sites.consent_events_retention_days).intact
    with append_only_trigger_off(engine):
        raw_sql(engine, "UPDATE consent_event SET vendors = :v WHERE id = :id",
                v=json.dumps({**event.vendors, "google_maps": False}, sort_keys=True), id=event.id)
    with Session(engine) as session:
        report = verify_ledger(session, gw.receipt_keys.public_keys(), gw.sites.consent_events_retention_days)
    assert [(p.kind, p.event_id) for p in report.problems] == [("edited", event.id)]


def test_a_receipt_recorded_before_vendor_choices_still_verifies(app, client, post_consent, db_session):
    body = post_consent("accept_all").get_json()
    engine = app.extensions["db_engine"]
    with append_only_trigger_off(engine):
        raw_sql(engine, "UPDATE consent_event SET vendors = NULL WHERE receipt_id = :r", r=body["receipt_id"])
    verified = client.post("/api/v1/receipts/verify", json={"token": body["token"]}).get_json()
    assert verified["valid"] is True
    assert "vendors" not in verified["receipt"]["iqera"]
    assert all("vendors" not in p for p in verified["receipt"]["services"][0]["purposes"])
    page = client.get(f"/privacy/demo/receipts/{body['token']}").get_data(as_text=True)
    assert 'class="vendor-choices"' not in page
