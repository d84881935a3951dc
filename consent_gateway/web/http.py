"""Request parsing, CORS and the gateway's public origin, shared by the JSON endpoints."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter, PathConverter, RequestRedirect

from consent_gateway.consent import RequestContext
from consent_gateway.contact import Upload
from consent_gateway.declaration import Site
from consent_gateway.enrich import classify_user_agent
from consent_gateway.errors import (
    GatewayError,
    MalformedJSON,
    NotFound,
    OriginNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationError,
)
from consent_gateway.web.extensions import gateway
from consent_gateway.web.platform.body import TextPartTooLarge

# The header of an answer telling the banner that the request carried Sec-GPC: 1 (exposed by CORS).
GPC_ANSWER = "IQ-GPC"
CONSENT_BODY_LIMIT = 16 * 1024
# A multipart form: no declared form has this many fields, and no text field is this long.
MAX_FORM_PARTS = 50
# No body the gateway reads nests deeper than 3; past this it is an attack (RecursionError).
MAX_JSON_DEPTH = 32
# I-JSON (RFC 7493): numbers an IEEE double holds exactly, text without lone surrogates (they
# cannot be stored, signed or sent back as UTF-8), no duplicate names.
MAX_JSON_INTEGER = 2**53 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# An Origin header as browsers send it: scheme://host[:port], nothing else.
_SERIALISED_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")


# The longest id a path holds is a receipt token (consent.receipts.MAX_TOKEN_LENGTH).
MAX_PATH_ID = 4096
_CONTROL = r"\x00-\x1f\x7f-\x9f"  # C0 (NUL included), DEL and C1


class PathId(BaseConverter):
    """Every ``<name>`` of a route (the app's default converter): one path segment of printable
    text (no C0 or C1 control character, NUL included: PostgreSQL refuses it in text, which was a
    500) and at most ``MAX_PATH_ID`` characters. Anything else matches no route: a 404, before any
    query is made."""

    regex = rf"[^/{_CONTROL}]{{1,{MAX_PATH_ID}}}"


class PathText(PathConverter):
    """``<path:name>`` (the demo's assets): printable and bounded too, slashes allowed."""

    regex = rf"[^{_CONTROL}]{{1,{MAX_PATH_ID}}}"


_CONTROL_CHARACTER = re.compile(f"[{_CONTROL}]")


def refuse_unprintable_query() -> None:
    """An app ``before_request``: a query string's names and values (ids, dates, filters, tokens)
    are printable and bounded like a path's ids, else a 400 before any view or query runs (a NUL
    in ``?receipt=`` was a 500 on PostgreSQL)."""
    for name, value in request.args.items(multi=True):
        if _CONTROL_CHARACTER.search(name) or _CONTROL_CHARACTER.search(value) or len(value) > MAX_PATH_ID:
            printable = not _CONTROL_CHARACTER.search(name)
            raise ValidationError(f"the query parameter {name[:40]!r} holds a control character or is over "
                                  f"{MAX_PATH_ID} characters" if printable else
                                  "a query parameter's name holds a control character",
                                  field=name[:40] if printable else None, code="invalid_query")


def site_or_404(site_id: str) -> Site:
    site = gateway().sites.site(site_id)
    if site is None:
        raise NotFound(f"no site {site_id!r} is declared", field="site")
    return site


def read_json(limit: int = CONSENT_BODY_LIMIT) -> Any:
    """The request body parsed as JSON, refusing bodies over ``limit`` bytes (413) or bad JSON (400).

    Any content type is read as JSON, so that a banner may post as text/plain and skip preflight;
    but JSON is UTF-8 (RFC 8259 §8.1): another declared charset is a 415, other bytes a 400
    (``json.loads`` would guess UTF-16 or UTF-32 from the first bytes and accept them).
    """
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"the body must be UTF-8 JSON, not {_printable(charset[:20])!r}",
                                   field="Content-Type")
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedJSON("the body is not UTF-8 text, which JSON is") from None
    try:
        body = json.loads(text, parse_int=_integer, parse_float=_finite, parse_constant=_no_constant,
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
    over ``limit`` bytes, a text part over 64 KiB (``body.TEXT_PART_LIMIT``) or more than ``max_parts`` parts
    (413). Each file is then held to its field's declared size by the contact domain."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is over {limit // 1024} KiB")
    request.max_content_length = limit
    request.max_form_parts = max_parts
    try:
        values = {name: request.form.getlist(name) for name in request.form}
        uploads = {name: [Upload(f.filename or "", f.stream.read(limit + 1))
                          for f in request.files.getlist(name)] for name in request.files}
    except TextPartTooLarge as exc:
        raise PayloadTooLarge(exc.description, field=exc.field) from None
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
    """The request's Origin if the site declares it (or it is the gateway itself), else 403.

    In development (``consent-gateway serve``) the gateway is also itself at whatever address the
    browser reached it (``localhost`` or ``127.0.0.1``, any port): the demo works there. Production
    never trusts the Host header for this (any client can forge it)."""
    origin = request_origin()
    if not origin:
        raise OriginNotAllowed("an Origin header is required", field="Origin")
    # Exactly as a browser serialises it (RFC 6454): no path, not even a "/", nor anything that
    # could be trimmed into a declared origin ("http://127.0.0.1:8000//" once passed).
    if _SERIALISED_ORIGIN.fullmatch(origin) and (origin in site.origins or origin == public_url()
                                                     or _served_here_in_development(origin)):
        return origin
    raise OriginNotAllowed(f"origin {_printable(origin[:200])!r} is not declared for site {site.id!r}",
                           field="Origin")


def _served_here_in_development(origin: str) -> bool:
    return gateway().settings.development and origin == request.host_url.rstrip("/")


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


def attachment(data: bytes, media_type: str, filename: str) -> Response:
    """``data`` as a download under ``filename`` (never shown inline): the stored name is
    sanitised (no quote, no path); non-ASCII letters go in ``filename*`` (RFC 6266)."""
    response = Response(data, mimetype=media_type)
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "file"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}")
    return response
