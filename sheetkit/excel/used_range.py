"""How far a worksheet's cells reach, found in its XML before calamine parses it.

python-calamine holds a worksheet as one dense grid from A1 to its farthest cell with a value
(about 100 bytes a cell at its peak, then a Python list per row): one cell at XFD1048576 in a
2 KB file asks for 512 GB and the process aborts, a cell at XFD20000 takes gigabytes and
minutes. The sheet's XML is therefore scanned as it streams past (the copy calamine reads is
made from the same stream), and a used range absurd for the cells in it is refused first.

The scan has two speeds. :class:`RangeScan`, on every read, costs two or three C-speed searches a
megabyte: it expects each cell to carry its reference first (``<c r="B7"``, as Excel, LibreOffice,
openpyxl and most writers save it) and to stay within the rows and columns seen so far, the last
cell of each chunk moving the row bound; a chunk that breaks the bounds has its references read
one by one. A cell in any other form, or an estimate over the limits, makes it stop vouching for
the sheet; :func:`full_scan` then follows the XML the way calamine does (row and column counters
for cells without a reference, only cells with a value counting), and :func:`check` refuses with
the far cell's address or lets it through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sheetkit.core.cells import column_letter
from sheetkit.errors import WorkbookFormatError
from sheetkit.excel.limits import Limits

__all__ = ["RangeScan", "UsedRange", "check", "full_scan"]

EXCEL_ROWS = 1_048_576
CELL_BYTES = 8
"""Fewer bytes than the smallest cell with a value takes in sheet XML (``<c><v>1</v></c>`` is 15)."""
MAX_TAG_BYTES = 16 << 20
"""A longer tag (real ones are well under a kilobyte) is refused: the full scan keeps one whole."""

_CARRY = 256

# A cell start tag is "c" after "<" or a prefix's ":" (calamine ignores prefixes). The patterns
# start with the literal c and look behind, which keeps re's fast literal search.
_CELL = rb"c(?<=[<:]c)"
_REF = re.compile(_CELL + rb' r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_ODD = re.compile(_CELL + rb'(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")[\s/>]')  # a cell not in that form
_LAST_ROW = re.compile(rb' r="[A-Z]{0,3}([1-9][0-9]{0,6})"')  # a row's or a cell's reference
_TAG = re.compile(  # a row, c, v or is tag; group 3 is r="..." when it comes first, 4 the other attributes
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|v|is)(?=[\s/>])(?:\s+r=\"([^\"]*)\")?"
    rb"([^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*)>"
)
_TAG_END = re.compile(rb"<[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")  # a whole tag, quotes and all
_R_ATTRIBUTE = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_LOOSE_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")


@dataclass(frozen=True)
class UsedRange:
    """The grid a dense reader builds: ``rows`` x ``columns`` from A1, and the cells holding a value.

    ``far_row`` and ``far_column`` are the addresses of the cells that reach farthest down and right.
    """

    rows: int
    columns: int
    values: int
    far_row: str = ""
    far_column: str = ""

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def allowed(used: UsedRange, limits: Limits, *, more_values: int = 0) -> bool:
    """Whether a grid this size is sane for its content (``more_values``: cells still to come)."""
    cells = used.cells
    if cells <= limits.sparse_cells:
        return True
    return cells <= limits.cells and cells <= limits.empty_ratio * (used.values + more_values)


def check(used: UsedRange, limits: Limits, *, source: str, sheet: str, path: str = "") -> None:
    """Refuse a used range that is absurd for the cells in it.

    Raises:
        WorkbookFormatError: naming the file, the sheet, the far cell and what to do.
    """
    if allowed(used, limits):
        return
    if used.far_row == used.far_column:
        reach = f"cell {used.far_row}"
    else:
        column = column_letter(used.columns)
        reach = f"row {used.rows:,} (cell {used.far_row}) and column {column} (cell {used.far_column})"
    # a dimension with more rows (columns) than there are values is mostly empty: its far cell is stray
    stray = dict.fromkeys(cell for cell, size in ((used.far_row, used.rows), (used.far_column, used.columns))
                          if size > used.values)  # fmt: skip
    if stray:
        fix = (
            f"delete the stray cell {' and '.join(stray)} (or clear the rows below and the columns right of "
            "your data) in Excel, save, and run again"
        )
    else:
        fix = (
            f"that is past sheetkit's limits (SHEETKIT_MAX_CELLS={limits.cells:,}, "
            f"SHEETKIT_MAX_EMPTY_RATIO={limits.empty_ratio:g}); raise them if the sheet really is this big"
        )
    raise WorkbookFormatError(
        f"{source}, sheet {sheet!r}: its cells reach {reach}, a used range of {used.rows:,} rows x "
        f"{used.columns:,} columns ({used.cells:,} cells, about {used.cells * 100 / 1e9:,.0f} GB of memory "
        f"to read), but only {used.values:,} cells hold values; {fix}",
        path=path,
        sheet=sheet,
    )


class RangeScan:
    """The fast scan: fed the sheet XML as it streams, it keeps a bound on the used range.

    :attr:`doubt` says why it cannot vouch for the sheet (a form it does not follow), as soon as it
    is seen; :meth:`vouches` (before calamine may parse what was fed) also checks the bound
    against the limits. When it does not vouch, :func:`full_scan` must decide.
    """

    def __init__(self, limits: Limits, total: int) -> None:
        self.limits = limits
        self.total = total  # the XML's declared size: what is not fed yet may still add values
        self.fed = 0
        self.rows = 0
        self.columns = 0
        self.values = 0
        self.doubt = ""
        self._carry = b""

    def feed(self, data: bytes) -> None:
        """Scan ``data``, the next bytes of the sheet XML (a tag cut at the end waits for the rest)."""
        if not self.fed and not ascii_compatible(data):
            self.doubt = "XML that is not UTF-8"
        self.fed += len(data)
        if self.doubt:
            return
        first, last = data.find(b"<"), data.rfind(b"<")
        if last < 0:  # no tag starts here: the carried tag goes on, or text does
            self._carry = (self._carry + data[:_CARRY])[:_CARRY]
            return
        self._scan(self._carry + data[:first], len(self._carry) + first)  # the tag cut at the last end
        self._scan(data, last, first)
        # the patterns look at most a few dozen bytes past a "<": a longer tag's start is enough
        self._carry = data[last : last + _CARRY]

    def finish(self) -> None:
        """Scan what is left: the XML has ended."""
        carry, self._carry = self._carry, b""
        if not self.doubt:
            self._scan(carry, len(carry))

    def vouches(self) -> bool:
        """Whether the sheet so far is in a form this scan follows and its bound (counting the values
        still possible in what was not fed yet) is within the limits."""
        if self.doubt:
            return False
        used = UsedRange(self.rows, self.columns, self.values)
        if allowed(used, self.limits, more_values=max(0, self.total - self.fed) // CELL_BYTES):
            return True
        self.doubt = f"used range up to {used.rows} x {used.columns} for {used.values} values"
        return False

    def _scan(self, buffer: bytes, end: int, start: int = 0) -> None:
        """Scan ``buffer[start:end]``, which holds whole tags."""
        if end <= start:
            return
        if self.rows * self.columns > self.limits.sparse_cells // 2:
            # values matter only above sparse_cells: counted from here on (a lower bound: enough)
            self.values += buffer.count(b"</c>", start, end)
        rows = self.rows
        last = buffer.rfind(b' r="', start, end)
        found = _LAST_ROW.match(buffer, last) if last >= 0 else None
        if found is not None:
            rows = max(rows, _round_up(int(found[1])))
        if self.columns and _beyond(rows, self.columns).search(buffer, start, end) is None:
            self.rows = rows
            return
        if _ODD.search(buffer, start, end):
            self.doubt = "a cell without its reference first"
            return
        refs = _REF.findall(buffer, start, end)
        if refs:
            self.rows = max(self.rows, max(map(int, {number for _, number in refs})))
            self.columns = max(self.columns, max(map(_column_number, {letters for letters, _ in refs})))


def _round_up(row: int) -> int:
    """``row`` rounded up to two significant digits (at most 10% more), so one compiled bound
    serves many chunks and its pattern is mostly literal zeros."""
    step = 10 ** max(0, len(str(row)) - 2)
    return min(-(-row // step) * step, EXCEL_ROWS)


@functools.lru_cache(maxsize=256)
def _beyond(rows: int, columns: int) -> re.Pattern[bytes]:
    """A cell start tag not of the form <c r="REF" with REF within ``rows`` x ``columns``."""
    letters = _upto(column_letter(columns).encode(), b"A", b"A", b"Z", b"")
    numbers = _upto(str(rows).encode(), b"1", b"0", b"9", b'"')
    return re.compile(_CELL + rb'(?! r="' + letters + numbers + rb")[\s/>]")


def _upto(top: bytes, first: bytes, low: bytes, high: bytes, end: bytes) -> bytes:
    """A regex for the strings of ``low``-``high`` characters (the first at least ``first``) that
    sort at or below ``top``, shorter ones included, then ``end``: numbers up to N, columns up to
    XFD. Built as a trie with possessive repeats, so a failed match never backtracks far."""
    any_char = b"[" + low + b"-" + high + b"]"

    def level(index: int) -> bytes:
        lowest = first if index == 0 else low
        rest = len(top) - index - 1
        literal = re.escape(top[index : index + 1]) + (level(index + 1) if rest else end)
        if top[index] <= lowest[0]:
            return literal
        below = b"[" + lowest + b"-" + bytes([top[index] - 1]) + b"]" + any_char + b"{%d}" % rest + end
        return b"(?:" + below + b"|" + literal + b")"

    if len(top) == 1:
        return b"[" + first + b"-" + top + b"]" + end if top[0] > first[0] else level(0)
    shorter = b"[" + first + b"-" + high + b"]" + any_char + b"{0,%d}+" % (len(top) - 2) + end
    return b"(?:" + shorter + b"|" + level(0) + b")"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def full_scan(chunks: Iterable[bytes], *, where: str = "the sheet") -> UsedRange:
    """The used range calamine would build from this sheet XML, followed the way calamine reads it.

    Cells with a ``<v>`` or ``<is>`` count (calamine keeps no others); cells without a reference
    take the next column of the current row, rows without one the next row. A reference
    calamine cannot read ends the scan: calamine fails there too, before building anything.

    Raises:
        WorkbookFormatError: (``where`` names the sheet) XML that is not UTF-8, or a tag longer
            than MAX_TAG_BYTES.
    """
    row_index = column_index = 0
    rows = columns = values = 0
    far_row = far_column = ""
    cell: tuple[int, int] | None = None
    has_value = False
    for buffer in _whole_tags(chunks, where):
        for closing, name, first_r, attributes in _TAG.findall(buffer):
            if name == b"c":
                if not closing:
                    r = first_r or _attribute_r(attributes)
                    if r is None:
                        cell = (row_index, column_index)
                    else:
                        found = _position(r, need_column=True)
                        if found is None:
                            return UsedRange(rows, columns, values, far_row, far_column)
                        cell = found
                        column_index = found[1]
                    has_value = False
                if (closing or attributes.endswith(b"/")) and cell is not None:  # calamine expands <c/>
                    if has_value:
                        values += 1
                        if cell[0] >= rows:
                            rows, far_row = cell[0] + 1, _address(cell)
                        if cell[1] >= columns:
                            columns, far_column = cell[1] + 1, _address(cell)
                    cell, column_index = None, column_index + 1
            elif name == b"row":
                if not closing:
                    r = first_r or _attribute_r(attributes)
                    if r is not None:
                        position = _position(r, need_column=False)
                        if position is None:
                            return UsedRange(rows, columns, values, far_row, far_column)
                        row_index = position[0]
                if closing or attributes.endswith(b"/"):
                    row_index, column_index = row_index + 1, 0
            elif not closing and cell is not None:  # <v> or <is> inside a cell
                has_value = True
    return UsedRange(rows, columns, values, far_row, far_column)


def ascii_compatible(head: bytes) -> bool:
    """Whether XML starting with ``head`` is UTF-8 (or ASCII): what the scans, and Excel, write."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")[:64]
    return start[:1] in (b"<", b"") and b"\x00" not in start


