"""Write computed cells into an Excel workbook: the package editor, openpyxl only when asked.

:func:`write_cells` is the one entry point for cells, :func:`write_plan` for a planned refresh
(CSV too). The package path (:mod:`sheetkit.excel.package`) edits only the worksheet XML and the
few parts that must follow; openpyxl (:mod:`sheetkit.excel.openpyxl_writer`) rewrites the whole
workbook and loses what it does not model (every cached formula result, extensions, shapes), so
by default a workbook the package path cannot edit is refused, naming why and the openpyxl
escape hatch with its cost. engine="auto" allows the fallback (reported in the outcome),
engine="openpyxl" forces it. Updates are checked here once (:func:`latest_values`), for both engines.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Literal

from sheetkit.core.cells import CellUpdate, CellValue
from sheetkit.core.schema import Schema
from sheetkit.core.writeplan import PlannedCells, WritePlan
from sheetkit.errors import PackageUnsupported, WriteError
from sheetkit.excel.csv import write_csv
from sheetkit.excel.package import write_package
from sheetkit.excel.parts import PACKAGE_SUFFIXES
from sheetkit.runtime.atomic import FileStamp, Replaced, atomic_replace
from sheetkit.runtime.gc_pause import gc_paused

__all__ = ["OPENPYXL_COST", "WriteOutcome", "latest_values", "write_cells", "write_plan"]

Engine = Literal["auto", "package", "openpyxl"]


OPENPYXL_COST = (
    "openpyxl rewrites the whole workbook: every formula's cached result is dropped (readers that do not "
    "recalculate, such as pandas, see those cells empty until Excel recalculates), and what openpyxl does "
    "not model (shapes, Excel 2010+ extensions, slicers, rich-text comments' look) is lost"
)
"""What the openpyxl escape hatch costs, said wherever it is offered."""


@dataclass(frozen=True)
class WriteOutcome:
    """What :func:`write_cells` did: which engine wrote, why openpyxl was needed, how many cells,
    and anything else the caller should be told (a name respelled, a signature invalidated)."""

    engine: Literal["package", "openpyxl"]
    fallback_reason: str | None
    cells_written: int
    notes: tuple[str, ...] = ()


def write_cells(
    src: Path,
    dst: Path,
    sheet: str,
    updates: Sequence[CellUpdate],
    *,
    header_row: int,
    new_columns: Sequence[int] = (),
    date_format: str = "yyyy-mm-dd",
    engine: Engine = "package",
    allow_signed: bool = False,
) -> WriteOutcome:
    """Write ``updates`` into worksheet ``sheet`` of workbook ``src``, saving the result as ``dst``.

    Every cell, style and part not named by an update is kept. ``new_columns`` are the columns
    appended right of the table: their header copies the style of the header on its left, gets a
    width, and joins the sheet's autoFilter and Excel table when those end just before it.

    ``engine``: "package" (default) edits the package and refuses what it cannot edit safely;
    "auto" then falls back to openpyxl (the outcome says why); "openpyxl" always rewrites with it.

    Raises:
        SheetNotFoundError: ``sheet`` is not a worksheet of ``src``.
        WorkbookFormatError: ``src`` is damaged (a bad zip member, malformed XML).
        WriteError: ``src`` is not a workbook, an update cannot be written (a cell Excel would hide
            or overwrite), the workbook is signed (without ``allow_signed``), or (engine="package")
            the package path cannot edit it safely; ``dst`` is then not written.
    """
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
                edit = write_package(
                    src,
                    dst,
                    sheet,
                    values,
                    header_row=header_row,
                    new_columns=columns,
                    date_format=date_format,
                    allow_signed=allow_signed,
                )
                return WriteOutcome("package", None, edit.cells, edit.notes)
            except PackageUnsupported as unsupported:
                if engine == "package":
                    raise WriteError(
                        f"cannot write into {src.name} sheet {sheet!r} without losing data: {unsupported.reason}; "
                        f"nothing was written. --engine openpyxl (engine='openpyxl') would write it, at a cost: "
                        f"{OPENPYXL_COST}",
                        path=str(src),
                    ) from unsupported
                reason = unsupported.reason
    from sheetkit.excel.openpyxl_writer import write_openpyxl  # openpyxl's import costs a package write ~0.15 s

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
    if isinstance(updates, PlannedCells):  # a write plan's cells, a column at a time
        planned = updates.columns
        rows = [row for _, column_rows, _ in planned for row in column_rows]
        values = [value for _, _, column_values in planned for value in column_values]
        columns = [column for column, _, _ in planned]  # one per column is all the range check needs
        return updates.by_cell() if _plain_updates(rows, columns, values) else _checked_values(updates, src)
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


def write_plan(
    plan: WritePlan,
    *,
    source: Path,
    target: Path,
    sheet: str,
    schema: Schema,
    backup: bool = True,
    engine: Literal["auto", "package", "openpyxl"] = "package",
    expect: FileStamp | None = None,
    allow_signed: bool = False,
    if_changed: Replaced | None = None,
) -> tuple[str, str | None]:
    """Write the planned cells into ``target`` (a copy of ``source`` when they differ), atomically.

    ``expect`` is what ``source`` was when it was read: the plan was made for that content, so a
    source changed since is refused (checked before the write and again just before the rename).

    Returns:
        (engine used, reason for the openpyxl fallback or None).
    """
    if expect is not None and not expect.matches(source):
        raise WriteError(
            f"{source.name} changed since sheetkit read it (another program saved it meanwhile); "
            "nothing was written: run again to work on the new version",
            path=str(source),
        )
    in_place = target == source
    suffix = source.suffix.lower()
    if suffix == ".csv":
        with atomic_replace(
            target, backup=backup, expect=expect if in_place else None, like=source, if_changed=if_changed
        ) as temporary:
            write_csv(plan, source, temporary, schema)
        return "csv", None
    if suffix not in PACKAGE_SUFFIXES:
        raise WriteError(
            f"cannot write computed columns into {source.name}: sheetkit writes .xlsx, .xlsm and .csv files; "
            f"save the workbook as .xlsx first (validation works on {suffix} as it is)",
            path=str(source),
        )
    with atomic_replace(
        target, backup=backup, expect=expect if in_place else None, like=source, if_changed=if_changed
    ) as temporary:
        outcome = write_cells(
            source,
            temporary,
            sheet,
            plan.updates,
            header_row=plan.header_row,
            new_columns=plan.new_columns,
            date_format=schema.date_format,
            engine=engine,
            allow_signed=allow_signed,
        )
    return outcome.engine, outcome.fallback_reason
