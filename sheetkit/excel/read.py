"""Reading a source into a :class:`~sheetkit.core.table.Table`: workbooks, CSV files, DataFrames.

Workbooks are read with python-calamine (fast, values only: a formula cell gives its last saved
value), by :mod:`sheetkit.excel.grid`; this module finds the table in the grid.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from sheetkit.core.dates import EPOCH_1900, EPOCH_1904
from sheetkit.core.schema import Schema
from sheetkit.core.table import FileOrigin, MergedRange, Table, build_table, locate_header, table_from_frame
from sheetkit.errors import HeaderError, PackageUnsupported, SourceError
from sheetkit.excel.csv import read_csv
from sheetkit.excel.grid import Grid, read_grid, sniff_workbook
from sheetkit.excel.parts import date1904, is_package, open_package

__all__ = ["Grid", "read_grid", "read_table", "read_workbook", "sniff_workbook"]


def read_table(source: Any, schema: Schema, *, sheet: str | None = None) -> Table:
    """Read the schema's table from a file path or a pandas DataFrame.

    Raises:
        SourceError: (or a subclass) the source cannot be read as a table; the message names
            the file, the sheet, and what was expected.
    """
    if isinstance(source, pd.DataFrame):
        return table_from_frame(source, name="DataFrame")
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix.lower() == ".csv":
            return read_csv(path, schema)
        return read_workbook(path, schema, sheet=sheet)
    raise SourceError(
        f"cannot read a {type(source).__name__}; expected a path to an .xlsx/.xlsm/.csv file or a DataFrame"
    )


def read_workbook(path: Path, schema: Schema, *, sheet: str | None = None) -> Table:
    """Read one worksheet (default: the first) of a workbook as the schema's table."""
    grid = read_grid(path, sheet=sheet)
    name, sheet, rows, merged_raw = path.name, grid.sheet, grid.rows, grid.merged
    if not any(any(_nonblank(c) for c in r) for r in rows[: schema.header_search_rows]):
        raise HeaderError(
            f"{name}, sheet {sheet!r} is empty; expected a header row such as {schema.example_headers()}",
            path=str(path),
            sheet=sheet,
        )
    header_index = locate_header(rows, schema)
    if header_index is None:
        raise HeaderError(
            f"{name}, sheet {sheet!r}: no header row found in the first {schema.header_search_rows} rows; "
            f"expected headers such as {schema.example_headers()}",
            path=str(path),
            sheet=sheet,
        )
    header_row = header_index + 1
    merged = [
        MergedRange(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
        for (r1, c1), (r2, c2) in merged_raw
        if r1 + 1 <= header_row <= r2 + 1
    ]
    return build_table(
        rows,
        header_index,
        source=name,
        sheet=sheet,
        merged=merged,
        epoch=_workbook_epoch(path),
        kind="xlsx" if is_package(path) else path.suffix.lower().lstrip("."),
        origin=FileOrigin(path),
    )


def _workbook_epoch(path: Path) -> dt.date:
    """The workbook's date system: Excel for Mac files may count days from 1904."""
    if not is_package(path):
        return EPOCH_1900
    try:
        with open_package(path) as package:
            return EPOCH_1904 if date1904(package) else EPOCH_1900
    except (OSError, KeyError, PackageUnsupported, SourceError):
        return EPOCH_1900


def _nonblank(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")
