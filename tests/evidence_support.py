"""Helpers for the evidence tests: open a pack and read its manifest."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from consent_gateway.staff.evidence import manifest_problems


def open_pack(body: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """The pack as a zip and its manifest, after checking every digest and size matches it."""
    assert manifest_problems(body) == []
    archive = zipfile.ZipFile(io.BytesIO(body))
    return archive, json.loads(archive.read("manifest.json"))


def config_files(archive: zipfile.ZipFile) -> dict[str, list[str]]:
    """config hash -> the screenshots the pack holds for it."""
    out: dict[str, list[str]] = {}
    for name in archive.namelist():
        if name.startswith("banner-configs/") and name.endswith(".json"):
            out.setdefault(name.removeprefix("banner-configs/").removesuffix(".json"), [])
    for name in archive.namelist():
        if name.endswith(".png"):
            config_hash = name.split("/")[1]
            out.setdefault(config_hash, []).append(name)
    return out
