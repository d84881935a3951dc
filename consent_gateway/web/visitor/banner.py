"""The embeddable banner script: ``/banner/v1/consent.js``, its immutable hashed URL and manifest,
and the per-site form ``/banner/v1/sites/<site>/consent.js`` that carries the site's configuration.

The files of ``static/banner/dist`` (built by ``make banner``) are read once per process and
served from memory, precompressed, with strong ETags; each per-site script is built once per
process from them and the declaration.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from consent_gateway import consent
from consent_gateway.db import get_session
from consent_gateway.declaration import Site, SitesConfig, served_config
from consent_gateway.errors import BannerNotBuilt, NotFound
from consent_gateway.web.extensions import gateway
from consent_gateway.web.http import absolute_url, site_or_404
from consent_gateway.web.platform.replay import replayable

bp = Blueprint("banner", __name__, url_prefix="/banner/v1")

SHORT_CACHE = "public, max-age=300"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
# The per-site script embeds the configuration: a visitor may use a stale copy for a day while it
# is refreshed in the background, and a changed declaration reaches every visitor within minutes.
SITE_CACHE = "public, max-age=300, stale-while-revalidate=86400"
# The global the per-site script sets before the generic code runs (read by static/banner/src).
CONFIG_GLOBAL = "window.__iqConsentConfig"
# The per-site script's first line: V8's explicit compile hint (Chromium 136+; a plain comment
# elsewhere). Every function is compiled with the script, off the main thread while it streams in,
# instead of lazily while the banner is being built: the first layer shows several ms sooner.
COMPILE_HINT = "//# allFunctionsCalledOnLoad"
JS = "application/javascript; charset=utf-8"


@dataclass(frozen=True)
class SiteScript:
    """A per-site script: its bodies by content coding and its strong ETag."""

    bodies: dict[str, bytes]
    etag: str


@dataclass(frozen=True)
class BannerBundle:
    """The built script and its precompressed forms, keyed by content coding ("" is identity)."""

    bodies: dict[str, bytes]
    etag: str
    hashed_name: str
    manifest: dict[str, Any]
    # extra.<hash>.js: the preferences dialog and the contact forms, which the generic script
    # fetches when first needed and the per-site script carries (None in a build from before).
    extra: SiteScript | None = None
    extra_name: str | None = None


def load_bundle(dist: Path) -> BannerBundle | None:
    """Read ``dist`` (consent.js, its .gz/.br and manifest.json); None if it was not built."""
    try:
        code = (dist / "consent.js").read_bytes()
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    extra_name = manifest.get("extra", {}).get("file")
    extra = _read_coded(dist, extra_name) if extra_name else None
    return BannerBundle(
        bodies=_read_coded(dist, "consent.js").bodies,
        etag=hashlib.sha256(code).hexdigest()[:32],
        hashed_name=manifest["file"],
        manifest=manifest,
        extra=extra,
        extra_name=extra_name,
    )


def _read_coded(dist: Path, name: str) -> SiteScript:
    """``name`` and its precompressed .gz/.br beside it, with a strong ETag."""
    code = (dist / name).read_bytes()
    bodies = {"": code}
    for coding, suffix in (("gzip", ".gz"), ("br", ".br")):
        compressed = dist / (name + suffix)
        if compressed.exists():
            bodies[coding] = compressed.read_bytes()
    return SiteScript(bodies, hashlib.sha256(code).hexdigest()[:32])


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


def site_script_bytes(sites: SitesConfig, site: Site, public_url: str, generic: bytes,
                      extra: bytes = b"") -> bytes:
    """The per-site script: COMPILE_HINT, then the site's configuration in each of its languages
    (``gpc`` false: the browser applies the signal itself) parsed from JSON into CONFIG_GLOBAL,
    then ``extra`` (the preferences and contact forms: no second request, even when the gateway
    cannot be reached later), then the generic script."""
    configs = {lang: served_config(sites.banner_config(site, lang), public_url, False)
               for lang in site.languages}
    payload = json.dumps({"site": site.id, "configs": configs}, ensure_ascii=False,
                         separators=(",", ":"))
    # As a string for JSON.parse, which builds a 10 KB configuration faster than a JS object
    # literal does; U+2028/2029 escaped for engines older than ES2019 (IE11 must reach its notice).
    text = json.dumps(payload, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"{COMPILE_HINT}\n{CONFIG_GLOBAL}=JSON.parse({text});\n".encode() + extra + b"\n" + generic


def _site_script(site: Site) -> SiteScript:
    """The per-site script of ``site``, built once per process; the configurations it carries are
    kept on record as served (like those of the configuration endpoint)."""
    scripts = current_app.extensions.setdefault("site_scripts", {})
    if site.id not in scripts:
        gw = gateway()
        for lang in site.languages:
            consent.keep_served_config(get_session(), site, lang, gw.sites.banner_config(site, lang),
                                       gw.snapshotted)
        bundle = _bundle()
        code = site_script_bytes(gw.sites, site, gw.settings.public_url, bundle.bodies[""],
                                 bundle.extra.bodies[""] if bundle.extra else b"")
        # mtime=0: the same bytes, hence the same ETag, from every process and instance.
        bodies = {"": code, "gzip": gzip.compress(code, compresslevel=9, mtime=0)}
        scripts[site.id] = SiteScript(bodies, hashlib.sha256(code).hexdigest()[:32])
    return scripts[site.id]


def _script(bundle: BannerBundle | SiteScript, cache_control: str) -> Response:
    """The script in the best coding the client accepts, or 304 when its ETag matches."""
    coding = next((c for c in ("br", "gzip") if c in bundle.bodies and request.accept_encodings[c]), "")
    etag = bundle.etag + ("." + coding if coding else "")
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
    }
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    if coding:
        headers["Content-Encoding"] = coding
    return Response(bundle.bodies[coding], headers=headers, content_type=JS)


@bp.get("/consent.js")
@replayable("Accept-Encoding", "If-None-Match")
def consent_js():
    """The current script, short cache: sites that embed this URL pick up fixes within minutes."""
    bundle = _bundle()
    return _script(bundle, SHORT_CACHE)


@bp.get("/consent.<content_hash>.js")
@replayable("Accept-Encoding", "If-None-Match")
def consent_js_immutable(content_hash: str):
    """The same bytes at a content-hashed URL, cacheable forever (for CDNs and SRI)."""
    bundle = _bundle()
    if bundle.hashed_name != f"consent.{content_hash}.js":
        raise NotFound(f"no banner build {content_hash!r}; see /banner/v1/manifest.json")
    return _script(bundle, IMMUTABLE_CACHE)


@bp.get("/extra.<content_hash>.js")
@replayable("Accept-Encoding", "If-None-Match")
def extra_js_immutable(content_hash: str):
    """The preferences dialog and the contact forms, which the generic script fetches when first
    needed; content-hashed, cacheable forever."""
    bundle = _bundle()
    if bundle.extra is None or bundle.extra_name != f"extra.{content_hash}.js":
        raise NotFound(f"no banner build with extra.{content_hash}.js; see /banner/v1/manifest.json")
    return _script(bundle.extra, IMMUTABLE_CACHE)


@bp.get("/sites/<site_id>/consent.js")
@replayable("Accept-Encoding", "If-None-Match")
def site_consent_js(site_id: str):
    """The script with the site's configuration inside: the banner shows with no second request."""
    return _script(_site_script(site_or_404(site_id)), SITE_CACHE)


@bp.get("/manifest.json")
def manifest():
    """The immutable URL of the current build and its Subresource Integrity hash."""
    bundle = _bundle()
    body = {**bundle.manifest, "absolute_url": absolute_url(bundle.manifest["url"])}
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
