"""The rows of a worksheet's <sheetData>, streamed and edited in place.

A refresh rewrites a few cells on most rows of a large sheet, so the cost per row decides the
speed. The stream is cut into segments of whole rows, and one regex pass over a segment finds the
row starts. In an updated row, each updated cell is found by its reference (``<c r="P12"``) and
replaced by bytes built from a template cached per (old attributes, value type); everything
between two edits is copied as one slice, and a missing cell right of the last one is appended.
That is the fast path. A row it cannot edit that way (the header row, a missing cell to insert
between others, an updated cell holding a formula, rich text or an extLst, a reference it would
have to judge) goes to the general row editor, which parses the row's cells.

Both write the same bytes, with two exceptions tests/test_xlsx_rows.py pins down: the general
editor's cell splitter drops whitespace between cells of the rows it splits, and it refuses rows
holding cells without a reference (or a row extLst), which the fast path edits in place when the
updated cells themselves are plain, since nothing else in such a row has to move.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import IO

import numpy as np

from sheetkit.core.cells import CellValue, column_letter
from sheetkit.errors import PackageUnsupported, WriteError
from sheetkit.excel.part_edits import ColumnPlan, StyleBook
from sheetkit.excel.xml_text import attributes, excel_serial, format_number, ooxml_text, xml_escape

__all__ = ["SheetRows"]

_ROW_START = re.compile(rb"<row\b([^>]*?)(/?)>")
# A row start: its attributes (1), its number when r comes first as usual (2), "/" if empty (3).
_ROWS = re.compile(rb'<row\b((?: r="(\d+)")?[^>]*?)(/?)>')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
# The rest of an updated cell after '<c r="REF"' when it holds at most a value or plain text:
# its other attributes (group 1). Anything else in it (a formula, rich text, extLst) needs a look.
_SIMPLE_CELL = re.compile(rb"([^>]*?)(?:/>|>(?:<v>[^<]*</v>|<is><t(?: [^>]*)?>[^<]*</t></is>)?</c>)")
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ODD_CELL_START = re.compile(r"<c[\t\r\n>/]")
_FORMULA = re.compile(r"<f\b([^>]*?)/?>")
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"')
_ARRAY_REF = re.compile(rb'<f\b(?=[^>]*?\bt="array")[^>]*?\bref="([^"]+)"')
_UNKNOWN = object()

# Value types the fast path writes from templates; anything else (subclasses too) goes through
# cell_xml, which decides by isinstance.
_FAST_TYPES = frozenset([int, float, bool, str, dt.date, dt.datetime, type(None)])
_CACHE_LIMIT = 4096  # templates, numbers and dates kept each; a bound on memory, not a tuning knob


@dataclass
class _Cell:
    """One <c> element of an updated row: its raw XML and raw (still escaped) attributes."""

    xml: str
    attrs: dict[str, str] = field(default_factory=dict)
    body: str = ""


class SheetRows:
    """Streams <sheetData>: updated rows rewritten, missing rows created, the rest copied."""

    fast = True  # False: every updated row goes through the general editor (tests compare them)

    def __init__(
        self, values: Mapping[tuple[int, int], CellValue], plan: ColumnPlan, styles: StyleBook, date1904: bool
    ) -> None:
        # The updates in row-major order as flat lists (100,000s of small dicts would take
        # several times the memory): row rows[i] has the cells columns[k], values[k] for k in
        # range(starts[i], starts[i + 1]). rows ends with a sentinel beyond any row.
        # Sorted by numpy rather than by sorted(): ~0.2 s less for a refresh's 139,000 cells.
        count = len(values)
        row_of = np.fromiter(map(itemgetter(0), values), dtype=np.int64, count=count)
        column_of = np.fromiter(map(itemgetter(1), values), dtype=np.int64, count=count)
        order = np.lexsort((column_of, row_of))
        self._columns: list[int] = column_of[order].tolist()
        given = list(values.values())
        self._values: list[CellValue] = [given[i] for i in order.tolist()]
        rows, starts = np.unique(row_of[order], return_index=True)
        self.rows: list[int] = rows.tolist()
        self._starts = [*starts.tolist(), count]
        self.rows.append(1 << 62)
        self.plan = plan
        self._header = plan.header_row
        self.styles = styles
        self.date1904 = date1904
        self.col_styles: list[tuple[int, int, str]] = []  # (min, max, style) of styled <col>s
        self.formula_removed = False
        self.arrays: list[str] = []  # the ranges of the sheet's array formulas (ref="B3:B4")
        self._index = 0  # rows[_index] is the next updated row the stream has not reached
        self._previous = 0  # the last row number seen, to check rows come in order
        self._templates: dict[tuple[bytes, type], bytes | None] = {}
        self._serials: dict[dt.date, bytes] = {}  # value -> the cell's content and end tag
        self._numbers: dict[int, bytes] = {}  # the same for ints
        # b'<c r="LETTERS' by column, for the columns updated
        self._needles = {c: b'<c r="' + column_letter(c).encode("ascii") for c in np.unique(column_of).tolist()}

    # -- the stream -------------------------------------------------------------------------
    def stream(self, buf: bytes, reader: IO[bytes], write: Callable[[list[bytes]], None], chunk: int) -> bytes:
        """Copy <sheetData> content from ``buf`` then ``reader``, writing pieces of the output
        (``write`` joins them: copying them into one bytes here would be one copy more); return
        what follows </sheetData>."""
        searched = 0  # </sheetData> is not in buf[:searched]
        while True:
            # It can only follow the last </row> (finding it is slow: '>' is everywhere).
            end = buf.find(b"</sheetData>", max(searched, buf.rfind(b"</row>")))
            limit = end if end >= 0 else buf.rfind(b"<row")  # everything before it is whole rows
            if limit > 0:
                write(self.segment(buf[:limit]))
                buf = buf[limit:]
            if end >= 0:
                write([self.remaining()])
                return buf + reader.read()
            more = reader.read(chunk)
            if not more:
                raise PackageUnsupported("worksheet XML ends inside <sheetData>")
            searched = max(0, len(buf) - len(b"</sheetData>"))
            buf += more

    def remaining(self) -> bytes:
        """The updated rows after the last existing row, all new."""
        rows = self.rows[self._index : -1]
        self._index = len(self.rows) - 1
        return b"".join(self.new_row(r) for r in rows)

    def segment(self, seg: bytes) -> list[bytes]:
        """Whole rows in, their edited bytes out (as pieces to join)."""
        if seg.find(b'"array"') >= 0:  # an array formula's cells: writes inside it are refused later
            self.arrays += [ref.decode("ascii", "replace") for ref in _ARRAY_REF.findall(seg)]
        return self._fast_segment(seg) if self.fast else self._general_segment(seg)

    def _general_segment(self, seg: bytes) -> list[bytes]:
        """The segment with every updated row through :meth:`rewrite_row` (the editor before the
        fast path; kept so tests can hold the fast path to it)."""
        out: list[bytes] = []
        pending, index, previous, pos = self.rows, self._index, self._previous, 0
        for match in _ROW_START.finditer(seg):
            number = _ROW_NUMBER.search(match.group(1))
            if number is None:
                raise PackageUnsupported("a <row> without an r attribute")
            r = int(number.group(1))
            if r <= previous:
                raise PackageUnsupported(f"rows out of order (row {r} after row {previous})")
            previous = r
            if index >= len(pending) or pending[index] > r:
                continue  # untouched row: copied as part of a bulk slice
            if match.start() < pos:
                raise PackageUnsupported(f"row {r} starts inside the row before it")
            out.append(seg[pos : match.start()])
            pos = match.start()
            while index < len(pending) and pending[index] < r:
                out.append(self.new_row(pending[index]))
                index += 1
            if index < len(pending) and pending[index] == r:
                index += 1
                if match.group(2):
                    inner, pos = b"", match.end()
                else:
                    close = seg.find(b"</row>", match.end())
                    if close < 0:
                        raise PackageUnsupported(f"row {r} is not closed")
                    inner, pos = seg[match.end() : close], close + len(b"</row>")
                out.append(self.rewrite_row(r, match.group(1), inner))
        out.append(seg[pos:])
        self._index, self._previous = index, previous
        return out

    def _fast_segment(self, seg: bytes) -> list[bytes]:
        """The segment edited by the fast path (rows it cannot edit go to :meth:`rewrite_row`)."""
        out: list[bytes] = []
        pending, index, previous, pos = self.rows, self._index, self._previous, 0
        upcoming = pending[index]  # the next updated row (a sentinel beyond the last one)
        waiting: re.Match[bytes] | None = None  # an updated row, edited once its end is known
        waiting_number, waiting_index = b"", 0
        for match in _ROWS.finditer(seg):
            if waiting is not None:
                pos = self._edit_row(seg, waiting, waiting_number, waiting_index, match.start(), pos, out)
                waiting = None
            number = match.group(2)
            if number is None:  # r is not the first attribute, or missing
                found = _ROW_NUMBER.search(match.group(1))
                if found is None:
                    raise PackageUnsupported("a <row> without an r attribute")
                number = found.group(1)
            r = int(number)
            if r <= previous:
                raise PackageUnsupported(f"rows out of order (row {r} after row {previous})")
            previous = r
            if r < upcoming:
                continue
            if r > upcoming:  # updated rows that do not exist yet go before this one
                start = match.start()
                out.append(seg[pos:start])
                pos = start
                while upcoming < r:
                    out.append(self.new_row(upcoming))
                    index += 1
                    upcoming = pending[index]
                if r != upcoming:
                    continue
            waiting, waiting_number, waiting_index = match, number, index
            index += 1
            upcoming = pending[index]
        if waiting is not None:
            pos = self._edit_row(seg, waiting, waiting_number, waiting_index, len(seg), pos, out)
        out.append(seg[pos:])
        self._index, self._previous = index, previous
        return out

    def _edit_row(
        self, seg: bytes, match: re.Match[bytes], number: bytes, i: int, bound: int, pos: int, out: list[bytes]
    ) -> int:
        """Edit row rows[i] (its start tag is ``match``, its r attribute ``number``; it ends
        before ``bound``), appending to ``out`` the pieces from ``pos`` on; return where the
        copied input now stands.

        In place when every updated cell is there and holds at most a value (or is missing and
        goes after the last cell): each cell is found by its reference and replaced, so cells
        written another way elsewhere in the row do not matter. Anything else goes to
        :meth:`rewrite_row`, as does the header row.
        """
        r = int(number)
        start = match.end()
        if match.group(3):  # <row .../>
            out += [seg[pos : match.start()], self.rewrite_row(r, match.group(1), b"")]
            return start
        close = seg.rfind(b"</row>", start, bound)
        if close < 0:
            raise PackageUnsupported(f"row {r} is not closed")
        if r == self._header:
            return self._general_row(seg, match, r, close, pos, out)
        copy_from, head_at = pos, len(out)
        num = number if number[0] != 48 else b"%d" % r  # as the general editor writes it: no leading 0
        tail = num + b'"'
        templates, needles, serials, numbers = self._templates, self._needles, self._serials, self._numbers
        columns, values = self._columns, self._values
        last_col: int | None = None  # the last cell's column, worked out when a cell is appended
        row_style: str | object | None = _UNKNOWN
        look = start  # where the next updated cell is looked for: cells come in column order
        low = high = 0
        for k in range(self._starts[i], self._starts[i + 1]):
            col, value = columns[k], values[k]
            needle = needles[col] + tail
            at = seg.find(needle, look, close)
            if at >= 0:
                cell = _SIMPLE_CELL.match(seg, at + len(needle), close)
                if cell is None:
                    break
                rest, look = cell.group(1), cell.end()
            else:  # no such cell: goes after the last one, as in the general editor
                if last_col is None:
                    last_col = _last_column(seg, start, close, num)
                if last_col < 0 or col <= last_col or seg.find(b'r="' + needle[6:], start, close) >= 0:
                    break
                if value is None:
                    continue
                if row_style is _UNKNOWN:
                    row_style = _row_style(match.group(1))
                style = self.default_style(col, row_style)  # type: ignore[arg-type]
                rest = b' s="' + style.encode() + b'"' if style and style != "0" else b""
                at = look = close
            kind = type(value)
            template = templates.get((rest, kind))
            if template is None:
                template = self._template(rest, value)
                if template is None:
                    break
            if kind is int:
                out += [seg[pos:at], needle, template, numbers.get(value) or self._number(value)]  # type: ignore[arg-type]
            elif kind is dt.date:
                out += [seg[pos:at], needle, template, serials.get(value) or self._serial(value)]  # type: ignore[arg-type]
            elif value is not None:
                out += [seg[pos:at], needle, template, self._value_bytes(value, kind)]
            elif template:  # a cleared cell that keeps its style: <c r=".." s=".."/>
                out += [seg[pos:at], needle, template]
            else:  # a cleared cell with nothing left to keep goes: a cell without a reference
                break  # after it would move left, which the general editor checks for
            pos = look
            low, high = low or col, col
        else:
            if len(out) == head_at:  # nothing to write after all
                return copy_from
            attrs = match.group(1)
            if not high or attrs.find(b"spans=") < 0:  # (find: `in` on bytes costs a TypeError)
                return pos
            widened = self._spans(seg, start, close, num, attrs, low, high, last_col)
            if widened == attrs:
                return pos
            if widened is not None:
                head = out[head_at]
                cut = match.start() - copy_from
                out[head_at] = head[:cut] + b"<row" + widened + b">" + head[cut + len(match.group(0)) :]
                return pos
        del out[head_at:]
        return self._general_row(seg, match, r, close, copy_from, out)

    def _general_row(self, seg: bytes, match: re.Match[bytes], r: int, close: int, pos: int, out: list[bytes]) -> int:
        """Row r (from ``match`` to ``close``) through :meth:`rewrite_row`, after seg[pos:]."""
        out += [seg[pos : match.start()], self.rewrite_row(r, match.group(1), seg[match.end() : close])]
        return close + len(b"</row>")

    def _spans(
        self, seg: bytes, start: int, close: int, num: bytes, attrs: bytes, low: int, high: int, last_col: int | None
    ) -> bytes | None:
        """The row's attributes with spans widened as the general editor would; None when a
        reference needs the general editor's judgement."""
        first = seg.find(b'<c r="', start, close)
        first_col = _checked_column(seg, first, close, num) if first >= 0 else low
        if last_col is None:
            last_col = _last_column(seg, start, close, num)
        if first_col < 0 or last_col < 0:
            return None
        return _widen_spans(attrs, min(low, first_col), max(high, last_col))

    def _number(self, value: int) -> bytes:
        """<v>value</v></c>, cached: a refresh writes the same day counts over and over."""
        body = b"<v>%d</v></c>" % value
        if len(self._numbers) < _CACHE_LIMIT:
            self._numbers[value] = body
        return body

    def _serial(self, value: dt.date) -> bytes:
        """A date's content and end tag, cached: refreshes write few distinct dates."""
        serial = f"{self.value_xml(value)}</c>".encode()
        if len(self._serials) < _CACHE_LIMIT:
            self._serials[value] = serial
        return serial

    def _template(self, rest: bytes, value: CellValue) -> bytes | None:
        """What follows ``<c r="REF"`` in the new cell: its attributes and ``>`` (or ``/>`` for a
        cleared cell; empty when a cleared cell has nothing left to keep). None: use cell_xml.

        Built by the same :meth:`retype` the general editor uses, so both write the same bytes.
        """
        kind = type(value)
        template: bytes | None = None
        if kind in _FAST_TYPES:
            try:
                old = attributes(rest.decode("utf-8"))
            except UnicodeDecodeError:
                old = {"r": ""}
            if "r" not in old:
                attrs = self.retype({"r": "", **old}, value, None)
                del attrs["r"]
                text = _attr_text(attrs)
                closing = ">" if value is not None else "/>" if attrs else None
                template = f"{text}{closing}".encode() if closing else b""
        if len(self._templates) < _CACHE_LIMIT:
            self._templates[(rest, kind)] = template
        return template

    def _value_bytes(self, value: CellValue, kind: type) -> bytes:
        """The new cell's content and closing tag: what :meth:`value_xml` makes, some cached."""
        if kind is bool:
            return b"<v>1</v></c>" if value else b"<v>0</v></c>"
        if kind is dt.datetime:
            return self._serials.get(value) or self._serial(value)  # type: ignore[arg-type]
        return f"{self.value_xml(value)}</c>".encode()

    # -- rows and cells: the general editor -------------------------------------------------
    def cells(self, r: int) -> dict[int, CellValue]:
        """Row ``r``'s updates as {column: value}, in column order."""
        i = bisect_left(self.rows, r)
        lo, hi = self._starts[i], self._starts[i + 1]
        return dict(zip(self._columns[lo:hi], self._values[lo:hi], strict=True))

    def new_row(self, r: int) -> bytes:
        """A <row> that did not exist, holding only the updated cells that have a value."""
        cells = [
            self.cell_xml(r, col, value, None, self.default_style(col, None)) for col, value in self.cells(r).items()
        ]
        body = "".join(c for c in cells if c is not None)
        return f'<row r="{r}">{body}</row>'.encode() if body else b""

    def rewrite_row(self, r: int, row_attrs: bytes, inner: bytes) -> bytes:
        """Apply one row's updates, parsing only the updated cells; the others stay as they are.

        The usual row (every cell written ``<c r="..."``) is edited by finding each updated
        cell's reference; anything else, and the header row, goes through the cell splitter.
        """
        text = inner.decode("utf-8")
        if (
            r == self.plan.header_row
            or "<extLst" in text
            or text.count("<c ") != text.count('<c r="')
            or _ODD_CELL_START.search(text)
        ):
            return self._rewrite_split_row(r, row_attrs, text)
        edits: list[tuple[int, int, int, str]] = []
        number = str(r)
        last = text.rfind('<c r="')
        last_col = _ref_column(text, last, r) if last >= 0 else 0
        low, high = 16_385, 0
        row_style = _row_style(row_attrs)
        for col, value in self.cells(r).items():
            start = text.find(f'<c r="{_letters(col)}{number}"')
            if start >= 0:
                match = _CELL.match(text, start)
                if match is None:
                    raise PackageUnsupported(f"a cell in row {r} that cannot be parsed")
                old = _Cell(match.group(0), attributes(match.group(1)), match.group(2) or "")
                xml = self.cell_xml(r, col, value, old, None)
                edits.append((start, match.end(), col, xml or ""))
            else:
                xml = self.cell_xml(r, col, value, None, self.default_style(col, row_style))
                if xml is None:
                    continue
                spot = len(text) if col > last_col else _insertion_point(text, col, r)
                edits.append((spot, spot, col, xml))
            if xml:
                low, high = min(low, col), max(high, col)
        pieces, pos = [], 0
        for start, end, _, xml in sorted(edits):
            pieces += [text[pos:start], xml]
            pos = end
        pieces.append(text[pos:])
        if high and row_attrs.find(b"spans=") >= 0:
            first = text.find('<c r="')
            first_col = _ref_column(text, first, r) if first >= 0 else low
            row_attrs = _widen_spans(row_attrs, min(low, first_col), max(high, last_col))
        return b"<row" + row_attrs + b">" + "".join(pieces).encode("utf-8") + b"</row>"

    def _rewrite_split_row(self, r: int, row_attrs: bytes, text: str) -> bytes:
        """The general row editor: split the row into its cells, apply updates, keep column order."""
        cells = _split_cells(r, text)
        originals = dict(cells)
        row_style = _row_style(row_attrs)
        for col, value in self.cells(r).items():
            old = _parse_cell(cells[col], r) if col in cells else None
            new_header = r == self.plan.header_row and col in self.plan.new_columns
            default = None
            if old is None:
                default = (self._header_style(originals, col, r) if new_header else None) or self.default_style(
                    col, row_style
                )
            elif new_header and "s" not in old.attrs:
                default = self._header_style(originals, col, r)
            xml = self.cell_xml(r, col, value, old, default)
            if xml is None:
                cells.pop(col, None)
            else:
                cells[col] = xml
        columns = sorted(cells)
        if columns:
            row_attrs = _widen_spans(row_attrs, columns[0], columns[-1])
        body = "".join([cells[c] for c in columns])
        return b"<row" + row_attrs + b">" + body.encode("utf-8") + b"</row>"

    def cell_xml(self, r: int, col: int, value: CellValue, old: _Cell | None, style: str | None) -> str | None:
        """The new <c> element for ``value``, keeping the old cell's style; None to drop the cell."""
        ref = f"{_letters(col)}{r}"
        if old is not None:
            self._check_formula(ref, old)
        attrs = self.retype(dict(old.attrs) if old is not None else {"r": ref}, value, style)
        if value is None:
            return f"<c{_attr_text(attrs)}/>" if old is not None and set(attrs) != {"r"} else None
        return f"<c{_attr_text(attrs)}>{self.value_xml(value)}</c>"

    def retype(self, attrs: dict[str, str], value: CellValue, style: str | None) -> dict[str, str]:
        """A cell's attributes for its new value: old type and metadata dropped, style kept or
        given, the type the value needs, a date format for a date. Edits ``attrs`` in place."""
        for name in ("t", "cm", "vm"):
            attrs.pop(name, None)
        if style and style != "0":
            attrs["s"] = style
        given = attrs.get("s")
        if given is not None and not given.isdigit():
            if given.strip():
                raise PackageUnsupported(f"cell {attrs.get('r') or ''} has the style attribute s={given!r}")
            del attrs["s"]  # s="": what Excel reads as no style
        if isinstance(value, bool):
            attrs["t"] = "b"
        elif isinstance(value, str):
            attrs["t"] = "inlineStr"
        elif isinstance(value, (int, float)):
            if given and given.isdigit() and given != "0":
                attrs["s"] = str(self.styles.number_style(int(given)))
        elif value is not None:
            attrs["s"] = str(self.styles.date_style(int(attrs.get("s", "0"))))
        return attrs

    def value_xml(self, value: CellValue) -> str:
        """A (non-None) value as the content of its <c> element."""
        if isinstance(value, bool):
            return f"<v>{int(value)}</v>"
        if isinstance(value, (int, float)):
            return f"<v>{format_number(value)}</v>"
        if isinstance(value, str):
            return f'<is><t xml:space="preserve">{xml_escape(ooxml_text(value), quote=False)}</t></is>'
        assert value is not None
        return f"<v>{format_number(excel_serial(value, self.date1904))}</v>"

    def _check_formula(self, ref: str, old: _Cell) -> None:
        formula = _FORMULA.search(old.body) if "<f" in old.body else None
        if formula is None:
            return
        attrs = attributes(formula.group(1))
        kind = attrs.get("t", "normal")
        if kind == "shared" and "ref" in attrs:
            raise PackageUnsupported(f"{ref} is the master cell of a shared formula")
        if kind == "array" and attrs.get("ref", ref) not in (ref, f"{ref}:{ref}"):
            raise WriteError(
                f"cannot write {ref}: it anchors the array formula over {attrs.get('ref')}, which Excel keeps "
                "as one block; delete the array formula in Excel first (nothing was written)"
            )
        if kind == "dataTable":
            raise WriteError(
                f"cannot write {ref}: it holds a data table's results ({attrs.get('ref', ref)}), which Excel "
                "recomputes over anything written there; remove the data table first (nothing was written)"
            )
        self.formula_removed = True

    @staticmethod
    def _header_style(cells: Mapping[int, str], col: int, r: int) -> str | None:
        """The style of the nearest styled header cell to the left (new headers look alike)."""
        for left in sorted((c for c in cells if c < col), reverse=True):
            style = _parse_cell(cells[left], r).attrs.get("s")
            if style is not None:
                return style
        return None

    def default_style(self, col: int, row_style: str | None) -> str | None:
        """The style Excel gives a cell typed into an empty spot: the row's, else the column's."""
        if row_style is not None:
            return row_style
        for low, high, style in self.col_styles:
            if low <= col <= high:
                return style
        return None


