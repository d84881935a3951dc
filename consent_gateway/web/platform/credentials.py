"""Staff credentials slowed down by what fails, never by what succeeds.

A bearer token or a sign-in that fails counts against the client's address and against the token's
prefix (its first characters: a guesser who knows part of a token, from any number of addresses).
Past ``FAILED_CREDENTIALS`` failures in a window, a wrong token answers 429 with ``Retry-After``
instead of 401. A correct token is always checked and always let in: a neighbour behind the same
NAT or proxy who fails ten times never locks the DPO out. Staff tokens carry 256 random bits, so
the limit is not what stops a guess from succeeding; it stops a flood from hiding in 401s and makes
a script that obeys ``Retry-After`` slow. The counts live in the rate-limit storage (keyed hashes,
no address, no token).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app
from limits import RateLimitItem, parse_many

from consent_gateway.db import get_session
from consent_gateway.errors import GatewayError
from consent_gateway.staff import StaffToken, authenticate
from consent_gateway.staff.tokens import TOKEN_PREFIX
from consent_gateway.web.extensions import client_key, limiter
from consent_gateway.web.platform.limits import FAILED_CREDENTIALS

F = TypeVar("F", bound=Callable[..., Any])
# How much of a token names its prefix: the scheme and 8 random characters (48 bits).
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8


class TooManyAttempts(GatewayError):
    """Too many failed staff credentials from this client or for this token prefix."""

    status = 429
    code = "too_many_requests"

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed staff credentials: try again in {retry_after} s")
        self.retry_after = retry_after


def check_credential(token: str, *, record_use: bool = False) -> StaffToken | None:
    """The live staff token ``token``, as ``staff.authenticate``; a failure is counted, and past the
    limit raises ``TooManyAttempts`` (a correct token never does)."""
    staff = authenticate(get_session(), token, record_use=record_use)
    if staff is not None or not limiter.enabled:
        return staff
    keys = _keys(token)
    try:
        strategy = limiter.limiter
        for item in _items():
            if not all(strategy.test(item, *key) for key in keys):
                raise TooManyAttempts(_retry_after(item, keys))
        for item in _items():
            for key in keys:
                strategy.hit(item, *key)
    except TooManyAttempts:
        raise
    except Exception as exc:  # noqa: BLE001 - a storage that fails must not fail a sign-in
        current_app.logger.warning("failed credentials not counted: %s", type(exc).__name__)
    return None


def counts_failures(view: F) -> F:
    """Mark a view whose credential checks go through ``check_credential`` (the limits test reads
    the view's declared rules)."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    wrapper.__dict__.setdefault("rate_limits", []).append(FAILED_CREDENTIALS)
    return cast(F, wrapper)


def _items() -> list[RateLimitItem]:
    limit = current_app.config.get(FAILED_CREDENTIALS.override or "", FAILED_CREDENTIALS.limit)
    return list(parse_many(limit))


def _keys(token: str) -> list[tuple[str, str]]:
    secret: bytes = current_app.extensions["ratelimit_key"]
    prefix = hmac.new(secret, token[:PREFIX_LENGTH].encode(), hashlib.sha256).hexdigest()[:32]
    return [("failed-credentials-client", client_key()), ("failed-credentials-prefix", prefix)]


def _retry_after(item: RateLimitItem, keys: list[tuple[str, str]]) -> int:
    reset = max(limiter.limiter.get_window_stats(item, *key).reset_time for key in keys)
    return max(1, int(reset - time.time()) + 1)
