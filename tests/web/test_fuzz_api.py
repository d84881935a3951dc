"""Fuzzing the public API: schemathesis generates requests from the OpenAPI document (valid ones and
invalid ones) and sends them to a live gateway under gunicorn, as in production; no answer may be
a 5xx, and every answer must be documented: its status, content type, headers and body schema.

The run is bounded and repeatable: ``FUZZ_EXAMPLES`` examples per operation, derandomized (the
same requests on every run of the pinned versions), no example database. They mix valid and
invalid requests, half of them aimed at a declared site, and the document's own examples; an
invalid request may also lack its staff token (schemathesis's check of the 401). Set
``CONSENT_GATEWAY_FUZZ_EXAMPLES`` to fuzz harder by hand (e.g. 500). The server runs with rate
limits off (``RATELIMIT_ENABLED=0``, bench/servers.py) so that the fuzzer is answered by the code,
not by the limiter, and with staff tokens of every role made for the run. It uses the tests'
database (PostgreSQL in CI), emptied afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_support import DOCUMENT, operations
from schemathesis import GenerationMode
from sqlalchemy.orm import Session

from bench.servers import free_port, gateway_env, gunicorn
from consent_gateway.db import Base, make_engine
from consent_gateway.staff import create_token

SITES_YAML = Path(__file__).resolve().parents[1] / "fixtures" / "sites.yaml"
FUZZ_EXAMPLES = int(os.environ.get("CONSENT_GATEWAY_FUZZ_EXAMPLES", "12"))
# The site most operations are aimed at (half of the examples; the others get any site id), and
# the one whose applications (forms with files) the recruiter reads.
SITES = {"recruiter": "careers"}
DEFAULT_SITE = "demo"
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


@dataclass(frozen=True)
class LiveGateway:
    base_url: str
    tokens: dict[str, str]
    schema: schemathesis.BaseSchema
    session: requests.Session


@pytest.fixture(scope="module")
def live_gateway(database_url: str) -> Iterator[LiveGateway]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The gateway's own URL is an origin every site accepts: the fuzzer posts from there.
    env = gateway_env(database_url, sites=SITES_YAML, migrate=False,
                      CONSENT_GATEWAY_PUBLIC_URL=base_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        tokens = {role: create_token(session, role, f"fuzz {role}", site_id=SITES.get(role))
                  for role in ("marketing", "dpo", "recruiter")}
    try:
        with gunicorn("wsgi:app", env, workers=1, threads=4, port=port), requests.Session() as http:
            schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
            yield LiveGateway(base_url, tokens, schema, http)
    finally:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()


def _strategy(operation: schemathesis.APIOperation, role: str | None) -> st.SearchStrategy:
    """Valid and invalid requests, half of them for a declared site, and the document's examples."""
    site = {"site_id": SITES.get(role or "", DEFAULT_SITE)} if "{site_id}" in operation.path else None
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    generated = [operation.as_strategy(mode, path_parameters=params)
                 for mode in modes for params in (site, None)]
    return st.one_of(*generated, *operation.schema.get_strategies_from_examples(operation))


@pytest.mark.parametrize(("method", "path"), sorted(operations()), ids=lambda v: v)
def test_fuzzed_requests_get_documented_answers_and_never_a_server_error(live_gateway, method, path):
    documented = DOCUMENT["paths"][path][method.lower()]
    role = documented.get("x-roles", [None])[0]
    headers = {"Origin": live_gateway.base_url}
    if role:
        headers["Authorization"] = f"Bearer {live_gateway.tokens[role]}"
    operation = live_gateway.schema[path][method]

    @settings(max_examples=FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, role))
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=live_gateway.base_url, session=live_gateway.session,
                               headers=headers, checks=CHECKS, timeout=30)

    fuzz()