def _last_column(seg: bytes, start: int, close: int, num: bytes) -> int:
    """The column of the row's last cell (0 if none), where a cell may be appended after it;
    -1 when that is not plainly so (a cell written another way, or anything after it)."""
    last = seg.rfind(b"<c", start, close)
    if last < 0:
        return 0 if seg.find(b"<", start, close) < 0 else -1
    if seg.find(b"<e", last, close) >= 0:
        return -1
    return _checked_column(seg, last, close, num)


def _checked_column(seg: bytes, start: int, close: int, num: bytes) -> int:
    """The column of the cell whose '<c r="' begins at ``start``; -1 if the general editor
    should judge the reference (it is not plain letters followed by this row's number)."""
    ref = _REF.match(seg, start, close)
    if ref is None or ref.group(2) != num:
        return -1
    return _column_number(ref.group(1).decode("ascii"))


def _split_cells(r: int, text: str) -> dict[int, str]:
    """A row's cells as {column: raw XML}, found by splitting on '<c ' rather than parsing each."""
    if "<extLst" in text or _ODD_CELL_START.search(text):
        raise PackageUnsupported(f"row {r} holds something other than plain cells (extLst?)")
    pieces = text.split("<c ")
    if pieces[0].strip():
        raise PackageUnsupported(f"row {r} holds something other than cells")
    cells: dict[int, str] = {}
    number = str(r)
    for piece in pieces[1:]:
        if piece.startswith('r="'):
            ref = piece[3 : piece.find('"', 3)]
        else:
            found = re.search(r'\sr="([^"]*)"', " " + piece.split(">", 1)[0])
            if found is None:
                raise PackageUnsupported(f"a cell in row {r} without an r attribute")
            ref = found.group(1)
        letters = ref.rstrip("0123456789")
        if ref[len(letters) :] != number or not letters.isalpha() or not letters.isupper():
            raise PackageUnsupported(f"cell reference {ref!r} inside row {r}")
        cells[_column_number(letters)] = "<c " + piece
    return cells


