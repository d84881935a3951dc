"""Who reads a candidate's files: the site's recruiters only, each read in the access log; the
DPO's erasure, a revocation of the purpose, the retention purge and key rotation cover the files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contact_support import (
    CANDIDATE,
    apply,
    decide,
    file_rows,
    jpeg_with_gps,
    pdf_bytes,
    stored_pdf_bytes,
    submission_count,
)
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from consent_gateway import workflows
from consent_gateway.contact import PIICipher, cipher_for
from consent_gateway.contact.erasure import erase_revoked_fields
from consent_gateway.contact.rotation import rotate_pii
from consent_gateway.db import utcnow
from consent_gateway.errors import ValidationError
from consent_gateway.staff import AccessLog, create_token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def application(client) -> dict:
    r = apply(client, {**CANDIDATE, "city": "Lyon", "hobbies": "Course à pied"},
              {"cv": (pdf_bytes(), "CV Noémie.pdf"), "photo": (jpeg_with_gps(), "moi.jpg")})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_recruiter_lists_the_applications_and_downloads_a_cv_each_read_logged(
        client, db_session, application):
    recruiter = create_token(db_session, "recruiter", "Rita Recrutement", "careers")
    listing = client.get("/api/v1/sites/careers/applications", headers=_bearer(recruiter))
    assert listing.status_code == 200
    [entry] = listing.get_json()["applications"]
    assert entry["submission_id"] == application["submission_id"]
    assert entry["fields"]["surname"] == CANDIDATE["surname"] and entry["fields"]["city"] == "Lyon"
    cv = next(f for f in entry["files"] if f["field"] == "cv")
    assert (cv["filename"], cv["type"]) == ("CV Noémie.pdf", "pdf")
    download = client.get(cv["path"], headers=_bearer(recruiter))
    assert download.status_code == 200 and download.data == stored_pdf_bytes()
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"CV Noemie.pdf\"; filename*=UTF-8''CV%20No%C3%A9mie.pdf")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    db_session.rollback()
    log = db_session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
    assert [(e.action, e.site_id) for e in log] == [("applications.list", "careers"),
                                                    ("applications.file.read", "careers")]
    assert log[1].subject == f"{application['submission_id']}/cv"


@pytest.mark.parametrize("role, site", [("marketing", None), ("dpo", None), ("admin", None),
                                        ("recruiter", "iqera")])
def test_nobody_else_lists_or_downloads_applications(client, db_session, application, role, site):
    token = create_token(db_session, role, "Quelqu'un", site)
    path = f"/api/v1/sites/careers/applications/{application['submission_id']}/files/cv"
    for url in ("/api/v1/sites/careers/applications", path):
        r = client.get(url, headers=_bearer(token))
        assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
        assert b"%PDF" not in r.data
    db_session.rollback()
    assert db_session.scalars(select(AccessLog)).all() == []


def test_a_recruiter_token_names_its_site(db_session):
    with pytest.raises(ValidationError, match="name the site"):
        create_token(db_session, "recruiter", "Rita")
    with pytest.raises(ValidationError, match="not bound to a site"):
        create_token(db_session, "marketing", "Marc", "careers")


def test_the_dpo_erases_an_application_and_its_files_on_request(client, db_session, application):
    dpo = create_token(db_session, "dpo", "Jeanne DPO")
    url = f"/api/v1/sites/careers/applications/{application['submission_id']}"
    assert client.delete(url, headers=_bearer(dpo)).status_code == 204
    assert file_rows(db_session) == [] and submission_count(db_session) == 0
    assert client.delete(url, headers=_bearer(dpo)).status_code == 404
    recruiter = create_token(db_session, "recruiter", "Rita", "careers")
    assert client.get(f"{url}/files/cv", headers=_bearer(recruiter)).status_code == 404


def test_revoking_the_purpose_of_a_file_removes_it(app, client, db_session):
    token, visitor = decide(app, "careers", "accept_all")
    r = apply(client, CANDIDATE, {"cv": (pdf_bytes(), "cv.pdf")}, token=token)
    assert r.status_code == 201 and len(file_rows(db_session)) == 1
    with Session(app.extensions["db_engine"]) as session:
        assert erase_revoked_fields(session, "careers", visitor, ["recruitment"]) > 0
        session.commit()
    assert file_rows(db_session) == [] and submission_count(db_session) == 0


def test_the_retention_purge_removes_the_files_and_not_before(app, db_session, application):
    gw = app.extensions["gateway"]
    with Session(app.extensions["db_engine"]) as session:
        workflows.purge(session, gw.sites, gw.receipt_keys, now=utcnow() + timedelta(days=729))
    assert len(file_rows(db_session)) == 2
    with Session(app.extensions["db_engine"]) as session:
        report = workflows.purge(session, gw.sites, gw.receipt_keys, now=utcnow() + timedelta(days=731))
    assert report.fields_by_purpose["recruitment"] >= 2
    assert file_rows(db_session) == [] and submission_count(db_session) == 0


def test_key_rotation_re_encrypts_the_files(app, db_session, application):
    old = app.extensions["settings"].pii_keys[-1]
    new = Fernet.generate_key().decode()
    with Session(app.extensions["db_engine"]) as session:
        rotate_pii(session, PIICipher([old, new]), batch=1)
    only_new = PIICipher([new])
    assert only_new.decrypt_bytes(file_rows(db_session)[0]) == stored_pdf_bytes()
    assert all(only_new.is_current(c) for c in file_rows(db_session))
    assert cipher_for((old,)).is_current(file_rows(db_session)[0]) is False
