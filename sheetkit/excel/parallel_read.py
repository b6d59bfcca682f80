"""Read a worksheet from a private copy of its package, on two cores when it is big.

calamine never opens the user's file: sheetkit streams the sheet's XML out of the zip itself
(counting what it inflates, :mod:`sheetkit.excel.limits`), scans it for an absurd used range as it
passes (:mod:`sheetkit.excel.used_range`), and writes it, with the workbook, styles and shared
strings, as an uncompressed copy that calamine parses. So what calamine sees is bounded and
checked, and what sheetkit read is what it checked.

The copies are anonymous files (no name in any folder, mode 0600, gone when the process ends,
even by kill -9) that calamine opens through /proc/self/fd; where that is not available (or there
is no room) they are kept in memory.

calamine releases the GIL while it parses, but one sheet is one parse on one core, and on a
100,000-row sheet that parse is most of the time of a refresh. So a big sheet's XML is cut at a
row boundary into two copies: the first is parsed in a thread while the rest is still being
inflated, then the rows are put back together, the same list of rows calamine gives for the whole
sheet (tests compare them on every kind of workbook we have). Anything a cut cannot be sure of is
read in one part: one usable core, a small sheet, a prefixed or unusual XML layout, a row without
its number, rows out of order. SHEETKIT_PARALLEL_READ=0 turns the cutting off.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from sheetkit.errors import SheetkitError, WorkbookFormatError
from sheetkit.excel.limits import Limits, open_member, read_member
from sheetkit.excel.parts import open_package, relationships, rels_path, sheet_part, workbook_part
from sheetkit.excel.used_range import RangeScan, check, full_scan

log = logging.getLogger(__name__)

MIN_SHEET_BYTES = 16 * 2**20
"""Sheets whose XML is smaller than this (about 20,000 rows of the example) parse fast enough in one go."""

FIRST_PART_SHARE = 0.57
"""Where to cut (share of the XML before the cut): the first part parses while the rest is still
being inflated and written, so it may be the bigger one; measured best at 100,000 rows."""

PART_BYTES = 128 * 2**20
"""A sheet with more than twice this much XML is cut into parts of about this size, parsed two at
a time (one per core): calamine holds the whole grid of what it parses until it is converted
(about 1 GB for a million rows of the example at once), so smaller parts keep the peak down."""

PARSERS = 2
"""Parts parsed at once: one per core of a usual machine; more would hold more grids at a time."""

FD_FOLDER = "/proc/self/fd"
"""Where calamine finds an open anonymous file by its descriptor (Linux)."""

_CHUNK = 1 << 20
_ROW = b"<row "
# Parts of other sheets (and their drawings, pivots, links, macros) are not needed to parse this one.
_SKIPPED_TARGETS = (
    "/worksheet",
    "/chartsheet",
    "/dialogsheet",
    "/xlMacrosheet",
    "/externalLink",
    "/pivotCacheDefinition",
    "/vbaProject",
)
_UNIQUE_COUNT = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']([0-9]+)")


_THIS_THREAD = threading.local()


def on_parse_start(callback: Callable[[], None]) -> None:
    """Have ``callback`` called once calamine starts parsing the next sheet this thread reads
    (the first part handed to it); :func:`sheetkit.excel.grid.prefetch` waits for that."""
    _THIS_THREAD.on_parse_start = callback


def _parse_started() -> None:
    callback = getattr(_THIS_THREAD, "on_parse_start", None)
    if callback is not None:
        _THIS_THREAD.on_parse_start = None
        callback()


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Unsplittable(Exception):
    """The sheet's XML is not laid out the way a safe cut needs (it is read in one part)."""


class _NeedsFullScan(Exception):
    """The fast scan cannot vouch for the sheet's used range: the full scan decides."""


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


def read_sheet(package: zipfile.ZipFile, part: str, sheet: str) -> ParallelRead:
    """The rows of worksheet ``sheet`` (stored in ``part``), as calamine reads them, from private copies.

    Raises:
        WorkbookFormatError: the sheet's used range is absurd for its content, a part is not what
            its zip headers say, or calamine cannot read the sheet.
    """
    assert package.filename is not None  # opened by open_package
    parallel = read_rows(Path(package.filename), sheet)
    if parallel is not None:
        return parallel
    limits = Limits.from_env()
    name = Path(package.filename).name
    scan: RangeScan | None = RangeScan(limits, package.getinfo(part).file_size)
    try:
        try:
            return _read_in_parts(package, part, sheet, (), scan)
        except _NeedsFullScan as why:
            log.debug("%s: sheet %r needs the full scan (%s)", name, sheet, why)
        with open_member(package, part) as stream:
            used = full_scan(iter(lambda: stream.read(_CHUNK), b""), where=f"{name}, sheet {sheet!r}")
        check(used, limits, source=name, sheet=sheet, path=package.filename)
        return _read_in_parts(package, part, sheet, (), None)
    except SheetkitError:
        raise
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise WorkbookFormatError(
            f"{name}, sheet {sheet!r} is damaged and cannot be read ({_short(exc)})",
            path=package.filename,
            sheet=sheet,
        ) from None


