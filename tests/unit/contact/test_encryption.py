"""Encryption at rest: MultiFernet with the last key encrypting, and ``keys rotate-pii``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from contact_support import PERSON, field_rows, submit
from cryptography.fernet import Fernet, InvalidToken

from consent_gateway.cli import main
from consent_gateway.contact import PIICipher
from consent_gateway.errors import ConfigurationError


def test_the_last_key_encrypts_and_every_key_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    under_old = PIICipher([old]).encrypt("Camille")
    both = PIICipher([old, new])
    assert both.decrypt(under_old) == "Camille"
    fresh = both.encrypt("Camille")
    assert Fernet(new.encode()).decrypt(fresh.encode()) == b"Camille"
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(fresh.encode())
    assert both.is_current(fresh) and not both.is_current(under_old)
    assert PIICipher([new]).decrypt(both.rotate(under_old)) == "Camille"


def test_missing_or_bad_keys_refuse_with_a_clear_message():
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_PII_KEYS is not set"):
        PIICipher([])
    with pytest.raises(ConfigurationError, match="not a Fernet key"):
        PIICipher(["short"])


def test_contact_endpoint_fails_closed_without_keys(make_app):
    client = make_app(pii_keys=()).test_client()
    r = submit(client, PERSON)
    assert r.status_code == 500 and r.get_json()["error"] == "configuration_error"


def test_rotate_pii_re_encrypts_everything_under_the_newest_key(make_app, settings, db_session):
    old = settings.pii_keys[-1]
    app = make_app()
    client = app.test_client()
    for _ in range(3):
        assert submit(client, PERSON).status_code == 201
    new = Fernet.generate_key().decode()
    env = {"CONSENT_GATEWAY_DATABASE_URL": settings.database_url, "CONSENT_GATEWAY_SECRET_KEYS": "k" * 32,
           "CONSENT_GATEWAY_PII_KEYS": f"{old},{new}",
           "CONSENT_GATEWAY_RECEIPT_KEYS": ",".join(settings.receipt_keys)}
    result = CliRunner().invoke(main, ["keys", "rotate-pii", "--batch", "5"], env=env)
    assert result.exit_code == 0, result.output
    assert "re-encrypted 12 contact value(s)" in result.output and "3 batch(es)" in result.output
    only_new = PIICipher([new])
    values = sorted(only_new.decrypt(row["ciphertext"]) for row in field_rows(db_session))
    assert values == sorted(list(PERSON.values()) * 3)
    again = CliRunner().invoke(main, ["keys", "rotate-pii"], env=env)
    assert "re-encrypted 0 contact value(s)" in again.output and "12 already were" in again.output
    # Once rotated, the gateway runs on the new key alone and still reads and writes.
    assert submit(make_app(pii_keys=(new,)).test_client(), PERSON).status_code == 201


def test_rotate_pii_without_keys_is_a_clear_error(settings):
    env = {"CONSENT_GATEWAY_DATABASE_URL": settings.database_url, "CONSENT_GATEWAY_SECRET_KEYS": "k" * 32,
           "CONSENT_GATEWAY_PII_KEYS": ""}
    result = CliRunner().invoke(main, ["keys", "rotate-pii"], env=env)
    assert result.exit_code == 1 and "CONSENT_GATEWAY_PII_KEYS is not set" in result.output
