"""Typed, frozen settings mapped from ``CONSENT_GATEWAY_*`` environment variables, in one place."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import geoip2.database
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from maxminddb.errors import InvalidDatabaseError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from consent_gateway.db.files import create_private_file, private_dir
from consent_gateway.errors import ConfigurationError

PREFIX = "CONSENT_GATEWAY_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:8000"
# A secret shorter than this is guessable or a placeholder ("changeme"): refuse it.
MIN_SECRET_LENGTH = 32
SUPPORTED_DATABASE_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
# Rate-limit storages the gateway runs on: Redis (its client is a dependency) for several instances,
# a SQLite file (the embedded default, shared by one machine's workers), memory for one process.
RATELIMIT_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster", "sqlite", "memory")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ED25519_SEED_BYTES = 32
_FLAGS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
          "off": False}


def default_instance_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(PREFIX + "INSTANCE_PATH") or PROJECT_ROOT / "instance")


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The database URL alone (for commands that need no keys): the variable or SQLite in instance/."""
    env = os.environ if environ is None else environ
    return env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{default_instance_path(env) / 'consent.db'}"


def sites_path_from_env(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(PREFIX + "SITES") or "sites.yaml")


def _split_keys(raw: str | None) -> tuple[str, ...]:
    return tuple(k.strip() for k in (raw or "").split(",") if k.strip())


# The variables whose presence says "production": a key set by hand, or a database that is not SQLite.
KEY_VARIABLES = ("SECRET_KEYS", "PII_KEYS", "RECEIPT_KEYS")