def read_rows(
    path: Path, sheet: str, *, min_bytes: int | None = None, shares: tuple[float, ...] | None = None
) -> ParallelRead | None:
    """The sheet's rows, parsed in parts at once; None when it should be read in one part.

    ``min_bytes`` (default MIN_SHEET_BYTES) and ``shares``, the cut points as shares of the XML
    (default: :func:`cut_shares` of its size), let tests cut small sheets in many places.

    Raises:
        SheetkitError: what the checks refuse (a limit, an absurd used range); anything else
            makes it read in one part, which reports what is wrong.
    """
    if min_bytes is None:
        min_bytes = MIN_SHEET_BYTES
        if usable_cores() < 2 or os.environ.get("SHEETKIT_PARALLEL_READ", "").strip() == "0":
            return None
    try:
        with open_package(path) as package:
            part = sheet_part(package, sheet)
            if part is None:
                return None
            size = package.getinfo(part).file_size
            if size < max(min_bytes, 1):
                return None
            cuts = cut_shares(size) if shares is None else shares
            return _read_in_parts(package, part, sheet, cuts, RangeScan(Limits.from_env(), size))
    except SheetkitError:  # a refusal: one part would refuse too
        raise
    except Exception as exc:  # read in one part, which reports what is wrong
        log.debug("%s: reading sheet %r in one part (%s: %s)", path.name, sheet, type(exc).__name__, exc)
        return None


