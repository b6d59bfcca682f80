"""``sheetkit.write_cells``: put values into a workbook's cells and leave everything else as it was.

What pandas users reach for ``to_excel(mode="a", if_sheet_exists="overlay")`` to do, and find
their workbook rewritten by openpyxl instead (formula results, charts' extensions, shapes lost):
here the package editor (:mod:`sheetkit.excel.package`) changes only the named cells' XML and the
few parts that must follow, and the file is replaced atomically with a backup.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sheetkit.core.cells import CellUpdate, CellValue, a1
from sheetkit.errors import SheetkitError, WorkbookFormatError, WriteError
from sheetkit.excel.parts import check_package, is_package, mend_names, read_workbook
from sheetkit.excel.write import write_cells as _write_sheet
from sheetkit.excel.xml_text import parse_range
from sheetkit.runtime.atomic import atomic_replace, backup_path, real_path

__all__ = ["CellsWritten", "write_cells"]

_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class CellsWritten:
    """What :func:`write_cells` did.

    Attributes:
        path: the workbook written (``output`` when given, else the source itself).
        cells: the cells written, as ``'Sheet'!A1`` addresses in the order given.
        backup: where the previous version was kept (None: no backup asked or a new ``output``).
        engine: "package" (the cells edited in place) or "openpyxl" (only when asked for).
        notes: what else the caller should know (a part respelled, a signature invalidated).
    """

    path: Path
    cells: tuple[str, ...]
    backup: Path | None
    engine: str
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<CellsWritten {self.path.name}: {len(self.cells)} cells via {self.engine}>"


def write_cells(
    path: str | os.PathLike[str],
    cells: Mapping[str, CellValue],
    *,
    sheet: str | None = None,
    output: str | os.PathLike[str] | None = None,
    backup: bool = True,
    date_format: str | None = None,
    engine: Literal["package", "auto", "openpyxl"] = "package",
    allow_signed: bool = False,
) -> CellsWritten:
    """Write ``cells`` ({"A1": value, "Contacts!H7": value, ...}) into the .xlsx/.xlsm at ``path``.

    Values are str (always text: "=1+1" is not a formula), int, float, bool, date, datetime, or
    None to clear a cell. A date gets a date format (``date_format``; default yyyy-mm-dd, with
    hh:mm:ss when a datetime has a time) unless its cell already shows one; a number written into
    a cell formatted as a date gets the General format, so it reads back as that number. Every
    other cell, style and part is kept byte for byte.

    Args:
        sheet: the worksheet for keys that name none (default: the first worksheet).
        output: write the result here; default: replace ``path`` atomically, keeping the previous
            version as NAME.sheetkit-backup.xlsx unless ``backup`` is False.
        engine: "package" refuses, naming why, what it cannot edit without loss; "openpyxl"
            rewrites the whole workbook (cached formula results and what openpyxl does not model
            are lost); "auto" tries the package editor, then openpyxl.
        allow_signed: write into a digitally signed workbook (its signature then no longer holds).

    Raises:
        WriteError: a key or value that cannot be written, a cell Excel would hide or overwrite
            (merged, array formula, pivot table), or a workbook that cannot be edited safely;
            the file is then left exactly as it was.
        SheetNotFoundError, WorkbookFormatError: no such sheet; a damaged workbook.
    """
    source = Path(path)
    if not is_package(source):
        raise WriteError(f"write_cells writes .xlsx and .xlsm workbooks (got {source.name})", path=str(source))
    if not source.is_file():
        raise WriteError(f"cannot write into {source}: no such file", path=str(source))
    if not isinstance(cells, Mapping):
        raise WriteError(
            f"cells must be a mapping of addresses to values (got {type(cells).__name__})", path=str(source)
        )
    default_sheet = sheet if sheet is not None else _first_sheet(source)
    by_sheet: dict[str, list[CellUpdate]] = {}
    written: list[str] = []
    for key, value in cells.items():
        name, row, column = _address(key, default_sheet, source)
        by_sheet.setdefault(name, []).append(CellUpdate(row, column, value))
        written.append(a1(name, column, row))
    if date_format is None:
        timed = any(isinstance(v, dt.datetime) and v.time() != dt.time() for v in cells.values())
        date_format = _DATETIME_FORMAT if timed else _DATE_FORMAT
    target = Path(output) if output is not None else source
    had_target = target.exists()
    engines: set[str] = set()
    notes: list[str] = []
    if not by_sheet and target == source:
        return CellsWritten(target, (), None, "package")
    scratch: list[Path] = []
    try:
        with atomic_replace(target, backup=backup, like=source) as temporary:
            if not by_sheet:
                shutil.copyfile(source, temporary)
            step_source = source
            for index, (name, updates) in enumerate(by_sheet.items()):
                step_target = temporary if index == len(by_sheet) - 1 else _scratch(temporary, scratch)
                outcome = _write_sheet(
                    step_source,
                    step_target,
                    name,
                    updates,
                    header_row=0,  # no header row: nothing here is a new column of a table
                    date_format=date_format,
                    engine=engine,
                    allow_signed=allow_signed,
                )
                engines.add(outcome.engine)
                notes += [note for note in outcome.notes if note not in notes]
                if outcome.fallback_reason:
                    notes.append(f"rewritten with openpyxl; the package editor refused: {outcome.fallback_reason}")
                step_source = step_target
    finally:
        for path_ in scratch:
            path_.unlink(missing_ok=True)
    kept = backup_path(real_path(target)) if backup and had_target else None
    return CellsWritten(target, tuple(written), kept, "openpyxl" if "openpyxl" in engines else "package", tuple(notes))


def _address(key: object, default_sheet: str, source: Path) -> tuple[str, int, int]:
    """("Sheet", row, column) of an A1 key, which may name its sheet ("Contacts!H7", "'My list'!B2")."""
    if not isinstance(key, str):
        raise WriteError(f"cell addresses are text such as 'A1' or 'Contacts!H7' (got {key!r})", path=str(source))
    name, bang, ref = key.rpartition("!")
    if bang:
        if len(name) >= 2 and name[0] == name[-1] == "'":
            name = name[1:-1].replace("''", "'")
        if not name:
            raise WriteError(f"{key!r}: no sheet name before '!'", path=str(source))
    box = parse_range(ref)
    if box is None or box[:2] != box[2:]:
        raise WriteError(f"{key!r} is not one cell's address; expected 'A1', '$B$7' or 'Sheet!A1'", path=str(source))
    column, row = box[0], box[1]
    if not (1 <= row <= 1_048_576 and 1 <= column <= 16_384):
        raise WriteError(f"{key!r} is outside Excel's grid (A1:XFD1048576)", path=str(source))
    return (name if bang else default_sheet), row, column


def _first_sheet(source: Path) -> str:
    """The name of the workbook's first sheet in tab order."""
    try:
        with zipfile.ZipFile(source) as package:
            mend_names(package)
            check_package(package, case_twins=True)  # limits first: nothing inflates past them
            book = read_workbook(package)
    except SheetkitError:
        raise
    except Exception as error:  # damaged in any way (bad zip, malformed XML): named here, briefly
        raise WorkbookFormatError(
            f"{source.name}: cannot find its sheets ({type(error).__name__}: {error}); pass sheet=... or "
            "open it in Excel and save it again",
            path=str(source),
        ) from None
    if book is None or not book.sheet_names:
        raise WorkbookFormatError(f"{source.name} has no worksheets", path=str(source))
    return book.sheet_names[0]


def _scratch(beside: Path, made: list[Path]) -> Path:
    """A private temporary file beside ``beside`` for an intermediate step (one sheet of several),
    added to ``made`` so it is removed however the write ends."""
    handle, name = tempfile.mkstemp(prefix=f".{beside.name}.", suffix=".step.xlsx", dir=beside.parent)
    os.close(handle)
    made.append(Path(name))
    return made[-1]
