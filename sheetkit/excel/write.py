"""Write computed cells into an Excel workbook: the package editor first, openpyxl as the fallback.

:func:`write_cells` is the one entry point. The package path (:mod:`sheetkit.excel.package`) edits
only the worksheet XML and the few parts that must follow; openpyxl (:mod:`sheetkit.excel.openpyxl_writer`)
rewrites the whole workbook and loses what it does not model, so it runs only when the package path
reports why it cannot. This module also holds what both engines share (which new columns get a
width, when an autoFilter or table grows, how text is made safe for XML, Excel date serials) and
the self-contained pieces the package path builds on: styles.xml date formats, table and
workbook.xml edits, and the raw-copying zip writer.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import IO, Literal

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from sheetkit.core.cells import CellUpdate, CellValue, column_index, column_letter, quote_sheet
from sheetkit.core.schema import Schema
from sheetkit.core.writeplan import WritePlan
from sheetkit.errors import WriteError
from sheetkit.excel.csv import write_csv
from sheetkit.runtime.atomic import atomic_replace
from sheetkit.runtime.gc_pause import gc_paused

__all__ = ["PackageUnsupported", "WriteOutcome", "write_cells", "write_plan"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_CHUNK = 1 << 20


class PackageUnsupported(Exception):
    """The package path cannot make this edit safely; ``reason`` says why (openpyxl may).

    Raised by :mod:`sheetkit.excel.package` (which re-exports it) and its helpers here.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


Engine = Literal["auto", "package", "openpyxl"]


@dataclass(frozen=True)
class WriteOutcome:
    """What :func:`write_cells` did: which engine wrote, why openpyxl was needed, how many cells."""

    engine: Literal["package", "openpyxl"]
    fallback_reason: str | None
    cells_written: int


def write_cells(
    src: Path,
    dst: Path,
    sheet: str,
    updates: Sequence[CellUpdate],
    *,
    header_row: int,
    new_columns: Sequence[int] = (),
    date_format: str = "yyyy-mm-dd",
    engine: Engine = "auto",
) -> WriteOutcome:
    """Write ``updates`` into worksheet ``sheet`` of workbook ``src``, saving the result as ``dst``.

    Every cell, style and part not named by an update is kept. ``new_columns`` are the columns
    appended right of the table: their header copies the style of the header on its left, gets a
    width, and joins the sheet's autoFilter and Excel table when those end just before it.

    Raises:
        SheetNotFoundError: ``sheet`` is not a worksheet of ``src``.
        WriteError: ``src`` is not a workbook, an update cannot be written, or (engine="package")
            the package path cannot edit this workbook safely; ``dst`` is then not written.
    """
    from sheetkit.excel.openpyxl_writer import write_openpyxl
    from sheetkit.excel.package import write_package

    src, dst = Path(src), Path(dst)
    if engine not in ("auto", "package", "openpyxl"):
        raise WriteError(f"engine must be 'auto', 'package' or 'openpyxl' (got {engine!r})", path=str(dst))
    if src.resolve() == dst.resolve():
        raise WriteError(f"write_cells writes a new file: dst must differ from src ({src})", path=str(dst))
    if not src.is_file():
        raise WriteError(f"cannot write into {src}: no such file", path=str(src))
    columns = tuple(new_columns)
    reason: str | None = None
    # A big refresh makes 100,000s of short-lived containers and no cycles: collecting as they
    # come took ~0.1 s of a 100,000-row write (measured with gc.callbacks).
    with gc_paused():
        values = latest_values(updates, src)
        if engine != "openpyxl":
            try:
                written = write_package(
                    src, dst, sheet, values, header_row=header_row, new_columns=columns, date_format=date_format
                )
                return WriteOutcome("package", None, written)
            except PackageUnsupported as unsupported:
                if engine == "package":
                    raise WriteError(
                        f"cannot edit {src} sheet {sheet!r} in place: {unsupported.reason}; "
                        "use engine='auto' or 'openpyxl' to rewrite it with openpyxl",
                        path=str(src),
                    ) from unsupported
                reason = unsupported.reason
    written = write_openpyxl(
        src, dst, sheet, values, header_row=header_row, new_columns=columns, date_format=date_format
    )
    return WriteOutcome("openpyxl", reason, written)


