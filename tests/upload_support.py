"""Uploads as candidates send them, made to order: valid PDFs and JPEGs of a given size with CR or
LF bytes where a test needs them (Werkzeug used to refuse a file with one near the end of a 64 KiB
read of the body)."""

from __future__ import annotations

import io

from PIL import Image

# CR LF every 39 bytes: whatever the boundary's length, one falls near the end of every read.
DENSE_LINE_ENDS = b" " * 37 + b"\r\n"


def pdf(size: int, marks: dict[int, bytes], filler: bytes = b" ") -> bytes:
    """A valid one-page PDF of ``size`` bytes whose content stream (blank: spaces) holds the given
    line-end bytes at the given offsets of the file; ``filler`` repeated fills the rest of it."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]
    body, offsets = bytearray(head), []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    offsets.append(len(body))
    tail_size = 260  # the xref table and trailer below, padded to this
    framing = len(b"4 0 obj\n<< /Length 0000000 >>\nstream\n") + len(b"\nendstream\nendobj\n")
    length = size - len(body) - framing - tail_size
    body += b"4 0 obj\n<< /Length %07d >>\nstream\n" % length
    stream_start = len(body)
    body += (filler * (length // len(filler) + 1))[:length]
    for offset, mark in marks.items():
        assert stream_start <= offset < stream_start + length - len(mark), offset
        body[offset:offset + len(mark)] = mark
    body += b"\nendstream\nendobj\n"
    xref = len(body)
    table = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = table + b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    body += trailer
    body += b"\n" * (size - len(body))
    assert len(body) == size
    return bytes(body)


def jpeg(size: int, marks: dict[int, bytes], filler: bytes = b" ") -> bytes:
    """A valid JPEG photo of ``size`` bytes: comment segments (spaces) holding the given bytes at
    the given offsets (``filler`` repeated elsewhere), then the picture."""
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(picture, "JPEG")
    image = picture.getvalue()
    room = size - len(image)
    out = bytearray(b"\xff\xd8")
    while room - len(out) + 2 > 0:
        payload = min(65533, room - len(out) + 2 - 4)
        out += b"\xff\xfe" + (payload + 2).to_bytes(2, "big")
        start = len(out)
        out += (filler * (payload // len(filler) + 1))[:payload]
        for offset, mark in marks.items():
            if start <= offset and offset + len(mark) <= start + payload:
                out[offset:offset + len(mark)] = mark
    out += image[2:]
    assert len(out) == size, (len(out), size)
    assert all(out[o:o + len(m)] == m for o, m in marks.items())
    return bytes(out)
