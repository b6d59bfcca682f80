"""Text for people: what a terminal may be shown, and what a spreadsheet may open safely.

A cell is the user's data, but it can hold anything a person (or an attacker) typed: terminal
escape sequences that recolour or rewrite the screen, and text a spreadsheet would run as a
formula when a CSV is opened (OWASP "CSV injection"). Every text output for a terminal goes
through :func:`printable`; every CSV written for people goes through :func:`spreadsheet_safe`.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional overrides and isolates can make a line read differently from what it holds.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun agreeing with it: "1 row", "2 rows", "0 rows" ("1 person", "3 people" with ``plural``)."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with control characters shown escaped (``\\x1b``), so a cell cannot drive the terminal.

    Line breaks stay when ``keep_newlines`` (sheetkit's own output is multi-line).
    """
    if text.isascii() and text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char in _BIDI or unicodedata.category(char) == "Cc":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell that a spreadsheet opens as text, never as a formula (OWASP CSV injection).

    A cell starting with = + - @ tab or carriage return gets a leading single quote, unless it
    is a plain number ("-2", "+3.5"): "=HYPERLINK(...)" becomes "'=HYPERLINK(...)".
    """
    if cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell
