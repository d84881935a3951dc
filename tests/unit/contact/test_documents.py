"""Documents made safe (issue 23 item 8, issue 20 item 4): every hostile file is built here, small,
and refused with its own reason; ordinary ones are stored without who wrote them."""

from __future__ import annotations

import io
import time
import zipfile

import document_support as docs
import pikepdf
import pytest

from consent_gateway.contact import office
from consent_gateway.contact.files import Upload, check_upload, sniff
from consent_gateway.contact.office import clean_docx
from consent_gateway.contact.pdf import clean_pdf
from consent_gateway.declaration import ContactField, Text
from consent_gateway.errors import FieldInvalid

CV = ContactField(name="cv", purpose="recruitment", required=True, kind="file", label=Text("CV", "CV"),
                  accept=("pdf", "docx"), max_bytes=2048 * 1024)


def _refusal(clean, data: bytes) -> str:
    with pytest.raises(FieldInvalid) as caught:
        clean("cv", data)
    assert caught.value.field == "cv"
    return caught.value.rule


@pytest.mark.parametrize("build, rule", [
    (docs.javascript_on_open, "pdf_javascript"),
    (docs.javascript_in_name_tree, "pdf_javascript"),
    (docs.launch_on_page_open, "pdf_launch"),
    (docs.launch_in_link, "pdf_launch"),
    (docs.embedded_file, "pdf_embedded_file"),
])
def test_a_pdf_with_active_content_is_refused_saying_which(build, rule):
    assert _refusal(clean_pdf, docs.pdf(build=build)) == rule


def test_a_pdf_keeps_its_pages_and_loses_its_metadata_and_its_opening_actions():
    sent = docs.pdf(author=docs.AUTHOR, build=docs.harmless_actions)
    assert b"Okafor" in sent and b"/OpenAction" in sent and b"/AA" in sent  # all there before
    stored = clean_pdf("cv", sent)
    for trace in (b"Okafor", b"Word for Mac", b"/OpenAction", b"/AA", b"/Metadata", b"/Info"):
        assert trace not in stored
    with pikepdf.open(io.BytesIO(stored)) as document:
        assert len(document.pages) == 1 and "/Info" not in document.trailer
        assert "/Metadata" not in document.Root


def test_a_pdf_that_needs_a_password_or_is_broken_is_refused_one_with_restrictions_is_not():
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert _refusal(clean_pdf, out.getvalue()) == "pdf_encrypted"
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(user="", owner="secret",
                                                     allow=pikepdf.Permissions(extract=False)))
    with pikepdf.open(io.BytesIO(clean_pdf("cv", out.getvalue()))) as stored:
        assert not stored.is_encrypted and len(stored.pages) == 1
    assert _refusal(clean_pdf, b"%PDF-1.7\n" + b"\x00garbage" * 50) == "invalid_pdf"


@pytest.mark.parametrize("build, rule", [
    (docs.macro_under_another_name, "office_macro"),    # a VBA project called image7.png
    (docs.macro_content_type, "office_macro"),          # declared as one, under a harmless name
    (docs.macro_relationship, "office_macro"),          # a vbaProject relationship to fonts.dat
    (docs.macro_enabled_main, "office_macro"),          # a .docm renamed .docx
    (docs.remote_template, "office_external"),          # template fetched from a server on opening
    (docs.linked_image, "office_external"),             # image fetched from a UNC path
    (lambda: docs.with_hyperlink("file:///C:/Windows/System32/calc.exe"), "office_external"),
    (lambda: docs.word_document(main_type="application/xml"), "invalid_document"),
    (lambda: docs.word_document(extra_parts={"word/x.xml": b'<!DOCTYPE a [<!ENTITY b "c">]><a/>'}),
     "invalid_document"),
])
def test_a_word_document_with_a_macro_or_an_external_target_is_refused_whatever_its_names(build, rule):
    data = build()
    assert sniff(data) == "docx"  # recognised as what it claims, then refused for what it holds
    assert _refusal(clean_docx, data) == rule


def test_a_word_document_loses_its_author_and_company_and_keeps_its_text_and_links():
    sent = docs.with_hyperlink("https://www.linkedin.com/in/noemie")
    stored = clean_docx("cv", sent)
    with zipfile.ZipFile(io.BytesIO(sent)) as before, zipfile.ZipFile(io.BytesIO(stored)) as after:
        assert docs.AUTHOR.encode() in before.read("docProps/core.xml")
        assert before.namelist() == after.namelist() and after.testzip() is None
        assert after.comment == b"" and {i.date_time for i in after.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for name in before.namelist():
            if name.startswith("docProps/"):
                assert docs.AUTHOR.encode() not in after.read(name)
                assert docs.COMPANY.encode() not in after.read(name)
            else:
                assert after.read(name) == before.read(name)
    assert sniff(stored) == "docx" and clean_docx("cv", stored) == stored


def test_a_one_megabyte_docx_that_inflates_to_a_gibibyte_is_refused_before_inflating(monkeypatch):
    bomb = docs.inflating_to(1024 ** 3)
    assert len(bomb) < 1100 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("word/media/padding.bin").file_size == 1024 ** 3

    def no_inflating(*args, **kwargs):
        raise AssertionError("a part was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    started = time.perf_counter()
    assert _refusal(clean_docx, bomb) == "archive_too_large"
    assert time.perf_counter() - started < 1


def test_the_ratio_is_limited_below_the_size_limit_and_the_stream_is_capped(monkeypatch):
    eight = docs.inflating_to(8 * 1024 ** 2)  # 8 MiB in ~8 KiB: under the size limit, ratio ~1000
    assert _refusal(clean_docx, eight) == "archive_too_large"
    # A directory that under-declares its part is caught while inflating, whatever it says.
    assert _refusal(clean_docx, docs.inflating_to(1024 ** 3, declared=1000)) == "invalid_document"
    monkeypatch.setattr(office, "MAX_RATIO", 10_000)
    monkeypatch.setattr(office, "RATIO_FLOOR", 0)
    clean_docx("cv", eight)  # the same file passes once the ratio allows it...
    monkeypatch.setattr(office, "MAX_INFLATED", 4 * 1024 ** 2)
    assert _refusal(clean_docx, eight) == "archive_too_large"  # ...and not past the size


def test_too_many_parts_are_refused(monkeypatch):
    monkeypatch.setattr(office, "MAX_ENTRIES", 5)
    assert _refusal(clean_docx, docs.word_document()) == "archive_too_large"


def test_check_upload_cleans_each_type():
    checked = check_upload(CV, Upload("cv.docx", docs.word_document()))
    assert checked.file_type == "docx" and docs.AUTHOR.encode() not in checked.data
    checked = check_upload(CV, Upload("cv.pdf", docs.pdf(author=docs.AUTHOR)))
    assert checked.file_type == "pdf" and b"Okafor" not in checked.data
