"""Why a candidate's document was refused, in the visitor's language: the same words on the hosted
form and in the contact API's JSON error (the API speaks the form's language: ``?lang=``, a ``lang``
part, Accept-Language, else the site's default).

The contact domain raises ``FieldInvalid`` with a stable rule and an English message; these are the
rules of the document checks (contact/pdf.py, contact/office.py), worded for the candidate with
what to do instead.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consent_gateway.errors import InvalidFields

DOCUMENT_RULES = {
    "pdf_javascript": _l("This PDF contains JavaScript: save it again without it (for example by "
                         "printing it to a new PDF)."),
    "pdf_launch": _l("This PDF contains an action that opens a program or another file, or sends "
                     "data: save it again without it."),
    "pdf_embedded_file": _l("This PDF contains attached files: send a PDF without attachments."),
    "pdf_encrypted": _l("This PDF is protected by a password: send it without protection."),
    "invalid_pdf": _l("This PDF cannot be read."),
    "office_macro": _l("This document contains macros or an embedded program: save it as a plain "
                       "Word document (.docx) or as a PDF."),
    "office_external": _l("This document loads content from outside the file (a remote template, "
                          "image or object): save it without links to other files, or as a PDF."),
    "archive_too_large": _l("This document is too large once decompressed."),
    "invalid_document": _l("This Word document cannot be read."),
}


def localised(exc: InvalidFields) -> InvalidFields:
    """``exc`` with each document refusal's message in the request's language."""
    errors = [(field, rule, str(DOCUMENT_RULES[rule]) if rule in DOCUMENT_RULES else message)
              for field, rule, message in exc.errors]
    return InvalidFields(errors)
