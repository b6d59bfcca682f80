"""Cell addresses and the one value object every writer consumes.

A ``CellUpdate`` is one cell sheetkit means to change. Writers (the xlsx package editor,
the openpyxl fallback, the Google Sheets writer) take a list of them and touch nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

CellValue = str | int | float | bool | dt.date | None
"""A value sheetkit writes: text, number, boolean, date (written with a date format) or None
(clear the value, keep the cell's style)."""


class CellUpdate(NamedTuple):
    """Set one cell (1-based row and column) to ``value``.

    A NamedTuple rather than a frozen dataclass: a refresh of a big sheet makes one per changed
    cell (139,000 at 100,000 rows), and a tuple is built in half the time.
    """

    row: int
    column: int
    value: CellValue

    @property
    def address(self) -> str:
        return f"{column_letter(self.column)}{self.row}"


def column_letter(column: int) -> str:
    """1 -> 'A', 27 -> 'AA' (1-based, as spreadsheets count)."""
    if column < 1:
        raise ValueError(f"column must be >= 1 (got {column})")
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27; the inverse of :func:`column_letter`."""
    index = 0
    for char in letters.upper():
        if not "A" <= char <= "Z":
            raise ValueError(f"not a column letter: {letters!r}")
        index = index * 26 + (ord(char) - 64)
    if index == 0:
        raise ValueError("empty column letters")
    return index


_PLAIN_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def quote_sheet(sheet: str) -> str:
    """Quote a sheet name for an A1 reference the way Excel and Google do ('My Sheet'!A1)."""
    if _PLAIN_SHEET_NAME.match(sheet) and not re.match(r"^[A-Za-z]{1,3}[0-9]+$", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def a1(sheet: str, column: int, row: int) -> str:
    """A full cell reference: a1('Contacts', 9, 7) -> 'Contacts!I7'."""
    return f"{quote_sheet(sheet)}!{column_letter(column)}{row}"