def embedded_default(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment is the embedded default that ``make run`` serves: no key variable set
    and a SQLite database. Every command then uses the development keys ``serve`` creates under
    ``instance/`` (creating them if ``serve`` has not run yet); any key variable, or a PostgreSQL
    URL, says production, where a missing key is a refusal naming the variable."""
    env = os.environ if environ is None else environ
    if any((env.get(PREFIX + name) or "").strip() for name in KEY_VARIABLES):
        return False
    try:
        return make_url(database_url_from_env(env)).drivername.startswith("sqlite")
    except ArgumentError:
        return False  # not a URL: the production path names the variable


def receipt_keys_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The Ed25519 receipt keys alone (for ``ledger`` commands), checked; in the embedded default
    the development key under ``instance/``; else ConfigurationError if unset."""
    env = os.environ if environ is None else environ
    keys = _split_keys(env.get(PREFIX + "RECEIPT_KEYS"))
    if not keys:
        if not embedded_default(env):
            raise ConfigurationError(_NO_RECEIPT_KEYS)
        keys = (_development_key(default_instance_path(env), "receipt_key", ed25519=True),)
    _check_receipt_keys(keys)
    return keys


_NO_RECEIPT_KEYS = (
    "CONSENT_GATEWAY_RECEIPT_KEYS is not set: receipts cannot be signed for offline verification and "
    "the ledger cannot be sealed. Set it to one or more comma-separated Ed25519 private keys (the "
    "last one signs; keep the old ones listed so that their receipts still verify), each the "
    "base64url of a 32-byte seed, e.g. `python -c \"import base64, os; "
    "print(base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode())\"`, or a PKCS#8 PEM.")


def _flag(name: str, raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    try:
        return _FLAGS[raw.strip().lower()]
    except KeyError:
        raise ConfigurationError(f"{PREFIX}{name} must be one of 1/0, true/false, yes/no, on/off; "
                                 f"got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything the gateway reads from its environment."""

    instance_path: Path
    sites_path: Path
    database_url: str
    secret_keys: tuple[str, ...]
    pii_keys: tuple[str, ...] = ()
    # Ed25519 keys that sign each receipt as a JWS and each ledger checkpoint (the last one signs).
    receipt_keys: tuple[str, ...] = ()
    geoip_db: Path | None = None
    # Empty: the embedded default, a SQLite file in the instance directory (web.limits).
    ratelimit_storage: str = ""
    ratelimit_enabled: bool = True
    # The proxies' addresses or networks (``127.0.0.1``, ``10.0.0.0/8``; ``*``: any peer), as
    # gunicorn's ``forwarded_allow_ips``: only their X-Forwarded-* headers are believed.
    trusted_proxies: tuple[str, ...] = ()
    # The bearer token that /metrics asks for; None: /metrics is not served.
    metrics_token: str | None = None
    public_url: str = DEVELOPMENT_PUBLIC_URL
    banner_dist: Path = PROJECT_ROOT / "static" / "banner" / "dist"
    development: bool = False
    # The gateway's log level (its JSON lines on stderr); libraries log WARNING and above.
    log_level: str = "INFO"
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        instance_path: Path | None = None,
        development: bool = False,
    ) -> Settings:
        """Build settings from ``environ``.

        ``development`` is the embedded default used by ``consent-gateway serve``: a missing signing
        key is then created once under ``instance/`` and reused. Anywhere else a missing key is a
        refusal to start, because receipts signed by a throwaway key could never be verified again.
        """
        env = os.environ if environ is None else environ
        instance = Path(env.get(PREFIX + "INSTANCE_PATH") or instance_path or default_instance_path(env))
        secret_keys = _split_keys(env.get(PREFIX + "SECRET_KEYS"))
        pii_keys = _split_keys(env.get(PREFIX + "PII_KEYS"))
        if not secret_keys:
            if not development:
                raise ConfigurationError(
                    "CONSENT_GATEWAY_SECRET_KEYS is not set: receipts cannot be signed. Set it to one "
                    "or more comma-separated random keys (the last one signs), e.g. "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
                )
            secret_keys = (_development_key(instance, "secret_key"),)
        if not pii_keys:
            if not development:
                raise ConfigurationError(
                    "CONSENT_GATEWAY_PII_KEYS is not set: contact-form data cannot be encrypted. "
                    "Set it to one or more comma-separated Fernet keys (the last one encrypts), made "
                    "with `python -c 'from cryptography.fernet import Fernet as F; "
                    "print(F.generate_key().decode())'`."
                )
            pii_keys = (_development_key(instance, "pii_key", fernet=True),)
        receipt_keys = _split_keys(env.get(PREFIX + "RECEIPT_KEYS"))
        if not receipt_keys:
            if not development:
                raise ConfigurationError(_NO_RECEIPT_KEYS)
            receipt_keys = (_development_key(instance, "receipt_key", ed25519=True),)
        database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{instance / 'consent.db'}"
        geoip = env.get(PREFIX + "GEOIP_DB")
        proxies = tuple(p.strip() for p in (env.get(PREFIX + "TRUSTED_PROXIES") or "").split(",")
                        if p.strip())
        settings = cls(
            instance_path=instance,
            sites_path=sites_path_from_env(env),
            database_url=database_url,
            secret_keys=secret_keys,
            pii_keys=pii_keys,
            receipt_keys=receipt_keys,
            geoip_db=Path(geoip) if geoip else None,
            ratelimit_storage=(env.get(PREFIX + "RATELIMIT_STORAGE") or "").strip(),
            ratelimit_enabled=_flag("RATELIMIT_ENABLED", env.get(PREFIX + "RATELIMIT_ENABLED"), True),
            trusted_proxies=proxies,
            metrics_token=(env.get(PREFIX + "METRICS_TOKEN") or "").strip() or None,
            public_url=normalise_public_url(env.get(PREFIX + "PUBLIC_URL") or DEVELOPMENT_PUBLIC_URL),
            banner_dist=Path(env.get(PREFIX + "BANNER_DIST") or PROJECT_ROOT / "static/banner/dist"),
            development=development,
            log_level=(env.get(PREFIX + "LOG_LEVEL") or "INFO").strip().upper(),
        )
        check(settings)
        return settings


def check(settings: Settings) -> None:
    """Refuse to start (``ConfigurationError`` naming the variable) on any setting that would
    otherwise fail late: at the first contact post, silently as "no country", or never."""
    for i, key in enumerate(settings.secret_keys):
        if len(key) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"{PREFIX}SECRET_KEYS: key #{i + 1} is {len(key)} characters long; each signing key must "
                f"have at least {MIN_SECRET_LENGTH} (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)")
    for i, key in enumerate(settings.pii_keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"{PREFIX}PII_KEYS: key #{i + 1} is not a Fernet key (32 url-safe base64-encoded bytes, "
                "made by `python -c 'from cryptography.fernet import Fernet as F; "
                "print(F.generate_key().decode())'`)") from None
    _check_receipt_keys(settings.receipt_keys)
    _check_database_url(settings.database_url)
    if not settings.sites_path.is_file():
        raise ConfigurationError(f"{PREFIX}SITES: {settings.sites_path} does not exist or is not a file")
    if settings.geoip_db is not None:
        _check_geoip(settings.geoip_db)
    if settings.ratelimit_storage:
        _check_ratelimit_storage(settings.ratelimit_storage)
    if settings.metrics_token is not None and len(settings.metrics_token) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            f"{PREFIX}METRICS_TOKEN is {len(settings.metrics_token)} characters long; it needs at least "
            f"{MIN_SECRET_LENGTH} (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    trusted_networks(settings.trusted_proxies)
    normalise_public_url(settings.public_url)
    if settings.log_level not in LOG_LEVELS:
        raise ConfigurationError(f"{PREFIX}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}; "
                                 f"got {settings.log_level!r}")


def trusted_networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of ``TRUSTED_PROXIES`` (``*`` is every address); ConfigurationError naming the
    variable for anything else, a bare count of proxies included (what the setting once was)."""
    networks = []
    for entry in proxies:
        if entry == "*":
            networks += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
            continue
        if entry.isdigit():
            raise ConfigurationError(
                f"{PREFIX}TRUSTED_PROXIES names the proxies' addresses or networks (e.g. "
                f"127.0.0.1,10.0.0.0/8), no longer how many there are; got {entry!r}: a count let any "
                "client that reaches the gateway directly choose its own address")
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigurationError(
                f"{PREFIX}TRUSTED_PROXIES: {entry[:60]!r} is not an IP address or network (e.g. "
                "127.0.0.1,10.0.0.0/8, or * for any peer)") from None
    return tuple(networks)


def normalise_public_url(raw: str) -> str:
    """``raw`` as an origin (``scheme://host[:port]``, no trailing slash); else ConfigurationError."""
    problem = None
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts, problem = None, "is not a URL"
    if parts is not None:
        if parts.scheme not in ("http", "https"):
            problem = "must start with http:// or https://"
        elif not parts.hostname:
            problem = "has no host"
        elif parts.username is not None or parts.password is not None:
            problem = "must not hold a user name or password"
        elif parts.path not in ("", "/") or parts.query or parts.fragment:
            problem = "must be an origin only, with no path, query or fragment"
    if problem or parts is None:
        raise ConfigurationError(
            f"{PREFIX}PUBLIC_URL {problem}: it is the gateway's public origin, e.g. "
            f"https://consent.iqera.com; got {raw!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _check_receipt_keys(keys: tuple[str, ...]) -> None:
    for i, key in enumerate(keys):
        try:
            load_receipt_key(key)
        except ValueError as exc:
            raise ConfigurationError(
                f"{PREFIX}RECEIPT_KEYS: key #{i + 1} {exc}; each key is the base64url of a 32-byte "
                "Ed25519 seed or a PKCS#8 PEM Ed25519 private key") from None


def generate_receipt_key() -> str:
    """A new Ed25519 private key in the form ``RECEIPT_KEYS`` takes: its 32-byte seed, base64url."""
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.urlsafe_b64encode(seed).rstrip(b"=").decode()


def load_receipt_key(text: str) -> Ed25519PrivateKey:
    """One ``RECEIPT_KEYS`` key (base64url seed or PKCS#8 PEM); ValueError saying what is wrong,
    never echoing the key."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise ValueError("is not a readable unencrypted PEM private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("is a PEM key but not an Ed25519 one")
        return key
    try:
        # Strict: a character outside the base64url alphabet is an error, not skipped.
        seed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("is neither base64url nor PEM") from None
    if len(seed) != ED25519_SEED_BYTES:
        raise ValueError(f"decodes to {len(seed)} bytes; an Ed25519 seed is {ED25519_SEED_BYTES}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _check_ratelimit_storage(uri: str) -> None:
    """A URI of a storage the gateway runs on (whether it answers is checked when the app starts)."""
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or "://" not in uri or parts.scheme not in RATELIMIT_SCHEMES:
        raise ConfigurationError(
            f"{PREFIX}RATELIMIT_STORAGE must be a storage URI with one of the schemes "
            f"{', '.join(RATELIMIT_SCHEMES)}, such as redis://127.0.0.1:6379/0; got {uri!r}")
    if parts.scheme == "sqlite" and (parts.netloc or not parts.path[1:].startswith("/")):
        raise ConfigurationError(
            f"{PREFIX}RATELIMIT_STORAGE: a SQLite storage is sqlite:/// and an absolute path, e.g. "
            f"sqlite:////var/lib/gateway/ratelimits.db; got {uri!r}")
    if parts.scheme.startswith("redis") and parts.scheme != "redis+unix" and not parts.hostname:
        raise ConfigurationError(f"{PREFIX}RATELIMIT_STORAGE: a Redis URI names its host, e.g. "
                                 f"redis://127.0.0.1:6379/0; got {uri!r}")


def _check_database_url(url: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"{PREFIX}DATABASE_URL is not a database URL (e.g. sqlite:///instance/consent.db or "
            "postgresql+psycopg://user:password@host/db)") from None
    if parsed.drivername not in SUPPORTED_DATABASE_DRIVERS:
        raise ConfigurationError(
            f"{PREFIX}DATABASE_URL uses {parsed.drivername!r}; supported: "
            f"{', '.join(SUPPORTED_DATABASE_DRIVERS)}")


def _check_geoip(path: Path) -> None:
    if not path.is_file():
        raise ConfigurationError(f"{PREFIX}GEOIP_DB: {path} does not exist")
    try:
        with geoip2.database.Reader(str(path)) as reader:
            kind = reader.metadata().database_type
    except (OSError, ValueError, InvalidDatabaseError):
        raise ConfigurationError(f"{PREFIX}GEOIP_DB: {path} is not a GeoIP2 database") from None
    if "Country" not in kind and "City" not in kind:
        raise ConfigurationError(
            f"{PREFIX}GEOIP_DB: {path} is a {kind} database; a GeoIP2/GeoLite2 Country or City one "
            "is needed")


def _development_key(instance: Path, name: str, *, fernet: bool = False, ed25519: bool = False) -> str:
    """Create (once) and reuse a key file under ``instance/`` for the embedded default."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    private_dir(instance)
    if fernet:
        key = Fernet.generate_key().decode()
    elif ed25519:
        key = generate_receipt_key()
    else:
        key = secrets.token_urlsafe(48)
    try:
        create_private_file(path, key + "\n")  # 0600 from its creation, never widened then narrowed
    except FileExistsError:  # another process created it between the check and now: use theirs
        return path.read_text().strip()
    warnings.warn(
        f"No CONSENT_GATEWAY_{name.upper()}S set: created a development key in {path}. "
        "Set the variable in production.",
        stacklevel=2,
    )
    return key
