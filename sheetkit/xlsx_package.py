"""Write cells by editing the .xlsx/.xlsm package itself: the fast path that keeps everything else.

openpyxl rewrites a whole workbook and loses what it does not model (cached formula values,
extensions, VBA by default; see PITFALLS.md). Here only the target worksheet's XML is rewritten,
streamed row by row with byte-level regexes (a row is parsed only when it has updates), plus
styles.xml, workbook.xml, table parts and calcChain when they must change. Every other zip member
is copied as its raw compressed bytes, in the same order. Whatever cannot be edited safely raises
:class:`PackageUnsupported`, and :mod:`sheetkit.xlsx_write` falls back to openpyxl.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from sheetkit.cells import CellValue, column_letter
from sheetkit.errors import SheetNotFoundError, WriteError
from sheetkit.xlsx_write import (
    MAIN_NS,
    STRICT_NS,
    Box,
    ColumnPlan,
    CompressedSink,
    PackageUnsupported,
    StyleBook,
    ZipAssembler,
    attributes,
    drop_relationships,
    edit_workbook,
    excel_serial,
    extend_table,
    format_number,
    ooxml_text,
    parse_range,
    range_ref,
    root_tag,
    xml_escape,
)

__all__ = ["PackageUnsupported", "write_package"]


_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CHUNK = 1 << 20

_SHEETDATA_OPEN = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_ROW_START = re.compile(rb"<row\b([^>]*?)(/?)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ODD_CELL_START = re.compile(r"<c[\t\r\n>/]")
_FORMULA = re.compile(r"<f\b([^>]*?)/?>")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_DIMENSION = re.compile(r'(<dimension\b[^>]*?\bref=")([^"]*)(")')
_COLS = re.compile(r"<cols\b[^>]*>(.*?)</cols>", re.S)
_COL = re.compile(r"<col\b([^>]*?)(?:/>|>\s*</col>)")
_AUTOFILTER_REF = re.compile(r'(<autoFilter\b[^>]*?\bref=")([^"]*)(")')
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
_ENCODING = re.compile(rb'^\s*<\?xml[^>]*encoding="([^"]+)"')


@dataclass
class _Cell:
    """One <c> element of an updated row: its raw XML and raw (still escaped) attributes."""

    xml: str
    attrs: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass
class _Parts:
    """Where the pieces of the workbook live inside the package."""

    workbook: str
    workbook_rels: str
    sheet: str
    sheet_index: int
    styles: str | None
    calc_chain: str | None
    tables: list[str]
    date1904: bool


class _SheetEditor:
    """Rewrites one worksheet's XML stream: updated rows, new rows, dimension, cols, autoFilter."""

    def __init__(
        self, values: Mapping[tuple[int, int], CellValue], plan: ColumnPlan, styles: StyleBook, date1904: bool
    ) -> None:
        self.by_row: dict[int, dict[int, CellValue]] = {}
        for (row, column), value in values.items():
            self.by_row.setdefault(row, {})[column] = value
        self.rows = sorted(self.by_row)
        self.plan = plan
        self.styles = styles
        self.date1904 = date1904
        self.col_styles: list[tuple[int, int, str]] = []
        self.formula_removed = False
        self.filter_extended: Box | None = None

    # -- the stream -------------------------------------------------------------------------
    def run(self, reader: IO[bytes], write: Callable[[bytes], None]) -> None:
        """Copy the worksheet from ``reader`` to ``write``, editing only what the updates need."""
        buf = reader.read(_CHUNK)
        encoding = _ENCODING.match(buf)
        if buf.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8")
        ):
            raise PackageUnsupported("worksheet XML is not UTF-8")
        while (opening := _SHEETDATA_OPEN.search(buf)) is None:
            more = reader.read(_CHUNK)
            if not more:
                self.rewrite_head(buf.decode("utf-8", "replace"))  # says "prefixed" or "strict" first
                raise PackageUnsupported("worksheet has no <sheetData> element")
            buf += more
        write(self.rewrite_head(buf[: opening.start()].decode("utf-8")).encode("utf-8"))
        if opening.group(1):  # <sheetData/>: no rows at all
            write(b"<sheetData>" + b"".join(self.new_row(r) for r in self.rows) + b"</sheetData>")
            rest = buf[opening.end() :] + reader.read()
        else:
            write(opening.group(0))
            rest = self._rows(buf[opening.end() :], reader, write)
        write(self.rewrite_tail(rest.decode("utf-8")).encode("utf-8"))

    def _rows(self, buf: bytes, reader: IO[bytes], write: Callable[[bytes], None]) -> bytes:
        """Stream <sheetData> content; return what follows it (from </sheetData> on)."""
        pending, index, previous = self.rows, 0, 0
        while True:
            end = buf.find(b"</sheetData>")
            if end >= 0:
                limit = end
            else:
                last_row = buf.rfind(b"<row")
                limit = last_row if last_row >= 0 else max(0, len(buf) - 12)
            pos = 0
            for match in _ROW_START.finditer(buf, 0, limit):
                number = _ROW_NUMBER.search(match.group(1))
                if number is None:
                    raise PackageUnsupported("a <row> without an r attribute")
                r = int(number.group(1))
                if r <= previous:
                    raise PackageUnsupported(f"rows out of order (row {r} after row {previous})")
                previous = r
                if index >= len(pending) or pending[index] > r:
                    continue  # untouched row: copied later as part of a bulk slice
                write(buf[pos : match.start()])
                pos = match.start()
                while index < len(pending) and pending[index] < r:
                    write(self.new_row(pending[index]))
                    index += 1
                if index < len(pending) and pending[index] == r:
                    index += 1
                    if match.group(2):
                        inner, pos = b"", match.end()
                    else:
                        close = buf.find(b"</row>", match.end())
                        while close < 0:
                            more = reader.read(_CHUNK)
                            if not more:
                                raise PackageUnsupported(f"row {r} is not closed")
                            buf += more
                            close = buf.find(b"</row>", match.end())
                        inner, pos = buf[match.end() : close], close + len(b"</row>")
                    write(self.rewrite_row(r, match.group(1), inner))
            if end >= 0:
                write(buf[pos:end])
                write(b"".join(self.new_row(r) for r in pending[index:]))
                return buf[end:] + reader.read()
            consumed = max(pos, limit)
            write(buf[pos:consumed])
            more = reader.read(_CHUNK)
            if not more:
                raise PackageUnsupported("worksheet XML ends inside <sheetData>")
            buf = buf[consumed:] + more

    # -- rows and cells ---------------------------------------------------------------------
    def new_row(self, r: int) -> bytes:
        """A <row> that did not exist, holding only the updated cells that have a value."""
        cells = [
            self.cell_xml(r, col, value, None, self._default_style(col, None))
            for col, value in sorted(self.by_row[r].items())
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
        for col, value in self.by_row[r].items():
            start = text.find(f'<c r="{_letters(col)}{number}"')
            if start >= 0:
                match = _CELL.match(text, start)
                if match is None:
                    raise PackageUnsupported(f"a cell in row {r} that cannot be parsed")
                old = _Cell(match.group(0), attributes(match.group(1)), match.group(2) or "")
                xml = self.cell_xml(r, col, value, old, None)
                edits.append((start, match.end(), col, xml or ""))
            else:
                xml = self.cell_xml(r, col, value, None, self._default_style(col, row_style))
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
        if b"spans=" in row_attrs and high:
            first = text.find('<c r="')
            first_col = _ref_column(text, first, r) if first >= 0 else low
            row_attrs = _widen_spans(row_attrs, min(low, first_col), max(high, last_col))
        return b"<row" + row_attrs + b">" + "".join(pieces).encode("utf-8") + b"</row>"

    def _rewrite_split_row(self, r: int, row_attrs: bytes, text: str) -> bytes:
        """The general row editor: split the row into its cells, apply updates, keep column order."""
        cells = _split_cells(r, text)
        originals = dict(cells)
        row_style = _row_style(row_attrs)
        for col, value in sorted(self.by_row[r].items()):
            old = _parse_cell(cells[col], r) if col in cells else None
            new_header = r == self.plan.header_row and col in self.plan.new_columns
            default = None
            if old is None:
                default = (
                    self._header_style(originals, col, r) if new_header else None
                ) or self._default_style(col, row_style)
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

    def cell_xml(
        self, r: int, col: int, value: CellValue, old: _Cell | None, style: str | None
    ) -> str | None:
        """The new <c> element for ``value``, keeping the old cell's style; None to drop the cell."""
        ref = f"{_letters(col)}{r}"
        attrs = dict(old.attrs) if old is not None else {"r": ref}
        if old is not None:
            self._check_formula(ref, old)
        for name in ("t", "cm", "vm"):
            attrs.pop(name, None)
        if style and style != "0":
            attrs["s"] = style
        if value is None:
            return f"<c{_attr_text(attrs)}/>" if old is not None and set(attrs) != {"r"} else None
        if isinstance(value, bool):
            attrs["t"] = "b"
            body = f"<v>{int(value)}</v>"
        elif isinstance(value, (int, float)):
            body = f"<v>{format_number(value)}</v>"
        elif isinstance(value, str):
            attrs["t"] = "inlineStr"
            body = f'<is><t xml:space="preserve">{xml_escape(ooxml_text(value), quote=False)}</t></is>'
        else:
            attrs["s"] = str(self.styles.date_style(int(attrs.get("s", "0"))))
            body = f"<v>{format_number(excel_serial(value, self.date1904))}</v>"
        return f"<c{_attr_text(attrs)}>{body}</c>"

    def _check_formula(self, ref: str, old: _Cell) -> None:
        formula = _FORMULA.search(old.body) if "<f" in old.body else None
        if formula is None:
            return
        attrs = attributes(formula.group(1))
        kind = attrs.get("t", "normal")
        if kind == "shared" and "ref" in attrs:
            raise PackageUnsupported(f"{ref} is the master cell of a shared formula")
        if kind == "array" and attrs.get("ref", ref) not in (ref, f"{ref}:{ref}"):
            raise PackageUnsupported(f"{ref} anchors an array formula over {attrs.get('ref')}")
        if kind == "dataTable":
            raise PackageUnsupported(f"{ref} is part of a data table")
        self.formula_removed = True

    @staticmethod
    def _header_style(cells: Mapping[int, str], col: int, r: int) -> str | None:
        """The style of the nearest styled header cell to the left (new headers look alike)."""
        for left in sorted((c for c in cells if c < col), reverse=True):
            style = _parse_cell(cells[left], r).attrs.get("s")
            if style is not None:
                return style
        return None

    def _default_style(self, col: int, row_style: str | None) -> str | None:
        """The style Excel gives a cell typed into an empty spot: the row's, else the column's."""
        if row_style is not None:
            return row_style
        for low, high, style in self.col_styles:
            if low <= col <= high:
                return style
        return None

    # -- before and after <sheetData> --------------------------------------------------------
    def rewrite_head(self, head: str) -> str:
        """Check the namespace; grow <dimension>; add <col> widths for new columns."""
        prefix, attrs = root_tag(head, "worksheet")
        if STRICT_NS in attrs:
            raise PackageUnsupported("strict OOXML namespace")
        if prefix is not None:
            raise PackageUnsupported(f"prefixed main-namespace elements (<{prefix}:worksheet>)")
        if f'xmlns="{MAIN_NS}"' not in attrs:
            raise PackageUnsupported("worksheet without the SpreadsheetML main namespace as default")
        head = _DIMENSION.sub(lambda m: m.group(1) + self._dimension(m.group(2)) + m.group(3), head, count=1)
        cols = _COLS.search(head)
        existing: list[tuple[int, int, str]] = []
        if cols is not None:
            for col in _COL.finditer(cols.group(1)):
                attrs_ = attributes(col.group(1))
                low, high = int(attrs_.get("min", "0")), int(attrs_.get("max", "0"))
                existing.append((low, high, col.group(0)))
                if attrs_.get("style", "0") != "0":
                    self.col_styles.append((low, high, attrs_["style"]))
        added = [
            (c, c, f'<col min="{c}" max="{c}" width="{width:g}" customWidth="1"/>')
            for c, width in self.plan.widths.items()
            if not any(low <= c <= high for low, high, _ in existing)
        ]
        if not added:
            return head
        elements = "".join(xml for _, _, xml in sorted(existing + added, key=lambda item: item[0]))
        if cols is not None:
            return head[: cols.start(1)] + elements + head[cols.end(1) :]
        return head + f"<cols>{elements}</cols>"

    def _dimension(self, ref: str) -> str:
        box = parse_range(ref)
        if box is None or not self.by_row:
            return ref
        cells = [(r, c) for r, row in self.by_row.items() for c, v in row.items() if v is not None]
        if not cells:
            return ref
        c1, r1, c2, r2 = box
        grown = (
            min([c1] + [c for _, c in cells]),
            min([r1] + [r for r, _ in cells]),
            max([c2] + [c for _, c in cells]),
            max([r2] + [r for r, _ in cells]),
        )
        return ref if grown == box else range_ref(*grown)

    def rewrite_tail(self, tail: str) -> str:
        """Extend the sheet's autoFilter over the new columns when it is the table's filter."""

        def extend(match: re.Match[str]) -> str:
            box = parse_range(match.group(2))
            grown = self.plan.extend(box)
            if grown is None or box is None:
                return match.group(0)
            self.filter_extended = grown
            return match.group(1) + range_ref(*grown) + match.group(3)

        return _AUTOFILTER_REF.sub(extend, tail, count=1)


def write_package(
    src: Path,
    dst: Path,
    sheet: str,
    values: Mapping[tuple[int, int], CellValue],
    *,
    header_row: int,
    new_columns: Sequence[int],
    date_format: str,
) -> int:
    """Write ``values`` ({(row, column): value}) into ``sheet`` of ``src``, saving to ``dst``.

    Returns the number of cells written. Raises PackageUnsupported (nothing written) for what
    only openpyxl can do, SheetNotFoundError and WriteError for what nobody can.
    """
    try:
        package = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as error:
        raise WriteError(
            f"cannot write into {src}: not a valid .xlsx/.xlsm workbook (expected a zip package: {error})",
            path=str(src),
        ) from error
    with package:
        infos = package.infolist()
        parts = _locate(package, src, sheet)
        plan = ColumnPlan.build(values, header_row, new_columns)
        styles_xml = _read_text(package, parts.styles) if parts.styles else None
        styles = StyleBook(styles_xml, date_format)
        editor = _SheetEditor(values, plan, styles, parts.date1904)
        sheet_info = package.getinfo(parts.sheet)
        replaced: dict[str, CompressedSink] = {}
        sink = CompressedSink(sheet_info.compress_type)
        with package.open(sheet_info) as reader:
            editor.run(reader, sink.write)
        replaced[parts.sheet] = sink
        removed: set[str] = set()
        texts: dict[str, str] = {}
        styles_out = styles.render()
        if styles_out is not None and parts.styles:
            texts[parts.styles] = styles_out
        for table in parts.tables:
            edited = extend_table(plan, _read_text(package, table))
            if edited is not None:
                texts[table] = edited
        if values:  # only a changed workbook needs recalculating
            workbook = _read_text(package, parts.workbook)
            texts[parts.workbook] = edit_workbook(workbook, parts.sheet_index, sheet, editor.filter_extended)
        if editor.formula_removed and parts.calc_chain and parts.calc_chain in package.NameToInfo:
            removed.add(parts.calc_chain)
            texts[parts.workbook_rels] = drop_relationships(
                _read_text(package, parts.workbook_rels), "calcChain"
            )
            types = _read_text(package, "[Content_Types].xml")
            texts["[Content_Types].xml"] = re.sub(
                rf'<Override\b[^>]*PartName="/{re.escape(parts.calc_chain)}"[^>]*/>', "", types
            )
        for name, text in texts.items():
            member = CompressedSink(package.getinfo(name).compress_type)
            member.write(text.encode("utf-8"))
            replaced[name] = member
        try:
            with open(src, "rb") as raw, open(dst, "wb") as out:
                assembler = ZipAssembler(out)
                for info in infos:
                    if info.filename in removed:
                        continue
                    if info.filename in replaced:
                        assembler.add_sink(info, replaced[info.filename])
                    else:
                        assembler.copy_raw(info, raw)
                assembler.close()
        except BaseException:
            dst.unlink(missing_ok=True)  # never leave a half-written package behind
            raise
    return len(values)


def _locate(package: zipfile.ZipFile, src: Path, sheet: str) -> _Parts:
    """Find the workbook, the named worksheet and the parts that may need editing."""
    names = set(package.NameToInfo)
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in _relationships(package, "_rels/.rels"):
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = _resolve("", rel.get("Target", ""))
    if workbook.endswith(".bin"):
        raise PackageUnsupported("binary workbook (.xlsb)")
    if workbook not in names:
        raise WriteError(
            f"cannot write into {src}: no workbook part inside the package (expected {workbook})",
            path=str(src),
        )
    text = _read_text(package, workbook)
    prefix, attrs = root_tag(text, "workbook")
    if STRICT_NS in attrs or prefix is not None:
        raise PackageUnsupported("strict OOXML or prefixed workbook.xml")
    root = ET.fromstring(text.encode("utf-8"))
    sheets = root.findall(f"{{{MAIN_NS}}}sheets/{{{MAIN_NS}}}sheet")
    position = next((i for i, s in enumerate(sheets) if s.get("name") == sheet), None)
    if position is None:
        found = ", ".join(repr(s.get("name")) for s in sheets) or "none"
        raise SheetNotFoundError(
            f"no worksheet named {sheet!r} in {src} (sheets: {found}); pass one of those names",
            path=str(src),
            sheet=sheet,
        )
    rels_path = _rels_path(workbook)
    rels = {rel.get("Id"): rel for rel in _relationships(package, rels_path)}
    sheet_rel = rels.get(sheets[position].get(f"{{{_DOC_REL}}}id"))
    if sheet_rel is None or not sheet_rel.get("Type", "").endswith("/worksheet"):
        raise PackageUnsupported(f"{sheet!r} is not a plain worksheet part")
    sheet_path = _resolve(workbook, sheet_rel.get("Target", ""))
    if sheet_path not in names:
        raise WriteError(f"cannot write into {src}: the part of sheet {sheet!r} is missing", path=str(src))

    def target(kind: str) -> str | None:
        for item in rels.values():
            if item.get("Type", "").endswith("/" + kind):
                return _resolve(workbook, item.get("Target", ""))
        return None

    tables = [
        _resolve(sheet_path, item.get("Target", ""))
        for item in _relationships(package, _rels_path(sheet_path))
        if item.get("Type", "").endswith("/table")
    ]
    pr = root.find(f"{{{MAIN_NS}}}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    return _Parts(
        workbook,
        rels_path,
        sheet_path,
        position,
        target("styles"),
        target("calcChain"),
        [t for t in tables if t in names],
        date1904,
    )


def _relationships(package: zipfile.ZipFile, path: str) -> list[ET.Element]:
    if path not in package.NameToInfo:
        return []
    root = ET.fromstring(package.read(path))
    return root.findall(f"{_REL_NS}Relationship")


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _read_text(package: zipfile.ZipFile, name: str) -> str:
    data = package.read(name)
    if data.startswith(b"\xef\xbb\xbf"):
        raise PackageUnsupported(f"{name} starts with a byte-order mark")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackageUnsupported(f"{name} is not UTF-8") from error


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
    if b"customFormat" not in row_attrs:
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
