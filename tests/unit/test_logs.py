"""The JSON log format: one physical line per record whatever it holds, control characters that a
terminal would obey escaped, request values stripped of them, and the level setting checked."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from cryptography.fernet import Fernet

from consent_gateway.errors import ConfigurationError
from consent_gateway.logs import JsonFormatter, StderrHandler, clean, configure
from consent_gateway.settings import PROJECT_ROOT, Settings
from consent_gateway.settings import generate_receipt_key as generate_key

HOSTILE = 'a\nb\r{"level": "critical"}\x1b[31mred\x9b31m\x85next\u2028sep\u202eevil\x7f'


def record(message: str, **extra) -> logging.LogRecord:
    made = logging.LogRecord("consent_gateway", logging.WARNING, __file__, 1, message, None, None)
    made.__dict__.update(extra)
    return made


def test_a_line_is_one_json_object_and_no_control_character_gets_through_raw():
    line = JsonFormatter().format(record(HOSTILE, site=HOSTILE))
    assert "\n" not in line and "\r" not in line
    for raw in ("\x1b", "\x9b", "\x85", "\u2028", "\u202e", "\x7f"):
        assert raw not in line
    entry = json.loads(line)
    assert entry["message"] == HOSTILE, "escaped, not lost: the message reads back as it was"
    assert entry["level"] == "warning" and entry["logger"] == "consent_gateway"
    assert entry["ts"].endswith("Z") and entry["site"] == HOSTILE


def test_what_a_client_sent_loses_its_control_characters_and_its_length():
    assert clean(HOSTILE) == 'ab{"level": "critical"}[31mred31mnextsepevil'
    assert clean("x" * 500) == "x" * 128 and clean("démo", 3) == "dém"


def test_an_exception_is_kept_with_its_traceback_on_the_same_line():
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        failed = record("unexpected")
        failed.exc_info = sys.exc_info()
    line = JsonFormatter().format(failed)
    entry = json.loads(line)
    assert "\n" not in line and entry["exc_type"] == "RuntimeError"
    assert "Traceback" in entry["exc"] and "second line" in entry["exc"]


def test_configure_installs_one_handler_and_keeps_libraries_at_warning():
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        configure("DEBUG")
        configure("INFO")
        assert sum(isinstance(h, StderrHandler) for h in root.handlers) == 1
        assert logging.getLogger("consent_gateway").level == logging.INFO
        for library in ("werkzeug", "flask-limiter"):
            assert logging.getLogger(library).level == logging.WARNING
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])


@pytest.mark.parametrize(("raw", "level"), [(None, "INFO"), (" debug ", "DEBUG"), ("ERROR", "ERROR")])
def test_the_log_level_setting_is_read_and_checked(tmp_path, raw, level):
    env = {"CONSENT_GATEWAY_SECRET_KEYS": "k" * 40,
           "CONSENT_GATEWAY_PII_KEYS": Fernet.generate_key().decode(),
           "CONSENT_GATEWAY_RECEIPT_KEYS": generate_key(), "CONSENT_GATEWAY_INSTANCE_PATH": str(tmp_path),
           "CONSENT_GATEWAY_SITES": str(PROJECT_ROOT / "sites.yaml")}
    if raw is not None:
        env["CONSENT_GATEWAY_LOG_LEVEL"] = raw
    assert Settings.from_env(env).log_level == level
    env["CONSENT_GATEWAY_LOG_LEVEL"] = "verbose"
    with pytest.raises(ConfigurationError, match="CONSENT_GATEWAY_LOG_LEVEL must be one of DEBUG, INFO"):
        Settings.from_env(env)
