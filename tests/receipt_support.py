"""The Kantara receipt of a consent answer: the 201 carries only what the banner stores, the receipt
and its JWS come from the receipt's GET."""

from __future__ import annotations

import json


def fetch_receipt(client, answer: dict, site: str = "demo") -> dict:
    """``answer`` (a consent 201) with its Kantara ``receipt`` and ``receipt_jws``, fetched from the
    receipt's GET as anyone holding the token would."""
    base = f"/privacy/{site}/receipts/{answer['token']}"
    receipt, jws = client.get(f"{base}/receipt.json"), client.get(f"{base}/receipt.jws")
    assert receipt.status_code == jws.status_code == 200
    return {**answer, "receipt": json.loads(receipt.data), "receipt_jws": jws.get_data(as_text=True)}
