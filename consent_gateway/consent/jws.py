"""Receipts anyone can verify offline: Ed25519 keys, compact JWS (EdDSA) and the published JWKS.

``CONSENT_GATEWAY_RECEIPT_KEYS`` lists Ed25519 private keys, comma-separated, oldest first: the last
one signs, and every one stays published in ``/.well-known/jwks.json`` so that receipts signed
before a rotation still verify. A key is either the base64url of its 32-byte seed (what
``consent-gateway serve`` creates for development, and ``python -c "import base64, os;
print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode())"`` prints) or a PKCS#8 PEM.
Each key's ``kid`` is its RFC 7638 JWK thumbprint, so a ``kid`` never needs to be configured.

Ed25519 signatures are deterministic: the same receipt signed by the same key gives the same JWS,
so the one in the consent answer and the one on the receipt page are identical.
No Flask and no database here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consent_gateway.errors import ConfigurationError, InvalidReceipt
from consent_gateway.settings import load_receipt_key as load_private_key

ALG = "EdDSA"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict: a character outside the base64url alphabet is an error, not skipped."""
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def canonical_json(value: Any) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    """The key as an OKP JWK (RFC 8037) with its thumbprint ``kid``, for signatures with EdDSA."""
    x = b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # RFC 7638: the required members only, in lexicographic order, no spaces.
    thumbprint = hashlib.sha256(json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x},
                                           separators=(",", ":"), sort_keys=True).encode()).digest()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": b64url(thumbprint), "use": "sig", "alg": ALG}


@dataclass(frozen=True)
class _Key:
    kid: str
    private: Ed25519PrivateKey
    jwk: dict[str, str]


SIGNED_CACHE = 1024


class ReceiptKeys:
    """The Ed25519 key ring: the newest (last) key signs, every key stays published."""

    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ConfigurationError(
                "CONSENT_GATEWAY_RECEIPT_KEYS is not set: receipts cannot be signed for offline "
                "verification. Set it to one or more comma-separated Ed25519 keys (the last one signs), "
                "e.g. `python -c \"import base64, os; "
                "print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode())\"`.")
        ring = []
        for i, text in enumerate(keys):
            try:
                private = load_private_key(text)
            except ValueError as exc:
                raise ConfigurationError(f"CONSENT_GATEWAY_RECEIPT_KEYS: key #{i + 1} {exc}") from None
            jwk = public_jwk(private.public_key())
            ring.append(_Key(jwk["kid"], private, jwk))
        self._keys = tuple(ring)
        # The signing key's protected header, the same bytes on every receipt: encoded once.
        self._header = b64url(canonical_json({"alg": ALG, "kid": self._keys[-1].kid, "typ": "JOSE"}))
        # Receipts signed already, by payload: a receipt is signed once per process, however often
        # its page, JSON or JWS is fetched. Bounded; the oldest entry goes first.
        self._signed: dict[str, str] = {}

    @property
    def current_kid(self) -> str:
        return self._keys[-1].kid

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Every public key, oldest first: what ``/.well-known/jwks.json`` serves."""
        return {"keys": [dict(k.jwk) for k in self._keys]}

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {k.kid: k.private.public_key() for k in self._keys}

    def sign_receipt(self, receipt: Mapping[str, Any]) -> str:
        """The receipt as a compact JWS: header ``{alg: EdDSA, kid}``, payload the Kantara JSON."""
        payload = b64url(canonical_json(receipt))
        jws = self._signed.get(payload)
        if jws is None:
            signing_input = f"{self._header}.{payload}".encode("ascii")
            jws = f"{self._header}.{payload}.{b64url(self._keys[-1].private.sign(signing_input))}"
            if len(self._signed) >= SIGNED_CACHE:
                self._signed.pop(next(iter(self._signed)))
            self._signed[payload] = jws
        return jws

    def sign(self, message: bytes) -> tuple[str, str]:
        """A detached Ed25519 signature of ``message`` (base64url) and the ``kid`` that made it."""
        key = self._keys[-1]
        return b64url(key.private.sign(message)), key.kid


def public_keys_of(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWKS document, by ``kid`` (other kinds of key are skipped)."""
    out = {}
    for jwk in jwks.get("keys", []):
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and "kid" in jwk:
            out[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    return out


def verify_signature(public_keys: Mapping[str, Ed25519PublicKey], kid: str, signature: str,
                     message: bytes) -> bool:
    """Does ``signature`` (base64url) over ``message`` verify with the key ``kid``?"""
    key = public_keys.get(kid)
    if key is None:
        return False
    try:
        key.verify(b64url_decode(signature), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def verify_receipt_jws(public_keys: Mapping[str, Ed25519PublicKey], token: str) -> dict[str, Any]:
    """The receipt a compact JWS carries, once its EdDSA signature verifies with the ``kid`` it
    names; else InvalidReceipt (``malformed``, ``unknown_key``, ``bad_signature``)."""
    try:
        header_b64, payload_b64, signature = token.split(".")
        header = json.loads(b64url_decode(header_b64))
    except (ValueError, binascii.Error, AttributeError):
        raise InvalidReceipt("malformed") from None
    if not isinstance(header, dict) or header.get("alg") != ALG:
        raise InvalidReceipt("malformed")
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in public_keys:
        raise InvalidReceipt("unknown_key")
    if not verify_signature(public_keys, kid, signature, f"{header_b64}.{payload_b64}".encode()):
        raise InvalidReceipt("bad_signature")
    return json.loads(b64url_decode(payload_b64))
