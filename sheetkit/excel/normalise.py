"""Spellings of SpreadsheetML that common writers produce and the package editor rewrites into its own.

The editor changes XML as text and expects what Excel writes: UTF-8, the main namespace as the
default one, every row and cell with its ``r`` reference, shared formulas only where they are not
being overwritten. Other writers (the OpenXML SDK and ClosedXML: ``x:`` prefixes and byte-order
marks; streaming writers: rows and cells without ``r``; .NET: UTF-16) write the same content
another way. Rather than refuse those, the parts the editor must change are rewritten here into
the spelling it edits, meaning kept: everything else in the package is copied as it was.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Collection

from sheetkit.core.cells import column_index, column_letter
from sheetkit.errors import PackageUnsupported

__all__ = ["NO_REFERENCE", "decode_xml", "expand_shared", "number_cells", "translate_formula", "unprefix"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NO_REFERENCE = "without an r attribute"
"""What the row editors say when a row or cell has no reference (the editor then numbers them here)."""

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?\?>")
_DECLARED = re.compile(rb'^\s*<\?xml[^>]*?encoding=["\']([^"\']+)["\']')
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ROOT = re.compile(r"<(?!\?|!)(?:([\w.-]+):)?([\w.-]+)\b([^>]*)>")


def decode_xml(data: bytes, name: str) -> tuple[str, bool]:
    """A part's XML as text, and whether it was stored another way than plain UTF-8.

    A byte-order mark (UTF-8 or UTF-16) or a declared encoding is honoured, and the XML
    declaration then says UTF-8, so the text can be written back as UTF-8.
    """
    encoding = "utf-8"
    for bom, codec in _BOMS:
        if data.startswith(bom):
            encoding = codec
            break
    else:
        declared = _DECLARED.match(data)
        if declared is not None:
            encoding = declared.group(1).decode("ascii", "replace").lower()
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise PackageUnsupported(f"{name} is not readable as {encoding} text ({error})") from error
    if encoding in ("utf-8", "utf8"):
        return text, False
    declaration = _DECLARATION.match(text)
    if declaration is not None:
        fixed = re.sub(r"""encoding=["'][^"']*["']""", 'encoding="UTF-8"', declaration.group(0))
        text = fixed + text[declaration.end() :]
    return text, True


def unprefix(text: str) -> tuple[str, bool]:
    """The part with a prefixed SpreadsheetML main namespace (``<x:worksheet xmlns:x=...>``) made the
    default namespace, and whether it changed. Elements only: SpreadsheetML attributes are unqualified.
    """
    root = _ROOT.search(text)
    if root is None or root.group(1) is None:
        return text, False
    prefix, attrs = root.group(1), root.group(3)
    if f'xmlns:{prefix}="{MAIN_NS}"' not in attrs:
        return text, False  # a prefix for some other namespace: not SpreadsheetML, left alone
    default = re.search(r'\sxmlns="([^"]*)"', attrs)
    if default is not None and default.group(1) != MAIN_NS:
        raise PackageUnsupported(
            f"prefixed main-namespace elements (<{prefix}:{root.group(2)}>) beside another default namespace"
        )
    body = re.sub(rf"<(/?){re.escape(prefix)}:", r"<\1", text)
    if default is None:
        opening = _ROOT.search(body)
        assert opening is not None
        insert = opening.start(3)
        body = body[:insert] + f' xmlns="{MAIN_NS}"' + body[insert:]
    return body, True


_SHEETDATA = re.compile(r"<sheetData\b[^>]*?(?:/>|>(.*?)</sheetData>)", re.S)
_ROW_OR_CELL = re.compile(r"<(row|c)\b([^>]*?)(/?)>")
_R_ATTR = re.compile(r'\sr="([^"]*)"')
_REFERENCE = re.compile(r"^([A-Z]{1,3})(\d+)$")


def number_cells(text: str) -> str:
    """A worksheet whose rows and cells all carry ``r``: a row without one follows the row before it,
    a cell without one the cell before it (what Excel reads them as)."""
    found = _SHEETDATA.search(text)
    if found is None or found.group(1) is None:
        return text
    row, column = 0, 0

    def numbered(match: re.Match[str]) -> str:
        nonlocal row, column
        tag, attrs, empty = match.groups()
        given = _R_ATTR.search(attrs)
        if tag == "row":
            row = int(given.group(1)) if given is not None and given.group(1).isdigit() else row + 1
            column = 0
            return match.group(0) if given is not None else f'<row r="{row}"{attrs}{empty}>'
        if given is not None:
            ref = _REFERENCE.match(given.group(1))
            if ref is None or int(ref.group(2)) != row:
                raise PackageUnsupported(f"cell reference {given.group(1)!r} in row {row}")
            column = column_index(ref.group(1))
            return match.group(0)
        column += 1
        return f'<c r="{column_letter(column)}{row}"{attrs}{empty}>'

    inner = _ROW_OR_CELL.sub(numbered, found.group(1))
    return text[: found.start(1)] + inner + text[found.end(1) :]


# -- shared formulas ----------------------------------------------------------------------------

_CELL = re.compile(r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_SHARED = re.compile(r'<f\b([^>]*?)\bt="shared"([^>]*?)(?:/>|>(.*?)</f>)', re.S)
_SI = re.compile(r'\bsi="(\d+)"')
_REF_ATTR = re.compile(r'\sref="[^"]*"')


def expand_shared(text: str, masters: Collection[str]) -> str:
    """The worksheet with the shared formulas anchored at ``masters`` (cell references) written out
    as a plain formula in every cell that shares them, so overwriting a master changes no other cell.
    """
    groups: dict[str, tuple[int, int, str]] = {}  # si -> (column, row, formula text) of its master
    for cell in _CELL.finditer(text):
        body = cell.group(4) or ""
        shared = _SHARED.search(body) if "<f" in body else None
        if shared is None or f"{cell.group(1)}{cell.group(2)}" not in masters:
            continue
        si = _SI.search(shared.group(1) + shared.group(2))
        if si is not None and shared.group(3) and "ref=" in shared.group(0):
            groups[si.group(1)] = (column_index(cell.group(1)), int(cell.group(2)), _unescaped(shared.group(3)))
    if not groups:
        return text

    def plain(cell: re.Match[str]) -> str:
        body = cell.group(4) or ""
        shared = _SHARED.search(body) if "<f" in body else None
        si = _SI.search(shared.group(1) + shared.group(2)) if shared is not None else None
        if shared is None or si is None or si.group(1) not in groups:
            return cell.group(0)
        column, row, formula = groups[si.group(1)]
        moved = translate_formula(formula, int(cell.group(2)) - row, column_index(cell.group(1)) - column)
        attrs = _REF_ATTR.sub("", _SI.sub("", shared.group(1) + shared.group(2))).strip()
        element = f"<f{' ' + attrs if attrs else ''}>{_escaped(moved)}</f>"
        new_body = body[: shared.start()] + element + body[shared.end() :]
        start = cell.start(4) - cell.start()
        return cell.group(0)[:start] + new_body + "</c>"

    return _CELL.sub(plain, text)


def _unescaped(text: str) -> str:
    return html.unescape(text)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Pieces of a formula: a string literal, a quoted sheet name, then references (cell, whole
# column or whole row ranges), each not part of a longer name, a function call or a structured reference.
_FORMULA_PIECE = re.compile(
    r'(?P<string>"(?:[^"]|"")*")'
    r"|(?P<quoted>'(?:[^']|'')*')"
    r"|(?<![\w.$])(?P<cols>\$?[A-Z]{1,3}:\$?[A-Z]{1,3})(?![\w(\[])"
    r"|(?<![\w.$])(?P<rows>\$?\d+:\$?\d+)(?![\w(\[.])"
    r"|(?<![\w.$])(?P<cell>\$?[A-Z]{1,3}\$?\d+)(?![\w(\[])"
)
_CELL_PARTS = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")


def translate_formula(formula: str, rows: int, columns: int) -> str:
    """A shared formula as the cell ``rows`` down and ``columns`` right of its master reads it:
    relative references move, absolute ($) ones stay, strings and sheet names are left alone."""

    def column(text: str) -> str:
        if text.startswith("$"):
            return text
        return _checked_column(column_index(text) + columns)

    def row(text: str) -> str:
        if text.startswith("$"):
            return text
        moved = int(text) + rows
        if not 1 <= moved <= 1_048_576:
            raise PackageUnsupported(f"a shared formula ({formula}) would point outside the sheet")
        return str(moved)

    def moved(piece: re.Match[str]) -> str:
        kind = piece.lastgroup
        text = piece.group(0)
        if kind in ("string", "quoted"):
            return text
        if kind == "cols":
            return ":".join(column(part) for part in text.split(":"))
        if kind == "rows":
            return ":".join(row(part) for part in text.split(":"))
        parts = _CELL_PARTS.fullmatch(text)
        assert parts is not None
        dollar_c, letters, dollar_r, number = parts.groups()
        return f"{dollar_c}{letters if dollar_c else column(letters)}{dollar_r}{number if dollar_r else row(number)}"

    return _FORMULA_PIECE.sub(moved, formula)


def _checked_column(index: int) -> str:
    if not 1 <= index <= 16_384:
        raise PackageUnsupported("a shared formula would point outside the sheet")
    return column_letter(index)
