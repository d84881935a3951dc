"""Rate limits: every limit of the gateway declared here, once, with the key it counts by; the
storage every worker and instance shares; the 429 answer.

The storage is ``CONSENT_GATEWAY_RATELIMIT_STORAGE``: Redis (``redis://host:6379/0``) when several
instances run, else the embedded default, a SQLite file in the instance directory that the
workers of one machine share (``web.limit_storage``). ``memory://`` counts per process and is for
a single process only. The README's "Rate limits" table lists the same limits (a test compares).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, request
from flask_limiter.errors import RateLimitExceeded

from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import PREFIX, Settings
from consent_gateway.web.extensions import client_key, limiter
from consent_gateway.web.platform import limit_storage  # noqa: F401 - registers the sqlite:// storage scheme
from consent_gateway.web.platform.error_pages import error_page

F = TypeVar("F", bound=Callable[..., Any])
EMBEDDED_STORAGE_FILE = "ratelimits.db"
# Seconds to wait for Redis before saying it cannot be reached (at start and on each request).
REDIS_TIMEOUT = 2


@dataclass(frozen=True)
class Rule:
    """One documented limit: where it applies, how much, and what it counts by."""

    endpoint: str  # as the README names it: METHOD path
    limit: str  # Flask-Limiter's notation, several windows separated by ";"
    key: str  # what is counted: "client" (keyed hash of the address) or "site and client network"
    # An app config key that may lower the limit (tests do, to reach a 429 in a few requests).
    override: str | None = None


CONSENTS = Rule("POST /api/v1/sites/<site>/consents", "60/minute", "client")
RECEIPT_VERIFY = Rule("POST /api/v1/receipts/verify", "120/minute", "client")
CONTACT = Rule("POST /api/v1/sites/<site>/contact", "10/minute;100/hour", "client")
# Applications (forms that take files) weigh megabytes and are rarely sent twice: a client sends a
# few an hour. Forms without files are not counted here.
APPLICATION = Rule("POST /api/v1/sites/<site>/contact with files", "5/hour;20/day", "client")
OBJECTIONS = Rule("POST /api/v1/sites/<site>/objections", "10/minute;100/hour", "client")
# An impression is anonymous, so it cannot be deduplicated: what keeps the count honest is that
# each client address, and each network (IPv4 /24, IPv6 /48), may only add so many a minute to a
# site. There is no bucket for a whole site: one shared by everyone let a flood, even spread over
# many addresses, stop the counting of every visitor; a flood now fills only its own networks'.
IMPRESSIONS_PER_CLIENT = Rule("POST /api/v1/sites/<site>/impressions", "20/minute", "client",
                              override="IMPRESSIONS_PER_CLIENT")
IMPRESSIONS_PER_NETWORK = Rule("POST /api/v1/sites/<site>/impressions", "120/minute",
                               "site and client network", override="IMPRESSIONS_PER_NETWORK")
HOSTED_CONTACT = Rule("POST /privacy/<site>/contact", "10/minute;100/hour", "client")
HOSTED_APPLICATION = Rule("POST /privacy/<site>/contact with files", "5/hour;20/day", "client")
RIGHTS = Rule("POST /privacy/<site>/rights, …/rights/export, …/rights/erase, …/rights/object",
              "10/minute;100/hour", "client")
# A banner reports at most once a day; a few a minute per client is generous.
UNDECLARED_COOKIES = Rule("POST /api/v1/sites/<site>/undeclared-cookies", "10/minute", "client")
WITHDRAW = Rule("POST /privacy/<site>/receipts/<token>/withdraw", "30/minute", "client")
# Counted on failures only, per client and per token prefix (``web.platform.credentials``): a
# correct token is never refused.
FAILED_CREDENTIALS = Rule("Authorization: Bearer (any staff API), POST /dashboard/sign-in, "
                          "POST /dpo/sign-in, POST /recruiting/sign-in",
                          "10/minute;100/hour", "failures, per client and per token prefix",
                          override="FAILED_CREDENTIALS")
# Staff writes are authenticated; the limit only stops a stolen session or token from flooding.
STAFF_ACTIONS = Rule("POST /dpo/requests/<reference>/extend, …/close, POST /dpo/applications/erase, "
                     "POST /recruiting/applications/<reference>/status, …/notes, "
                     "DELETE /api/v1/sites/<site>/applications/<id>", "60/minute", "client")

RULES = (CONSENTS, RECEIPT_VERIFY, CONTACT, APPLICATION, OBJECTIONS, IMPRESSIONS_PER_CLIENT,
         IMPRESSIONS_PER_NETWORK, HOSTED_CONTACT, HOSTED_APPLICATION, RIGHTS, UNDECLARED_COOKIES, WITHDRAW,
         FAILED_CREDENTIALS, STAFF_ACTIONS)


def site_network_key() -> str:
    """The site and the client's network (IPv4 /24, IPv6 /48) a per-network limit counts, as a
    keyed hash like ``client_key``: no storage holds even part of an address."""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
        network = str(ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 48}", strict=False))
    except ValueError:  # a unix socket, a test without an address
        network = request.remote_addr or ""
    site = (request.view_args or {}).get("site_id")
    secret = current_app.extensions["ratelimit_key"]
    return hmac.new(secret, f"{site}|{network}".encode(), hashlib.sha256).hexdigest()[:32]


def limited(rule: Rule, **options: Any) -> Callable[[F], F]:
    """Apply a declared rule to a view (Flask-Limiter's ``limit``, with the rule's key)."""
    key_func = site_network_key if rule.key == "site and client network" else client_key
    limit: str | Callable[[], str] = rule.limit
    if rule.override:
        name = rule.override
        limit = lambda: current_app.config.get(name, rule.limit)  # noqa: E731
    decorator = limiter.limit(limit, key_func=key_func, **options)

    def apply(view: F) -> F:
        marked = decorator(view)

        # With limits off (``RATELIMIT_ENABLED``, read by ``init_app``) the view is called directly:
        # Flask-Limiter's wrapper still looks the request's endpoint up and walks its limits, which
        # cost more than a consent POST's own parsing. Same name as the view, so that the limiter,
        # when on, still finds its limits by the view's qualified name.
        @functools.wraps(view)
        def dispatch(*args: Any, **kwargs: Any) -> Any:
            return marked(*args, **kwargs) if limiter.enabled else view(*args, **kwargs)

        setattr(dispatch, "__wrapper-limiter-instance", limiter)
        dispatch.__dict__.setdefault("rate_limits", []).append(rule)
        return cast(F, dispatch)

    return apply


def storage_uri(settings: Settings) -> str:
    """The storage the settings name, or the embedded default's file in the instance directory."""
    embedded = (settings.instance_path / EMBEDDED_STORAGE_FILE).resolve()
    return settings.ratelimit_storage or f"sqlite:///{embedded}"


def init_app(app: Flask) -> None:
    """Bind the limiter to the app's storage; refuse to start if that storage cannot be reached."""
    settings: Settings = app.extensions["settings"]
    uri = storage_uri(settings)
    app.extensions["ratelimit_key"] = hmac.new(settings.secret_keys[-1].encode(), b"rate-limit client key",
                                               hashlib.sha256).digest()
    options: dict[str, Any] = {}
    if urlsplit(uri).scheme.startswith("redis"):
        options = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
    # A storage that fails once running (Redis restarting) must not fail the consent POSTs: limits
    # then count per process, with a warning in the log, until the storage answers again.
    app.config.update(RATELIMIT_STORAGE_URI=uri, RATELIMIT_STORAGE_OPTIONS=options,
                      RATELIMIT_ENABLED=settings.ratelimit_enabled, RATELIMIT_HEADERS_ENABLED=True,
                      RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    if settings.ratelimit_enabled and not limiter.storage.check():
        raise ConfigurationError(
            f"{PREFIX}RATELIMIT_STORAGE: {_printable(uri)} cannot be reached (no answer within "
            f"{REDIS_TIMEOUT} s, or the file cannot be written); start it or fix the URI")


def _too_many_requests(exc: RateLimitExceeded):
    """429 in the JSON error shape (on an HTML page, its error page); Flask-Limiter adds
    ``Retry-After`` and the blueprint its CORS."""
    current = limiter.current_limit
    wait = max(1, current.reset_at - int(time.time())) if current is not None else None
    body = {"error": "too_many_requests",
            "message": f"too many requests: at most {exc.description}; try again later"}
    if wait is not None:
        body["message"] = f"too many requests: at most {exc.description}; try again in {wait} s"
    return error_page(429, body, wait) or (jsonify(body), 429)


def _printable(uri: str) -> str:
    """The URI without its password, for a message that may reach a log."""
    parts = urlsplit(uri)
    if parts.password:
        return uri.replace(f":{parts.password}@", ":***@", 1)
    return uri
