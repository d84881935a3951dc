"""CSV that a spreadsheet opens as text: every writer of the product goes through ``csv_writer``.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (``=HYPERLINK(...)`` sends the sheet's cells to another site,
``@SUM(...)``/``cmd|`` run more). Some of what we write comes from visitors (a browser name read from
a user agent), so every cell is neutralised as OWASP advises: prefixed with a ``'``, which the
spreadsheet shows as text and does not display. Numbers are written as they are (a negative number
is a number, not a formula).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

# OWASP "CSV Injection": the characters that make a cell a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: Any) -> Any:
    """``value`` as a cell no spreadsheet evaluates: text that opens like a formula gets a ``'``."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeWriter:
    """``csv.writer`` whose every cell is neutralised (``writerow``/``writerows`` as csv's)."""

    def __init__(self, out: _Writable, **options: Any):
        self._writer = csv.writer(out, **options)
        # csv quotes a cell holding "\n" but not one holding a lone "\r" (not in the line
        # terminator), which readers then take for the end of the line: such rows are all quoted.
        self._quoting_all = csv.writer(out, **{**options, "quoting": csv.QUOTE_ALL})

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [neutralise(cell) for cell in row]
        writer = self._quoting_all if any("\r" in c for c in cells if isinstance(c, str)) else self._writer
        return writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **options: Any) -> SafeWriter:
    """The one CSV writer of the product (``lineterminator="\\n"`` unless told otherwise)."""
    options.setdefault("lineterminator", "\n")
    return SafeWriter(out, **options)
