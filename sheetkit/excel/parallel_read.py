"""Read a big worksheet on two cores: python-calamine parses two parts of the sheet at once.

calamine releases the GIL while it parses, but one sheet is one parse on one core, and on a
100,000-row sheet that parse is most of the time of a refresh. So for a big sheet sheetkit
streams the sheet's XML out of the zip once, cuts it at a row boundary, and writes each part as
the worksheet of a small uncompressed copy of the package (workbook, styles and shared strings
only) in a private temporary folder. The first part is parsed in a thread while the rest is
still being inflated; then the rows are put back together. The result is the same list of rows
calamine gives for the whole sheet (tests compare them on every kind of workbook we have).

Anything this cannot be sure of takes the ordinary one-parse path: one usable core, a small
sheet, a prefixed or unusual XML layout, a row without its number, rows out of order, no room
for the temporary files. SHEETKIT_PARALLEL_READ=0 turns it off (no temporary copies at all).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sheetkit.errors import SheetkitError
from sheetkit.excel.limits import open_member, read_member
from sheetkit.excel.parts import open_package, relationships, rels_path, sheet_part, workbook_part

log = logging.getLogger(__name__)

MIN_SHEET_BYTES = 16 * 2**20
"""Sheets whose XML is smaller than this (about 20,000 rows of the example) parse fast enough in one go."""

FIRST_PART_SHARE = 0.57
"""Where to cut (share of the XML before the cut): the first part parses while the rest is still
being inflated and written, so it may be the bigger one; measured best at 100,000 rows."""

_CHUNK = 1 << 20
_ROW = b"<row "
# Parts of other sheets (and their drawings, pivots, links) are not needed to parse this one.
_SKIPPED_TARGETS = (
    "/worksheet",
    "/chartsheet",
    "/dialogsheet",
    "/xlMacrosheet",
    "/externalLink",
    "/pivotCacheDefinition",
)


class _Unsplittable(Exception):
    """The sheet's XML is not laid out the way a safe cut needs (the one-parse path reads it)."""


@dataclass
class ParallelRead:
    """What calamine gives for the whole sheet: every row from row 1, and the merged ranges."""

    rows: list[list[Any]]
    merged: list[Any]


@dataclass
class _Part:
    """One part's rows; first_row is the sheet row (0-based) of rows[0], -1 for a part with no cells."""

    rows: list[list[Any]]
    first_row: int
    merged: list[Any]


def usable_cores() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def read_rows(
    path: Path, sheet: str, *, min_bytes: int | None = None, shares: tuple[float, ...] = (FIRST_PART_SHARE,)
) -> ParallelRead | None:
    """The sheet's rows, parsed in parts at once; None when the one-parse path should read it.

    ``min_bytes`` (default MIN_SHEET_BYTES) and ``shares``, the cut points as shares of the XML,
    let tests cut small sheets in many places.
    """
    if min_bytes is None:
        min_bytes = MIN_SHEET_BYTES
        if usable_cores() < 2 or os.environ.get("SHEETKIT_PARALLEL_READ", "").strip() == "0":
            return None
    try:
        with open_package(path) as package:
            part = sheet_part(package, sheet)
            if part is None or package.getinfo(part).file_size < max(min_bytes, 1):
                return None
            return _read_in_parts(package, part, sheet, shares)
    except SheetkitError:  # a refusal (a part past the limits, or not what it declares): the one parse refuses too
        raise
    except Exception as exc:  # the one-parse path reads it, and reports what is wrong
        log.debug("%s: reading sheet %r in one parse (%s: %s)", path.name, sheet, type(exc).__name__, exc)
        return None


