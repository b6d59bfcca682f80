"""Every Sheets API request body sheetkit sends, built in one place.

Field names and nesting are Google's; tests/test_google_bodies.py checks each body against
recorded Google traffic. Callers speak in sheetkit's 1-based rows and columns (first and last,
inclusive); the bodies carry Google's 0-based, end-exclusive indexes.

Two endpoints take these bodies:
- spreadsheets:batchUpdate (:func:`batch`), all or nothing: grid size (appendDimension,
  insertDimension, deleteDimension, addSheet, updateSheetProperties), formats (repeatCell) and
  typed cells (updateCells: never a formula, text as stringValue);
- values:batchUpdate (:func:`raw_values`): ValueRanges written with valueInputOption RAW, so a
  cell text "=IMPORTXML(...)" stays text; split into bodies under :data:`MAX_REQUEST_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator, Sequence
from typing import Any, Literal

from sheetkit.core.cells import CellUpdate, CellValue, column_letter, quote_sheet
from sheetkit.core.values import google_value, to_serial

MAX_REQUEST_BYTES = 1_800_000  # keep each request body under Google's ~2 MB advice
Body = dict[str, Any]
Dimension = Literal["ROWS", "COLUMNS"]
_NUMBER_FORMAT = "userEnteredFormat.numberFormat"


def encoded_size(body: Any) -> int:
    """Bytes of a body as compact JSON (what the ~2 MB advice is measured on)."""
    return len(json.dumps(body, separators=(",", ":")).encode())


# ---------------------------------------------------------------------------------------------
# spreadsheets:batchUpdate


def batch(requests: Sequence[Body]) -> Body:
    """The body of one spreadsheets:batchUpdate, which Google applies all or nothing."""
    return {"requests": list(requests)}


def grid_range(sheet_id: int, first_row: int, last_row: int, first_column: int, last_column: int) -> Body:
    """A GridRange over rows and columns given 1-based and inclusive."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": first_row - 1,
        "endRowIndex": last_row,
        "startColumnIndex": first_column - 1,
        "endColumnIndex": last_column,
    }


