"""The declaration's schema from pydantic models (issue 22 item 6): ``sites.schema.json`` and
``docs/sites-yaml.md`` are generated from them and committed up to date; the JSON Schema accepts
the shipped file and the tests' one and refuses a misspelt key; every problem names its key path."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml
from declaration_support import SITES_YAML, fixture_declaration, problems, write
from jsonschema import Draft202012Validator

from consent_gateway.declaration import docs, load_sites
from consent_gateway.settings import PROJECT_ROOT

VALIDATOR = Draft202012Validator(docs.json_schema())
PRODUCTION_SITES_YAML = PROJECT_ROOT / "sites.yaml"


def _load(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_committed_schema_and_key_list_are_generated_from_the_models():
    assert docs.SCHEMA_FILE.read_text(encoding="utf-8") == docs.schema_text(), \
        "sites.schema.json is out of date: run python -m consent_gateway.declaration.docs"
    assert docs.DOCS_FILE.read_text(encoding="utf-8") == docs.markdown(), \
        "docs/sites-yaml.md is out of date: run python -m consent_gateway.declaration.docs"
    assert docs.main(["--check"]) == 0
    Draft202012Validator.check_schema(docs.json_schema())


def test_the_key_list_names_every_key_of_every_model_with_its_meaning():
    page = docs.markdown()
    schema = docs.json_schema()
    models = [schema, *schema["$defs"].values()]
    assert len(models) == 19  # the file and each mapping in it
    for model in models:
        for key, prop in model["properties"].items():
            assert f"| `{key}` |" in page and prop["description"] in page


def test_the_production_file_points_its_editor_at_the_schema():
    first = PRODUCTION_SITES_YAML.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./sites.schema.json"
    assert (PRODUCTION_SITES_YAML.parent / "sites.schema.json") == docs.SCHEMA_FILE


@pytest.mark.parametrize("path", [PRODUCTION_SITES_YAML, SITES_YAML], ids=["shipped", "tests"])
def test_the_json_schema_validates_the_shipped_and_the_tests_declarations(path):
    assert list(VALIDATOR.iter_errors(_load(path))) == []


@pytest.mark.parametrize("where, misspelt", [
    (lambda d: d["sites"]["careers"], "consent_liftime_days"),
    (lambda d: d["purposes"]["marketing"], "legal_bases"),
    (lambda d: d["sites"]["careers"]["contact"]["fields"][0], "requierd"),
    (lambda d: d["vendors"]["youtube"]["cookies"][0], "durations_days"),
    (lambda d: d, "site"),
])
def test_a_misspelt_key_is_refused_by_the_json_schema_and_by_sites_check(tmp_path, where, misspelt):
    data = fixture_declaration()
    where(data)[misspelt] = 1
    errors = list(VALIDATOR.iter_errors(data))
    assert errors and any(misspelt in e.message for e in errors)
    assert f"{misspelt}: unknown key (allowed: " in problems(tmp_path, data)


def test_the_json_schema_refuses_what_sites_check_refuses_key_by_key():
    data = fixture_declaration()
    data["sites"]["careers"]["consent_lifetime_days"] = 800
    data["purposes"]["marketing"]["legal_basis"] = "vibes"
    data["vendors"]["matomo"]["country"] = "Germany"
    data["sites"]["demo"]["origins"].append("ftp://example.com")
    paths = {"/".join(map(str, e.absolute_path)) for e in VALIDATOR.iter_errors(data)}
    assert {"sites/careers/consent_lifetime_days", "purposes/marketing/legal_basis",
            "vendors/matomo/country"} <= paths
    assert any(p.startswith("sites/demo/origins/") for p in paths)


# What the tests of tests/unit/declaration break, and more: each problem must name its key path.
MISTAKES = {
    "legal basis": lambda d: d["purposes"]["marketing"].update(legal_basis="vibes"),
    "tracker basis": lambda d: d["purposes"]["audience_measurement"].update(legal_basis="contract"),
    "required consent": lambda d: d["purposes"]["marketing"].update(required=True),
    "missing text": lambda d: d["texts"]["en"].pop("reject_all"),
    "blank text": lambda d: d["texts"]["en"].update(reject_all=" "),
    "lifetime": lambda d: d["sites"]["careers"].update(consent_lifetime_days=800),
    "boolean lifetime": lambda d: d["sites"]["careers"].update(consent_lifetime_days=True),
    "no site": lambda d: d.update(sites={}),
    "site id": lambda d: d["sites"].update({"Bad Site": d["sites"]["demo"]}),
    "no origin": lambda d: d["sites"]["demo"].update(origins=[]),
    "language": lambda d: d["sites"]["demo"].update(languages=["de"]),
    "url": lambda d: d["sites"]["demo"].update(policy_url="ftp://x"),
    "boolean": lambda d: d["sites"]["demo"].update(reload_on_withdraw="yes"),
    "text as string": lambda d: d["purposes"]["marketing"].update(label="x"),
    "text language": lambda d: d["purposes"]["marketing"].update(label={"fr": "a", "en": "b", "de": "c"}),
    "consent mode": lambda d: d["purposes"]["marketing"].update(gcm=["ad_storag"]),
    "retention in words": lambda d: d["purposes"]["marketing"].update(retention="3 ans"),
    "ledger retention": lambda d: d.update(consent_events={"retention_days": 5}),
    "email": lambda d: d["controller"]["dpo"].update(email="nobody"),
    "no consent purpose": lambda d: d["sites"]["careers"].update(purposes=["strictly_necessary"]),
    "field kind": lambda d: d["sites"]["careers"]["contact"]["fields"][0].update(kind="blob"),
    "pattern kind": lambda d: d["sites"]["careers"]["contact"]["fields"][0].update(kind="pattern"),
    "field purpose": lambda d: d["sites"]["careers"]["contact"]["fields"][0].update(purpose="telepathy"),
    "no field": lambda d: d["sites"]["careers"]["contact"].update(fields=[]),
    "vendor mapping": lambda d: d["sites"]["mcs"]["vendors"].append({"idd": "youtube"}),
    "cookie days": lambda d: d["vendors"]["youtube"]["cookies"][0].update(duration_days=-1),
    "withdraw args": lambda d: d["vendors"]["hubspot_forms"]["on_withdraw"][0].update(args=[float("nan")]),
    "top level": lambda d: d.pop("vendors"),
    "not a mapping": lambda d: d.update(sites=["demo"]),
}
KEY_PATH = re.compile(r"^(\(top level\)(\.\w+)?|[a-z_]+(\.[\w -]+|\[\d+\])*): \S")


@pytest.mark.parametrize("mistake", MISTAKES)
def test_every_problem_names_its_key_path(tmp_path, mistake):
    data = copy.deepcopy(fixture_declaration())
    MISTAKES[mistake](data)
    message = problems(tmp_path, data)
    lines = message.splitlines()[1:]
    assert lines
    prefix = str(tmp_path / "sites.yaml") + ": "
    for line in lines:
        assert line.startswith(prefix) and KEY_PATH.match(line.removeprefix(prefix)), line
        assert "Input should" not in line and "pydantic" not in line  # our words, not the library's


def test_a_version_written_as_a_number_or_a_date_is_that_text(tmp_path):
    data = fixture_declaration()
    data["sites"]["demo"]["policy_version"] = 3
    assert load_sites(write(tmp_path, data)).sites["demo"].policy_version == "3"
    path = write(tmp_path, fixture_declaration())
    text = path.read_text(encoding="utf-8")
    text = text.replace("policy_version: '2026-11-01'", "policy_version: 2026-11-01")
    path.write_text(text, encoding="utf-8")
    assert "policy_version: 2026-11-01" in path.read_text(encoding="utf-8")
    assert load_sites(path).sites["demo"].policy_version == "2026-11-01"
    assert json.dumps(docs.json_schema())  # serialisable as served