def _read_in_parts(package: zipfile.ZipFile, part: str, sheet: str, shares: tuple[float, ...]) -> ParallelRead:
    from python_calamine import CalamineWorkbook

    folder = tempfile.mkdtemp(prefix="sheetkit-read-")  # mode 0700: the parts hold the user's data
    stop = threading.Event()

    def parse(piece: Path, index: int) -> _Part:
        """Parse one part and turn it into rows at once: the next part is still parsing (no GIL)."""
        if stop.is_set():
            raise _Unsplittable("stopped")
        workbook = CalamineWorkbook.from_path(str(piece))
        try:
            found = workbook.get_sheet_by_name(sheet)
            merged = list(found.merged_cell_ranges or [])
            if index == 0:  # from row 1 and column A, as the one-parse path reads the whole sheet
                return _Part(found.to_python(skip_empty_area=False) if found.height else [], 0, merged)
            start = found.start  # None for a part with no cells
            if not found.height or start is None:
                return _Part([], -1, merged)
            first_row, first_column = start
            rows = found.to_python(skip_empty_area=True)
            if first_column:
                rows = [[""] * first_column + row for row in rows]
            return _Part(rows, first_row, merged)
        finally:
            workbook.close()

    try:
        with ThreadPoolExecutor(max_workers=len(shares) + 1, thread_name_prefix="sheetkit-read") as pool:
            futures: list[Future[_Part]] = []
            try:
                for index, piece in enumerate(_write_parts(package, part, Path(folder), shares)):
                    futures.append(pool.submit(parse, piece, index))
                return _join([future.result() for future in futures])
            finally:
                stop.set()
                for future in futures:
                    future.cancel()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_parts(package: zipfile.ZipFile, part: str, folder: Path, shares: tuple[float, ...]) -> Iterator[Path]:
    """Write the package once per part of the sheet, yielding each as soon as it is complete."""
    support = _support_members(package, part)
    total = package.getinfo(part).file_size
    cuts = sorted(int(total * share) for share in shares)
    with open_member(package, part) as stream:  # counted: a part that lies about its size is refused
        head, pending = _head(stream)
        written = len(head)
        for index in range(len(cuts) + 1):
            piece = folder / f"part{index}.xlsx"
            with zipfile.ZipFile(piece, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
                for name, data in support:
                    out.writestr(name, data)
                with out.open(part, "w", force_zip64=True) as sheet_out:
                    sheet_out.write(head)
                    if index < len(cuts):
                        pending, written = _copy_until_row(stream, pending, written, cuts[index], sheet_out)
                        sheet_out.write(b"</sheetData></worksheet>")
                    else:
                        _copy_rest(stream, pending, sheet_out)
            yield piece


def _head(stream: IO[bytes]) -> tuple[bytes, bytes]:
    """The XML up to and including ``<sheetData>`` (every part starts with it), and what was read past it."""
    buffer = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            raise _Unsplittable("no <sheetData> element")
        buffer += chunk
        at = buffer.find(b"<sheetData>")
        if at >= 0:
            end = at + len(b"<sheetData>")
            head = buffer[:end]
            if b"<worksheet" not in head:
                raise _Unsplittable("prefixed worksheet element")
            return head, buffer[end:]
        if b"<sheetData/>" in buffer:
            raise _Unsplittable("empty sheet")


def _copy_until_row(stream: IO[bytes], pending: bytes, written: int, cut: int, out: IO[bytes]) -> tuple[bytes, int]:
    """Copy rows to ``out`` up to the first ``<row`` at or after byte ``cut``; return the rest read."""
    while True:
        if b"<!" in pending:  # a comment or CDATA could hide a "<row " that is not a row
            raise _Unsplittable("comment or CDATA inside sheetData")
        start = max(0, cut - written)
        at = pending.find(_ROW, start) if start < len(pending) else -1
        if at >= 0:
            tag_end = pending.find(b">", at)
            if tag_end < 0:  # the tag runs into the next chunk
                more = stream.read(_CHUNK)
                if not more:
                    raise _Unsplittable("sheet XML ends inside a row tag")
                pending += more
                continue
            if b"</sheetData>" in pending[:at]:
                raise _Unsplittable("no row after the cut")
            if b' r="' not in pending[at:tag_end]:
                raise _Unsplittable("a row without its number")
            out.write(pending[:at])
            return pending[at:], written + at
        if b"</sheetData>" in pending:
            raise _Unsplittable("no row after the cut")
        keep = len(_ROW) - 1  # a "<row " split across two chunks
        if len(pending) > keep:
            out.write(pending[:-keep])
            written += len(pending) - keep
            pending = pending[-keep:]
        more = stream.read(_CHUNK)
        if not more:
            raise _Unsplittable("sheet XML ends before the cut")
        pending += more


def _copy_rest(stream: IO[bytes], pending: bytes, out: IO[bytes]) -> None:
    while pending:
        out.write(pending)
        pending = stream.read(_CHUNK)


def _join(parts: list[_Part]) -> ParallelRead:
    """One list of rows, as calamine gives it for the whole sheet (skip_empty_area=False)."""
    blocks = [parts[0].rows]
    count = len(parts[0].rows)
    for part in parts[1:]:
        if part.first_row < 0:  # no cells in this part
            continue
        if part.first_row < count:
            raise _Unsplittable("rows out of order")
        if part.first_row > count:
            blocks.append([[] for _ in range(part.first_row - count)])  # rows with no cells between the parts
        blocks.append(part.rows)
        count = part.first_row + len(part.rows)
    width = max((len(row) for block in blocks for row in block[:1]), default=0)
    joined: list[list[Any]] = []
    for block in blocks:  # calamine's rows are all as wide as its range; the parts' ranges may differ
        if block and len(block[0]) != width:
            block = [row + [""] * (width - len(row)) for row in block]
        joined.extend(block)
    return ParallelRead(joined, parts[-1].merged)


def _support_members(package: zipfile.ZipFile, part: str) -> list[tuple[str, bytes]]:
    """The members calamine needs besides the sheet: package and workbook parts, styles, strings."""
    workbook = workbook_part(package)
    keep = {"[Content_Types].xml", "_rels/.rels", workbook, rels_path(workbook)}
    for rel in relationships(package, workbook).values():
        if not rel.type.endswith(_SKIPPED_TARGETS):
            keep.add(rel.part)
    keep.discard(part)
    return [(name, read_member(package, name)) for name in package.namelist() if name in keep]
