"""Multipart limits count what they mean to: a text part is capped, a file part only by its field's
declared size. Werkzeug parses a body in 64 KiB reads and keeps back the end of a read when a CR or
LF there may start a boundary; it used to count that, file bytes included, against the text limit,
and refused ordinary PDFs and JPEGs at random. Each file here puts a CR or LF at one offset of the
zone before each 64 KiB boundary of the body, so that together they cover every offset of it, as
a browser would send them: through the API and through the hosted form."""

from __future__ import annotations

import io
import re

import pytest
from contact_support import CANDIDATE, CAREERS_ORIGIN, submission_count
from PIL import Image
from upload_support import jpeg, pdf

READ = 64 * 1024  # Werkzeug's multipart read size
BOUNDARY = b"----WebKitFormBoundaryq1W2e3R4t5Y6u7I8"
# A CR or LF this close before the end of a read may start "\r\n--BOUNDARY": kept back.
ZONE = len(b"\r\n--" + BOUNDARY) + 2


@pytest.fixture
def app(make_app):
    # Forms with files are limited to 5 an hour per client: off, so that every offset is tried.
    return make_app(ratelimit_enabled=False)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> bytes:
    parts = [b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
             % (BOUNDARY, name.encode(), value.encode()) for name, value in fields.items()]
    parts += [b"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
              b"Content-Type: %s\r\n\r\n%s\r\n"
              % (BOUNDARY, name.encode(), filename.encode(), kind.encode(), data)
              for name, (filename, kind, data) in files.items()]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY


def marked_files(head: int, cv_size: int, photo_size: int, variants: list[tuple[int, bytes]]
                 ) -> tuple[bytes, bytes, list[tuple[int, bytes]]]:
    """A CV then a photo, the body's text parts taking ``head`` bytes before the CV's data: each
    64 KiB boundary falling inside a file's data takes the next of ``variants`` (offset before the
    boundary, byte). Returns both files and the variants left."""
    cv_start = head
    photo_start = cv_start + cv_size + len(b"\r\n--%s\r\nContent-Disposition: form-data; name=\"photo\"; "
                                          b"filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
                                          % BOUNDARY)
    marks: dict[str, dict[int, bytes]] = {"cv": {}, "photo": {}}
    left = list(variants)
    for boundary in range(READ, photo_start + photo_size, READ):
        if not left:
            break
        delta, mark = left[0]
        at = boundary - delta
        for name, start, size, margin in (("cv", cv_start, cv_size, 400),
                                          ("photo", photo_start, photo_size, 900)):
            if start + margin <= at and at + len(mark) < start + size - margin:
                marks[name][at - start] = mark
                left.pop(0)
                break
    return pdf(cv_size, marks["cv"]), jpeg(photo_size, marks["photo"]), left


def _head(fields: dict[str, str]) -> int:
    empty = multipart(fields, {"cv": ("cv.pdf", "application/pdf", b"")})
    return len(empty) - len(b"\r\n--%s--\r\n" % BOUNDARY)


def _variants() -> list[tuple[int, bytes]]:
    """Every offset of the kept-back zone before a boundary (and the boundary itself), for CR, LF
    and CR LF."""
    return [(delta, mark) for delta in range(ZONE, -1, -1) for mark in (b"\r", b"\n", b"\r\n")
            if delta >= len(mark) or delta == 0]


def _send_all(send, fields: dict[str, str]) -> list[int]:
    statuses, left = [], _variants()
    while left:
        cv, photo, left = marked_files(_head(fields), 250 * 1024, 120 * 1024, left)
        statuses.append(send(fields, cv, photo))
    return statuses


def _files(cv: bytes, photo: bytes) -> dict[str, tuple[str, str, bytes]]:
    return {"cv": ("cv.pdf", "application/pdf", cv), "photo": ("photo.jpg", "image/jpeg", photo)}


def _api(client):
    def send(fields: dict[str, str], cv: bytes, photo: bytes) -> int:
        body = multipart(fields, _files(cv, photo))
        r = client.post("/api/v1/sites/careers/contact", data=body, headers={"Origin": CAREERS_ORIGIN},
                        content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}")
        assert r.status_code == 201, r.get_json()
        assert {f["field"] for f in r.get_json()["files"]} == {"cv", "photo"}
        return r.status_code
    return send


def _csrf(client) -> str:
    page = client.get("/privacy/careers/contact?lang=en").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _hosted(client):
    def send(fields: dict[str, str], cv: bytes, photo: bytes) -> int:
        body = multipart({**fields, "csrf_token": _csrf(client)}, _files(cv, photo))
        r = client.post("/privacy/careers/contact", data=body,
                        content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}")
        assert r.status_code == 201, r.get_data(as_text=True)[-3000:]
        return r.status_code
    return send


def test_the_test_files_are_what_they_say():
    cv, photo, left = marked_files(500, 250 * 1024, 120 * 1024, [(10, b"\r")] * 3 + [(20, b"\n")] * 2)
    assert left == [] and len(cv) == 250 * 1024 and len(photo) == 120 * 1024
    assert cv.startswith(b"%PDF-") and cv.count(b"\r") == 3 and cv.rstrip().endswith(b"%%EOF")
    with Image.open(io.BytesIO(photo)) as image:
        assert image.size == (64, 48)
    assert b"\n" in photo[2:photo.index(b"\xff\xdb")]


def test_pdfs_and_jpegs_with_line_ends_around_every_read_boundary_pass_the_api(client, db_session):
    statuses = _send_all(_api(client), dict(CANDIDATE))
    assert len(statuses) >= 10 and set(statuses) == {201}
    assert submission_count(db_session) == len(statuses)


def test_pdfs_and_jpegs_with_line_ends_around_every_read_boundary_pass_the_hosted_form(client, db_session):
    statuses = _send_all(_hosted(client), {**CANDIDATE, "lang": "en"})
    assert len(statuses) >= 10 and set(statuses) == {201}
    assert submission_count(db_session) == len(statuses)


def test_a_file_over_its_declared_size_is_a_clear_413_on_both(client, db_session):
    big = pdf(257 * 1024, {100 * 1024: b"\r\n"})
    body = multipart(dict(CANDIDATE), {"cv": ("cv.pdf", "application/pdf", big)})
    r = client.post("/api/v1/sites/careers/contact", data=body, headers={"Origin": CAREERS_ORIGIN},
                    content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}")
    assert r.status_code == 413
    assert r.get_json()["error"] == "file_too_large" and r.get_json()["field"] == "cv"
    body = multipart({**CANDIDATE, "lang": "en", "csrf_token": _csrf(client)},
                     {"cv": ("cv.pdf", "application/pdf", big)})
    r = client.post("/privacy/careers/contact", data=body,
                    content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}")
    assert r.status_code == 413 and r.mimetype == "text/html"
    assert "The file is larger than the size allowed." in r.get_data(as_text=True)
    assert submission_count(db_session) == 0


def test_a_text_part_is_still_capped_and_named(client, db_session):
    body = multipart({**CANDIDATE, "message": "x" * (64 * 1024 + 1)}, {"cv": ("cv.pdf", "application/pdf",
                                                                          pdf(2000, {}))})
    r = client.post("/api/v1/sites/careers/contact", data=body, headers={"Origin": CAREERS_ORIGIN},
                    content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}")
    assert r.status_code == 413 and r.get_json()["error"] == "payload_too_large"
    assert r.get_json()["field"] == "message" and "64 KiB" in r.get_json()["message"]
    assert submission_count(db_session) == 0
