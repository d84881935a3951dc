"""Settings: production refuses to start without keys or with any bad setting, naming it; the embedded
default makes and reuses keys; an unexpected error is logged and answered as JSON."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from consent_gateway.cli import main
from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import PROJECT_ROOT, Settings
from consent_gateway.settings import generate_receipt_key as generate_key

SITES_YAML = PROJECT_ROOT / "sites.yaml"

OLD, NEW = "o" * 40, "n" * 40
PII_1, PII_2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
RECEIPT_1, RECEIPT_2 = generate_key(), generate_key()


def test_production_start_without_keys_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_SECRET_KEYS is not set"):
        Settings.from_env({"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path)})


def test_production_start_without_pii_keys_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_PII_KEYS is not set"):
        Settings.from_env({"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path),
                           "CONSENT_GATEWAY_SECRET_KEYS": "k"})


def test_production_start_without_receipt_keys_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_RECEIPT_KEYS is not set"):
        Settings.from_env({"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path),
                           "CONSENT_GATEWAY_SECRET_KEYS": NEW, "CONSENT_GATEWAY_PII_KEYS": PII_1})


def test_embedded_default_creates_a_development_key_once_and_reuses_it(tmp_path):
    env = {"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path)}
    with pytest.warns(UserWarning, match="development key"):
        first = Settings.from_env(env, development=True)
    second = Settings.from_env(env, development=True)
    assert first.secret_keys == second.secret_keys and len(first.secret_keys[0]) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.receipt_keys == second.receipt_keys and len(first.receipt_keys) == 1
    assert (tmp_path / "receipt_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'consent.db'}"


def test_keys_are_comma_separated_and_the_last_signs(tmp_path):
    settings = Settings.from_env({"CONSENT_GATEWAY_SECRET_KEYS": f" {OLD} , {NEW} ",
                                  "CONSENT_GATEWAY_PII_KEYS": f"{PII_1},{PII_2}",
                                  "CONSENT_GATEWAY_RECEIPT_KEYS": f"{RECEIPT_1}, {RECEIPT_2}",
                                  "CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path),
                                  "CONSENT_GATEWAY_RATELIMIT_ENABLED": "0"})
    assert settings.secret_keys == (OLD, NEW)
    assert settings.pii_keys == (PII_1, PII_2)
    assert settings.receipt_keys == (RECEIPT_1, RECEIPT_2)
    assert settings.ratelimit_enabled is False


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A complete, valid production environment."""
    return {"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path), "CONSENT_GATEWAY_SECRET_KEYS": NEW,
            "CONSENT_GATEWAY_PII_KEYS": PII_1, "CONSENT_GATEWAY_RECEIPT_KEYS": RECEIPT_1,
            "CONSENT_GATEWAY_SITES": str(SITES_YAML)}


def test_a_valid_environment_starts_with_the_development_public_url(env):
    settings = Settings.from_env(env)
    assert settings.public_url == "http://127.0.0.1:8000"
    assert Settings.from_env({**env, "CONSENT_GATEWAY_PUBLIC_URL": "https://Consent.iqera.com/"}
                             ).public_url == "https://consent.iqera.com"