def _rows(sheet_id: int, first_row: int, last_row: int) -> Body:
    """A DimensionRange over rows given 1-based and inclusive."""
    return {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": first_row - 1, "endIndex": last_row}


def append_dimension(sheet_id: int, dimension: Dimension, length: int) -> Body:
    """Add ``length`` empty rows or columns at the end of the grid."""
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def grow(sheet_id: int, *, rows: int = 0, columns: int = 0) -> list[Body]:
    """appendDimension requests adding ``rows`` and ``columns`` (none for a count <= 0)."""
    requests = [append_dimension(sheet_id, "ROWS", rows)] if rows > 0 else []
    if columns > 0:
        requests.append(append_dimension(sheet_id, "COLUMNS", columns))
    return requests


def insert_rows(sheet_id: int, at: int, count: int = 1) -> Body:
    """Insert ``count`` empty rows so that the first of them is row ``at``; rows below move down."""
    return {"insertDimension": {"range": _rows(sheet_id, at, at + count - 1)}}


def delete_rows(sheet_id: int, first_row: int, last_row: int) -> Body:
    """Delete rows ``first_row`` to ``last_row``; rows below move up."""
    return {"deleteDimension": {"range": _rows(sheet_id, first_row, last_row)}}


def _number_format(kind: Literal["DATE", "DATE_TIME"], pattern: str) -> Body:
    return {"numberFormat": {"type": kind, "pattern": pattern}}


def repeat_cell(range_: Body, cell_format: Body, fields: str) -> Body:
    """Give every cell of a GridRange the same format (only the ``fields`` named change)."""
    return {"repeatCell": {"range": range_, "cell": {"userEnteredFormat": cell_format}, "fields": fields}}


def date_format(sheet_id: int, first_row: int, last_row: int, column: int, pattern: str) -> Body:
    """A date format for rows ``first_row`` to ``last_row`` of one column."""
    return repeat_cell(
        grid_range(sheet_id, first_row, last_row, column, column), _number_format("DATE", pattern), _NUMBER_FORMAT
    )


def date_formats(sheet_id: int, cells: Sequence[CellUpdate], pattern: str) -> list[Body]:
    """Date formats for the given cells: one repeatCell per run of adjacent rows in a column."""
    runs = vertical_runs({(cell.row, cell.column) for cell in cells})
    return [date_format(sheet_id, first, last, column, pattern) for column, first, last in runs]


def vertical_runs(cells: set[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """(column, first row, last row) of each run of vertically adjacent (row, column) cells, by column."""
    for column in sorted({c for _, c in cells}):
        rows = sorted(r for r, c in cells if c == column)
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            yield column, start, previous
            if row is not None:
                start = previous = row


def bold(sheet_id: int, row: int, first_column: int, last_column: int) -> Body:
    """Bold text in one row's cells (a header)."""
    return repeat_cell(
        grid_range(sheet_id, row, row, first_column, last_column),
        {"textFormat": {"bold": True}},
        "userEnteredFormat.textFormat.bold",
    )


def _typed_cell(value: CellValue, pattern: str, *, date_format: bool = True) -> tuple[Body, str]:
    """A CellData for one value and the fields it sets (a date brings its number format, unless not asked)."""
    cell: Body = {}
    fields = "userEnteredValue"
    if isinstance(value, bool):
        cell["userEnteredValue"] = {"boolValue": value}
    elif isinstance(value, dt.date) and not date_format:
        cell["userEnteredValue"] = {"numberValue": to_serial(value)}
    elif isinstance(value, dt.date):
        datetime = isinstance(value, dt.datetime)
        cell["userEnteredValue"] = {"numberValue": to_serial(value)}
        cell["userEnteredFormat"] = _number_format(
            "DATE_TIME" if datetime else "DATE", f"{pattern} hh:mm" if datetime else pattern
        )
        fields += "," + _NUMBER_FORMAT
    elif isinstance(value, (int, float)):
        cell["userEnteredValue"] = {"numberValue": value}
    elif value is not None:
        cell["userEnteredValue"] = {"stringValue": str(value)}
    return cell, fields


def _update_cells(sheet_id: int, row: int, column: int, cells: list[Body], fields: str) -> Body:
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": column - 1},
            "rows": [{"values": cells}],
            "fields": fields,
        }
    }


def update_cell(sheet_id: int, row: int, column: int, value: CellValue, pattern: str) -> Body:
    """One typed cell: never a formula (text goes as stringValue); a date gets a date format.

    ``pattern`` is the schema's date format; a datetime gets it with the time (" hh:mm").
    None clears the value and keeps the cell's format.
    """
    cell, fields = _typed_cell(value, pattern)
    return _update_cells(sheet_id, row, column, [cell], fields)


def update_cells(
    sheet_id: int, cells: Sequence[CellUpdate], pattern: str, *, dated: Collection[tuple[int, int]] = ()
) -> list[Body]:
    """Typed cells as few updateCells as they allow: one per run of adjacent cells in a row.

    A run breaks at a gap and where the fields change (a date sets its number format, other
    values leave the cell's format alone: one mask for both would clear the others' formats).
    The same cells as :func:`update_cell` each, in a fraction of the bytes. ``dated``: (row,
    column) of cells that already hold a date (or number), whose format a new date keeps, as a
    refresh does: their value goes alone.
    """
    requests: list[Body] = []
    run: list[Body] = []
    run_fields = ""
    start = end = (0, 0)
    for cell in sorted(cells, key=lambda c: (c.row, c.column)):
        data, fields = _typed_cell(cell.value, pattern, date_format=(cell.row, cell.column) not in dated)
        if run and (cell.row, cell.column) == (end[0], end[1] + 1) and fields == run_fields:
            run.append(data)
            end = (cell.row, cell.column)
            continue
        if run:
            requests.append(_update_cells(sheet_id, start[0], start[1], run, run_fields))
        run, run_fields, start, end = [data], fields, (cell.row, cell.column), (cell.row, cell.column)
    if run:
        requests.append(_update_cells(sheet_id, start[0], start[1], run, run_fields))
    return requests


def _grid_properties(rows: int, columns: int, frozen_rows: int) -> Body:
    return {"rowCount": rows, "columnCount": columns, "frozenRowCount": frozen_rows}


def add_sheet(sheet_id: int, title: str, *, rows: int, columns: int, frozen_rows: int = 0) -> Body:
    """A new worksheet with the given id, title and grid size."""
    grid = _grid_properties(rows, columns, frozen_rows)
    return {"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": grid}}}


def set_grid(sheet_id: int, *, rows: int, columns: int, frozen_rows: int = 0) -> Body:
    """Set a worksheet's grid size and frozen rows."""
    fields = "gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount"
    grid = _grid_properties(rows, columns, frozen_rows)
    return {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": grid}, "fields": fields}}


def clear_sheet(sheet_id: int) -> Body:
    """Clear every value and format of a worksheet (an updateCells over the whole sheet with no rows)."""
    return {"updateCells": {"range": {"sheetId": sheet_id}, "fields": "userEnteredValue,userEnteredFormat"}}


def set_note(sheet_id: int, row: int, column: int, note: str) -> Body:
    """One cell's note ("" removes it); nothing else of the cell changes."""
    cell = {"note": note} if note else {}
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": column - 1},
            "rows": [{"values": [cell]}],
            "fields": "note",
        }
    }