def _ref_column(text: str, start: int, r: int) -> int:
    """The column of the cell whose '<c r="' begins at ``start``."""
    ref = text[start + 6 : text.find('"', start + 6)]
    letters = ref.rstrip("0123456789")
    if ref[len(letters) :] != str(r) or not letters.isalpha() or not letters.isupper():
        raise PackageUnsupported(f"cell reference {ref!r} inside row {r}")
    return _column_number(letters)


def _insertion_point(text: str, col: int, r: int) -> int:
    """Where a new cell of column ``col`` goes: before the first cell right of it."""
    start = text.find('<c r="')
    while start >= 0:
        if _ref_column(text, start, r) > col:
            return start
        start = text.find('<c r="', start + 1)
    return len(text)


def _parse_cell(xml: str, r: int) -> _Cell:
    match = _CELL.match(xml)
    if match is None or xml[match.end() :].strip():
        raise PackageUnsupported(f"a cell in row {r} that cannot be parsed")
    return _Cell(match.group(0), attributes(match.group(1)), match.group(2) or "")


@functools.cache
def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


@functools.cache
def _letters(column: int) -> str:
    return column_letter(column)


def _row_style(row_attrs: bytes) -> str | None:
    if row_attrs.find(b"customFormat") < 0:
        return None
    attrs = attributes(row_attrs.decode("utf-8"))
    if attrs.get("customFormat") in ("1", "true") and attrs.get("s", "0") != "0":
        return attrs["s"]
    return None


def _widen_spans(row_attrs: bytes, first: int, last: int) -> bytes:
    """Keep the optional spans="a:b" hint true when cells are added outside it."""
    match = _SPANS.search(row_attrs)
    if match is None:
        return row_attrs
    low, high = int(match.group(1)), int(match.group(2))
    if low <= first and last <= high:
        return row_attrs
    spans = f' spans="{min(low, first)}:{max(high, last)}"'.encode()
    return row_attrs[: match.start()] + spans + row_attrs[match.end() :]


def _attr_text(attrs: Mapping[str, str]) -> str:
    return "".join([f' {name}="{value}"' for name, value in attrs.items()])
