"""Write cells by editing the .xlsx/.xlsm package itself: the fast path that keeps everything else.

openpyxl rewrites a whole workbook and loses what it does not model (cached formula values,
extensions, VBA by default; see PITFALLS.md). Here only the target worksheet's XML is rewritten,
streamed in segments of rows with byte-level searches (:mod:`sheetkit.excel.rows`: a row is looked
into only when it has updates) and deflated on worker threads (:mod:`sheetkit.excel.deflate`), plus
styles.xml, workbook.xml, table parts and calcChain when they must change
(:mod:`sheetkit.excel.part_edits`). Every other zip member is copied as its raw compressed bytes, in
the same order (:mod:`sheetkit.excel.zip_writer`), its CRC checked on the way. Parts other writers
spell differently (UTF-16, ``x:`` prefixes, rows without ``r``) are respelled first
(:mod:`sheetkit.excel.normalise`). Whatever cannot be edited safely raises
:class:`~sheetkit.excel.parts.PackageUnsupported`, which :mod:`sheetkit.excel.write` turns into a
refusal naming why (openpyxl rewrites the file only when asked to).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from sheetkit.core.cells import CellValue, column_letter
from sheetkit.errors import PackageUnsupported, SheetNotFoundError, WorkbookFormatError, WriteError
from sheetkit.excel.deflate import ParallelDeflateSink
from sheetkit.excel.limits import open_member, read_member
from sheetkit.excel.normalise import NO_REFERENCE, decode_xml, expand_shared, number_cells, unprefix
from sheetkit.excel.part_edits import (
    MINIMAL_STYLES,
    ColumnPlan,
    StyleBook,
    add_styles_part,
    drop_calc_chain,
    edit_workbook,
    extend_table,
)
from sheetkit.excel.parts import (
    MAIN_NS,
    STRICT_NS,
    Workbook,
    check_package,
    mend_names,
    read_text,
    read_workbook,
    refuse_unwritable,
    relationships,
    root_tag,
    workbook_part,
)
from sheetkit.excel.rows import SheetRows
from sheetkit.excel.xml_text import Box, attributes, parse_range, range_ref
from sheetkit.excel.zip_writer import CompressedSink, ZipAssembler

__all__ = ["PackageEdit", "refuse_hidden", "write_package"]

_CHUNK = 512 << 10  # bytes inflated per read: a segment of rows, its copies and edits stay small

_SHEETDATA_OPEN = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(r'(<dimension\b[^>]*?\bref=")([^"]*)(")')
_COLS = re.compile(r"<cols\b[^>]*>(.*?)</cols>", re.S)
_COL = re.compile(r"<col\b([^>]*?)(?:/>|>\s*</col>)")
_AUTOFILTER_REF = re.compile(r'(<autoFilter\b[^>]*?\bref=")([^"]*)(")')
_ENCODING = re.compile(rb'^\s*<\?xml[^>]*encoding="([^"]+)"')
_MERGE_REF = re.compile(r'<mergeCell\b[^>]*?\bref="([^"]+)"')
_PIVOT_LOCATION = re.compile(r'<location\b[^>]*?\bref="([^"]+)"')
# What the sheet editor refuses in a first pass and a respelled copy of the part fixes (normalise.py).
_RESPELLABLE = ("not UTF-8", "prefixed main-namespace", NO_REFERENCE, "master cell of a shared formula")
_SIGNATURE_REL = "/digital-signature/origin"


@dataclass(frozen=True)
class PackageEdit:
    """What :func:`write_package` did: cells written, and anything the caller should be told."""

    cells: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Parts:
    """The workbook (read for editing) and where the named worksheet and its tables live."""

    book: Workbook
    sheet: str
    sheet_index: int
    tables: list[str]
    pivots: list[str]  # the ranges of the sheet's pivot tables


class _SheetEditor:
    """Rewrites one worksheet's XML stream: dimension and cols, the rows, the autoFilter."""

    def __init__(
        self, values: Mapping[tuple[int, int], CellValue], plan: ColumnPlan, styles: StyleBook, date1904: bool
    ) -> None:
        self.values = values
        self.plan = plan
        self.rows = SheetRows(values, plan, styles, date1904)
        self.filter_extended: Box | None = None
        self.merged: list[str] = []

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

        self.merged = _MERGE_REF.findall(tail)
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
    allow_signed: bool = False,
) -> PackageEdit:
    """Write ``values`` ({(row, column): value}) into ``sheet`` of ``src``, saving to ``dst``.

    Raises PackageUnsupported (nothing written) for what only openpyxl can do; SheetNotFoundError,
    WorkbookFormatError (a damaged package) and WriteError for what nobody should do, such as a
    cell Excel would hide or overwrite, or (without ``allow_signed``) a digitally signed workbook.
    """
    try:
        package = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise WriteError(
            f"cannot write into {src}: not a valid .xlsx/.xlsm workbook (expected a zip package: {error})",
            path=str(src),
        ) from error
    with package, _damage_named(src):
        return _write(package, src, dst, sheet, values, plan_args=(header_row, new_columns, date_format, allow_signed))


