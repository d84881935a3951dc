"""Applications through the careers form: files sent as multipart/form-data through the gate,
checked by their content, sized, renamed, cleaned of metadata and stored encrypted."""

from __future__ import annotations

import base64
import html
import io
import re
import zipfile

import document_support as docs
import pytest
from contact_support import (
    CANDIDATE,
    GPS_IFD,
    apply,
    docx_bytes,
    field_rows,
    file_rows,
    jpeg_with_gps,
    pdf_bytes,
    stored_pdf_bytes,
    submission_count,
)
from PIL import Image

from consent_gateway.contact import cipher_for


def _clear(app, ciphertext: str) -> bytes:
    return cipher_for(app.extensions["settings"].pii_keys).decrypt_bytes(ciphertext)


def test_a_pdf_and_a_photo_are_stored_encrypted_with_the_photo_location_removed(app, client, db_session):
    pdf, photo = pdf_bytes(), jpeg_with_gps()
    r = apply(client, CANDIDATE, {"cv": (pdf, "../../Mon CV <final>.PDF"), "photo": (photo, "IMG_0042.jpeg")})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body["stored"]) == {*CANDIDATE, "cv", "photo"}
    assert {f["field"]: (f["filename"], f["type"]) for f in body["files"]} == {
        "cv": ("Mon CV _final.pdf", "pdf"), "photo": ("IMG_0042.jpg", "jpeg")}
    stored = file_rows(db_session)
    assert len(stored) == 2
    # Nothing in clear: neither the bytes, nor their base64, nor the names, in any column.
    everything = " ".join(stored + [row["ciphertext"] for row in field_rows(db_session)])
    for secret in (b"%PDF", pdf[:48], photo[:48]):
        assert secret.decode("latin-1") not in everything
        assert base64.b64encode(secret).decode()[:16] not in everything
    assert "Mon CV" not in everything and "IMG_0042" not in everything
    assert _clear(app, stored[0]) == stored_pdf_bytes()  # the PDF without its metadata
    cleaned = Image.open(io.BytesIO(_clear(app, stored[1])))
    assert cleaned.size == (64, 48)
    assert not cleaned.getexif().get_ifd(GPS_IFD) and not cleaned.getexif()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # it was there before


def test_a_word_document_is_accepted_as_a_cv(client):
    r = apply(client, CANDIDATE, {"cv": (docx_bytes(), "cv.docx")})
    assert r.status_code == 201 and r.get_json()["files"][0]["type"] == "docx"


@pytest.mark.parametrize("content, name", [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "cv.pdf"),          # a Windows executable
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "cv.pdf"),                  # a Linux one
    (jpeg_with_gps(), "cv.pdf"),                                           # an image is not a CV here
])
def test_a_file_that_is_not_what_the_field_accepts_is_refused_and_nothing_is_stored(
        client, db_session, content, name):
    r = apply(client, CANDIDATE, {"cv": (content, name)})
    assert r.status_code == 400
    assert r.get_json()["error"] == "file_type_not_accepted" and r.get_json()["field"] == "cv"
    assert "PDF or DOCX" in r.get_json()["message"]
    assert submission_count(db_session) == 0 and file_rows(db_session) == []


def _apply_in(client, lang: str | None, cv: bytes, name: str = "cv.docx"):
    query = f"?lang={lang}" if lang else ""
    return client.post(f"/api/v1/sites/careers/contact{query}", content_type="multipart/form-data",
                       data={**CANDIDATE, "cv": (io.BytesIO(cv), name)},
                       headers={"Origin": "https://recrutement.iqera.com"})


@pytest.mark.parametrize("build, rule, french, english", [
    (lambda: docx_bytes(macros=True), "office_macro", "contient des macros", "contains macros"),
    (docs.macro_under_another_name, "office_macro", "contient des macros", "contains macros"),
    (docs.remote_template, "office_external", "hors du fichier", "outside the file"),
    (lambda: docs.inflating_to(128 * 1024 ** 2), "archive_too_large", "une fois décompressé",
     "once decompressed"),
    (lambda: docs.pdf(build=docs.javascript_on_open), "pdf_javascript", "contient du JavaScript",
     "contains JavaScript"),
    (lambda: docs.pdf(build=docs.launch_in_link), "pdf_launch", "ouvre un programme",
     "opens a program"),
    (lambda: docs.pdf(build=docs.embedded_file), "pdf_embedded_file", "fichiers joints",
     "attached files"),
])
def test_a_hostile_document_is_refused_saying_why_in_the_forms_language_and_nothing_is_stored(
        client, db_session, build, rule, french, english):
    for lang, words in ((None, french), ("fr", french), ("en", english)):
        r = _apply_in(client, lang, build())
        assert r.status_code == 400, r.get_json()
        body = r.get_json()
        assert (body["error"], body["field"]) == (rule, "cv")
        assert words in body["message"] and body["message"].startswith("cv: ")
        assert [e["rule"] for e in body["errors"]] == [rule] and words in body["errors"][0]["message"]
    assert submission_count(db_session) == 0 and file_rows(db_session) == []


