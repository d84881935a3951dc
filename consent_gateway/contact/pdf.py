"""A candidate's PDF made safe to hand to a recruiter: refused when it carries active content,
stored without its metadata.

The file is parsed by pikepdf (QPDF) and written again from what it parsed: what is stored is
what QPDF understood, without the trailing bytes, old revisions or unreferenced objects a reader
might have been tricked into using. Every object is examined, not only the catalogue:

- refused: JavaScript (a ``/JS`` entry, a JavaScript action, an XFA form, the document's
  JavaScript name tree), actions that start a program, open another file or send data (``Launch``,
  ``GoToE``, ``GoToR``, ``ImportData``, ``SubmitForm``), embedded files (the ``EmbeddedFiles`` name
  tree, ``/EF`` file specifications, file attachment annotations, ``EmbeddedFile`` streams), and
  files that need a password to open (they cannot be examined); one with an owner password only
  (restrictions on printing or copying) is examined and stored without its encryption;
- removed: the actions run on opening or on events (``/OpenAction``, every ``/AA``), which are
  left with navigation only once the above is refused, the document information dictionary
  (author, producer, dates), XMP metadata streams and private application data (``/PieceInfo``).

Streams are copied as they are (never inflated), so a compressed bomb inside a PDF costs nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf

from consent_gateway.errors import FieldInvalid

_LAUNCHING = {"/Launch", "/GoToE", "/GoToR", "/ImportData", "/SubmitForm"}
_REMOVED = ("/OpenAction", "/AA", "/Metadata", "/PieceInfo")


def clean_pdf(field: str, data: bytes) -> bytes:
    """``data`` written again without active content or metadata; FieldInvalid (naming ``field``
    and why) when it holds something that cannot be removed without changing the document."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise FieldInvalid(field, "pdf_encrypted", "is a PDF protected by a password") from exc
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise FieldInvalid(field, "invalid_pdf", "is not a PDF that can be read") from exc
    with pdf:
        try:
            dictionaries = list(_dictionaries(pdf))
            for dictionary in dictionaries:
                _refuse_active(field, dictionary)
            for dictionary in dictionaries:
                for key in _REMOVED:
                    if key in dictionary:
                        del dictionary[key]
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            out = io.BytesIO()
            pdf.save(out, fix_metadata_version=False, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                     deterministic_id=True)
        except (pikepdf.PdfError, RuntimeError) as exc:
            raise FieldInvalid(field, "invalid_pdf", "is not a PDF that can be read") from exc
    return out.getvalue()


def _refuse_active(field: str, dictionary: pikepdf.Dictionary) -> None:
    keys = set(dictionary.keys())
    action = dictionary.get("/S")
    if keys & {"/JS", "/JavaScript", "/XFA"} or action == pikepdf.Name.JavaScript:
        raise FieldInvalid(field, "pdf_javascript", "is a PDF that contains JavaScript")
    if action is not None and str(action) in _LAUNCHING:
        raise FieldInvalid(field, "pdf_launch",
                           "is a PDF with an action that opens a program or another file, or sends data")
    if ("/EmbeddedFiles" in keys or "/EF" in keys or dictionary.get("/Type") == pikepdf.Name.EmbeddedFile
            or dictionary.get("/Subtype") == pikepdf.Name.FileAttachment):
        raise FieldInvalid(field, "pdf_embedded_file", "is a PDF that contains embedded files")


def _dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary of the file: each indirect object's, and those nested directly in them
    (an annotation's action is often written inline). Streams' dictionaries included."""
    stack: list[pikepdf.Object] = list(pdf.objects)
    while stack:
        obj = stack.pop()
        if isinstance(obj, pikepdf.Stream):
            children = list(obj.stream_dict.values())
            yield obj.stream_dict
        elif isinstance(obj, pikepdf.Dictionary):
            children = list(obj.values())
            yield obj
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        stack.extend(c for c in children if isinstance(c, pikepdf.Object) and not c.is_indirect)
