"""A recruiter reads applications, never contact messages (issue 23, finding 5): a token made for a
site whose form takes no files (before the rule, or directly through the service) reads nothing."""

from __future__ import annotations

import pytest
from contact_support import PERSON, decide, submit
from sqlalchemy import select

from consent_gateway.errors import ValidationError
from consent_gateway.staff import AccessLog, create_token
from consent_gateway.staff.applications import check_token_site, takes_applications


def test_a_recruiter_token_for_a_contact_site_lists_no_contact_message(app, client, db_session):
    token, _ = decide(app, "demo")
    assert submit(client, PERSON, token).status_code == 201
    recruiter = create_token(db_session, "recruiter", "Rita", "demo")
    r = client.get("/api/v1/sites/demo/applications", headers={"Authorization": f"Bearer {recruiter}"})
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    assert "takes no applications" in r.get_json()["message"]
    assert PERSON["email"] not in r.get_data(as_text=True)
    db_session.rollback()
    assert db_session.scalars(select(AccessLog)).all() == []


def test_only_a_site_with_file_fields_takes_applications(app):
    sites = app.extensions["gateway"].sites
    assert {s.id for s in sites.sites.values() if takes_applications(s)} == {"careers"}
    check_token_site("recruiter", sites.sites["careers"])
    check_token_site("dpo", None)
    with pytest.raises(ValidationError, match="takes no applications"):
        check_token_site("recruiter", sites.sites["demo"])
