"""Write cells through openpyxl: the fallback for workbooks the package editor will not touch.

openpyxl loads and rewrites the whole workbook: it is slow, needs ~50-75x the file size in
memory and drops what it does not model (cached formula values, Excel 2010 extensions, shapes;
see PITFALLS.md). :mod:`sheetkit.excel.write` therefore uses it only when the package path
reports why it cannot edit a file, or when asked to.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from sheetkit.core.cells import CellValue, column_letter
from sheetkit.errors import SheetNotFoundError, WriteError
from sheetkit.excel.number_formats import is_date_format
from sheetkit.excel.package import refuse_hidden
from sheetkit.excel.part_edits import ColumnPlan
from sheetkit.excel.parts import check_package, refuse_unwritable
from sheetkit.excel.xml_text import excel_serial, ooxml_text, parse_range, range_ref

__all__ = ["write_openpyxl"]

log = logging.getLogger(__name__)


def write_openpyxl(
    src: Path,
    dst: Path,
    sheet: str,
    values: Mapping[tuple[int, int], CellValue],
    *,
    header_row: int,
    new_columns: Sequence[int],
    date_format: str,
) -> int:
    """Same contract as :func:`sheetkit.excel.package.write_package`, through load_workbook + save."""
    _refuse_what_openpyxl_cannot_open(src)
    try:
        with _warnings_logged(src):
            book = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)
    except Exception as error:  # openpyxl raises many types for files it cannot read
        raise WriteError(
            f"cannot write into {src}: openpyxl cannot read it as an .xlsx/.xlsm workbook "
            f"({type(error).__name__}: {error})",
            path=str(src),
        ) from error
    if sheet not in book.sheetnames:
        found = ", ".join(repr(name) for name in book.sheetnames) or "none"
        raise SheetNotFoundError(
            f"no worksheet named {sheet!r} in {src} (sheets: {found}); pass one of those names",
            path=str(src),
            sheet=sheet,
        )
    ws = book[sheet]
    if not isinstance(ws, Worksheet):
        raise WriteError(f"cannot write cells into {sheet!r} of {src}: it is a chart sheet", path=str(src))
    refuse_hidden(
        src,
        sheet,
        values,
        arrays=list(ws.array_formulae.values()),
        merged=[str(merged) for merged in ws.merged_cells.ranges],
        pivots=[pivot.location.ref for pivot in getattr(ws, "_pivots", []) if pivot.location is not None],
    )
    plan = ColumnPlan.build(values, header_row, new_columns)
    date1904 = book.epoch == CALENDAR_MAC_1904
    header_styles = {column: _left_header(ws, header_row, column) for column in plan.new_columns}
    for (row, column), value in sorted(values.items()):
        if value is None and (row, column) not in ws._cells:
            continue  # clearing a cell that does not exist: nothing to do, nothing to create
        cell = ws.cell(row, column)
        if not isinstance(cell, Cell):
            raise WriteError(
                f"cannot write {cell.coordinate} of {sheet!r} in {src}: it is hidden inside a merged range; "
                "unmerge those cells first",
                path=str(src),
            )
        left = header_styles.get(column) if row == header_row else None
        if left is not None and not cell.has_style:
            for look in ("font", "fill", "border", "alignment", "protection", "number_format"):
                setattr(cell, look, copy(getattr(left, look)))
        _set_value(cell, value, date_format, date1904)
    _extend_columns(ws, plan)
    if book.calculation is None:  # no <calcPr> in workbook.xml (about 1 real workbook in 11)
        book.calculation = CalcProperties()
    book.calculation.fullCalcOnLoad = True
    try:
        with _warnings_logged(src):
            book.save(dst)
    except Exception as error:
        raise WriteError(
            f"openpyxl could not save {dst}: {type(error).__name__}: {error}", path=str(dst)
        ) from error
    return len(values)


def _refuse_what_openpyxl_cannot_open(src: Path) -> None:
    """Check the package as every read does; say so plainly for a binary or Strict Open XML workbook."""
    try:
        package = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl's own error says what is wrong, as a WriteError
    with package:
        check_package(package)
        refuse_unwritable(package, src)


@contextmanager
def _warnings_logged(src: Path) -> Iterator[None]:
    """openpyxl's warnings, to sheetkit's log instead of the user's terminal."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        log.info("%s: openpyxl: %s", src.name, warning.message)


def _set_value(cell: Cell, value: CellValue, date_format: str, date1904: bool) -> None:
    if isinstance(value, str):
        # openpyxl writes CR raw, which XML readers turn into LF: store it the way Excel does
        cell.value = ooxml_text(value).replace("\r", "_x000D_")
        cell.data_type = "s"  # text starting with "=" is text, not a formula
    elif isinstance(value, dt.date):
        excel_serial(value, date1904)  # raises for dates the workbook cannot hold
        keep = is_date_format(cell.number_format)
        cell.value = value
        if not keep:
            cell.number_format = date_format
    else:
        cell.value = value


def _left_header(ws: Worksheet, header_row: int, column: int) -> Cell | None:
    """The nearest styled header cell left of ``column``: new headers copy its look."""
    for left in range(column - 1, 0, -1):
        cell = ws._cells.get((header_row, left))
        if isinstance(cell, Cell) and cell.has_style:
            return cell
    return None


def _extend_columns(ws: Worksheet, plan: ColumnPlan) -> None:
    """Widths for new columns; the sheet's autoFilter and tables grown over them."""
    dimensions = list(ws.column_dimensions.values())
    for column, width in plan.widths.items():
        if not any(d.min and d.max and d.min <= column <= d.max for d in dimensions):
            ws.column_dimensions[column_letter(column)].width = width
    if ws.auto_filter.ref:
        grown = plan.extend(parse_range(ws.auto_filter.ref))
        if grown is not None:
            ws.auto_filter.ref = range_ref(*grown)
    for table in ws.tables.values():
        box = parse_range(table.ref)
        grown = plan.extend(box)
        if box is None or grown is None or table.headerRowCount == 0:
            continue
        names = plan.table_names(box, grown, [c.name for c in table.tableColumns])
        if names is None:
            continue
        next_id = max([0, *(c.id for c in table.tableColumns)]) + 1
        for offset, name in enumerate(names):
            table.tableColumns.append(TableColumn(id=next_id + offset, name=ooxml_text(name)))
        table.ref = range_ref(*grown)
        if table.autoFilter is not None and table.autoFilter.ref:
            inner = parse_range(table.autoFilter.ref)
            if inner is not None and inner[2] == box[2]:
                table.autoFilter.ref = range_ref(inner[0], inner[1], grown[2], inner[3])
