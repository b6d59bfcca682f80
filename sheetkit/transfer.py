"""One-way copies between a workbook and a Google Sheet: `pull` (Sheet -> file), `push` (file -> Sheet).

Both compare cell by cell and write only what differs: push sends one RAW values:batchUpdate of
the changed cells (plus one spreadsheets:batchUpdate when rows must be added or removed or new
date cells need a date format); pull edits the existing workbook in place like a refresh, or
creates a new one. Dates travel as dates: serial numbers with a date format on the Google side.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetkit.cells import CellUpdate
from sheetkit.dates import EPOCH_1900, date_to_serial, serial_to_date
from sheetkit.errors import UsageError
from sheetkit.gsheets import (
    MAX_REQUEST_BYTES,
    GoogleGrid,
    google_errors,
    read_google_grid,
    update_cell_request,
    write_updates,
)
from sheetkit.schema import Schema, header_key, load_schema
from sheetkit.table import locate_header

log = logging.getLogger("sheetkit")


@dataclass
class TransferResult:
    """What a pull or push changed."""

    direction: str
    source: str
    target: str
    cells_changed: int
    rows_added: int = 0
    rows_removed: int = 0
    requests: int = 0
    written: bool = False
    backup: Path | None = None
    dry_run: bool = False
    updates: list[CellUpdate] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        parts = [f"{self.direction}: {verb} {self.cells_changed} cells in {self.target}"]
        if self.rows_added or self.rows_removed:
            parts.append(f"rows added {self.rows_added}, removed {self.rows_removed}")
        if self.requests:
            parts.append(f"{self.requests} Google API requests")
        if self.backup is not None:
            parts.append(f"previous version kept at {self.backup}")
        return "; ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "source": self.source,
            "target": self.target,
            "cells_changed": self.cells_changed,
            "rows_added": self.rows_added,
            "rows_removed": self.rows_removed,
            "requests": self.requests,
            "written": self.written,
            "dry_run": self.dry_run,
            "backup": str(self.backup) if self.backup else None,
        }


def _date_columns(rows: list[list[Any]], schema: Schema) -> set[int]:
    """0-based columns that hold dates by the schema (date fields and date computed columns)."""
    index = locate_header(rows, schema)
    if index is None:
        return set()
    date_keys = {k for f in schema.fields.values() if f.type == "date" for k in f.header_keys}
    date_keys |= {header_key(c.header) for c in schema.active_computed().values() if c.type == "date"}
    return {j for j, cell in enumerate(rows[index]) if isinstance(cell, str) and header_key(cell) in date_keys}


def _header_index(rows: list[list[Any]], schema: Schema) -> int:
    index = locate_header(rows, schema)
    return -1 if index is None else index


def _sheets_cell(value: Any) -> Any:
    """A local cell value in the form the Sheets API gives back with UNFORMATTED_VALUE."""
    if isinstance(value, dt.datetime):
        midnight = dt.datetime(value.year, value.month, value.day)
        fraction = (value - midnight).total_seconds() / 86400
        serial = date_to_serial(value.date(), EPOCH_1900) + fraction
        return int(serial) if fraction == 0 else serial
    if isinstance(value, dt.date):
        return date_to_serial(value, EPOCH_1900)
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def _same(remote: Any, local: Any) -> bool:
    if isinstance(remote, bool) or isinstance(local, bool):
        return isinstance(remote, bool) and isinstance(local, bool) and remote == local
    if isinstance(remote, (int, float)) and isinstance(local, (int, float)):
        return float(remote) == float(local)
    return bool(remote == local)


def push(
    path: str | Path,
    url: str,
    *,
    sheet: str | None = None,
    worksheet: str | None = None,
    schema: Schema | str | Path | None = None,
    dry_run: bool = False,
    client: Any = None,
) -> TransferResult:
    """Make a Google worksheet hold exactly the values of a local worksheet (minimal writes).

    Args:
        path: the local workbook (or CSV).
        url: the Google Sheets URL or spreadsheet id.
        sheet: the local worksheet (default: the first).
        worksheet: the Google worksheet (default: the URL's gid, else one with the local sheet's
            name, else the first).
    """
    from sheetkit.read import read_grid

    local_path = Path(path)
    loaded = load_schema(schema)
    local_rows, local_sheet = _local_rows(local_path, sheet, read_grid)
    remote = _open_remote(url, worksheet or None, local_sheet, client)
    local_values = [[_sheets_cell(v) for v in row] for row in local_rows]
    while local_values and not any(v != "" for v in local_values[-1]):
        local_values.pop()
    height = max(len(local_values), len(remote.rows))
    width = max([len(r) for r in local_values] + [len(r) for r in remote.rows] + [0])
    updates: list[CellUpdate] = []
    new_dates: list[CellUpdate] = []
    for i in range(min(height, len(local_values))):
        local_row = local_values[i]
        remote_row = remote.rows[i] if i < len(remote.rows) else []
        for j in range(width):
            new = local_row[j] if j < len(local_row) else ""
            old = remote_row[j] if j < len(remote_row) else ""
            if not _same(old, new):
                value = local_rows[i][j] if j < len(local_rows[i]) else None
                update = CellUpdate(i + 1, j + 1, _push_value(value))
                updates.append(update)
                held_number = isinstance(old, (int, float)) and not isinstance(old, bool)
                if isinstance(update.value, dt.date) and not held_number:
                    new_dates.append(update)  # a cell that held a date already has its date format
    surplus = len(remote.rows) - len(local_values)
    result = TransferResult(
        "push",
        local_path.name,
        remote.name,
        len(updates),
        rows_added=max(0, len(local_values) - len(remote.rows)),
        rows_removed=max(0, surplus),
        dry_run=dry_run,
        updates=updates,
    )
    if dry_run or (not updates and surplus <= 0):
        result.requests = remote.sheet.stats.requests
        return result
    _write_push(remote, updates, new_dates, len(local_values), surplus, loaded.date_format)
    result.requests = remote.sheet.stats.requests
    result.written = True
    log.info("%s", remote.sheet.stats.summary())
    return result


def _write_push(
    remote: GoogleGrid, updates: list[CellUpdate], new_dates: list[CellUpdate], rows: int, surplus: int, pattern: str
) -> None:
    """Send a push in as few requests as it takes.

    Values alone go as one RAW values:batchUpdate. When rows must be removed or added, or new date
    cells need a date format, everything goes as ONE spreadsheets:batchUpdate instead (typed
    cells: text as stringValue, never a formula), which Google applies all or nothing; only a
    push too big for one request falls back to a structure request plus chunked values.
    """
    sheet = remote.sheet
    structure: list[dict[str, Any]] = []
    if surplus > 0:
        structure.append(
            {
                "deleteDimension": {
                    "range": {
                        "sheetId": sheet.sheet_id,
                        "dimension": "ROWS",
                        "startIndex": rows,
                        "endIndex": len(remote.rows),
                    }
                }
            }
        )
    last_row = max((u.row for u in updates), default=0)
    last_column = max((u.column for u in updates), default=0)
    row_count = sheet.row_count - max(surplus, 0)
    if last_row > row_count:
        structure.append(
            {"appendDimension": {"sheetId": sheet.sheet_id, "dimension": "ROWS", "length": last_row - row_count}}
        )
    if last_column > sheet.column_count:
        structure.append(
            {
                "appendDimension": {
                    "sheetId": sheet.sheet_id,
                    "dimension": "COLUMNS",
                    "length": last_column - sheet.column_count,
                }
            }
        )
    if not structure and not new_dates:
        write_updates(sheet, updates)
        return
    cells = [update_cell_request(sheet.sheet_id, u.row, u.column, u.value, pattern) for u in updates]
    body = {"requests": structure + cells}
    if len(json.dumps(body, separators=(",", ":"))) <= MAX_REQUEST_BYTES:
        with google_errors(remote.name):
            sheet.http.batch_update(sheet.spreadsheet_id, body)
        return
    if structure:
        with google_errors(remote.name):
            sheet.http.batch_update(sheet.spreadsheet_id, {"requests": structure})
        sheet.row_count = max(row_count, last_row)
        sheet.column_count = max(sheet.column_count, last_column)
    write_updates(sheet, updates, format_dates=new_dates, date_pattern=pattern)


def _push_value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return None if value == "" else value


def _local_rows(path: Path, sheet: str | None, read_grid: Any) -> tuple[list[list[Any]], str]:
    if path.suffix.lower() == ".csv":
        import csv
        import io

        from sheetkit.read import decode_text

        text, _ = decode_text(path.read_bytes())
        return [list(r) for r in csv.reader(io.StringIO(text))], path.stem
    grid = read_grid(path, sheet=sheet)
    return grid.rows, grid.sheet


def _open_remote(url: str, worksheet: str | None, local_sheet: str, client: Any) -> GoogleGrid:
    from sheetkit.errors import SheetNotFoundError
    from sheetkit.gsheets import parse_sheet_ref

    ref = parse_sheet_ref(url, worksheet)
    if ref.worksheet is None and ref.gid is None:
        try:
            return read_google_grid(parse_sheet_ref(url, local_sheet), client=client)
        except SheetNotFoundError:
            pass  # no worksheet named like the local one: use the first
    return read_google_grid(ref, client=client)


def pull(
    url: str,
    output: str | Path,
    *,
    worksheet: str | None = None,
    sheet: str | None = None,
    schema: Schema | str | Path | None = None,
    dry_run: bool = False,
    backup: bool = True,
    client: Any = None,
) -> TransferResult:
    """Copy a Google worksheet into a workbook: a new file, or only the changed cells of an existing one.

    Args:
        url: the Google Sheets URL or spreadsheet id.
        output: the .xlsx file to create or update.
        worksheet: the Google worksheet (default: the URL's gid, else the first).
        sheet: the local worksheet to update (default: the one named like the Google worksheet).
    """
    target = Path(output)
    if target.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(f"pull writes .xlsx or .xlsm files (got {target.name})")
    loaded = load_schema(schema)
    from sheetkit.gsheets import parse_sheet_ref

    remote = read_google_grid(parse_sheet_ref(url, worksheet), client=client)
    date_cols = _date_columns(remote.rows, loaded)
    values = [[_pulled_value(v, j in date_cols) for j, v in enumerate(row)] for row in remote.rows]
    header = _header_index(remote.rows, loaded)
    result = TransferResult("pull", remote.name, target.name, 0, dry_run=dry_run, requests=remote.sheet.stats.requests)
    if target.exists():
        _pull_into_existing(result, target, sheet or remote.sheet.title, values, header, loaded, backup)
    else:
        result.cells_changed = sum(1 for row in values for v in row if v is not None)
        result.rows_added = len(values)
        if not dry_run:
            _new_workbook(target, remote.sheet.title, values, header, loaded.date_format)
            result.written = True
    return result


def _pulled_value(value: Any, is_date: bool) -> Any:
    if value == "" or value is None:
        return None
    if is_date and isinstance(value, (int, float)) and not isinstance(value, bool):
        day = serial_to_date(float(value), EPOCH_1900)
        return day if day is not None else value
    return value


def _new_workbook(target: Path, title: str, values: list[list[Any]], header: int, date_format: str) -> None:
    import openpyxl
    from openpyxl.styles import Font

    from sheetkit.atomic import atomic_replace

    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = title[:31]
    for values_row in values:
        ws.append(values_row)
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = date_format
            elif isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text that starts with "=" stays text, as it was on Google
    if header >= 0:
        for header_cell in ws[header + 1]:
            header_cell.font = Font(bold=True)
        ws.freeze_panes = f"A{header + 2}"
    with atomic_replace(target, backup=False) as temporary:
        workbook.save(temporary)


def _pull_into_existing(
    result: TransferResult, target: Path, sheet: str, values: list[list[Any]], header: int, schema: Schema, backup: bool
) -> None:
    from sheetkit.atomic import atomic_replace, backup_path
    from sheetkit.read import read_grid
    from sheetkit.writeback import same_value
    from sheetkit.xlsx_write import write_cells

    local = read_grid(target, sheet=sheet)
    height = max(len(values), len(local.rows))
    width = max([len(r) for r in values] + [len(r) for r in local.rows] + [0])
    updates: list[CellUpdate] = []
    for i in range(height):
        new_row = values[i] if i < len(values) else []
        old_row = local.rows[i] if i < len(local.rows) else []
        for j in range(width):
            new = new_row[j] if j < len(new_row) else None
            old = old_row[j] if j < len(old_row) else ""
            if not same_value(old, new):
                updates.append(CellUpdate(i + 1, j + 1, new))
    result.cells_changed = len(updates)
    result.rows_added = max(0, len(values) - len(local.rows))
    result.rows_removed = max(0, len(local.rows) - len(values))
    if result.dry_run or not updates:
        return
    with atomic_replace(target, backup=backup) as temporary:
        write_cells(target, temporary, sheet, updates, header_row=max(header + 1, 1), date_format=schema.date_format)
    result.written = True
    result.backup = backup_path(target) if backup else None
