"""A1 notation for the Sheets emulator: parse ranges the way Google does and print them back.

Google accepts ``Sheet1``, ``'It''s'!A1:C``, ``A1:B2`` (first sheet), ``2:5``, ``A:A``, ``D4:A1``
(reversed) and named ranges, and answers with a normalized, bounded range such as
``Sheet1!A1:C1000`` or ``'My Sheet'!A1``. This module knows only strings and numbers; the
grid size and sheet titles come from the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sheetkit.core import cells

_CELL_RE = re.compile(r"^\$?([A-Za-z]{0,3})\$?(\d*)$")
_SIMPLE_TITLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL_RE = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|TRUE|FALSE|true|false)$")


class A1Error(ValueError):
    """A range string that Google would answer with "Unable to parse range"."""


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA" (0-based, as the API's grid indexes count)."""
    return cells.column_letter(index + 1)


def column_index(letters: str) -> int:
    """ "A" -> 0, "AA" -> 26 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str) -> str:
    """Quote a sheet title the way Google prints it in ranges (``'My Sheet'``, ``'D3'``, ``Sheet1``)."""
    if _SIMPLE_TITLE_RE.match(title) and not _LOOKS_LIKE_CELL_RE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class CellSpan:
    """Zero-based, end-exclusive bounds of a range; None means "to the edge of the grid"."""

    start_row: int | None
    end_row: int | None
    start_col: int | None
    end_col: int | None


@dataclass(frozen=True)
class ParsedRange:
    """A range string split into its sheet part (None: first sheet) and its cell part (None: whole sheet)."""

    sheet: str | None
    span: CellSpan | None
    text: str


def split_sheet(text: str) -> tuple[str | None, str]:
    """Split ``'It''s'!A1`` into (``It's``, ``A1``); no ``!`` gives (None, text)."""
    if text.startswith("'"):
        i = 1
        name = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(name), ""
                if rest.startswith("!"):
                    return "".join(name), rest[1:]
                raise A1Error(text)
            name.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        sheet, _, cells = text.rpartition("!")
        return sheet, cells
    return None, text


def parse_cells(cells: str) -> CellSpan:
    """Parse ``A1``, ``A1:B2``, ``A:C``, ``2:5``, ``A1:C``, ``A1:1`` into a normalized CellSpan."""
    parts = cells.split(":")
    if len(parts) not in (1, 2) or not all(parts):
        raise A1Error(cells)
    parsed: list[tuple[int | None, int | None]] = []
    for part in parts:
        m = _CELL_RE.match(part.strip())
        if not m or (not m.group(1) and not m.group(2)):
            raise A1Error(cells)
        col = column_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            raise A1Error(cells)
        parsed.append((row, col))
    if len(parsed) == 1:
        row, col = parsed[0]
        if row is None or col is None:  # "A" or "5" alone is not a range
            raise A1Error(cells)
        return CellSpan(row, row + 1, col, col + 1)
    (r1, c1), (r2, c2) = parsed
    # "A:B" and "2:3" need both ends of the same kind; "A1:C" and "A1:1" are open-ended.
    if (r1 is None) != (r2 is None) and r1 is None:
        raise A1Error(cells)
    if (c1 is None) != (c2 is None) and c1 is None:
        raise A1Error(cells)
    rows = sorted(x for x in (r1, r2) if x is not None)
    cols = sorted(x for x in (c1, c2) if x is not None)
    start_row = rows[0] if rows else None
    end_row = rows[-1] + 1 if len(rows) == 2 else None
    start_col = cols[0] if cols else None
    end_col = cols[-1] + 1 if len(cols) == 2 else None
    if r1 is not None and r2 is None:
        start_row = r1
    if c1 is not None and c2 is None:
        start_col = c1
    return CellSpan(start_row, end_row, start_col, end_col)


def looks_like_cells(text: str) -> bool:
    """True when text parses as a cell part (so ``A1`` means a cell, not a sheet called A1)."""
    try:
        parse_cells(text)
    except A1Error:
        return False
    return True


def format_span(start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """Bounded zero-based span -> ``A1`` or ``A1:C3``."""
    first = f"{column_letter(start_col)}{start_row + 1}"
    if end_row - start_row == 1 and end_col - start_col == 1:
        return first
    return f"{first}:{column_letter(end_col - 1)}{end_row}"


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """``Sheet1!A1:B2`` with the title quoted when Google would quote it."""
    return f"{quote_title(title)}!{format_span(start_row, end_row, start_col, end_col)}"