def list_validation(labels: Sequence[str], message: str) -> Body:
    """A dropdown of ``labels`` that allows other text with a warning (strict false) and shows ``message``."""
    return {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": label} for label in labels]},
        "inputMessage": message,
        "strict": False,
        "showCustomUi": True,
    }


def set_validation(range_: Body, rule: Body | None) -> Body:
    """Set (or, with no rule, clear) the data validation of every cell in a GridRange."""
    return {"setDataValidation": {"range": range_, **({"rule": rule} if rule is not None else {})}}


def rgb(hex_color: str) -> Body:
    """A Color from RRGGBB (Google's 0-1 fractions, rounded as Google stores them)."""
    return {name: round(int(hex_color[i : i + 2], 16) / 255, 7) for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def formula_rule(range_: Body, formula: str, fill: str) -> Body:
    """A conditional format: cells of ``range_`` filled with ``fill`` (RRGGBB) where ``formula`` holds."""
    return {
        "ranges": [range_],
        "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=" + formula}]},
            "format": {"backgroundColor": rgb(fill)},
        },
    }


def add_rule(rule: Body, index: int) -> Body:
    return {"addConditionalFormatRule": {"rule": rule, "index": index}}


def delete_rule(sheet_id: int, index: int) -> Body:
    return {"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": index}}


# ---------------------------------------------------------------------------------------------
# values:batchUpdate


def value_range(reference: str, rows: Sequence[Sequence[Any]]) -> Body:
    """A ValueRange: ``rows`` of local values as the Sheets API holds them (google_value)."""
    return {"range": reference, "majorDimension": "ROWS", "values": [[google_value(v) for v in row] for row in rows]}


def column_runs(title: str, updates: Sequence[CellUpdate]) -> list[Body]:
    """One ValueRange per run of vertically adjacent cells in a column (fewer, smaller ranges)."""
    by_column: dict[int, list[CellUpdate]] = {}
    for update in updates:
        by_column.setdefault(update.column, []).append(update)
    ranges: list[Body] = []
    sheet = quote_sheet(title)
    for column, cells in sorted(by_column.items()):
        cells.sort(key=lambda u: u.row)
        letter = column_letter(column)
        run: list[CellUpdate] = []
        for cell in [*cells, None]:
            if run and (cell is None or cell.row != run[-1].row + 1):
                reference = f"{sheet}!{letter}{run[0].row}:{letter}{run[-1].row}"
                ranges.append(value_range(reference, [[u.value] for u in run]))
                run = []
            if cell is not None:
                run.append(cell)
    return ranges


def row_runs(title: str, updates: Sequence[CellUpdate]) -> list[Body]:
    """One ValueRange per run of horizontally adjacent cells in a row (edits to whole rows)."""
    ranges: list[Body] = []
    sheet = quote_sheet(title)
    run: list[CellUpdate] = []
    for cell in [*sorted(updates, key=lambda u: (u.row, u.column)), None]:
        if run and (cell is None or (cell.row, cell.column) != (run[-1].row, run[-1].column + 1)):
            first, last = column_letter(run[0].column), column_letter(run[-1].column)
            ranges.append(value_range(f"{sheet}!{first}{run[0].row}:{last}{run[0].row}", [[u.value for u in run]]))
            run = []
        if cell is not None:
            run.append(cell)
    return ranges


def value_runs(title: str, updates: Sequence[CellUpdate]) -> list[Body]:
    """The cells as the fewer ValueRanges of the two ways to cut them: down columns or along rows."""
    down, along = column_runs(title, updates), row_runs(title, updates)
    return along if len(along) < len(down) else down


def row_blocks(title: str, rows: Sequence[Sequence[Any]], block: int = 1000) -> list[Body]:
    """``rows`` from A1 down, as ValueRanges of ``block`` rows each."""
    sheet = quote_sheet(title)
    return [value_range(f"{sheet}!A{start + 1}", rows[start : start + block]) for start in range(0, len(rows), block)]


def raw_values(ranges: Sequence[Body]) -> Iterator[Body]:
    """values:batchUpdate bodies (valueInputOption RAW) for the ranges, each under ~2 MB.

    A single range larger than the limit goes alone in its own body.
    """
    chunk: list[Body] = []
    size = 0
    for item in ranges:
        item_size = encoded_size(item)
        if chunk and size + item_size > MAX_REQUEST_BYTES:
            yield {"valueInputOption": "RAW", "data": chunk}
            chunk, size = [], 0
        chunk.append(item)
        size += item_size
    if chunk:
        yield {"valueInputOption": "RAW", "data": chunk}
