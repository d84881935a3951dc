"""The raw-tree walker of ``sites.yaml``: typed reads that remember every problem with its key path."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from consent_gateway.declaration.model import LANGUAGES, Text

_MISSING = object()


class Checker:
    """Walks the raw tree, remembers every problem with its key path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "must be a mapping")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(f"{path}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(value)):
            self.fail(f"{path}.{key}", "is required")
        return value

    def string(self, node: dict, key: str, path: str, default: Any = _MISSING) -> str:
        value = node.get(key, default)
        if value is _MISSING:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", "must be a non-empty string")
            return ""
        return value.strip()

    def boolean(self, node: dict, key: str, path: str, default: bool = False) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", "must be true or false")
            return default
        return value

    def integer(self, node: dict, key: str, path: str, low: int, high: int, default: Any = _MISSING) -> int:
        value = node.get(key, default)
        if value is _MISSING:
            return low
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{path}.{key}", f"must be a whole number from {low} to {high}, got {value!r}")
            return low
        return value

    def text(self, node: dict, key: str, path: str) -> Text:
        value = node.get(key)
        if not isinstance(value, dict):
            self.fail(f"{path}.{key}", "must give the text in fr and en")
            return Text("", "")
        self.mapping(value, f"{path}.{key}", set(LANGUAGES), set(LANGUAGES))
        return Text(**{lang: self.string(value, lang, f"{path}.{key}") for lang in LANGUAGES})

    def url(self, node: dict, key: str, path: str, *, origin: bool = False) -> str:
        value = self.string(node, key, path)
        return self.check_url(value, f"{path}.{key}", origin=origin) if value else value

    def check_url(self, value: Any, path: str, *, origin: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, "must be a URL")
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.fail(path, f"{value!r} is not an http(s) URL")
        elif origin and (parts.path not in ("",) or parts.query or parts.fragment):
            self.fail(path, f"{value!r} must be an origin (scheme://host[:port]) with no path")
        return value

    def optional_text(self, node: dict, key: str, path: str) -> Text | None:
        return self.text(node, key, path) if key in node else None

    def items(self, node: dict, key: str, path: str) -> list:
        value = node.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", "must be a list")
            return []
        return value
