"""Helpers shared by the contact-form tests: submit a form, make receipts of every kind, read rows."""

from __future__ import annotations

import io
from datetime import timedelta
from functools import lru_cache

from document_support import OLE_MAGIC, word_document
from PIL import ExifTags, Image
from sqlalchemy import text
from sqlalchemy.orm import Session

from consent_gateway import consent, workflows
from consent_gateway.contact.pdf import clean_pdf
from consent_gateway.db import utcnow

DEMO_ORIGIN = "http://127.0.0.1:8000"
CAREERS_ORIGIN = "https://recrutement.iqera.com"
PERSON = {
    "surname": "Durandal-Zéphyr",
    "first_name": "Camillette",
    "email": "camille.durandal@example.fr",
    "message": "Bonjour, je souhaite un échéancier pour ma dette.",
}
AUDIENCE = {
    "connection_time": "2026-11-20T09:15:00+01:00",
    "pages_visited": ["https://www.iqera.com/nos-metiers/", "/contact"],
    "location": "fr",
}
DEBT = {"portfolio_code": "MCS2041", "file_reference": "20240517-12"}


def submit(client, fields: dict, token: str | None = None, *, site: str = "demo",
           origin: str = DEMO_ORIGIN, **extra):
    body = {"fields": fields, **extra}
    if token is not None:
        body["consent_token"] = token
    return client.post(f"/api/v1/sites/{site}/contact", json=body, headers={"Origin": origin})


def decide(app, site_id: str = "demo", action: str = "accept_all", choices: dict | None = None, *,
           previous_token: str | None = None, days_ago: int = 0) -> tuple[str, str]:
    """Record a decision through the consent service (optionally in the past), continuing the
    visitor of ``previous_token`` if given; (token, visitor_id)."""
    gw = app.extensions["gateway"]
    site = gw.sites.sites[site_id]
    body = {"action": action, "choices": choices or {}, "policy_version": site.policy_version,
            "config_hash": gw.sites.banner_config(site, "fr")["config_hash"], "lang": "fr"}
    if previous_token:
        body["previous_token"] = previous_token
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        decision = consent.parse_decision(gw.sites, site, body)
        recorded = workflows.record_decision(session, gw.sites, site, decision, consent.RequestContext(),
                                             gw.signer, now=utcnow() - timedelta(days=days_ago))
    return recorded.token, recorded.event.visitor_id


def field_rows(db_session) -> list[dict]:
    """contact_field rows exactly as the database holds them (raw SQL, no ORM type processing)."""
    db_session.rollback()
    result = db_session.execute(text(
        "SELECT name, purpose, ciphertext, receipt_id, visitor_id, created_at, expires_at "
        "FROM contact_field ORDER BY id"))
    return [dict(row._mapping) for row in result]


def submission_count(db_session) -> int:
    db_session.rollback()
    return db_session.execute(text("SELECT COUNT(*) FROM contact_submission")).scalar_one()


# Files of the careers form, made for real: a PDF and a JPEG with a GPS position and a camera.
CANDIDATE = {"surname": "Okafor-Lambert", "first_name": "Noémie", "email": "noemie.okafor@example.fr",
             "message": "Candidature au poste de chargée de recouvrement."}
GPS_IFD = 0x8825


@lru_cache(maxsize=1)
def pdf_bytes() -> bytes:
    """A one-page PDF made by Pillow (once: its creation date changes every second)."""
    out = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, "PDF")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 5D Mark IV"
    exif[GPS_IFD] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.0),
                     ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (2.0, 17.0, 40.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def docx_bytes(*, macros: bool = False) -> bytes:
    """A Word document (document_support.word_document); with ``macros``, a VBA project as Word
    stores it."""
    if not macros:
        return word_document()
    return word_document(
        extra_parts={"word/vbaProject.bin": OLE_MAGIC + b"\x00" * 504},
        extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>')


@lru_cache(maxsize=1)
def stored_pdf_bytes() -> bytes:
    """``pdf_bytes()`` as the gateway stores it: written again by pikepdf without its metadata
    (tests/unit/contact/test_documents.py checks what that removes)."""
    return clean_pdf("cv", pdf_bytes())


def apply(client, fields: dict, files: dict[str, tuple[bytes, str]], *, site: str = "careers",
          origin: str = CAREERS_ORIGIN, token: str | None = None):
    """POST the careers form as multipart/form-data: ``files`` maps a field to (bytes, file name)."""
    data: dict = dict(fields)
    for name, (content, filename) in files.items():
        data[name] = (io.BytesIO(content), filename)
    if token:
        data["consent_token"] = token
    return client.post(f"/api/v1/sites/{site}/contact", data=data, content_type="multipart/form-data",
                       headers={"Origin": origin})


def file_rows(db_session) -> list[str]:
    """contact_file ciphertexts exactly as the database holds them."""
    db_session.rollback()
    return list(db_session.execute(text("SELECT ciphertext FROM contact_file ORDER BY id")).scalars())
