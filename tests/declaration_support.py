"""Declarations written for a test: the tests' own sites.yaml as data, changed and written back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from consent_gateway.declaration import load_sites
from consent_gateway.errors import ConfigurationError

SITES_YAML = Path(__file__).resolve().parent / "fixtures" / "sites.yaml"


def fixture_declaration() -> dict[str, Any]:
    """The tests' sites.yaml as data, to change before ``write``."""
    return yaml.safe_load(SITES_YAML.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems(tmp_path: Path, data: dict[str, Any]) -> str:
    """What loading ``data`` refuses: the ConfigurationError's message, which names the file."""
    path = write(tmp_path, data)
    with pytest.raises(ConfigurationError) as info:
        load_sites(path)
    assert str(path) in info.value.message
    return info.value.message