def test_a_word_cv_and_a_pdf_cv_are_stored_without_their_authors(app, client, db_session):
    for cv, name in ((docs.word_document(), "cv.docx"), (docs.pdf(author=docs.AUTHOR), "cv.pdf")):
        r = apply(client, CANDIDATE, {"cv": (cv, name), "photo": (jpeg_with_gps(), "Portrait.JPEG")})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["files"][1]["filename"] == "Portrait.jpg"
    stored = [_clear(app, c) for c in file_rows(db_session)]
    assert len(stored) == 4 and stored[0].startswith(b"PK") and stored[2].startswith(b"%PDF-")
    for data in stored:
        assert b"Okafor" not in data and docs.COMPANY.encode() not in data
    with zipfile.ZipFile(io.BytesIO(stored[0])) as archive:
        assert archive.read("word/document.xml") == docs._parts(docs.word_document())["word/document.xml"]


def test_a_file_over_its_field_limit_is_a_413_naming_the_field(client, db_session):
    big = pdf_bytes() + b"\x00" * (256 * 1024)
    r = apply(client, CANDIDATE, {"cv": (big, "cv.pdf")})
    assert r.status_code == 413
    assert r.get_json()["field"] == "cv" and r.get_json()["error"] == "file_too_large"
    assert "256 KiB" in r.get_json()["message"]
    assert submission_count(db_session) == 0 and file_rows(db_session) == []


def test_a_request_over_every_declared_file_is_a_413_before_it_is_read(client, db_session):
    r = client.post("/api/v1/sites/careers/contact", data=b"x" * (8 * 1024 * 1024),
                    content_type="multipart/form-data; boundary=b",
                    headers={"Origin": "https://recrutement.iqera.com"})
    assert r.status_code == 413 and r.get_json()["error"] == "payload_too_large"
    assert submission_count(db_session) == 0


def test_a_cv_sent_as_json_text_or_twice_or_extra_files_are_refused(client, db_session):
    r = client.post("/api/v1/sites/careers/contact", json={"fields": {**CANDIDATE, "cv": "JVBERi0="}},
                    headers={"Origin": "https://recrutement.iqera.com"})
    assert r.status_code == 400 and r.get_json()["field"] == "cv"
    assert r.get_json()["error"] == "invalid_type"
    pdf = pdf_bytes()
    r = apply(client, CANDIDATE, {"cv": (pdf, "a.pdf"), "photo": (pdf, "b.pdf"), "extra": (pdf, "c.pdf")})
    assert r.status_code == 400 and r.get_json()["error"] == "too_many_files"
    r = client.post("/api/v1/sites/careers/contact", content_type="multipart/form-data",
                    data={**CANDIDATE, "cv": [(io.BytesIO(pdf), "a.pdf"), (io.BytesIO(pdf), "b.pdf")]},
                    headers={"Origin": "https://recrutement.iqera.com"})
    assert r.status_code == 400 and r.get_json() == {
        "error": "duplicate_field", "message": "cv was sent more than once", "field": "cv"}
    assert submission_count(db_session) == 0


def test_a_text_error_beside_a_good_file_stores_nothing(client, db_session):
    r = apply(client, {**CANDIDATE, "email": "noemie@"}, {"cv": (pdf_bytes(), "cv.pdf")})
    assert r.status_code == 400 and r.get_json()["field"] == "email"
    assert submission_count(db_session) == 0 and file_rows(db_session) == []


def test_the_cv_is_required(client):
    r = apply(client, CANDIDATE, {})
    assert r.status_code == 400 and r.get_json()["field"] == "cv" and r.get_json()["error"] == "required"


def test_a_client_sends_a_few_applications_an_hour_then_gets_a_429(client):
    answers = [apply(client, CANDIDATE, {"cv": (pdf_bytes(), "cv.pdf")}).status_code for _ in range(6)]
    assert answers == [201] * 5 + [429]
    last = apply(client, CANDIDATE, {"cv": (pdf_bytes(), "cv.pdf")})
    assert last.get_json()["error"] == "too_many_requests" and last.headers["Retry-After"]
    assert last.headers["Access-Control-Allow-Origin"] == "https://recrutement.iqera.com"


def test_the_declaration_tells_a_site_what_each_file_field_accepts(client):
    fields = {f["name"]: f for f in client.get("/api/v1/sites/careers/contact").get_json()["fields"]}
    assert fields["cv"]["kind"] == "file" and fields["cv"]["accept"] == ["pdf", "docx"]
    assert fields["cv"]["max_bytes"] == 256 * 1024 and fields["photo"]["required"] is False


@pytest.mark.parametrize("lang, words", [
    ("fr", "Ce document contient des macros ou un programme intégré"),
    ("en", "This document contains macros or an embedded program"),
])
def test_the_hosted_form_says_why_a_document_is_refused_in_its_language(client, db_session, lang, words):
    page = client.get(f"/privacy/careers/contact?lang={lang}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/privacy/careers/contact", content_type="multipart/form-data", data={
        **CANDIDATE, "csrf_token": csrf, "lang": lang,
        "cv": (io.BytesIO(docs.macro_relationship()), "cv.docx")})
    assert r.status_code == 400
    assert words in html.unescape(r.get_data(as_text=True))
    assert submission_count(db_session) == 0 and file_rows(db_session) == []


def test_the_hosted_form_offers_jpeg_files_as_well_as_jpg(client):
    page = client.get("/privacy/careers/contact").get_data(as_text=True)
    assert 'accept=".jpg,.jpeg,image/jpeg,.png,image/png"' in page
    assert 'accept=".pdf,application/pdf,.docx,application/vnd.openxmlformats' in page
