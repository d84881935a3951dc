"""Receipts anyone can verify offline: a standard JOSE library and the published JWKS suffice,
across a key rotation, and a tampered receipt fails (docs/http-api.md)."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from receipt_support import fetch_receipt

from consent_gateway.settings import generate_receipt_key as generate_key

# EdDSA is the JOSE name every library knows; joserfc already warns that RFC 9864 names it Ed25519.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated via RFC 9864")


def published_keys(client) -> KeySet:
    r = client.get("/.well-known/jwks.json")
    assert r.status_code == 200
    return KeySet.import_key_set(json.loads(r.data))


def offline_receipt(token: str, keys: KeySet) -> dict:
    return json.loads(jws.deserialize_compact(token, keys, algorithms=["EdDSA"]).payload)


def test_a_receipt_verifies_with_a_jose_library_and_the_published_jwks_only(client, post_consent,
                                                                            with_receipt):
    answer = with_receipt(post_consent("accept_all").get_json())
    assert offline_receipt(answer["receipt_jws"], published_keys(client)) == answer["receipt"]
    header = json.loads(base64.urlsafe_b64decode(answer["receipt_jws"].split(".")[0] + "=="))
    assert header["alg"] == "EdDSA" and header["kid"]


def test_the_jwks_lists_ed25519_public_keys_and_is_cacheable(client):
    r = client.get("/.well-known/jwks.json")
    [key] = r.get_json(force=True)["keys"]
    assert {k: key[k] for k in ("kty", "crv", "use", "alg")} == {
        "kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA"}
    assert key["kid"] and "d" not in key, "never the private half"
    assert "public" in r.headers["Cache-Control"] and r.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/.well-known/jwks.json", headers={"If-None-Match": r.headers["ETag"]}
                      ).status_code == 304


def test_after_a_rotation_old_and_new_receipts_verify_with_the_new_jwks(make_app, settings, demo_banner):
    old_key, new_key = settings.receipt_keys[0], generate_key()

    def decide(app) -> dict:
        client = app.test_client()
        banner = client.get("/api/v1/sites/demo/banner?lang=fr").get_json()
        r = client.post("/api/v1/sites/demo/consents", headers={"Origin": "http://127.0.0.1:8000"}, json={
            "action": "reject_all", "choices": {}, "policy_version": banner["policy_version"],
            "config_hash": banner["config_hash"], "lang": "fr"})
        assert r.status_code == 201
        return fetch_receipt(client, r.get_json())

    before = decide(make_app(receipt_keys=(old_key,)))
    rotated = make_app(receipt_keys=(old_key, new_key))
    after = decide(rotated)
    keys = published_keys(rotated.test_client())
    assert len(rotated.test_client().get("/.well-known/jwks.json").get_json(force=True)["keys"]) == 2
    assert offline_receipt(before["receipt_jws"], keys) == before["receipt"]
    assert offline_receipt(after["receipt_jws"], keys) == after["receipt"]
    kid = json.loads(base64.urlsafe_b64decode(after["receipt_jws"].split(".")[0] + "=="))["kid"]
    assert kid == keys.keys[-1].kid, "the newest key signs"


def test_a_tampered_receipt_fails(client, post_consent, with_receipt):
    answer = with_receipt(post_consent("reject_all").get_json())
    header, payload, signature = answer["receipt_jws"].split(".")
    receipt = json.loads(base64.urlsafe_b64decode(payload + "=="))
    receipt["iqera"]["choices"]["marketing"] = True
    forged = base64.urlsafe_b64encode(json.dumps(receipt).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        offline_receipt(f"{header}.{forged}.{signature}", published_keys(client))
    with pytest.raises(BadSignatureError):
        offline_receipt(f"{header}.{payload}.{signature[:-4]}AAAA", published_keys(client))
