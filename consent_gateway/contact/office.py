"""A Word document (DOCX, an Open Packaging Conventions ZIP) made safe to hand to a recruiter.

In this order, each step refusing with its own reason:

1. **Size before inflating.** The ZIP's central directory is read (nothing is decompressed): more
   than ``MAX_ENTRIES`` parts, more than ``MAX_INFLATED`` bytes declared in all, or a declared
   total over ``MAX_RATIO`` times the file's size (past a small floor) is refused. Every part is
   then read through a capped stream: a part that inflates past what it declared, or the whole
   past the limit, is refused as it happens (a lying directory gains nothing).
2. **What the package is.** ``[Content_Types].xml`` must make the main part a Word document (not a
   macro-enabled ``.docm`` or a template); XML parts may not declare a DTD (entity bombs).
3. **Macros, whatever their name.** A content type or a relationship for a VBA project, VBA data,
   ActiveX controls or Word key-mapping customisations, or any part holding an OLE compound file
   (what a VBA project or an embedded program is stored in) is refused.
4. **External targets.** Any relationship with ``TargetMode="External"`` is refused (a remote
   template, a linked image, frame or OLE object: each is fetched when the file is opened),
   except hyperlinks to ``http:``, ``https:`` or ``mailto:`` (followed only when clicked).
5. **Metadata.** The core, extended and custom properties parts (author, last modified by,
   company, manager, template, revision, dates...) are replaced by empty ones; the ZIP is written
   again with no comment, no extra fields and a fixed date on every entry.
"""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import urlsplit
from xml.etree import ElementTree

from consent_gateway.errors import FieldInvalid

MAX_ENTRIES = 2000
MAX_INFLATED = 64 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 2 * 1024 * 1024  # below this many inflated bytes, any ratio is fine
_CHUNK = 64 * 1024
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)

_MAIN_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Content types and relationship types (matched on their lower-cased text) that carry macros.
_MACRO_MARKS = ("vbaproject", "vbadata", "macroenabled", "activex", "keymapcustomizations")
_HYPERLINK = "http://schemas.openxmlformats.org/officedocument/2006/relationships/hyperlink"
_SAFE_LINK_SCHEMES = ("http", "https", "mailto")
# The property parts that tell who wrote the file, on which machine, for which company.
_PROPERTY_TYPES = {
    "application/vnd.openxmlformats-package.core-properties+xml":
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/"/>',
    "application/vnd.openxmlformats-officedocument.extended-properties+xml":
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>',
    "application/vnd.openxmlformats-officedocument.custom-properties+xml":
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>',
}
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def is_word_package(data: bytes) -> bool:
    """Looks like a Word document by its directory alone: ``[Content_Types].xml`` and ``word/``
    parts (what it holds is checked by ``clean_docx``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)


def clean_docx(field: str, data: bytes) -> bytes:
    """``data`` written again without its properties; FieldInvalid naming ``field`` and why when
    it is too large once inflated, holds macros or fetches anything from outside the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _read_parts(field, archive, len(data))
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise FieldInvalid(field, "invalid_document", "is not a Word document that can be read") from exc
    content_types = _content_types(field, parts)
    for name, body in parts.items():
        if body.startswith(_OLE):
            raise _macro(field)
        if name.endswith(".rels") or content_types[name] == _RELATIONSHIPS:
            _check_relationships(field, body)
        elif content_types[name].endswith("xml") and _DTD.search(body):
            raise FieldInvalid(field, "invalid_document", "is not a Word document that can be read")
    blank = {name for name, kind in content_types.items() if kind in _PROPERTY_TYPES}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as clean:
        for name, body in parts.items():
            if name in blank:
                body = (_XML_DECLARATION + _PROPERTY_TYPES[content_types[name]]).encode()
            clean.writestr(zipfile.ZipInfo(name, _FIXED_DATE), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _read_parts(field: str, archive: zipfile.ZipFile, size: int) -> dict[str, bytes]:
    """Every part's bytes, refused on the directory's declared sizes first, then while inflating."""
    entries = archive.infolist()
    declared = sum(e.file_size for e in entries)
    if (len(entries) > MAX_ENTRIES or declared > MAX_INFLATED
            or (declared > RATIO_FLOOR and declared > MAX_RATIO * max(size, 1))):
        raise _too_large(field)
    parts: dict[str, bytes] = {}
    budget = min(MAX_INFLATED, max(RATIO_FLOOR, MAX_RATIO * size))
    for entry in entries:
        if entry.is_dir():
            continue
        name = entry.filename.lstrip("/")
        if name in parts:
            raise FieldInvalid(field, "invalid_document", "is not a Word document that can be read")
        chunks: list[bytes] = []
        read = 0
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                budget -= len(chunk)
                if read > entry.file_size or budget < 0:
                    raise _too_large(field)
                chunks.append(chunk)
        parts[name] = b"".join(chunks)
    return parts


def _macro(field: str) -> FieldInvalid:
    return FieldInvalid(field, "office_macro", "is a document that contains macros or an embedded program")


def _too_large(field: str) -> FieldInvalid:
    return FieldInvalid(field, "archive_too_large", "is a document that is too large once decompressed")


def _content_types(field: str, parts: dict[str, bytes]) -> dict[str, str]:
    """Each part's content type, by ``[Content_Types].xml``'s overrides and extension defaults."""
    root = _xml(field, parts.get("[Content_Types].xml", b""))
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "")
                for e in _elements(root, "Default")}
    overrides = {e.get("PartName", "").lstrip("/"): e.get("ContentType", "")
                 for e in _elements(root, "Override")}
    for kind in [*defaults.values(), *overrides.values()]:
        if any(mark in kind.lower() for mark in _MACRO_MARKS):
            raise _macro(field)
    kinds = {name: overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower(), "") for name in parts}
    if _MAIN_DOCUMENT not in kinds.values():
        raise FieldInvalid(field, "invalid_document", "is not a Word document that can be read")
    return kinds


def _check_relationships(field: str, body: bytes) -> None:
    for rel in _elements(_xml(field, body), "Relationship"):
        kind = rel.get("Type", "").lower()
        if any(mark in kind for mark in _MACRO_MARKS):
            raise _macro(field)
        if rel.get("TargetMode", "").lower() == "external":
            target = urlsplit(rel.get("Target", "").strip())
            if kind != _HYPERLINK or target.scheme.lower() not in _SAFE_LINK_SCHEMES:
                raise FieldInvalid(field, "office_external",
                                   "is a document that loads content from outside the file "
                                   "(a remote template, image or object)")


def _elements(root: ElementTree.Element, local_name: str) -> list[ElementTree.Element]:
    """The elements called ``local_name`` in any namespace (or none): a renamed namespace hides
    nothing."""
    return [e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == local_name]


def _xml(field: str, body: bytes) -> ElementTree.Element:
    if _DTD.search(body):
        raise FieldInvalid(field, "invalid_document", "is not a Word document that can be read")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise FieldInvalid(field, "invalid_document", "is not a Word document that can be read") from exc
