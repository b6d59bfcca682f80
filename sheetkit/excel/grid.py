"""One worksheet's cells as python-calamine reads them, and the reading started early.

Everything here works without pandas, so the command line can start reading a workbook on a
thread (:func:`prefetch`) while the main thread still imports pandas and pandera: calamine parses
without holding the GIL, and on a 100,000-row sheet the parse and the imports take about as long
as each other. The rows a prefetch read are used only if the file is still the one it read.

Files are recognised by their first bytes, not only their name, so a damaged, encrypted or
mislabelled file gets a message that says what it really is and what to do.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetkit.errors import SheetkitError, SheetNotFoundError, SourceError, WorkbookFormatError
from sheetkit.excel import parts
from sheetkit.excel.parts import binary_workbook, open_package, workbook_part

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


def sniff_workbook(path: Path) -> None:
    """Fail early, with a specific message, on files that are not readable workbooks."""
    name = path.name
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found", path=str(path)) from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a folder, not a workbook file", path=str(path)) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open the file ({exc.strerror})", path=str(path)) from None
    suffix = path.suffix.lower()
    if size == 0:
        raise WorkbookFormatError(f"{name} is empty (0 bytes); expected an Excel workbook", path=str(path))
    if head.startswith(_OLE_MAGIC):
        data = path.read_bytes()
        if _ENCRYPTED_MARK in data:
            raise WorkbookFormatError(
                f"{name} is password-protected; open it in Excel, remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password) and save it, then run again",
                path=str(path),
            )
        if suffix != ".xls":
            raise WorkbookFormatError(
                f"{name} is an old-format Excel 97-2003 (.xls) file with an {suffix or 'unknown'} name; "
                "save it as .xlsx in Excel",
                path=str(path),
            )
        return
    if suffix in (".xlsx", ".xlsm", ".xlsb", ".ods") and not head.startswith(b"PK"):
        looks = "text" if _looks_like_text(head) else "something else"
        raise WorkbookFormatError(
            f"{name} is not an Excel workbook (an {suffix} file is a zip package; this file is {looks}); "
            "if it is CSV, rename it to .csv",
            path=str(path),
        )
    if suffix not in WORKBOOK_SUFFIXES:
        raise WorkbookFormatError(
            f"{name}: unsupported file type {suffix or '(no extension)'}; expected .xlsx, .xlsm, .xls or .csv",
            path=str(path),
        )


@dataclass
class Grid:
    """Every cell of one worksheet as calamine reads it: rows[i][j] is row i+1, column j+1."""

    sheet: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    sheet_names: list[str]


def read_grid(path: Path, *, sheet: str | None = None) -> Grid:
    """All values of one worksheet (default: the first), with python-calamine.

    An .xlsx/.xlsm package is checked first (:func:`~sheetkit.excel.parts.open_package`) and
    calamine parses a checked private copy of the sheet (:mod:`sheetkit.excel.parallel_read`),
    never the file itself. When :func:`prefetch` started reading this file and sheet, its rows
    are taken instead, provided the file is still the one it read.

    Raises:
        WorkbookFormatError: the file is not a readable workbook, or one sheetkit refuses to read
            (a part past the limits, an ambiguous package, an absurd used range).
        SheetNotFoundError: no sheet has that name (the message lists the sheets there are).
    """
    early = _take_prefetched(path, sheet)
    return early if early is not None else _read_grid_now(path, sheet)


PARSE_START_WAIT = 1.0
"""Seconds :func:`prefetch` waits at most for calamine to start parsing before it returns."""


def prefetch(path: str | Path, *, sheet: str | None = None, wait: float = PARSE_START_WAIT) -> None:
    """Start reading ``path`` (an .xlsx/.xlsm file) on a thread, for the next :func:`read_grid` of it.

    The command line calls this before it imports pandas and pandera, so the parse, which runs
    without the GIL, overlaps the imports. It returns once calamine is parsing the sheet's first
    part (or the read has ended, or after ``wait`` seconds): copying and checking that part holds
    the GIL, and imports on the main thread at the same time slowed both and started the parse
    late (100,000 rows: the parse starts at ~0.7 s instead of ~1.25 s; validate median 4.50 ->
    4.34 s over 14 alternating rounds). Anything unusual (not a local workbook, not there) starts
    nothing; what goes wrong while reading is raised by the read_grid that takes it.
    """
    path = Path(path)
    if not parts.is_package(path):
        return
    try:
        identity = _identity(path)
    except OSError:
        return
    future: Future[Grid] = Future()
    parsing = threading.Event()

    def read() -> None:
        from sheetkit.excel import parallel_read
        from sheetkit.runtime.gc_pause import gc_paused

        parallel_read.on_parse_start(parsing.set)
        try:
            with gc_paused():  # the rows become millions of objects (see gc_pause)
                future.set_result(_read_grid_now(path, sheet))
        except BaseException as exc:  # handed to the reader that takes it
            future.set_exception(exc)
        finally:
            parsing.set()

    with _PREFETCH_LOCK:
        _PREFETCHED[(_key(path), sheet)] = (identity, future)
    threading.Thread(target=read, name="sheetkit-prefetch", daemon=True).start()
    parsing.wait(wait)


_PREFETCH_LOCK = threading.Lock()
_PREFETCHED: dict[tuple[str, str | None], tuple[tuple[int, ...], Future[Grid]]] = {}


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _identity(path: Path) -> tuple[int, ...]:
    """What tells this file from a changed or replaced one: device, inode, size and mtime."""
    info = path.stat()
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _take_prefetched(path: Path, sheet: str | None) -> Grid | None:
    """The grid a prefetch read of this file and sheet, once; None to read it now.

    Read again when the file changed since the prefetch began (its rows would be stale), or
    when the prefetch failed in a way that is not sheetkit's own refusal.
    """
    if not _PREFETCHED:
        return None
    with _PREFETCH_LOCK:
        entry = _PREFETCHED.pop((_key(path), sheet), None)
    if entry is None:
        return None
    identity, future = entry
    try:
        grid = future.result()
    except SheetkitError:
        if _same_file(path, identity):
            raise  # what reading it now would raise
        return None
    except Exception:
        return None
    if not _same_file(path, identity):
        log.debug("%s changed since it was read early: reading it again", path.name)
        return None
    log.debug("%s, sheet %r: the rows read early are used", path.name, grid.sheet)
    return grid


def _same_file(path: Path, identity: tuple[int, ...]) -> bool:
    try:
        return _identity(path) == identity
    except OSError:
        return False


def _read_grid_now(path: Path, sheet: str | None) -> Grid:
    sniff_workbook(path)
    if parts.is_package(path):
        return _read_package_grid(path, sheet)
    if path.suffix.lower() in (".xlsb", ".ods"):  # zip packages too: calamine reads them itself
        open_package(path, strict=True).close()
    return _read_calamine_grid(path, sheet)


def _read_package_grid(path: Path, sheet: str | None) -> Grid:
    from sheetkit.excel.parallel_read import read_sheet

    name = path.name
    with open_package(path) as package:
        if binary_workbook(package):
            raise WorkbookFormatError(
                f"{name} is a binary Excel workbook (.xlsb) with an {path.suffix} name; rename it to .xlsb "
                "to validate it, or save it as .xlsx in Excel (sheetkit writes only .xlsx and .xlsm)",
                path=str(path),
            )
        book = parts.read_workbook(package)  # a part that is not XML: WorkbookFormatError naming it
        if book is None:
            raise WorkbookFormatError(
                f"{name} is damaged and cannot be read (no workbook part {workbook_part(package)}); "
                "open it in Excel and save it again",
                path=str(path),
            )
        names = book.sheet_names
        sheet = _choose_sheet(path, names, sheet)
        part = book.worksheet_part(names.index(sheet))
        if part is None:  # a chart or dialog sheet: no cells, as calamine reads it
            return Grid(sheet, [], [], names)
        if part not in package.NameToInfo:
            raise WorkbookFormatError(
                f"{name}, sheet {sheet!r} is damaged and cannot be read (its part {part} is missing)",
                path=str(path),
                sheet=sheet,
            )
        result = read_sheet(package, part, sheet)
    return Grid(sheet, result.rows, result.merged, names)


def _choose_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    """``sheet``, or the first sheet; SheetNotFoundError listing the sheets when there is no such sheet."""
    if not names:
        raise WorkbookFormatError(f"{path.name} has no worksheets", path=str(path))
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise SheetNotFoundError(
            f"{path.name} has no sheet named {sheet!r}; its sheets are: {', '.join(map(repr, names))}",
            path=str(path),
            sheet=sheet,
        )
    return sheet


def _read_calamine_grid(path: Path, sheet: str | None) -> Grid:
    """.xls, .xlsb and .ods, which calamine reads itself (their used range is not checked first)."""
    from python_calamine import CalamineWorkbook

    name = path.name
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise WorkbookFormatError(
            f"{name} is damaged and cannot be read ({_short(exc)}); open it in Excel and save it again",
            path=str(path),
        ) from None
    try:
        names = list(workbook.sheet_names)
        sheet = _choose_sheet(path, names, sheet)
        try:
            calamine_sheet = workbook.get_sheet_by_name(sheet)
            rows = calamine_sheet.to_python(skip_empty_area=False)
            merged_raw = list(calamine_sheet.merged_cell_ranges or [])
        except Exception as exc:
            raise WorkbookFormatError(
                f"{name}, sheet {sheet!r} is damaged and cannot be read ({_short(exc)})", path=str(path), sheet=sheet
            ) from None
    finally:
        workbook.close()
    return Grid(sheet, rows, merged_raw, names)


def _looks_like_text(head: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head.lstrip(b"\xef\xbb\xbf"))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
