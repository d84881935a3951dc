"""The embeddable banner script: ``/banner/v1/consent.js``, its immutable hashed URL and manifest.

The files of ``static/banner/dist`` (built by ``make banner``) are read once per process and
served from memory, precompressed, with strong ETags.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from consent_gateway.errors import BannerNotBuilt, NotFound
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import absolute_url

bp = Blueprint("banner", __name__, url_prefix="/banner/v1")

SHORT_CACHE = "public, max-age=300"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
JS = "application/javascript; charset=utf-8"


@dataclass(frozen=True)
class BannerBundle:
    """The built script and its precompressed forms, keyed by content coding ("" is identity)."""

    bodies: dict[str, bytes]
    etag: str
    hashed_name: str
    manifest: dict[str, Any]


def load_bundle(dist: Path) -> BannerBundle | None:
    """Read ``dist`` (consent.js, its .gz/.br and manifest.json); None if it was not built."""
    try:
        code = (dist / "consent.js").read_bytes()
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    bodies = {"": code}
    for coding, suffix in (("gzip", ".gz"), ("br", ".br")):
        compressed = dist / ("consent.js" + suffix)
        if compressed.exists():
            bodies[coding] = compressed.read_bytes()
    return BannerBundle(
        bodies=bodies,
        etag=hashlib.sha256(code).hexdigest()[:32],
        hashed_name=manifest["file"],
        manifest=manifest,
    )


def _bundle() -> BannerBundle:
    """The built bundle, read once per app; 503 until ``make banner`` has built it."""
    bundle = current_app.extensions.get("banner_bundle")
    if bundle is None:
        bundle = load_bundle(gateway().settings.banner_dist)
        if bundle is None:
            raise BannerNotBuilt("the banner script is not built: run `make banner` (npm ci and "
                                 "npm run build in static/banner)")
        current_app.extensions["banner_bundle"] = bundle
    return bundle


def _script(bundle: BannerBundle, cache_control: str) -> Response:
    """The script in the best coding the client accepts, or 304 when its ETag matches."""
    coding = next((c for c in ("br", "gzip") if c in bundle.bodies and request.accept_encodings[c]), "")
    etag = bundle.etag + ("." + coding if coding else "")
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    if coding:
        headers["Content-Encoding"] = coding
    return Response(bundle.bodies[coding], headers=headers, content_type=JS)


@bp.get("/consent.js")
def consent_js():
    """The current script, short cache: sites that embed this URL pick up fixes within minutes."""
    bundle = _bundle()
    return _script(bundle, SHORT_CACHE)


@bp.get("/consent.<content_hash>.js")
def consent_js_immutable(content_hash: str):
    """The same bytes at a content-hashed URL, cacheable forever (for CDNs and SRI)."""
    bundle = _bundle()
    if bundle.hashed_name != f"consent.{content_hash}.js":
        raise NotFound(f"no banner build {content_hash!r}; see /banner/v1/manifest.json")
    return _script(bundle, IMMUTABLE_CACHE)


@bp.get("/manifest.json")
def manifest():
    """The immutable URL of the current build and its Subresource Integrity hash."""
    bundle = _bundle()
    body = {**bundle.manifest, "absolute_url": absolute_url(bundle.manifest["url"])}
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
