"""The OpenAPI document stays true: it describes every public route and nothing else, it is valid
OpenAPI 3.1, its examples match their schemas, and real answers match the documented ones."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from openapi_support import (
    DOCUMENT,
    assert_documented,
    flask_path,
    operations,
    public_routes,
    resolve,
    validator,
)

from consent_gateway.declaration import docs

DEMO_ORIGIN = "http://127.0.0.1:8000"


def test_every_public_route_is_documented_and_every_documented_operation_exists(app):
    routes, documented = public_routes(app), operations()
    assert routes - documented == set(), "routes missing from consent_gateway/web/api/openapi.yaml"
    assert documented - routes == set(), "operations documented in openapi.yaml that no route serves"


def test_the_route_comparison_sees_paths_and_methods():
    assert flask_path("/sites/<site_id>/proof/<receipt_id>") == "/sites/{site_id}/proof/{receipt_id}"
    assert flask_path("/banner/v1/consent.<content_hash>.js") == "/banner/v1/consent.{content_hash}.js"
    assert flask_path("/demo/assets/<path:filename>") == "/demo/assets/{filename}"
    changed = {**DOCUMENT, "paths": {**DOCUMENT["paths"], "/api/v1/extra": {"get": {}}}}
    assert ("GET", "/api/v1/extra") in operations(changed)


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"] == "3.1.0"
    validate(DOCUMENT)


def test_every_operation_is_described_and_answers_errors_with_the_error_shape():
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation.get("summary") and operation.get("operationId"), f"{method} {path}"
            for status, response in operation["responses"].items():
                response = resolve(response)
                assert response.get("description"), f"{method} {path} {status}"
                if int(status) >= 400 and path != "/healthz":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def _examples():
    """Every example of the document with the schema it illustrates."""
    found = []

    def collect(where, media):
        schema = media.get("schema", {})
        if "example" in media:
            found.append((where, schema, media["example"]))
        for name, example in media.get("examples", {}).items():
            found.append((f"{where} {name}", schema, resolve(example)["value"]))

    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                collect(f"{method} {path} body {media_type}", media)
    for name, response in DOCUMENT["components"]["responses"].items():
        for media_type, media in response.get("content", {}).items():
            collect(f"response {name} {media_type}", media)
    return found


@pytest.mark.parametrize(("where", "schema", "example"), _examples(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_examples_match_their_schemas(where, schema, example):
    errors = [e.message for e in validator(schema).iter_errors(example)]
    assert not errors, f"{where}: {errors}"


def test_examples_are_there_to_check():
    assert len(_examples()) >= 8


def test_the_document_is_served_as_json_with_an_etag_for_any_origin(client, app):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in r.headers["Cache-Control"]
    body = r.get_json()
    assert body["paths"] == DOCUMENT["paths"]
    assert body["servers"] == [{"url": app.extensions["settings"].public_url, "description": "this gateway"}]
    assert_documented("/api/v1/openapi.json", "GET", 200, body)
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == r.headers["ETag"] and not again.data


def test_a_recorded_decision_and_its_verification_match_the_document(client, post_consent):
    r = post_consent("custom", {"audience_measurement": True, "marketing": False, "third_party_media": False},
                     ui={"layer": "preferences", "ms": 5000})
    assert r.status_code == 201
    assert_documented("/api/v1/sites/{site_id}/consents", "POST", 201, r.get_json())
    token = r.get_json()["token"]
    verified = client.post("/api/v1/receipts/verify", json={"token": token})
    assert verified.get_json()["valid"] is True
    assert_documented("/api/v1/receipts/verify", "POST", 200, verified.get_json())
    forged = client.post("/api/v1/receipts/verify", json={"token": token[:-3] + "abc"})
    assert forged.get_json() == {"valid": False, "reason": "bad_signature"}
    assert_documented("/api/v1/receipts/verify", "POST", 200, forged.get_json())


def test_a_wrong_answer_does_not_match_the_document(client, post_consent):
    body = post_consent("accept_all").get_json()
    del body["consent_hash"]
    with pytest.raises(AssertionError, match="consent_hash"):
        assert_documented("/api/v1/sites/{site_id}/consents", "POST", 201, body)


@pytest.mark.parametrize(("status", "request_args"), [
    (400, {"data": "{not json", "headers": {"Origin": DEMO_ORIGIN}}),
    (400, {"json": {"action": "maybe"}, "headers": {"Origin": DEMO_ORIGIN}}),
    (403, {"json": {}, "headers": {"Origin": "https://evil.example"}}),
    (413, {"data": "x" * 17 * 1024, "headers": {"Origin": DEMO_ORIGIN}}),
])
def test_refused_decisions_match_the_document(client, status, request_args):
    r = client.post("/api/v1/sites/demo/consents", **request_args)
    assert r.status_code == status
    assert_documented("/api/v1/sites/{site_id}/consents", "POST", status, r.get_json())


def test_a_stale_decision_and_an_unknown_site_match_the_document(client, post_consent):
    stale = post_consent("accept_all", policy_version="2001-01-01")
    assert stale.status_code == 409
    assert_documented("/api/v1/sites/{site_id}/consents", "POST", 409, stale.get_json())
    missing = client.get("/api/v1/sites/nope/banner")
    assert missing.status_code == 404
    assert_documented("/api/v1/sites/{site_id}/banner", "GET", 404, missing.get_json())


def test_public_reads_match_the_document(client):
    for path, documented in [("/api/v1/sites/demo/banner?lang=fr", "/api/v1/sites/{site_id}/banner"),
                             ("/api/v1/sites/demo/contact?lang=en", "/api/v1/sites/{site_id}/contact"),
                             ("/banner/v1/manifest.json", "/banner/v1/manifest.json"),
                             ("/.well-known/gpc.json", "/.well-known/gpc.json"),
                             ("/healthz", "/healthz")]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert_documented(documented, "GET", 200, r.get_json())
    jwks = client.get("/.well-known/jwks.json")
    assert_documented("/.well-known/jwks.json", "GET", 200, jwks.get_json(force=True),
                      "application/jwk-set+json")


def test_the_sites_schema_is_served_as_generated_from_the_models(client):
    r = client.get("/sites.schema.json")
    assert r.status_code == 200 and r.mimetype == "application/schema+json"
    assert r.get_json() == docs.json_schema()
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/sites.schema.json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
