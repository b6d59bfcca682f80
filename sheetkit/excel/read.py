"""Reading a source into a :class:`~sheetkit.core.table.Table`: workbooks, CSV files, DataFrames.

Workbooks are read with python-calamine (fast, values only: a formula cell gives its last saved
value). Files are recognised by their first bytes, not only their name, so a damaged, encrypted
or mislabelled file gets a message that says what it really is and what to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sheetkit.core.dates import EPOCH_1900, EPOCH_1904
from sheetkit.core.schema import Schema
from sheetkit.core.table import FileOrigin, MergedRange, Table, build_table, locate_header, table_from_frame
from sheetkit.errors import HeaderError, PackageUnsupported, SheetNotFoundError, SourceError, WorkbookFormatError
from sheetkit.excel import parts
from sheetkit.excel.csv import read_csv
from sheetkit.excel.parts import binary_workbook, date1904, open_package, workbook_part

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
WRITABLE_SUFFIXES = (".xlsx", ".xlsm", ".csv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


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
    never the file itself.

    Raises:
        WorkbookFormatError: the file is not a readable workbook, or one sheetkit refuses to read
            (a part past the limits, an ambiguous package, an absurd used range).
        SheetNotFoundError: no sheet has that name (the message lists the sheets there are).
    """
    sniff_workbook(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
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
        kind="xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else path.suffix.lower().lstrip("."),
        origin=FileOrigin(path),
    )


def _workbook_epoch(path: Path) -> dt.date:
    """The workbook's date system: Excel for Mac files may count days from 1904."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return EPOCH_1900
    try:
        with open_package(path) as package:
            return EPOCH_1904 if date1904(package) else EPOCH_1900
    except (OSError, KeyError, PackageUnsupported, SourceError):
        return EPOCH_1900


def _nonblank(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _looks_like_text(head: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head.lstrip(b"\xef\xbb\xbf"))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