def latest_values(updates: Sequence[CellUpdate], src: Path) -> dict[tuple[int, int], CellValue]:
    """Updates as {(row, column): value}, the last update of a cell winning; bad values raise.

    A refresh passes 100,000s of updates: they are checked a column at a time (C loops over
    row numbers, columns and value types), and one by one only when that finds something to
    look at, so the error names the first bad update.
    """
    rows = list(map(_ROW, updates))
    columns = list(map(_COLUMN, updates))
    values = list(map(_VALUE, updates))
    if not _plain_updates(rows, columns, values):
        return _checked_values(updates, src)
    return dict(zip(zip(rows, columns, strict=True), values, strict=True))


_ROW, _COLUMN, _VALUE = attrgetter("row"), attrgetter("column"), attrgetter("value")
_PLAIN_TYPES = frozenset([int, bool, str, float, dt.date, dt.datetime, type(None)])


def _plain_updates(rows: list[int], columns: list[int], values: list[CellValue]) -> bool:
    """Whether every update is in the grid and holds a plain value that needs no closer look."""
    if not rows:
        return True
    try:
        if min(rows) < 1 or max(rows) > 1_048_576 or min(columns) < 1 or max(columns) > 16_384:
            return False
    except TypeError:
        return False
    kinds = set(map(type, values))
    if not kinds <= _PLAIN_TYPES:
        return False  # subclasses and other types: judged one by one
    if str in kinds:
        text = "".join([v for v in values if type(v) is str])
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return False
    if float in kinds:
        return all(map(math.isfinite, [v for v in values if type(v) is float]))
    return True


def _checked_values(updates: Sequence[CellUpdate], src: Path) -> dict[tuple[int, int], CellValue]:
    values: dict[tuple[int, int], CellValue] = {}
    for update in updates:
        row, column, value = update.row, update.column, update.value
        if not (1 <= row <= 1_048_576 and 1 <= column <= 16_384):
            raise WriteError(f"{src}: row and column must be within Excel's grid (got {update})", path=str(src))
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as error:
                    raise _refused(src, update, f"text is not valid Unicode ({error.reason})") from error
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _refused(src, update, f"a cell cannot hold {value!r}; write None for a blank")
        elif value is not None and not isinstance(value, (int, dt.date)):
            raise _refused(
                src, update, f"value must be str, int, float, bool, date or None (got {type(value).__name__})"
            )
        values[(row, column)] = value
    return values


def _refused(src: Path, update: CellUpdate, why: str) -> WriteError:
    return WriteError(f"{src} cell {update.address}: {why}", path=str(src))


# -- semantics both engines share --------------------------------------------------------------

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")

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
    first = f"{column_letter(c1)}{r1}"
    return first if (c1, r1) == (c2, r2) else f"{first}:{column_letter(c2)}{r2}"


def header_width(header: str) -> float:
    """A readable width for a new column: its header plus a margin, between 12 and 60."""
    return float(max(12, min(60, len(header) + 2)))


@dataclass(frozen=True)
class ColumnPlan:
    """What appending ``new_columns`` means beyond their cells: widths, filter and table growth."""

    header_row: int
    new_columns: frozenset[int]
    headers: Mapping[int, str]

    @classmethod
    def build(
        cls, values: Mapping[tuple[int, int], CellValue], header_row: int, new_columns: Sequence[int]
    ) -> ColumnPlan:
        headers = {}
        for column in new_columns:
            text = values.get((header_row, column))
            headers[column] = text if isinstance(text, str) else ""
        return cls(header_row, frozenset(new_columns), headers)

    @property
    def widths(self) -> dict[int, float]:
        return {column: header_width(text) for column, text in sorted(self.headers.items())}

    def extend(self, box: Box | None) -> Box | None:
        """``box`` grown over the new columns when it starts at the header row and ends just
        before the first of them (so it is the table's range); None when it must stay as it is."""
        if box is None or box[1] != self.header_row or box[2] + 1 not in self.new_columns:
            return None
        last = box[2]
        while last + 1 in self.new_columns:
            last += 1
        return box[0], box[1], last, box[3]

    def table_names(self, box: Box, grown: Box, existing: Sequence[str]) -> list[str] | None:
        """Names of the table columns to add, or None when a header is missing or taken (a table
        column's name must equal its header cell and be unique)."""
        names = [self.headers.get(c, "") for c in range(box[2] + 1, grown[2] + 1)]
        taken = {name.casefold() for name in existing}
        if any(not name.strip() or name.casefold() in taken for name in names):
            return None
        if len({name.casefold() for name in names}) != len(names):
            return None
        return names


