"""Candidates' files as Chromium sends them (its own multipart boundary and layout): PDFs and JPEGs
with a CR LF every 39 bytes, so that one falls near the end of every 64 KiB read of the body, are
all accepted through the careers API (a site's own form posting FormData) and through the hosted
form; a file over every limit gets the error page, in the visitor's language, axe-clean."""

from __future__ import annotations

import base64

import pytest
from browser_support import assert_accessible
from contact_support import CANDIDATE, file_rows
from playwright.sync_api import Page, expect
from upload_support import DENSE_LINE_ENDS, jpeg, pdf


@pytest.fixture
def app(make_app):
    # Forms with files are limited to 5 an hour per client: off, so that each size is tried.
    return make_app(ratelimit_enabled=False)


POST_FORM_DATA = """async ([fields, files]) => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, filename, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    form.append(name, new Blob([bytes], {type}), filename);
  }
  const r = await fetch('/api/v1/sites/careers/contact', {method: 'POST', body: form});
  return [r.status, await r.text()];
}"""


def test_files_full_of_line_ends_pass_the_api_from_a_browser(page: Page, live_server: str, db_session):
    page.goto(f"{live_server}/demo/careers")  # the careers site's own page, which may call the API
    sizes = [(90 * 1024, 30 * 1024), (150 * 1024, 70 * 1024), (200 * 1024, 100 * 1024),
             (240 * 1024, 120 * 1024), (255 * 1024, 127 * 1024)]
    for cv_size, photo_size in sizes:
        files = [["cv", "cv.pdf", "application/pdf",
                  base64.b64encode(pdf(cv_size, {}, DENSE_LINE_ENDS)).decode()],
                 ["photo", "photo.jpg", "image/jpeg",
                  base64.b64encode(jpeg(photo_size, {}, DENSE_LINE_ENDS)).decode()]]
        status, body = page.evaluate(POST_FORM_DATA, [CANDIDATE, files])
        assert status == 201, (cv_size, body)
    assert len(file_rows(db_session)) == 2 * len(sizes)


def test_a_pdf_full_of_line_ends_passes_the_hosted_form(page: Page, live_server: str, tmp_path, db_session):
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(pdf(250 * 1024, {}, DENSE_LINE_ENDS))
    page.goto(f"{live_server}/privacy/careers/contact?lang=en")
    for name in ("surname", "first_name", "email", "message"):
        page.locator(f"#f-{name}").fill(CANDIDATE[name])
    page.get_by_label("CV (required)").set_input_files(str(cv))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#confirmation")).to_contain_text("Thank you")
    assert len(file_rows(db_session)) == 1


def test_a_file_over_every_limit_gets_the_error_page_in_the_visitors_language(page: Page, live_server: str,
                                                                               tmp_path, db_session):
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(pdf(8 * 1024 * 1024, {}, DENSE_LINE_ENDS))
    page.goto(f"{live_server}/privacy/careers/contact")
    for name in ("surname", "first_name", "email", "message"):
        page.locator(f"#f-{name}").fill(CANDIDATE[name])
    page.get_by_label("CV (obligatoire)").set_input_files(str(cv))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Envoyer").click()
    assert navigation.value is not None and navigation.value.status == 413
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce que vous avez envoyé est trop volumineux.")
    assert_accessible(page)
    assert file_rows(db_session) == []
