"""Request parsing and CORS shared by the JSON endpoints."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from consent_gateway.declaration import Site
from consent_gateway.errors import GatewayError, MalformedJSON, NotFound, OriginNotAllowed, PayloadTooLarge
from consent_gateway.web.extensions import gateway

CONSENT_BODY_LIMIT = 16 * 1024


def site_or_404(site_id: str) -> Site:
    site = gateway().sites.site(site_id)
    if site is None:
        raise NotFound(f"no site {site_id!r} is declared", field="site")
    return site


def read_json(limit: int = CONSENT_BODY_LIMIT) -> Any:
    """The request body parsed as JSON, refusing bodies over ``limit`` bytes (413) or bad JSON (400).

    Any content type is read as JSON, so that a banner may post as text/plain and skip preflight.
    """
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"the body is not valid JSON: {exc}") from exc


def request_origin() -> str | None:
    return request.headers.get("Origin")


def check_origin(site: Site) -> str:
    """The request's Origin if the site declares it (or it is the gateway itself), else 403."""
    origin = request_origin()
    if not origin:
        raise OriginNotAllowed("an Origin header is required", field="Origin")
    if origin.rstrip("/") in site.origins or origin.rstrip("/") == request.host_url.rstrip("/"):
        return origin
    raise OriginNotAllowed(f"origin {origin!r} is not declared for site {site.id!r}", field="Origin")


def with_cors(response: Response, origin: str, *, methods: str = "POST") -> Response:
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = methods
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Origin")
    return response


def preflight(site: Site) -> Response:
    """Answer a CORS preflight for a declared origin; anything else gets 403 and no CORS headers."""
    origin = check_origin(site)
    return with_cors(Response(status=204), origin)


def gpc_header() -> bool:
    return request.headers.get("Sec-GPC", "").strip() == "1"


def cors_on_every_answer(response: Response) -> Response:
    """After-request hook for a blueprint of site endpoints: errors (400, 403, 413, 429) carry the
    CORS headers of a declared origin too, so the page can read why it failed."""
    if request.method == "OPTIONS" or "Access-Control-Allow-Origin" in response.headers:
        return response
    site_id = (request.view_args or {}).get("site_id")
    site = gateway().sites.site(site_id) if site_id else None
    if site is not None:
        try:
            with_cors(response, check_origin(site))
        except GatewayError:
            return response
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    return response
