"""Uploaded files of ``file`` fields: recognised by their content, sized, renamed, cleaned.

A file's type is read from its first bytes (and, for DOCX, its ZIP directory), never from its name
or the type the browser claims: a PDF that is really an executable is refused. Then each type is
made safe to hand to a recruiter, or refused saying why: images are decoded and encoded again
without their metadata (GPS position, camera); PDFs lose their metadata and are refused with
active content (contact/pdf.py); Word documents are refused past a size before inflating, with
macros or external targets, and lose their properties (contact/office.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from consent_gateway.contact.office import clean_docx, is_word_package
from consent_gateway.contact.pdf import clean_pdf
from consent_gateway.declaration import FILE_TYPES, ContactField
from consent_gateway.errors import FieldInvalid, PayloadTooLarge

MAX_FILENAME = 100
# The pixel count past which an image is refused as a decompression bomb (Pillow's own default).
MAX_PIXELS = 89_478_485
_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_ZIP = b"PK\x03\x04"
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG"}
_UNSAFE = re.compile(r"[^\w .()\-]+")
# Every extension a type is known by (the first is FILE_TYPES', the one it is stored under): a file
# input's ``accept`` lists them all, so the picker offers the candidate's ``portrait.jpeg`` too.
EXTENSIONS = {"pdf": (".pdf",), "docx": (".docx",), "jpeg": (".jpg", ".jpeg"), "png": (".png",)}


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the browser gave and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    """A file ready to store: its recognised type, a safe name, its (cleaned) bytes."""

    file_type: str
    filename: str
    data: bytes

    @property
    def media_type(self) -> str:
        return FILE_TYPES[self.file_type][0]

    def description(self) -> str:
        """What the field's row stores (encrypted) about the file: name, type, size, digest."""
        return json.dumps({"filename": self.filename, "type": self.file_type, "size": len(self.data),
                           "sha256": hashlib.sha256(self.data).hexdigest()}, ensure_ascii=False)


def check_upload(spec: ContactField, upload: Upload) -> CheckedFile:
    """The file to store for ``spec``; 413 (naming the field) over its size limit, FieldInvalid for
    a type it does not accept or an image that cannot be decoded."""
    if len(upload.data) > spec.max_bytes:
        raise PayloadTooLarge(f"{spec.name}: the file is over the {spec.max_bytes // 1024} KiB limit",
                              field=spec.name, code="file_too_large")
    file_type = sniff(upload.data)
    if file_type not in spec.accept:
        accepted = " or ".join(a.upper() for a in spec.accept)
        raise FieldInvalid(spec.name, "file_type_not_accepted",
                           f"must be a {accepted} file (its content is checked, not its name)")
    if file_type in _PIL_FORMATS:
        data = strip_metadata(spec, file_type, upload.data)
    elif file_type == "pdf":
        data = clean_pdf(spec.name, upload.data)
    else:
        data = clean_docx(spec.name, upload.data)
    return CheckedFile(file_type, sanitise_filename(upload.filename, file_type), data)


def sniff(data: bytes) -> str | None:
    """The FILE_TYPES entry ``data`` is, by its magic bytes, or None."""
    if data.startswith(_PDF):
        return "pdf"
    if data.startswith(_JPEG):
        return "jpeg"
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_ZIP) and is_word_package(data):
        return "docx"
    return None


def strip_metadata(spec: ContactField, file_type: str, data: bytes) -> bytes:
    """The image encoded again without EXIF, XMP or text chunks (GPS position, camera, author).

    The EXIF orientation is applied first, so the picture still stands the way it was taken.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[file_type]]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise FieldInvalid(spec.name, "image_too_large", "has too many pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
                clean = upright.copy()
                # Only the colour profile is kept: comments, XMP and EXIF go with the old info.
                clean.info = {k: v for k, v in image.info.items() if k == "icc_profile"}
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise FieldInvalid(spec.name, "invalid_image", "is not an image that can be read") from exc
    out = io.BytesIO()
    if file_type == "jpeg":
        clean.save(out, "JPEG", quality=92, icc_profile=clean.info.get("icc_profile"))
    else:
        clean.save(out, "PNG", icc_profile=clean.info.get("icc_profile"), optimize=True)
    return out.getvalue()


def sanitise_filename(raw: str, file_type: str) -> str:
    """A name safe in a header, a URL and any file system: no directory, no control or shell
    characters, at most ``MAX_FILENAME`` characters, and the extension of the type it really is."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "file"
    extension = FILE_TYPES[file_type][1]
    return stem[: MAX_FILENAME - len(extension)].rstrip(" ._") + extension