@contextlib.contextmanager
def _damage_named(src: Path) -> Iterator[None]:
    """A damaged part met while writing (malformed XML, a broken deflate stream) as WorkbookFormatError."""
    try:
        yield
    except ET.ParseError as error:
        raise WorkbookFormatError(
            f"{src.name} is damaged: a part of it is not well-formed XML ({error}); open it in Excel and save it again",
            path=str(src),
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise WorkbookFormatError(
            f"{src.name} is damaged and cannot be read ({error}); open it in Excel and save it again",
            path=str(src),
        ) from None


def _write(
    package: zipfile.ZipFile,
    src: Path,
    dst: Path,
    sheet: str,
    values: Mapping[tuple[int, int], CellValue],
    *,
    plan_args: tuple[int, Sequence[int], str, bool],
) -> PackageEdit:
    header_row, new_columns, date_format, allow_signed = plan_args
    notes: list[str] = []
    if mend_names(package):
        notes.append("zip member names written with backslashes were saved with '/'")
    check_package(package, case_twins=True)
    removed = _case_twins(package, src)
    if removed:
        notes.append(f"left out {', '.join(sorted(removed))}: a case-only twin of a part the workbook uses")
    signature = _signature(package)
    if signature is not None:
        if not allow_signed:
            raise WriteError(
                f"{src.name} is digitally signed ({signature}); any change invalidates the signature, so "
                "nothing was written. To write anyway (Excel will then show the workbook as unsigned), "
                "run refresh with --allow-signed (Python: allow_signed=True)",
                path=str(src),
            )
        notes.append(f"the digital signature ({signature}) no longer matches the content")
    infos = package.infolist()
    parts = _locate(package, src, sheet)
    plan = ColumnPlan.build(values, header_row, new_columns)
    book = parts.book
    styles_part = book.target("styles")
    if styles_part is not None and styles_part not in package.NameToInfo:
        styles_part = None  # named but missing: Excel opens such a file with default formats
    # Without a styles part (generated files often have none) one is made if a date needs a format.
    styles = StyleBook(read_text(package, styles_part) if styles_part else MINIMAL_STYLES, date_format)
    sheet_info = package.getinfo(parts.sheet)
    editor, sink, respelled = _edit_sheet(
        package, sheet_info, lambda: _SheetEditor(values, plan, styles, book.date1904), values
    )
    if respelled:
        notes.append(f"{sheet_info.filename} was rewritten the way Excel spells it ({respelled})")
    try:  # the sink's worker threads stop however this ends
        refuse_hidden(src, sheet, values, arrays=editor.rows.arrays, merged=editor.merged, pivots=parts.pivots)
        replaced: dict[str, CompressedSink] = {parts.sheet: sink}
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
        if styles_out is not None and not styles_part:
            created = add_styles_part(package, book, styles_out, texts)
            infos.append(zipfile.ZipInfo(created, date_time=(1980, 1, 1, 0, 0, 0)))
            infos[-1].compress_type = zipfile.ZIP_DEFLATED
            notes.append(f"added {created}: the workbook had no cell formats, and a date needs one")
        for name, text in texts.items():
            info = package.NameToInfo.get(name)
            member = CompressedSink(info.compress_type if info is not None else zipfile.ZIP_DEFLATED)
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
    return PackageEdit(len(values), tuple(notes))


def _edit_sheet(
    package: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    make_editor: Callable[[], _SheetEditor],
    values: Mapping[tuple[int, int], CellValue],
) -> tuple[_SheetEditor, ParallelDeflateSink, str]:
    """Run the sheet editor over the worksheet part; once more over a respelled copy of it when
    the first pass met a spelling :mod:`sheetkit.excel.normalise` rewrites (UTF-16, ``x:``
    prefixes, rows or cells without ``r``, an overwritten shared formula's master).

    Returns the editor, the sink holding the new part, and why it was respelled ("" if it was not).
    """
    respelled: bytes | None = None
    why = ""
    while True:
        editor, sink = make_editor(), ParallelDeflateSink(info.compress_type)
        try:
            with open_member(package, info) if respelled is None else io.BytesIO(respelled) as reader:
                editor.run(reader, sink)
            return editor, sink, why
        except PackageUnsupported as refused:
            sink.close()
            if respelled is not None or not any(marker in refused.reason for marker in _RESPELLABLE):
                raise
            text, _ = decode_xml(read_member(package, info), info.filename)
            text = number_cells(unprefix(text)[0])
            if "master cell of a shared formula" in refused.reason:
                text = expand_shared(text, {f"{column_letter(c)}{r}" for r, c in values})
            respelled, why = text.encode("utf-8"), refused.reason
        except BaseException:
            sink.close()
            raise


def refuse_hidden(
    src: Path,
    sheet: str,
    values: Mapping[tuple[int, int], CellValue],
    *,
    arrays: Sequence[str],
    merged: Sequence[str],
    pivots: Sequence[str],
) -> None:
    """Refuse cells Excel would not show or would overwrite: inside an array formula's block, hidden
    under a merged range (all but its top-left cell), inside a pivot table (ranges as "A1:B4").

    Raises:
        WriteError: naming the first such cell and its range.
    """
    kinds = [
        ("it is inside the array formula over {}, which Excel keeps as one block", arrays, 1),
        ("it is hidden under the merged range {} (only its top-left cell shows); unmerge it first", merged, 0),
        ("it is inside the pivot table at {}, which Excel overwrites when it refreshes", pivots, 1),
    ]
    written = [key for key, value in values.items() if value is not None]
    for why, ranges, anchor_too in kinds:
        for ref in ranges:
            box = parse_range(ref)
            if box is None or box[:2] == box[2:]:
                continue
            c1, r1, c2, r2 = box
            area = (c2 - c1 + 1) * (r2 - r1 + 1)
            cells = (
                [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if (r, c) in values]
                if area <= len(values)
                else [(r, c) for r, c in written if r1 <= r <= r2 and c1 <= c <= c2]
            )
            cells = [cell for cell in cells if anchor_too or cell != (r1, c1)]
            if cells:
                r, c = min(cells)
                raise WriteError(
                    f"cannot write {sheet}!{column_letter(c)}{r} in {src.name}: {why.format(ref)} "
                    "(nothing was written)",
                    path=str(src),
                )


def _case_twins(package: zipfile.ZipFile, src: Path) -> set[str]:
    """Members to leave out: of names differing only in case (OPC treats them as one part), the
    ones no relationship points to; the part the workbook uses is kept and edited.

    Readers disagree about such twins (calamine read the other one), so keeping both would let
    some readers miss the edit. Raises WorkbookFormatError when it is not clear which one is used.
    """
    groups: dict[str, list[str]] = {}
    for name in package.namelist():
        groups.setdefault(name.lower(), []).append(name)
    twins = [names for names in groups.values() if len(names) > 1]
    if not twins:
        return set()
    targets = {
        rel.part
        for rels in package.namelist()
        if rels.endswith(".rels")
        for rel in relationships(package, _source_of(rels)).values()
    }
    removed: set[str] = set()
    for names in twins:
        used = [name for name in names if name in targets]
        if len(used) != 1:
            raise WorkbookFormatError(
                f"{src.name} is ambiguous: it has members {' and '.join(map(repr, names))} (part names ignore "
                "case, and readers disagree about which one counts); open the file in Excel and save it again",
                path=str(src),
            )
        removed.update(name for name in names if name != used[0])
    return removed


def _source_of(rels: str) -> str:
    """The part a .rels part describes: xl/_rels/workbook.xml.rels -> xl/workbook.xml; _rels/.rels -> ""."""
    folder, name = rels.rsplit("/", 1) if "/" in rels else ("", rels)
    parent = folder[: -len("_rels")].rstrip("/") if folder.endswith("_rels") else folder
    base = name[: -len(".rels")]
    return f"{parent}/{base}" if parent and base else base


def _signature(package: zipfile.ZipFile) -> str | None:
    """How the package says it is digitally signed (an XML-DSig origin part), or None."""
    for rel in relationships(package, "").values():
        if rel.type.endswith(_SIGNATURE_REL):
            return f"signature part {rel.part}"
    signed = next((name for name in package.namelist() if name.lower().startswith("_xmlsignatures/")), None)
    return f"signature part {signed}" if signed is not None else None


def _locate(package: zipfile.ZipFile, src: Path, sheet: str) -> _Parts:
    """Find the workbook, the named worksheet, its tables and pivot tables (what may need editing or checking)."""
    refuse_unwritable(package, src)
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
    rels = [rel for rel in relationships(package, sheet_path).values() if rel.part in package.NameToInfo]
    pivots = [
        ref
        for rel in rels
        if rel.is_a("pivotTable")
        for ref in _PIVOT_LOCATION.findall(read_text(package, rel.part))[:1]
    ]
    tables = [rel.part for rel in rels if rel.is_a("table")]
    return _Parts(book, sheet_path, position, tables, pivots)