def cut_shares(size: int) -> tuple[float, ...]:
    """Where to cut ``size`` bytes of sheet XML: once at FIRST_PART_SHARE, or into parts of about
    PART_BYTES when it is more than twice that."""
    if size <= 2 * PART_BYTES:
        return (FIRST_PART_SHARE,)
    count = -(-size // PART_BYTES)
    return tuple(index / count for index in range(1, count))


def _read_in_parts(
    package: zipfile.ZipFile, part: str, sheet: str, shares: tuple[float, ...], scan: RangeScan | None
) -> ParallelRead:
    """Copy the sheet in ``len(shares) + 1`` parts, each parsed by calamine as soon as it is written;
    a huge sheet's repeated texts are shared part by part (:func:`share_repeated_texts`)."""
    from python_calamine import CalamineWorkbook

    stop = threading.Event()
    share_texts = package.getinfo(part).file_size > 2 * PART_BYTES

    def parse(piece: IO[bytes], index: int) -> _Part:
        """Parse one part and turn it into rows at once: the next part is still parsing (no GIL)."""
        if stop.is_set():
            raise _Unsplittable("stopped")
        try:
            workbook = _open_copy(CalamineWorkbook, piece)
        finally:
            piece.close()  # calamine holds its own descriptor: the file lives until it closes that
        try:
            found = workbook.get_sheet_by_name(sheet)
            merged = list(found.merged_cell_ranges or [])
            if index == 0:  # from row 1 and column A, as one parse of the whole sheet gives it
                first = found.to_python(skip_empty_area=False) if found.height else []
                if share_texts:
                    share_repeated_texts(first)
                return _Part(first, 0, merged)
            start = found.start  # None for a part with no cells
            if not found.height or start is None:
                return _Part([], -1, merged)
            first_row, first_column = start
            rows = found.to_python(skip_empty_area=True)
            if first_column:
                rows = [[""] * first_column + row for row in rows]
            if share_texts:
                share_repeated_texts(rows)
            return _Part(rows, first_row, merged)
        finally:
            workbook.close()

    pieces: list[IO[bytes]] = []
    try:
        parsers = min(len(shares) + 1, PARSERS)
        with ThreadPoolExecutor(max_workers=parsers, thread_name_prefix="sheetkit-read") as pool:
            futures: list[Future[_Part]] = []
            try:
                for index, piece in enumerate(_write_parts(package, part, shares, scan)):
                    pieces.append(piece)
                    futures.append(pool.submit(parse, piece, index))
                    _parse_started()
                return _join([future.result() for future in futures])
            finally:
                stop.set()
                for future in futures:
                    future.cancel()
    finally:  # after the pool has waited for its threads: no parse is opening a copy any more
        for piece in pieces:
            piece.close()


def _open_copy(opener: Any, piece: IO[bytes]) -> Any:
    """calamine's workbook over a copy: an anonymous file by its descriptor's path, else from memory."""
    if isinstance(piece, io.BytesIO):
        piece.seek(0)
        return opener.from_filelike(piece)
    return opener.from_path(f"{FD_FOLDER}/{piece.fileno()}")


def _new_piece() -> IO[bytes]:
    """An anonymous file for one copy (no name anywhere, mode 0600); in memory if there is no room."""
    if os.path.isdir(FD_FOLDER):
        try:
            return tempfile.TemporaryFile()
        except OSError as exc:
            log.debug("no room for a temporary copy (%s): keeping it in memory", exc)
    return io.BytesIO()


def _write_parts(
    package: zipfile.ZipFile, part: str, shares: tuple[float, ...], scan: RangeScan | None
) -> Iterator[IO[bytes]]:
    """Write the package once per part of the sheet, yielding each as soon as it is complete and checked."""
    support = _support_members(package, part)
    total = package.getinfo(part).file_size
    cuts = sorted(int(total * share) for share in shares)
    with open_member(package, part) as member:
        stream: _Readable = member if scan is None else _Scanned(member, scan)
        head, pending = _head(stream) if cuts else (b"", stream.read(_CHUNK))
        written = len(head)
        for index in range(len(cuts) + 1):
            piece = _new_piece()
            try:
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
                piece.flush()
                if scan is not None:
                    if index == len(cuts):
                        scan.finish()
                    if not scan.vouches():  # before calamine sees this part: its grid is within what was scanned
                        raise _NeedsFullScan(scan.doubt)
            except BaseException:
                piece.close()
                raise
            yield piece


class _Scanned:
    """A reader that feeds what it reads to a :class:`RangeScan`."""

    def __init__(self, stream: IO[bytes], scan: RangeScan) -> None:
        self.read_from: Callable[[int], bytes] = stream.read
        self.scan = scan

    def read(self, size: int = -1, /) -> bytes:
        data = self.read_from(size)
        self.scan.feed(data)
        if self.scan.doubt:  # stop copying: the full scan decides
            raise _NeedsFullScan(self.scan.doubt)
        return data


def _head(stream: _Readable) -> tuple[bytes, bytes]:
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


def _copy_until_row(stream: _Readable, pending: bytes, written: int, cut: int, out: IO[bytes]) -> tuple[bytes, int]:
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


def _copy_rest(stream: _Readable, pending: bytes, out: IO[bytes]) -> None:
    while pending:
        out.write(pending)
        pending = stream.read(_CHUNK)


SHARE_SAMPLE_ROWS = 1000
"""Rows of a part looked at to tell a column that repeats its texts from one that does not."""


def share_repeated_texts(rows: list[list[Any]]) -> None:
    """Let the equal texts of each column that repeats them hold one str object.

    calamine makes one str per cell, even where a column repeats a dozen words (a status, an
    owner, a city): at Excel's row limit that is about 400 MB. Done on each part as soon as it is
    converted, the memory freed is reused by the next part's rows, so the read's peak falls (1M
    rows of the benchmark: 1,363 -> 964 MB for the rows, a refresh 1,805 -> 1,357 MB) for about
    1 s. A column is shared when fewer than half the non-empty texts of its first rows differ (a
    mostly empty column of distinct notes is left alone); only str cells are replaced, each by an
    equal str, so every value stays exactly what was read.
    """
    sample = rows[:SHARE_SAMPLE_ROWS]
    width = max((len(row) for row in sample), default=0)
    for column in range(width):
        texts = [row[column] for row in sample if column < len(row) and type(row[column]) is str and row[column]]
        if not texts or len(set(texts)) * 2 > len(texts):
            continue
        seen: dict[str, str] = {}
        same = seen.setdefault
        for row in rows:
            if column < len(row) and type(value := row[column]) is str:
                row[column] = same(value, value)


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
    strings = None
    for rel in relationships(package, workbook).values():
        if not rel.type.endswith(_SKIPPED_TARGETS):
            keep.add(rel.part)
        if rel.is_a("sharedStrings"):
            strings = rel.part
    keep.discard(part)
    members = [(name, read_member(package, name)) for name in package.namelist() if name in keep]
    for name, data in members:
        if name == strings:
            _check_unique_count(package, name, data)
    return members


def _check_unique_count(package: zipfile.ZipFile, name: str, data: bytes) -> None:
    """calamine reserves room for the strings <sst uniqueCount> announces: it must fit what is there."""
    found = _UNIQUE_COUNT.search(data, 0, 4096)
    if found is not None and int(found[1]) > len(data) // 5 + 1:
        source = Path(package.filename or "").name
        raise WorkbookFormatError(
            f"{source}: {name} announces {int(found[1]):,} shared strings but has room for at most "
            f"{len(data) // 5 + 1:,}; the file is damaged or forged and is not read",
            path=package.filename or "",
        )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
