"""Request parsing, CORS and the gateway's public origin, shared by the JSON endpoints."""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import RequestRedirect

from consent_gateway.consent import RequestContext
from consent_gateway.contact import Upload
from consent_gateway.declaration import Site
from consent_gateway.enrich import classify_user_agent
from consent_gateway.errors import GatewayError, MalformedJSON, NotFound, OriginNotAllowed, PayloadTooLarge
from consent_gateway.web.extensions import gateway

# The header of an answer telling the banner that the request carried Sec-GPC: 1 (exposed by CORS).
GPC_ANSWER = "IQ-GPC"
CONSENT_BODY_LIMIT = 16 * 1024
# A multipart form: no declared form has this many fields, and no text field is this long.
MAX_FORM_PARTS = 50
CONTACT_TEXT_PART_LIMIT = 64 * 1024
# No body the gateway reads nests deeper than 3; past this it is an attack (RecursionError).
MAX_JSON_DEPTH = 32
# I-JSON (RFC 7493): numbers an IEEE double holds exactly, text without lone surrogates (they
# cannot be stored, signed or sent back as UTF-8), no duplicate names.
MAX_JSON_INTEGER = 2**53 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


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
        body = json.loads(raw, parse_int=_integer, parse_float=_finite, parse_constant=_no_constant,
                          object_pairs_hook=_object)
    except RecursionError:
        raise MalformedJSON(f"the body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSON(f"the body is not valid JSON: {_printable(str(exc))}") from None
    _check_tree(body, 1)
    return body


def read_multipart(limit: int, *, max_parts: int = MAX_FORM_PARTS) -> tuple[dict[str, list[str]],
                                                                           dict[str, list[Upload]]]:
    """A multipart/form-data body as text parts and uploads (read into memory), refusing a body
    over ``limit`` bytes (413) or with more than ``max_parts`` parts (413)."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB")
    request.max_content_length = limit
    request.max_form_parts = max_parts
    request.max_form_memory_size = CONTACT_TEXT_PART_LIMIT
    try:
        values = {name: request.form.getlist(name) for name in request.form}
        uploads = {name: [Upload(f.filename or "", f.stream.read(limit + 1))
                          for f in request.files.getlist(name)] for name in request.files}
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB or has over {max_parts} parts") from None
    return values, uploads


def _integer(text: str) -> int:
    if len(text) > 17 or abs(value := int(text)) > MAX_JSON_INTEGER:
        raise ValueError(f"number {text[:20]!r} is out of range")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]!r} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    body = dict(pairs)
    if len(body) != len(pairs):
        raise ValueError("a name appears twice in one object")
    return body


def _check_tree(value: Any, depth: int) -> None:
    """Refuse nesting past ``MAX_JSON_DEPTH`` and strings (names too) holding a lone surrogate."""
    if depth > MAX_JSON_DEPTH:
        raise MalformedJSON(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            raise MalformedJSON("the body holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_tree(key, depth)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def _printable(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)


def request_origin() -> str | None:
    return request.headers.get("Origin")


def public_url() -> str:
    """The gateway's own origin as the public reaches it (``CONSENT_GATEWAY_PUBLIC_URL``): never
    taken from the request's Host, which any client can forge."""
    return gateway().settings.public_url


def absolute_url(path: str) -> str:
    return public_url() + path


def check_origin(site: Site) -> str:
    """The request's Origin if the site declares it (or it is the gateway itself), else 403."""
    origin = request_origin()
    if not origin:
        raise OriginNotAllowed("an Origin header is required", field="Origin")
    if origin.rstrip("/") in site.origins or origin.rstrip("/") == public_url():
        return origin
    raise OriginNotAllowed(f"origin {origin!r} is not declared for site {site.id!r}", field="Origin")


def with_cors(response: Response) -> Response:
    """The CORS headers of every answer of an API blueprint (its ``after_request``), errors too, so
    that a banner or form on a declared origin can read a 400, 409, 413, 429 or 503 and its
    Retry-After. Per-site endpoints allow the request's Origin when the site declares it (an
    undeclared origin gets none, and its 403); the others (receipt verification) allow anyone."""
    site_id = (request.view_args or {}).get("site_id")
    if "Access-Control-Allow-Origin" in response.headers:  # a public read that set its own
        origin = None
    elif site_id is None:
        origin = "*"
    else:
        origin = _declared_origin(site_id)
        response.vary.add("Origin")
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
    if "Access-Control-Allow-Origin" in response.headers:
        response.headers["Access-Control-Expose-Headers"] = f"Retry-After, {GPC_ANSWER}"
    return response


def _declared_origin(site_id: str) -> str | None:
    site = gateway().sites.site(site_id)
    if site is None:
        return None
    try:
        return check_origin(site)
    except GatewayError:
        return None


def preflight(site: Site | None = None, *, methods: str = "POST") -> Response:
    """Answer a CORS preflight; for a site, only a declared origin (anything else gets 403, and
    ``with_cors`` adds no headers to it)."""
    if site is not None:
        check_origin(site)
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = methods
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def redirect_to_public_url() -> None:
    """An app ``before_request``: the routing redirects (``/privacy/demo`` to ``/privacy/demo/``)
    point at the public origin, not at whatever Host the request named."""
    redirect = request.routing_exception
    if isinstance(redirect, RequestRedirect):
        parts = urlsplit(redirect.new_url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        raise RequestRedirect(absolute_url(target))


def gpc_header() -> bool:
    return request.headers.get("Sec-GPC", "").strip() == "1"


def request_context() -> RequestContext:
    """What the request says about the visitor, reduced to non-identifying facts: country from
    GeoIP, browser family and device class from the user agent, the GPC header."""
    ua = classify_user_agent(request.headers.get("User-Agent"))
    return RequestContext(
        country=gateway().geoip.country(request.remote_addr),
        browser_family=ua.browser_family,
        device_class=ua.device_class,
        is_bot=ua.is_bot,
        gpc_header=gpc_header(),
    )
