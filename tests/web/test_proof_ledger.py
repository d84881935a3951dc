"""The DPO's proof bundle shows a receipt's inclusion in a signed checkpoint, checkable by hand."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from consent_gateway.consent import merkle
from consent_gateway.consent.ledger import seal_ledger
from consent_gateway.staff import create_token


def test_the_proof_bundle_says_not_sealed_yet_then_shows_the_inclusion(app, client, post_consent, db_session):
    receipts = [post_consent("accept_all").get_json()["receipt_id"] for _ in range(3)]
    dpo = {"Authorization": f"Bearer {create_token(db_session, 'dpo', 'Jeanne DPO')}"}
    url = f"/api/v1/sites/demo/proof/{receipts[1]}"
    before = client.get(url, headers=dpo).get_json()["ledger"]
    assert before["sealed"] is False and "not sealed yet" in before["message"]

    with Session(app.extensions["db_engine"]) as session:
        seal_ledger(session, app.extensions["gateway"].receipt_keys, settle=timedelta(0))
    proof = client.get(url, headers=dpo).get_json()["ledger"]
    assert proof["sealed"] is True and proof["root_matches"] is True
    assert proof["checkpoint"]["id"] == 1 and proof["checkpoint"]["event_count"] == 3
    leaf = proof["leaf"]
    assert leaf["data"][2] == proof["event_digest"] and (leaf["index"], leaf["tree_size"]) == (1, 3)
    root = merkle.root_from_path(leaf["index"], leaf["tree_size"], bytes.fromhex(leaf["hash"]),
                                 [bytes.fromhex(h) for h in proof["audit_path"]])
    assert root is not None and root.hex() == proof["checkpoint"]["root_digest"]
