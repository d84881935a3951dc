"""Settings: production refuses to start without keys; the embedded default makes and reuses one."""

from __future__ import annotations

import pytest

from consent_gateway.errors import ConfigurationError
from consent_gateway.settings import Settings


def test_production_start_without_keys_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_SECRET_KEYS is not set"):
        Settings.from_env({"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path)})


def test_production_start_without_pii_keys_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_PII_KEYS is not set"):
        Settings.from_env({"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path),
                           "CONSENT_GATEWAY_SECRET_KEYS": "k"})


def test_embedded_default_creates_a_development_key_once_and_reuses_it(tmp_path):
    env = {"CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path)}
    with pytest.warns(UserWarning, match="development key"):
        first = Settings.from_env(env, development=True)
    second = Settings.from_env(env, development=True)
    assert first.secret_keys == second.secret_keys and len(first.secret_keys[0]) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'consent.db'}"


def test_keys_are_comma_separated_and_the_last_signs(tmp_path):
    settings = Settings.from_env({"CONSENT_GATEWAY_SECRET_KEYS": " old , new ",
                                  "CONSENT_GATEWAY_PII_KEYS": "p1,p2",
                                  "CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path),
                                  "CONSENT_GATEWAY_RATELIMIT_ENABLED": "0"})
    assert settings.secret_keys == ("old", "new")
    assert settings.ratelimit_enabled is False