@pytest.mark.parametrize("name, value, says", [
    ("SECRET_KEYS", "x", "at least 32"),
    ("SECRET_KEYS", f"{NEW},short", "key #2"),
    ("PII_KEYS", "not-a-fernet-key", "not a Fernet key"),
    ("RECEIPT_KEYS", "c2hvcnQ", "decodes to 5 bytes"),
    ("RECEIPT_KEYS", f"{RECEIPT_1},not base64!", "key #2 is neither base64url nor PEM"),
    ("RECEIPT_KEYS", "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----", "PEM"),
    ("GEOIP_DB", "/nowhere/GeoLite2-Country.mmdb", "does not exist"),
    ("GEOIP_DB", str(SITES_YAML), "not a GeoIP2 database"),
    ("DATABASE_URL", "not a url", "not a database URL"),
    ("DATABASE_URL", "mysql://u@h/db", "supported"),
    ("DATABASE_URL", "postgresql://u@h/db", "postgresql+psycopg"),
    ("RATELIMIT_STORAGE", "localhost:6379", "storage URI"),
    ("RATELIMIT_STORAGE", "redis", "storage URI"),
    ("RATELIMIT_STORAGE", "memcached://127.0.0.1:11211", "one of the schemes"),
    ("RATELIMIT_STORAGE", "sqlite:///relative/ratelimits.db", "absolute path"),
    ("METRICS_TOKEN", "short", "at least 32"),
    ("RATELIMIT_ENABLED", "maybe", "RATELIMIT_ENABLED"),
    ("PUBLIC_URL", "consent.iqera.com", "http:// or https://"),
    ("PUBLIC_URL", "ftp://consent.iqera.com", "http:// or https://"),
    ("PUBLIC_URL", "https://consent.iqera.com/gateway", "no path"),
    ("PUBLIC_URL", "https://consent.iqera.com/?a=1", "no path"),
    ("SITES", "/nowhere/sites.yaml", "does not exist"),
    ("TRUSTED_PROXIES", "two", "not an IP address or network"),
    ("TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.300", "not an IP address or network"),
    ("TRUSTED_PROXIES", "1", "no longer how many"),
])
def test_a_bad_setting_refuses_to_start_naming_the_variable(env, name, value, says):
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env({**env, f"CONSENT_GATEWAY_{name}": value})
    assert f"CONSENT_GATEWAY_{name}" in info.value.message and says in info.value.message


def test_a_real_geoip_database_is_accepted(env, tmp_path):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "FR"}})
    writer.to_db_file(str(tmp_path / "country.mmdb"))
    settings = Settings.from_env({**env, "CONSENT_GATEWAY_GEOIP_DB": str(tmp_path / "country.mmdb")})
    assert settings.geoip_db == tmp_path / "country.mmdb"


def test_serve_prints_the_message_not_a_traceback(env):
    result = CliRunner().invoke(main, ["serve"], env={**env, "CONSENT_GATEWAY_SECRET_KEYS": "short"})
    assert result.exit_code == 1
    assert "CONSENT_GATEWAY_SECRET_KEYS" in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_wsgi_entry_point_prints_the_message_not_a_traceback(env):
    child = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=PROJECT_ROOT, capture_output=True,
                           text=True, timeout=60,
                           env={**os.environ, **env, "CONSENT_GATEWAY_PII_KEYS": "nope"})
    assert child.returncode != 0
    assert "CONSENT_GATEWAY_PII_KEYS" in child.stderr and "Traceback" not in child.stderr


def test_an_unexpected_error_is_logged_with_its_traceback_and_answered_as_json(app, caplog, monkeypatch):
    from consent_gateway.web.api import consents as api

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.consent, "verify_token", broken)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        r = app.test_client().post("/api/v1/receipts/verify?email=camille@example.fr",
                                   json={"token": "secret-token-camille"})
    assert r.status_code == 500
    assert r.get_json()["error"] == "internal_error" and r.get_json()["message"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    [record] = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert record.exc_info and "RuntimeError: boom" in caplog.text and "Traceback" in caplog.text
    assert "POST /api/v1/receipts/verify" in record.getMessage()
    assert "camille" not in caplog.text, "no body, no query string in the log"


def test_rate_limits_default_to_the_embedded_storage_and_take_redis(env):
    assert Settings.from_env(env).ratelimit_storage == ""  # web.limits: instance/ratelimits.db
    for uri in ("redis://127.0.0.1:6379/0", "rediss://:secret@redis.internal:6380/1", "memory://",
                "sqlite:////var/lib/gateway/ratelimits.db"):
        assert Settings.from_env({**env, "CONSENT_GATEWAY_RATELIMIT_STORAGE": uri}).ratelimit_storage == uri


def test_the_metrics_token_is_read_and_off_by_default(env):
    assert Settings.from_env(env).metrics_token is None
    token = "t" * 40
    assert Settings.from_env({**env, "CONSENT_GATEWAY_METRICS_TOKEN": token}).metrics_token == token