# -- XML text helpers -----------------------------------------------------------------------------

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTR_ESCAPES = {**_XML_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


def attributes(text: str) -> dict[str, str]:
    """The attributes of a start tag, values still XML-escaped (so they can be written back)."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        value = match.group(2)
        found[match.group(1)] = value if value is not None else match.group(3).replace('"', "&quot;")
    return found


def xml_escape(text: str, quote: bool = True) -> str:
    """Escape for element text, or (quote=True) for a double-quoted attribute value."""
    table = _ATTR_ESCAPES if quote else _XML_ESCAPES
    return re.sub('[&<>"\r\n\t]', lambda m: table.get(m.group(), m.group()), text)


def root_tag(text: str, local: str) -> tuple[str | None, str]:
    """(namespace prefix or None, attribute text) of the root element named ``local``."""
    match = re.search(rf"<(?:([\w.-]+):)?{local}\b([^>]*)>", text)
    if match is None:
        raise PackageUnsupported(f"no <{local}> root element where one was expected")
    return match.group(1), match.group(2)


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
    return str(value) if isinstance(value, int) else repr(value)


# -- styles.xml -----------------------------------------------------------------------------------

_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_NUMFMT = re.compile(r"<numFmt\b([^>]*?)/?>")
_NUMFMTS = re.compile(r"<numFmts\b([^>]*?)(?:/>|>(.*?)</numFmts>)", re.S)
_CELLXFS = re.compile(r"<cellXfs\b([^>]*?)(?:/>|>(.*?)</cellXfs>)", re.S)
_XF = re.compile(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_PLAIN_XF = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'


class StyleBook:
    """The cell formats of styles.xml: which are dates, plus date formats added on demand.

    A date goes into a copy of the cell's own format (font, fill, border kept) with the date
    number format; one copy per original format, shared by every date cell that had it.
    """

    def __init__(self, xml: str | None, date_format: str) -> None:
        self.xml = xml
        self.date_format = date_format
        self.formats: dict[int, str] = {}
        self.xfs: list[str] = []
        self.added: list[str] = []
        self.new_format: str | None = None
        self.format_id: int | None = None
        self.cache: dict[int, int] = {}
        self.dates: dict[int, bool] = {}
        if xml is None:
            return
        prefix, attrs = root_tag(xml, "styleSheet")
        if prefix is not None or STRICT_NS in attrs:
            raise PackageUnsupported("styles.xml uses a prefixed or strict namespace")
        for match in _NUMFMT.finditer(xml):
            found = attributes(match.group(1))
            if found.get("numFmtId", "").isdigit():
                self.formats[int(found["numFmtId"])] = html.unescape(found.get("formatCode", ""))
        cell_xfs = _CELLXFS.search(xml)
        if cell_xfs is not None:
            self.xfs = _XF.findall(cell_xfs.group(2) or "")

    def is_date(self, index: int) -> bool:
        if index not in self.dates:
            format_id = -1
            if 0 <= index < len(self.xfs):
                format_id = int(attributes(self.xfs[index].split(">", 1)[0]).get("numFmtId", "0"))
            code = self.formats.get(format_id)
            self.dates[index] = format_id in _DATE_FORMAT_IDS or (code is not None and is_date_format(code))
        return self.dates[index]

    def date_style(self, base: int) -> int:
        """The cellXfs index to give a date cell whose current format index is ``base``."""
        if self.is_date(base):
            return base
        if base not in self.cache:
            if self.xml is None or _CELLXFS.search(self.xml) is None:
                raise PackageUnsupported("no cellXfs in styles.xml to hold a date format")
            template = self.xfs[base] if 0 <= base < len(self.xfs) else _PLAIN_XF
            tag, rest = re.match(r"(<xf\b[^>]*?)\s*(/?>.*)", template, re.S).groups()  # type: ignore[union-attr]
            tag = set_attribute(tag, "numFmtId", str(self._format_id()))
            tag = set_attribute(tag, "applyNumberFormat", "1")
            self.cache[base] = len(self.xfs) + len(self.added)
            self.added.append(tag + rest)
        return self.cache[base]

    def _format_id(self) -> int:
        if self.format_id is None:
            builtin = {code: number for number, code in BUILTIN_FORMATS.items()}
            custom = [number for number, code in self.formats.items() if code == self.date_format]
            if self.date_format in builtin:
                self.format_id = builtin[self.date_format]
            elif custom:
                self.format_id = custom[0]
            else:
                self.format_id = max([163, *self.formats]) + 1
                self.new_format = f'<numFmt numFmtId="{self.format_id}" formatCode="{xml_escape(self.date_format)}"/>'
        return self.format_id

    def render(self) -> str | None:
        """styles.xml with the added formats appended (counts updated), or None if unchanged."""
        if self.xml is None or not self.added:
            return None
        xml = self.xml
        if self.new_format is not None:
            numfmts = _NUMFMTS.search(xml)
            if numfmts is not None and numfmts.group(2) is not None:
                count = len(_NUMFMT.findall(numfmts.group(2))) + 1
                inner = numfmts.group(2) + self.new_format
                opening = set_attribute(f"<numFmts{numfmts.group(1)}", "count", str(count))
                xml = xml[: numfmts.start()] + f"{opening}>{inner}</numFmts>" + xml[numfmts.end() :]
            else:
                if numfmts is not None:
                    xml = xml[: numfmts.start()] + xml[numfmts.end() :]
                root = re.search(r"<styleSheet\b[^>]*>", xml)
                assert root is not None  # checked in __init__
                block = f'<numFmts count="1">{self.new_format}</numFmts>'
                xml = xml[: root.end()] + block + xml[root.end() :]
        cell_xfs = _CELLXFS.search(xml)
        if cell_xfs is None or cell_xfs.group(2) is None:
            raise PackageUnsupported("styles.xml has an empty <cellXfs>")
        opening = set_attribute(f"<cellXfs{cell_xfs.group(1)}", "count", str(len(self.xfs) + len(self.added)))
        body = cell_xfs.group(2) + "".join(self.added)
        return xml[: cell_xfs.start()] + f"{opening}>{body}</cellXfs>" + xml[cell_xfs.end() :]


def set_attribute(tag: str, name: str, value: str) -> str:
    """Set one attribute in a start tag given without its closing bracket."""
    pattern = re.compile(rf'(\s{name}=)(?:"[^"]*"|\'[^\']*\')')
    if pattern.search(tag):
        return pattern.sub(lambda m: f'{m.group(1)}"{value}"', tag, count=1)
    return f'{tag} {name}="{value}"'


# -- part edits: tables and workbook.xml -------------------------------------------------------

_AUTOFILTER_REF = re.compile(r'(<autoFilter\b[^>]*?\bref=")([^"]*)(")')
_TABLE_COLUMNS = re.compile(r"<tableColumns\b([^>]*)>(.*?)</tableColumns>", re.S)


def extend_table(plan: ColumnPlan, xml: str) -> str | None:
    """A table part grown over the new columns (ref, autoFilter, tableColumns), or None."""
    prefix, attrs = root_tag(xml, "table")
    if prefix is not None or STRICT_NS in attrs:
        raise PackageUnsupported("a table part uses a prefixed or strict namespace")
    found = attributes(attrs)
    box = parse_range(found.get("ref", ""))
    grown = plan.extend(box)
    columns = _TABLE_COLUMNS.search(xml)
    if found.get("headerRowCount", "1") == "0" or box is None or grown is None or columns is None:
        return None
    existing = [attributes(m.group(1)) for m in re.finditer(r"<tableColumn\b([^>]*?)/?>", columns.group(2))]
    names = plan.table_names(box, grown, [html.unescape(c.get("name", "")) for c in existing])
    if names is None:
        return None
    next_id = max([0, *(int(c["id"]) for c in existing if c.get("id", "").isdigit())]) + 1
    added = "".join(
        f'<tableColumn id="{next_id + i}" name="{xml_escape(ooxml_text(name))}"/>' for i, name in enumerate(names)
    )
    opening = set_attribute(f"<tableColumns{columns.group(1)}", "count", str(len(existing) + len(names)))
    xml = xml[: columns.start()] + f"{opening}>{columns.group(2)}{added}</tableColumns>" + xml[columns.end() :]
    table = re.search(r"<table\b([^>]*)>", xml)
    assert table is not None
    tag = set_attribute(f"<table{table.group(1).rstrip('/')}", "ref", range_ref(*grown))
    xml = xml[: table.start()] + tag + (" />" if table.group(1).endswith("/") else ">") + xml[table.end() :]

    def grow_filter(match: re.Match[str]) -> str:
        inner = parse_range(match.group(2))
        if inner is None or inner[2] != box[2]:
            return match.group(0)
        return match.group(1) + range_ref(inner[0], inner[1], grown[2], inner[3]) + match.group(3)

    return _AUTOFILTER_REF.sub(grow_filter, xml, count=1)


def edit_workbook(text: str, sheet_index: int, sheet: str, filter_box: Box | None) -> str:
    """Ask Excel to recalculate on open; keep the hidden _FilterDatabase name on the autoFilter."""
    if filter_box is not None:
        c1, r1, c2, r2 = filter_box
        new_ref = xml_escape(f"{quote_sheet(sheet)}!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}", quote=False)

        def rename(match: re.Match[str]) -> str:
            attrs = attributes(match.group(1))
            if attrs.get("name") == "_xlnm._FilterDatabase" and attrs.get("localSheetId") == str(sheet_index):
                return f"<definedName{match.group(1)}>{new_ref}</definedName>"
            return match.group(0)

        text = re.sub(r"<definedName\b([^>]*)>(.*?)</definedName>", rename, text, flags=re.S)
    calc = re.search(r"<calcPr\b([^>]*?)(/?)>", text)
    if calc is not None:
        attrs = calc.group(1)
        if "fullCalcOnLoad=" in attrs:
            attrs = re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', attrs)
        else:
            attrs += ' fullCalcOnLoad="1"'
        return text[: calc.start()] + f"<calcPr{attrs}{calc.group(2)}>" + text[calc.end() :]
    later = (
        r"<(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|webPublishing|"
        r"fileRecoveryPr|webPublishObjects|extLst)\b|</workbook>"
    )
    spot = re.search(later, text)
    if spot is None:
        raise PackageUnsupported("workbook.xml has no </workbook>")
    return text[: spot.start()] + '<calcPr fullCalcOnLoad="1"/>' + text[spot.start() :]


def drop_relationships(text: str, kind: str) -> str:
    def keep(match: re.Match[str]) -> str:
        return "" if attributes(match.group(1)).get("Type", "").endswith("/" + kind) else match.group(0)

    return re.sub(r"<Relationship\b([^>]*?)(?:/>|>\s*</Relationship>)", keep, text)


# -- the zip container ----------------------------------------------------------------------------


class CompressedSink:
    """A zip member being produced: compressed as it is written (to a spooled temporary file),
    with its CRC and sizes tracked, so a large worksheet never sits in memory."""

    def __init__(self, method: int) -> None:
        if method not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            raise PackageUnsupported(f"zip compression method {method}")
        self.method = method
        self._zip = zlib.compressobj(6, zlib.DEFLATED, -15) if method == zipfile.ZIP_DEFLATED else None
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 - add_sink closes it
        self.crc = 0
        self.size = 0
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, data: bytes) -> None:
        self.write_pieces([data])

    def write_pieces(self, pieces: list[bytes]) -> None:
        """Write the concatenation of ``pieces``, joined once with the rest of the chunk."""
        self._pending += pieces
        self._pending_size += sum(map(len, pieces))
        if self._pending_size >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.file.write(self._zip.compress(data) if self._zip is not None else data)

    def finish(self) -> int:
        """Flush everything; return the compressed size and rewind for reading."""
        self._flush()
        if self._zip is not None:
            self.file.write(self._zip.flush())
            self._zip = None
        size = self.file.tell()
        self.file.seek(0)
        return size


class ZipAssembler:
    """Writes a zip from members copied raw (compressed bytes untouched) or freshly compressed.

    zipfile can only recompress what it copies; copying the compressed bytes keeps unchanged
    parts byte for byte and skips the work.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.central: list[bytes] = []

    def _header(self, info: zipfile.ZipInfo, method: int, crc: int, csize: int, usize: int, flags: int) -> None:
        offset = self.out.tell()
        if max(csize, usize, offset) >= 0xFFFFFFFF or len(self.central) >= 0xFFFF:
            raise PackageUnsupported("the workbook needs ZIP64")
        try:
            name = info.filename.encode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeEncodeError:
            name, flags = info.filename.encode("utf-8"), flags | 0x800
        year, month, day, hour, minute, second = info.date_time
        dos_time = hour << 11 | minute << 5 | second // 2
        dos_date = max(0, year - 1980) << 9 | month << 5 | day
        version = 20 if method == zipfile.ZIP_DEFLATED else 10
        self.out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                version,
                flags,
                method,
                dos_time,
                dos_date,
                crc,
                csize,
                usize,
                len(name),
                0,
            )
            + name
        )
        self.central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                info.create_system << 8 | max(info.create_version, 20),
                version,
                flags,
                method,
                dos_time,
                dos_date,
                crc,
                csize,
                usize,
                len(name),
                0,
                0,
                0,
                info.internal_attr,
                info.external_attr & 0xFFFFFFFF,
                offset,
            )
            + name
        )

    def copy_raw(self, info: zipfile.ZipInfo, raw: IO[bytes]) -> None:
        if info.flag_bits & 0x1:
            raise PackageUnsupported(f"zip member {info.filename} is encrypted")
        raw.seek(info.header_offset)
        local = raw.read(30)
        if local[:4] != b"PK\x03\x04":
            raise PackageUnsupported(f"zip member {info.filename} has a damaged header")
        name_length, extra_length = struct.unpack("<2H", local[26:30])
        raw.seek(info.header_offset + 30 + name_length + extra_length)
        self._header(info, info.compress_type, info.CRC, info.compress_size, info.file_size, info.flag_bits & 0x806)
        remaining = info.compress_size
        while remaining:
            block = raw.read(min(remaining, _CHUNK))
            if not block:
                raise PackageUnsupported(f"zip member {info.filename} is truncated")
            self.out.write(block)
            remaining -= len(block)

    def add_sink(self, info: zipfile.ZipInfo, sink: CompressedSink) -> None:
        csize = sink.finish()
        self._header(info, sink.method, sink.crc, csize, sink.size, info.flag_bits & 0x800)
        shutil.copyfileobj(sink.file, self.out, _CHUNK)
        sink.file.close()

    def close(self) -> None:
        start = self.out.tell()
        directory = b"".join(self.central)
        self.out.write(directory)
        count = len(self.central)
        self.out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))


def write_plan(
    plan: WritePlan,
    *,
    source: Path,
    target: Path,
    sheet: str,
    schema: Schema,
    backup: bool = True,
    engine: Literal["auto", "package", "openpyxl"] = "auto",
) -> tuple[str, str | None]:
    """Write the planned cells into ``target`` (a copy of ``source`` when they differ), atomically.

    Returns:
        (engine used, reason for the openpyxl fallback or None).
    """
    suffix = source.suffix.lower()
    if suffix == ".csv":
        with atomic_replace(target, backup=backup) as temporary:
            write_csv(plan, source, temporary, schema)
        return "csv", None
    if suffix not in (".xlsx", ".xlsm"):
        raise WriteError(
            f"cannot write computed columns into {source.name}: sheetkit writes .xlsx, .xlsm and .csv files; "
            f"save the workbook as .xlsx first (validation works on {suffix} as it is)",
            path=str(source),
        )
    with atomic_replace(target, backup=backup) as temporary:
        outcome = write_cells(
            source,
            temporary,
            sheet,
            plan.updates,
            header_row=plan.header_row,
            new_columns=plan.new_columns,
            date_format=schema.date_format,
            engine=engine,
        )
    return outcome.engine, outcome.fallback_reason
