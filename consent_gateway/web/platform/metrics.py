"""Prometheus metrics at ``/metrics``: requests and latency by route, decisions, contact fields,
database errors; right across gunicorn workers.

With several workers, ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's own variable, set before
the server starts, to an empty directory) makes each worker write its counters to files there and
``/metrics`` add them up; gunicorn's ``child_exit`` hook below forgets a dead worker's live
values. Labels are routes (URL rules, never raw paths, which can hold a receipt token), declared
site ids, declared purposes and fixed words: never a value a client chose.

``/metrics`` answers only when ``CONSENT_GATEWAY_METRICS_TOKEN`` is set, to a request that carries
``Authorization: Bearer <token>`` (401 otherwise); without the setting it is a 404.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from consent_gateway import scan
from consent_gateway.contact import SubmissionResult
from consent_gateway.db import get_session
from consent_gateway.declaration import Site
from consent_gateway.errors import ConfigurationError, NotFound, Unauthorized
from consent_gateway.web.extensions import gateway

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
bp = Blueprint("metrics", __name__)

REQUESTS = Counter("gateway_http_requests", "HTTP requests answered, by method, route (URL rule) and status",
                   ["method", "route", "status"])
LATENCY = Histogram("gateway_http_request_duration_seconds", "Time to answer, by method and route",
                    ["method", "route"],
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
DECISIONS = Counter("gateway_consent_decisions", "Consent decisions recorded, by site and action",
                    ["site", "action"])
CONTACT_FIELDS = Counter("gateway_contact_fields",
                         "Contact-form fields stored or dropped, by site, purpose and reason (never values)",
                         ["site", "purpose", "outcome", "reason"])
DATABASE_ERRORS = Counter("gateway_database_errors",
                          "Requests that failed on the database: 'unavailable' (503 database_unavailable) "
                          "or the error's class", ["route", "kind"])


def init_app(app: Flask) -> None:
    """Count every request and its time, from the start ``web.request_log`` takes before any other
    hook runs (so their time counts)."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder and not (Path(folder).is_dir() and os.access(folder, os.W_OK)):
        raise ConfigurationError(f"{MULTIPROC_ENV}: {folder} is not a writable directory; it holds "
                                 "each worker's metrics (create it empty before the server starts)")
    app.extensions["metrics_multiprocess"] = bool(folder)
    app.after_request(_count)
    app.register_blueprint(bp)


# The children of the per-request metrics by their labels: ``labels()`` checks and joins its
# arguments under a lock on every call; a dict lookup is enough once the child exists. Bounded:
# routes and methods are the app's, statuses the few HTTP has.
_REQUEST_CHILDREN: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _count(response: Response) -> Response:
    req = request._get_current_object()  # type: ignore[attr-defined]
    route = req.url_rule.rule if req.url_rule is not None else "(unmatched)"
    count_request(req.method, route, response.status_code, g.get("request_started"))
    kind = g.get("database_error")
    if kind is not None:
        DATABASE_ERRORS.labels(route, kind).inc()
    return response


def count_request(method: str, route: str, status: int, started: float | None) -> None:
    """Count one answer and its time since ``started`` (``time.perf_counter``); also called by
    ``web.replay`` for the answers it sends from memory."""
    key = (method, route, status)
    children = _REQUEST_CHILDREN.get(key)
    if children is None:
        children = _REQUEST_CHILDREN[key] = (REQUESTS.labels(method, route, str(status)),
                                             LATENCY.labels(method, route))
    children[0].inc()
    if started is not None:
        children[1].observe(time.perf_counter() - started)


def decision_recorded(site_id: str, action: str) -> None:
    DECISIONS.labels(site_id, action).inc()


def contact_captured(site: Site, result: SubmissionResult) -> None:
    """Count each field kept or dropped under its declared purpose ("undeclared" for a field the
    site does not declare: its name is the client's choice and never becomes a label)."""
    form = site.contact
    for name in result.stored:
        spec = form.field(name) if form else None
        CONTACT_FIELDS.labels(site.id, spec.purpose if spec else "undeclared", "stored", "").inc()
    for drop in result.dropped:
        spec = form.field(drop.field) if form else None
        CONTACT_FIELDS.labels(site.id, spec.purpose if spec else "undeclared", "dropped", drop.reason).inc()


@bp.get("/metrics")
def scrape() -> Any:
    token = gateway().settings.metrics_token
    if not token:
        raise NotFound("metrics are not served: CONSENT_GATEWAY_METRICS_TOKEN is not set")
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    digest = hashlib.sha256(credentials.strip().encode()).digest()
    if scheme.lower() != "bearer" or not hmac.compare_digest(digest, hashlib.sha256(token.encode()).digest()):
        error = Unauthorized("metrics need Authorization: Bearer <CONSENT_GATEWAY_METRICS_TOKEN>")
        response = current_app.make_response((error.to_dict(), error.status))
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = REGISTRY
    if current_app.extensions["metrics_multiprocess"]:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry) + _scan_metrics(), content_type=CONTENT_TYPE_LATEST)


class _OpenViolations:
    """The tracker scans' open violations per declared site, read from the database at scrape
    time: the same figure from every worker and instance, kept by no process."""

    def __init__(self, counts: dict[str, int], sites: list[str]) -> None:
        self.counts, self.sites = counts, sites

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("gateway_scan_open_violations",
                                  "Tracker-scan violations still open, by site (consent-gateway scan)",
                                  labels=["site"])
        for site_id in self.sites:
            gauge.add_metric([site_id], self.counts.get(site_id, 0))
        yield gauge


def _scan_metrics() -> bytes:
    try:
        counts = scan.open_violations(get_session())
    except SQLAlchemyError:
        return b""  # the database's state is /healthz's to tell; the other metrics still answer
    registry = CollectorRegistry(auto_describe=True)
    registry.register(_OpenViolations(counts, list(gateway().sites.sites)))
    return generate_latest(registry)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook (import it in the gunicorn config file): a dead worker's
    live values leave ``/metrics``; its counters stay summed in."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(worker.pid)


def on_starting(server: Any) -> None:
    """gunicorn's ``on_starting`` hook: empty ``PROMETHEUS_MULTIPROC_DIR`` of a previous run's
    counts, which the new workers would otherwise add to theirs."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder and Path(folder).is_dir():
        for stale in Path(folder).glob("*.db"):
            stale.unlink()
