"""Typed, frozen settings mapped from ``CONSENT_GATEWAY_*`` environment variables, in one place."""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from consent_gateway.errors import ConfigurationError

PREFIX = "CONSENT_GATEWAY_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


def _flag(raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() not in {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """Everything the gateway reads from its environment."""

    instance_path: Path
    sites_path: Path
    database_url: str
    secret_keys: tuple[str, ...]
    pii_keys: tuple[str, ...] = ()
    geoip_db: Path | None = None
    ratelimit_storage: str = "memory://"
    ratelimit_enabled: bool = True
    trusted_proxies: int = 0
    banner_dist: Path = PROJECT_ROOT / "static" / "banner" / "dist"
    development: bool = False
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
        database_url = env.get(PREFIX + "DATABASE_URL") or f"sqlite:///{instance / 'consent.db'}"
        geoip = env.get(PREFIX + "GEOIP_DB")
        try:
            proxies = int(env.get(PREFIX + "TRUSTED_PROXIES") or 0)
        except ValueError as exc:
            raise ConfigurationError("CONSENT_GATEWAY_TRUSTED_PROXIES must be a whole number") from exc
        return cls(
            instance_path=instance,
            sites_path=sites_path_from_env(env),
            database_url=database_url,
            secret_keys=secret_keys,
            pii_keys=pii_keys,
            geoip_db=Path(geoip) if geoip else None,
            ratelimit_storage=env.get(PREFIX + "RATELIMIT_STORAGE") or "memory://",
            ratelimit_enabled=_flag(env.get(PREFIX + "RATELIMIT_ENABLED"), True),
            trusted_proxies=proxies,
            banner_dist=Path(env.get(PREFIX + "BANNER_DIST") or PROJECT_ROOT / "static/banner/dist"),
            development=development,
        )


def _development_key(instance: Path, name: str, *, fernet: bool = False) -> str:
    """Create (once) and reuse a key file under ``instance/`` for the embedded default."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    if fernet:
        from cryptography.fernet import Fernet

        key = Fernet.generate_key().decode()
    else:
        key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    warnings.warn(
        f"No CONSENT_GATEWAY_{name.upper()}S set: created a development key in {path}. "
        "Set the variable in production.",
        stacklevel=2,
    )
    return key
