"""What every request body goes through before a view reads it: multipart limits that count what
they mean to, and a body whose framing is broken answered 400.

Werkzeug applies ``max_form_memory_size`` to the decoder's whole buffer, file data included: a CR
or LF near the end of one 64 KiB read is kept back (it may start a boundary), the next read is
added to it, and an ordinary PDF or JPEG was refused as a "too large" form at random. Here the
limit counts text parts only (each one, as its name says); file parts are bounded by the request's
``max_content_length`` (the sum of the form's declared files), and each file by its declared size
(``contact.files``), which says which field was too large.

A chunked body whose framing is broken (a bad size line, a missing CRLF, a bad trailer) makes the
server's input stream raise while a view reads it: gunicorn raises its own parse errors, Werkzeug's
server an ``OSError``. ``FramingGuard`` turns any of them into a 400 instead of a 500.

JSON bodies are UTF-8 (RFC 8259 §8.1): the gateway's own reader (``http.read_json``) and the one
Flask-WTF uses (``GatewayRequest.get_json``) refuse any other encoding.
"""

from __future__ import annotations

import typing as t

from flask import Request
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# A text part of a form: no declared field is this long (the longest, a message, is 5,000).
TEXT_PART_LIMIT = 64 * 1024


class TextPartTooLarge(RequestEntityTooLarge):
    """One text part of a form is over the limit; ``field`` names it."""

    def __init__(self, field: str, limit: int):
        super().__init__(f"{field or 'a text part'} is over {limit // 1024} KiB of text")
        self.field = field


class TextPartsParser(MultiPartParser):
    """Werkzeug's multipart parser with ``max_form_memory_size`` applied to each text part only."""

    def parse(self, stream: t.IO[bytes], boundary: bytes, content_length: int | None
              ) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
        decoder = MultipartDecoder(boundary, max_parts=self.max_form_parts)
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        opened: list[t.IO[bytes]] = []
        try:
            self._decode(stream, decoder, content_length, fields, files, opened)
        except BaseException:
            for container in opened:  # spooled to disk past 500 KB: closed, not left to the collector
                container.close()
            raise
        return self.cls(fields), self.cls(files)

    def _decode(self, stream: t.IO[bytes], decoder: MultipartDecoder, content_length: int | None,
                fields: list[tuple[str, str]], files: list[tuple[str, FileStorage]],
                opened: list[t.IO[bytes]]) -> None:
        part: Field | File | None = None
        chunks: list[bytes] = []
        container: t.IO[bytes] | None = None
        text_size = 0
        while True:
            data = stream.read(self.buffer_size)
            decoder.receive_data(data or None)
            event = decoder.next_event()
            while not isinstance(event, (Epilogue, NeedData)):
                if isinstance(event, File):
                    part, container = event, self.start_file_streaming(event, content_length)
                    opened.append(container)
                elif isinstance(event, Field):
                    part, container, chunks, text_size = event, None, [], 0
                elif isinstance(event, Data) and part is not None:
                    if container is not None:
                        container.write(event.data)
                    else:
                        text_size += len(event.data)
                        limit = self.max_form_memory_size
                        if limit is not None and text_size > limit:
                            raise TextPartTooLarge(part.name, limit)
                        chunks.append(event.data)
                    if not event.more_data:
                        if container is not None and isinstance(part, File):
                            container.seek(0)
                            files.append((part.name, FileStorage(container, part.filename, part.name,
                                                                 headers=part.headers)))
                        else:
                            charset = self.get_part_charset(part.headers)
                            fields.append((part.name, b"".join(chunks).decode(charset, "replace")))
                        part = None
                event = decoder.next_event()
            if not data:
                break


class GatewayFormParser(FormDataParser):
    def _parse_multipart(self, stream: t.IO[bytes], mimetype: str, content_length: int | None,
                         options: dict[str, str]) -> tuple[t.IO[bytes], MultiDict[str, t.Any],
                                                           MultiDict[str, t.Any]]:
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        parser = TextPartsParser(stream_factory=self.stream_factory, max_form_parts=self.max_form_parts,
                                 max_form_memory_size=self.max_form_memory_size, cls=self.cls)
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


class GatewayRequest(Request):
    """Flask's request with the gateway's form parser (every form, the hosted ones included), and
    a ``get_json`` (what Flask-WTF reads when a form is posted as JSON) that refuses, as a 400,
    what the standard library would accept or crash on: a body that is not UTF-8 (``json.loads``
    guesses UTF-16 and UTF-32) and one nested past the interpreter's recursion limit."""

    form_data_parser_class = GatewayFormParser

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> t.Any | None:
        if force or self.is_json:
            try:
                self.get_data(cache=True).decode("utf-8")
            except UnicodeDecodeError:
                return None if silent else self.on_json_loading_failed(ValueError("the body is not UTF-8"))
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            return None if silent else self.on_json_loading_failed(ValueError("the body nests too deep"))


class BrokenFraming(BadRequest):
    description = "the request body's framing is broken (chunk size, line ends or trailer)"


class _GuardedInput:
    """The server's input stream, with any error it raises while reading (bad framing, a client
    gone mid-body) turned into ``BrokenFraming``."""

    def __init__(self, stream: t.Any):
        self._stream = stream

    def read(self, *args: t.Any) -> bytes:
        return t.cast(bytes, self._guard(self._stream.read, *args))

    def readline(self, *args: t.Any) -> bytes:
        return t.cast(bytes, self._guard(self._stream.readline, *args))

    def readlines(self, *args: t.Any) -> list[bytes]:
        return t.cast(list[bytes], self._guard(self._stream.readlines, *args))

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.readline, b"")

    @staticmethod
    def _guard(method: t.Callable[..., t.Any], *args: t.Any) -> t.Any:
        try:
            return method(*args)
        except BadRequest:
            raise
        except Exception as exc:  # gunicorn's parse errors, Werkzeug's OSError, a reset connection
            raise BrokenFraming() from exc


class FramingGuard:
    """WSGI middleware: the input stream every layer above reads is ``_GuardedInput``."""

    def __init__(self, app: WSGIApplication):
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is not None:
            environ["wsgi.input"] = _GuardedInput(stream)
        return self.app(environ, start_response)
