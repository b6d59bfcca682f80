"""How values and references are spelled in SpreadsheetML text: escapes, attributes, A1 ranges, serials.

The package editor changes XML as text (a parse and re-serialisation would rewrite every byte of
a large worksheet), so these small helpers are what it, the openpyxl writer and the list sheet
share to read a tag's attributes, write text and numbers, and name cell ranges.
"""

from __future__ import annotations

import datetime as dt
import re

from sheetkit.core.cells import column_index, column_letter
from sheetkit.errors import WriteError

__all__ = [
    "Box",
    "attributes",
    "excel_serial",
    "format_number",
    "ooxml_text",
    "parse_range",
    "range_ref",
    "set_attribute",
    "xml_escape",
]

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES = {**_XML_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}

Box = tuple[int, int, int, int]
"""A cell range as (first column, first row, last column, last row), 1-based."""


def ooxml_text(text: str) -> str:
    """Text as Excel stores it: control characters as _xHHHH_, and a literal _xHHHH_ protected.

    XML cannot hold most control characters; Excel escapes them this way and reads them back.
    """
    if "_x" in text:
        text = _ESCAPE_LOOKALIKE.sub("_x005F_", text)
    return _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def parse_range(ref: str) -> Box | None:
    """'B2:D9' -> (2, 2, 4, 9); 'C3' -> (3, 3, 3, 3); None for what is not one A1 range."""
    match = _RANGE.match(ref.strip())
    if match is None:
        return None
    c1, r1 = column_index(match.group(1)), int(match.group(2))
    if match.group(3) is None:
        return c1, r1, c1, r1
    return c1, r1, column_index(match.group(3)), int(match.group(4))


def range_ref(c1: int, r1: int, c2: int, r2: int) -> str:
    """(2, 2, 4, 9) -> 'B2:D9'; a single cell as 'C3'."""
    first = f"{column_letter(c1)}{r1}"
    return first if (c1, r1) == (c2, r2) else f"{first}:{column_letter(c2)}{r2}"


def attributes(text: str) -> dict[str, str]:
    """The attributes of a start tag, values still XML-escaped (so they can be written back)."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        value = match.group(2)
        found[match.group(1)] = value if value is not None else match.group(3).replace('"', "&quot;")
    return found


def set_attribute(tag: str, name: str, value: str) -> str:
    """Set one attribute in a start tag given without its closing bracket."""
    pattern = re.compile(rf'(\s{name}=)(?:"[^"]*"|\'[^\']*\')')
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{m.group(1)}"{value}"', tag, count=1)
    return f'{tag} {name}="{value}"'


def xml_escape(text: str, quote: bool = True) -> str:
    """Escape for element text, or (quote=True) for a double-quoted attribute value."""
    table = _ATTR_ESCAPES if quote else _XML_ESCAPES
    return re.sub('[&<>"\r\n\t]', lambda m: table.get(m.group(), m.group()), text)


def excel_serial(value: dt.date, date1904: bool) -> int | float:
    """A date (or datetime) as Excel's serial number in the workbook's date system.

    The 1900 system counts a 29 February 1900 that never was, so dates before March 1900 are
    one less than a plain count from 1899-12-30.
    """
    epoch = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
    day = value.date() if isinstance(value, dt.datetime) else value
    days = (day - epoch).days
    if not date1904 and day < dt.date(1900, 3, 1):
        days -= 1
    if days < (0 if date1904 else 1):
        raise WriteError(
            f"{value.isoformat()} is before the workbook's first date "
            f"({'1904-01-01' if date1904 else '1900-01-01'}); Excel cannot store it as a date"
        )
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + seconds / 86400 if seconds else days
    return days


def format_number(value: int | float) -> str:
    """A number as the text of a <v> element (repr keeps every digit of a float)."""
    return str(value) if isinstance(value, int) else repr(value)
