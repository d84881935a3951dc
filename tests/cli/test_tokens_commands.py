"""``tokens list`` and ``tokens revoke`` (issue 20, item 5), and recruiter tokens only for a site that
takes applications (issue 23, finding 5)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from consent_gateway.cli import main
from consent_gateway.staff import StaffToken


@pytest.fixture
def cli(app, settings, monkeypatch):
    monkeypatch.setenv("CONSENT_GATEWAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONSENT_GATEWAY_SITES", str(settings.sites_path))

    def run(*args: str):
        return CliRunner().invoke(main, list(args))

    return run


def _create(cli, role: str, name: str, *extra: str) -> str:
    made = cli("tokens", "create", "--role", role, "--name", name, *extra)
    assert made.exit_code == 0, made.output
    return made.output.strip().splitlines()[-1]


def test_create_says_a_or_an_and_the_site(cli):
    admin = cli("tokens", "create", "--role", "admin", "--name", "Ada")
    assert admin.output.startswith("Created an admin token for Ada.")
    dpo = cli("tokens", "create", "--role", "dpo", "--name", "Jeanne")
    assert dpo.output.startswith("Created a dpo token for Jeanne.")
    recruiter = cli("tokens", "create", "--role", "recruiter", "--name", "Rita", "--site", "careers")
    assert recruiter.output.startswith("Created a recruiter token for Rita on the site careers.")


def test_list_shows_each_token_without_its_secret_and_when_it_was_last_used(cli, client):
    marketing = _create(cli, "marketing", "Marie Marketing")
    recruiter = _create(cli, "recruiter", "Rita Recrutement", "--site", "careers")
    listed = cli("tokens", "list")
    assert listed.exit_code == 0, listed.output
    header, *rows = listed.output.strip().splitlines()
    assert header.split()[:4] == ["id", "role", "site", "name"] and "last used" in header
    assert len(rows) == 2 and all(line.rstrip().endswith("never") for line in rows)
    assert re.match(r"\d+\s+marketing\s+-\s+Marie Marketing\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+never", rows[0])
    assert "recruiter" in rows[1] and "careers" in rows[1]
    for secret in (marketing, recruiter, marketing[5:25]):
        assert secret not in listed.output
    # A bearer request records the use.
    bearer = {"Authorization": f"Bearer {marketing}"}
    assert client.get("/api/v1/stats/consents", headers=bearer).status_code == 200
    used = cli("tokens", "list").output.strip().splitlines()[1]
    assert not used.rstrip().endswith("never") and re.search(r"UTC\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC$", used)


def test_revoke_is_effective_at_the_next_request(cli, client, db_session):
    dpo = _create(cli, "dpo", "Jeanne DPO")
    headers = {"Authorization": f"Bearer {dpo}"}
    assert client.get("/api/v1/sites/demo/undeclared-cookies", headers=headers).status_code == 200
    token_id = db_session.scalars(select(StaffToken.id)).one()
    revoked = cli("tokens", "revoke", str(token_id))
    assert revoked.exit_code == 0, revoked.output
    assert f"Revoked token {token_id} (dpo, Jeanne DPO)" in revoked.output
    refused = client.get("/api/v1/sites/demo/undeclared-cookies", headers=headers)
    assert refused.status_code == 401
    assert cli("tokens", "list").output.startswith("no staff token")
    assert "Jeanne DPO" in cli("tokens", "list", "--all").output
    assert cli("tokens", "revoke", str(token_id)).exit_code == 0, "revoking twice is harmless"
    missing = cli("tokens", "revoke", "999")
    assert missing.exit_code != 0 and "no staff token 999" in missing.output
    assert cli("tokens", "revoke", "abc").exit_code == 2


@pytest.mark.parametrize("site", ["demo", "iqera", "vendorsite"])
def test_a_recruiter_token_is_refused_for_a_site_that_takes_no_applications(cli, db_session, site):
    refused = cli("tokens", "create", "--role", "recruiter", "--name", "Rita", "--site", site)
    assert refused.exit_code != 0 and "takes no applications" in refused.output
    assert db_session.scalars(select(StaffToken)).all() == []
