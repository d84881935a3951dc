"""Encryption at rest of contact-form values: Fernet under rotatable keys.

``CONSENT_GATEWAY_PII_KEYS`` lists keys oldest first; the last one encrypts and every one still
decrypts, so adding a key never makes stored data unreadable. ``rotate`` re-encrypts a value under
the newest key (keeping its original timestamp), after which older keys can be retired.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from consent_gateway.errors import ConfigurationError


class PIICipher:
    """Encrypts with the newest key (the last of ``keys``), decrypts with any."""

    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ConfigurationError(
                "CONSENT_GATEWAY_PII_KEYS is not set: contact-form data cannot be stored encrypted. "
                "Set it to one or more comma-separated Fernet keys (the last one encrypts), e.g. "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
            )
        try:
            fernets = [Fernet(key) for key in keys]
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "CONSENT_GATEWAY_PII_KEYS holds a key that is not a Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc
        # MultiFernet encrypts with its first key; our convention is "the last one encrypts".
        self._multi = MultiFernet(list(reversed(fernets)))
        self._newest = fernets[-1]

    def encrypt(self, value: str) -> str:
        return self._multi.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The clear value; raises ``InvalidToken`` if no configured key opens it."""
        return self._multi.decrypt(ciphertext.encode("ascii")).decode("utf-8")

    def encrypt_bytes(self, data: bytes) -> str:
        """A file's bytes as a Fernet token (ASCII text), under the newest key."""
        return self._multi.encrypt(data).decode("ascii")

    def decrypt_bytes(self, ciphertext: str) -> bytes:
        return self._multi.decrypt(ciphertext.encode("ascii"))

    def rotate(self, ciphertext: str) -> str:
        """The same value re-encrypted under the newest key."""
        return self._multi.rotate(ciphertext.encode("ascii")).decode("ascii")

    def is_current(self, ciphertext: str) -> bool:
        """Was ``ciphertext`` encrypted under the newest key?"""
        try:
            self._newest.decrypt(ciphertext.encode("ascii"))
        except InvalidToken:
            return False
        return True


@lru_cache(maxsize=8)
def cipher_for(keys: tuple[str, ...]) -> PIICipher:
    """One cipher per key set, built once (the keys come from the frozen Settings)."""
    return PIICipher(keys)
