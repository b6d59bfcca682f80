"""Write cells by editing the .xlsx/.xlsm package itself: the fast path that keeps everything else.

openpyxl rewrites a whole workbook and loses what it does not model (cached formula values,
extensions, VBA by default; see PITFALLS.md). Here only the target worksheet's XML is rewritten,
streamed in segments of rows with byte-level searches (:mod:`sheetkit.excel.rows`: a row is looked
into only when it has updates) and deflated on worker threads (:mod:`sheetkit.excel.deflate`), plus
styles.xml, workbook.xml, table parts and calcChain when they must change
(:mod:`sheetkit.excel.part_edits`). Every other zip member is copied as its raw compressed bytes, in
the same order (:mod:`sheetkit.excel.zip_writer`). Whatever cannot be edited safely raises
:class:`~sheetkit.excel.parts.PackageUnsupported`, and :mod:`sheetkit.excel.write` falls back to openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO

from sheetkit.core.cells import CellValue
from sheetkit.errors import PackageUnsupported, SheetNotFoundError, WriteError
from sheetkit.excel.deflate import ParallelDeflateSink
from sheetkit.excel.limits import open_member
from sheetkit.excel.part_edits import ColumnPlan, StyleBook, drop_calc_chain, edit_workbook, extend_table
from sheetkit.excel.parts import (
    MAIN_NS,
    STRICT_NS,
    Workbook,
    check_package,
    read_text,
    read_workbook,
    relationships,
    root_tag,
    workbook_part,
)
from sheetkit.excel.rows import SheetRows
from sheetkit.excel.xml_text import Box, attributes, parse_range, range_ref
from sheetkit.excel.zip_writer import CompressedSink, ZipAssembler

__all__ = ["write_package"]

_CHUNK = 512 << 10  # bytes inflated per read: a segment of rows, its copies and edits stay small

_SHEETDATA_OPEN = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(r'(<dimension\b[^>]*?\bref=")([^"]*)(")')
_COLS = re.compile(r"<cols\b[^>]*>(.*?)</cols>", re.S)
_COL = re.compile(r"<col\b([^>]*?)(?:/>|>\s*</col>)")
_AUTOFILTER_REF = re.compile(r'(<autoFilter\b[^>]*?\bref=")([^"]*)(")')
_ENCODING = re.compile(rb'^\s*<\?xml[^>]*encoding="([^"]+)"')


@dataclass(frozen=True)
class _Parts:
    """The workbook (read for editing) and where the named worksheet and its tables live."""

    book: Workbook
    sheet: str
    sheet_index: int
    tables: list[str]


class _SheetEditor:
    """Rewrites one worksheet's XML stream: dimension and cols, the rows, the autoFilter."""

    def __init__(
        self, values: Mapping[tuple[int, int], CellValue], plan: ColumnPlan, styles: StyleBook, date1904: bool
    ) -> None:
        self.values = values
        self.plan = plan
        self.rows = SheetRows(values, plan, styles, date1904)
        self.filter_extended: Box | None = None

    @property
    def formula_removed(self) -> bool:
        """Whether an overwritten cell held a formula (so calcChain.xml must go)."""
        return self.rows.formula_removed

    def run(self, reader: IO[bytes], sink: CompressedSink) -> None:
        """Copy the worksheet from ``reader`` into ``sink``, editing only what the updates need."""
        write = sink.write
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
            write(b"<sheetData>" + self.rows.remaining() + b"</sheetData>")
            rest = buf[opening.end() :] + reader.read()
        else:
            write(opening.group(0))
            rest = self.rows.stream(buf[opening.end() :], reader, sink.write_pieces, _CHUNK)
        write(self.rewrite_tail(rest.decode("utf-8")).encode("utf-8"))

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
                    self.rows.col_styles.append((low, high, attrs_["style"]))
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
        if box is None:
            return ref
        cells = [key for key, value in self.values.items() if value is not None]
        if not cells:
            return ref
        c1, r1, c2, r2 = box
        grown = (
            min(c1, min(map(itemgetter(1), cells))),
            min(r1, min(cells)[0]),
            max(c2, max(map(itemgetter(1), cells))),
            max(r2, max(cells)[0]),
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
        check_package(package)
        infos = package.infolist()
        parts = _locate(package, src, sheet)
        plan = ColumnPlan.build(values, header_row, new_columns)
        book = parts.book
        styles_part = book.target("styles")
        styles = StyleBook(read_text(package, styles_part) if styles_part else None, date_format)
        editor = _SheetEditor(values, plan, styles, book.date1904)
        sheet_info = package.getinfo(parts.sheet)
        replaced: dict[str, CompressedSink] = {}
        sink = ParallelDeflateSink(sheet_info.compress_type)
        try:  # the sink's worker threads stop however this ends
            with open_member(package, sheet_info) as reader:  # counted: a part that lies is refused
                editor.run(reader, sink)
            replaced[parts.sheet] = sink
            removed: set[str] = set()
            texts: dict[str, str] = {}
            styles_out = styles.render()
            if styles_out is not None and styles_part:
                texts[styles_part] = styles_out
            for table in parts.tables:
                edited = extend_table(plan, read_text(package, table))
                if edited is not None:
                    texts[table] = edited
            if values:  # only a changed workbook needs recalculating
                assert book.text is not None  # read for editing
                texts[book.part] = edit_workbook(book.text, parts.sheet_index, sheet, editor.filter_extended)
            dropped = drop_calc_chain(package, book) if editor.formula_removed else None
            if dropped is not None:
                removed.add(dropped[0])
                texts.update(dropped[1])
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
        finally:
            sink.close()
    return len(values)


def _locate(package: zipfile.ZipFile, src: Path, sheet: str) -> _Parts:
    """Find the workbook, the named worksheet and its tables (the parts that may need editing)."""
    book = read_workbook(package, for_editing=True)
    if book is None:
        raise WriteError(
            f"cannot write into {src}: no workbook part inside the package (expected {workbook_part(package)})",
            path=str(src),
        )
    position = book.index(sheet)
    if position is None:
        found = ", ".join(map(repr, book.sheet_names)) or "none"
        raise SheetNotFoundError(
            f"no worksheet named {sheet!r} in {src} (sheets: {found}); pass one of those names",
            path=str(src),
            sheet=sheet,
        )
    sheet_path = book.worksheet_part(position)
    if sheet_path is None:
        raise PackageUnsupported(f"{sheet!r} is not a plain worksheet part")
    if sheet_path not in package.NameToInfo:
        raise WriteError(f"cannot write into {src}: the part of sheet {sheet!r} is missing", path=str(src))
    tables = [rel.part for rel in relationships(package, sheet_path).values() if rel.is_a("table")]
    return _Parts(book, sheet_path, position, [t for t in tables if t in package.NameToInfo])
