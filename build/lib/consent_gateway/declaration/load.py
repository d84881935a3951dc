"""Read ``sites.yaml`` and validate it into the declaration model."""

from __future__ import annotations

from pathlib import Path

import yaml

from consent_gateway.declaration.model import SitesConfig
from consent_gateway.declaration.schema import parse_sites
from consent_gateway.errors import ConfigurationError


def load_sites(path: str | Path) -> SitesConfig:
    """Read and validate ``path``; raise ConfigurationError listing every problem found."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    return parse_sites(path, raw)