def _whole_tags(chunks: Iterable[bytes], where: str) -> Iterator[bytes]:
    """The XML again in pieces that cut only between tags (a tag cut at a chunk's end waits for the rest)."""
    pending = b""
    started = False
    for data in chunks:
        if not started and data.strip(b" \t\r\n\xef\xbb\xbf"):
            started = True
            if not ascii_compatible(data):
                raise WorkbookFormatError(f"{where}: its XML is not UTF-8; open the file in Excel and save it again")
        buffer = pending + data if pending else data
        last = buffer.rfind(b"<")
        if last < 0 or _TAG_END.match(buffer, last):  # the last tag is whole: what follows is text
            pending = b""
            yield buffer
            continue
        if len(buffer) - last > MAX_TAG_BYTES:
            raise WorkbookFormatError(
                f"{where} has an XML tag longer than {MAX_TAG_BYTES:,} bytes; the file is damaged or forged"
            )
        pending = buffer[last:]
        yield buffer[:last]
    if pending:
        yield pending


def _address(cell: tuple[int, int]) -> str:
    return f"{column_letter(cell[1] + 1)}{cell[0] + 1}"


def _attribute_r(attributes: bytes) -> bytes | None:
    found = _R_ATTRIBUTE.search(attributes)
    return None if found is None else found[1] if found[1] is not None else found[2]


def _position(reference: bytes, *, need_column: bool) -> tuple[int, int] | None:
    """(row, column), 0-based, of a reference as calamine reads it; None where calamine fails.

    References past Excel's grid keep their true size (calamine's 32-bit arithmetic would wrap
    them around), so the grid they imply is refused.
    """
    found = _LOOSE_REF.fullmatch(reference)
    if found is None or int(found[2]) == 0 or (need_column and not found[1]):
        return None
    return int(found[2]) - 1, (_column_number(found[1]) if found[1] else 1) - 1
