"""One-way copies between a workbook and a Google Sheet: `pull` (Sheet -> file), `push` (file -> Sheet).

Both compare cell by cell (once whole-row and whole-column passes in C have set aside the rows that
cannot differ) and write only what differs: push sends one RAW values:batchUpdate of the changed
cells (plus one spreadsheets:batchUpdate when rows must be added or removed or new date cells need
a date format); pull edits the existing workbook in place like a refresh, or creates a new one.
Dates travel as dates: serial numbers with a date format on the Google side.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import compress, repeat
from operator import itemgetter, ne
from pathlib import Path
from typing import Any, NamedTuple

from sheetkit.core.cells import CellUpdate
from sheetkit.core.schema import Schema, header_key
from sheetkit.core.schema_file import load_schema
from sheetkit.core.table import locate_header
from sheetkit.core.values import google_value, normal, shows, values_equal
from sheetkit.errors import UsageError
from sheetkit.excel.parts import is_package
from sheetkit.google import bodies
from sheetkit.google.client import SheetsClient, sheets_client
from sheetkit.google.sheets import GoogleGrid, google_errors, read_google_grid, write_updates
from sheetkit.runtime.gc_pause import gc_paused
from sheetkit.runtime.text import counted

log = logging.getLogger("sheetkit")


@dataclass(frozen=True)
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
        parts = [f"{self.direction}: {verb} {counted(self.cells_changed, 'cell')} in {self.target}"]
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
    date_keys = schema.date_header_keys
    return {j for j, cell in enumerate(rows[index]) if isinstance(cell, str) and header_key(cell) in date_keys}


def _header_index(rows: list[list[Any]], schema: Schema) -> int:
    index = locate_header(rows, schema)
    return -1 if index is None else index


# Comparing a big sheet cell by cell in Python costs seconds, so push and pull first find the rows that may
# differ with whole-row and whole-column comparisons that run in C, and run the exact per-cell test only on
# those rows. A column is compared as is when Python's == cannot disagree with the exact test there (text
# and numbers: 1.0 == 1 both ways), else through "keys": dates as serials, booleans as stand-ins. Equal
# keys always mean the exact test agrees; unequal ones only make the row a candidate for that test, so
# the result never depends on the keys, only the time does.
_PLAIN = frozenset({str, int, float})
_PLAIN_OR_BOOL = _PLAIN | {bool}
_TEXT_OR_BOOL = frozenset({str, bool, type(None)})
# Stand-ins for True and False: equal only to themselves, where True == 1 == 1.0 and the exact tests
# tell a boolean from a number.
_TRUE = object()
_FALSE = object()
Keys = Callable[[list[Any]], Iterable[Any]]  # a column's cells -> their keys, in order
# (column, types on the left, types on the right) -> how each side's column becomes keys (None: as is)
Rules = Callable[[int, set[type], set[type]], tuple[Keys | None, Keys | None]]


def _candidate_rows(left: list[list[Any]], right: list[list[Any]], height: int, rules: Rules) -> list[int]:
    """Rows below ``height`` (ascending) where some cell's keys differ; missing cells count as ""."""
    left, right = left[:height], right[:height]
    left_lengths, right_lengths = set(map(len, left)), set(map(len, right))
    width = max(left_lengths | right_lengths, default=0)
    if not height or not width:
        return []
    if left_lengths != {width} or len(left) < height:
        left = _rectangle(left, height, width)
    if right_lengths != {width} or len(right) < height:
        right = _rectangle(right, height, width)
    left_kinds, right_kinds = _column_kinds(left, width), _column_kinds(right, width)
    as_is: list[int] = []
    changed: set[int] = set()
    for j in range(width):
        left_keys, right_keys = rules(j, left_kinds[j], right_kinds[j])
        # list == list takes an object as equal to itself, which NaN is not: such columns go alone
        maybe_one_nan = float in left_kinds[j] and float in right_kinds[j]
        if left_keys is None and right_keys is None and not maybe_one_nan:
            as_is.append(j)
            continue
        cell = itemgetter(j)
        ours: Iterable[Any] = map(cell, left) if left_keys is None else left_keys(list(map(cell, left)))
        theirs: Iterable[Any] = map(cell, right) if right_keys is None else right_keys(list(map(cell, right)))
        changed.update(compress(range(height), map(ne, ours, theirs)))
    if len(as_is) == width:
        changed.update(compress(range(height), map(ne, left, right)))  # whole rows: list != list
    elif as_is:
        cells = itemgetter(*as_is)  # one tuple per row, freed as soon as compared
        changed.update(compress(range(height), map(ne, map(cells, left), map(cells, right))))
    return sorted(changed)


def _rectangle(rows: list[list[Any]], height: int, width: int) -> list[list[Any]]:
    """``height`` rows, each ``width`` long: short or missing rows padded with "" (CSV rows, a shorter sheet)."""
    padded = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    return padded + [[""] * width] * (height - len(padded))


def _column_kinds(rows: list[list[Any]], width: int) -> list[set[type]]:
    """The types found in each column, from each distinct row "shape" (a sheet has few)."""
    shapes = set(map(tuple, map(map, repeat(type), rows)))
    return [set(map(itemgetter(j), shapes)) for j in range(width)]


def _mixes_bools(kinds: set[type]) -> bool:
    """Whether a column holds booleans next to anything == could confuse them with (1, 0.0, a date's serial)."""
    return bool in kinds and not kinds <= _TEXT_OR_BOOL


def _bool_key(value: Any) -> Any:
    if value.__class__ is bool:
        return _TRUE if value else _FALSE
    return value


def _bool_keys(column: list[Any]) -> Iterable[Any]:
    return map(_bool_key, column)


def _keys_by_value(convert: Callable[[Any], Any]) -> Keys:
    """Keys for a column without booleans: ``convert`` runs once per distinct value, the lookups in C.

    Without booleans, values a dict takes for one key (1 and 1.0) convert to equal keys.
    """

    def keys(column: list[Any]) -> Iterable[Any]:
        table = {value: convert(value) for value in set(column)}
        return map(table.__getitem__, column)

    return keys


def _push_key(value: Any) -> Any:
    """A local cell as values_equal sees it (google_value), with booleans as stand-ins."""
    if value.__class__ is bool:
        return _TRUE if value else _FALSE
    return google_value(value)


def _push_keys(column: list[Any]) -> Iterable[Any]:
    return map(_push_key, column)


def _push_rules(_: int, local: set[type], remote: set[type]) -> tuple[Keys | None, Keys | None]:
    """Keys for push, where the exact test is values_equal(Google cell, google_value(local cell))."""
    if local <= _PLAIN_OR_BOOL and not _mixes_bools(local | remote):
        return None, None
    local_keys = _push_keys if bool in local else _keys_by_value(google_value)
    return local_keys, (_bool_keys if bool in remote else None)


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
    from sheetkit.excel.read import read_grid

    local_path = Path(path)
    loaded = load_schema(schema)
    with gc_paused():
        local_rows, local_sheet = _local_rows(local_path, sheet, read_grid)
        remote = _open_remote(url, worksheet or None, local_sheet, sheets_client(client))
        height, updates, new_dates = _push_changes(local_rows, remote.rows)
    surplus = len(remote.rows) - height
    written = not dry_run and (bool(updates) or surplus > 0)
    if written:
        _write_push(remote, updates, new_dates, height, surplus, loaded.date_format)
        log.info("%s", remote.sheet.stats.summary())
    return TransferResult(
        "push",
        local_path.name,
        remote.name,
        len(updates),
        rows_added=max(0, height - len(remote.rows)),
        rows_removed=max(0, surplus),
        requests=remote.sheet.stats.requests,
        written=written,
        dry_run=dry_run,
        updates=updates,
    )


def _push_changes(
    local_rows: list[list[Any]], remote_rows: list[list[Any]]
) -> tuple[int, list[CellUpdate], list[CellUpdate]]:
    """(rows to push, cells that differ, those of them that become dates in a cell that held no number)."""
    height = len(local_rows)
    while height and not any(google_value(v) != "" for v in local_rows[height - 1]):
        height -= 1  # trailing blank rows are not pushed
    width = max(max(map(len, local_rows[:height]), default=0), max(map(len, remote_rows), default=0))
    updates: list[CellUpdate] = []
    new_dates: list[CellUpdate] = []
    for i in _candidate_rows(local_rows, remote_rows, height, _push_rules):
        local_row = [google_value(v) for v in local_rows[i]]
        remote_row = remote_rows[i] if i < len(remote_rows) else []
        for j in range(width):
            new = local_row[j] if j < len(local_row) else ""
            old = remote_row[j] if j < len(remote_row) else ""
            if not values_equal(old, new):
                value = local_rows[i][j] if j < len(local_rows[i]) else None
                update = CellUpdate(i + 1, j + 1, normal(value))
                updates.append(update)
                held_number = isinstance(old, (int, float)) and not isinstance(old, bool)
                if isinstance(update.value, dt.date) and not held_number:
                    new_dates.append(update)  # a cell that held a date already has its date format
    return height, updates, new_dates


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
    structure = [bodies.delete_rows(sheet.sheet_id, rows + 1, len(remote.rows))] if surplus > 0 else []
    last_row = max((u.row for u in updates), default=0)
    last_column = max((u.column for u in updates), default=0)
    row_count = sheet.row_count - max(surplus, 0)
    structure.extend(bodies.grow(sheet.sheet_id, rows=last_row - row_count, columns=last_column - sheet.column_count))
    if not structure and not new_dates:
        write_updates(sheet, updates)
        return
    cells = bodies.update_cells(sheet.sheet_id, updates, pattern)
    body = bodies.batch(structure + cells)
    if bodies.encoded_size(body) <= bodies.MAX_REQUEST_BYTES:
        with google_errors(remote.name):
            sheet.http.batch_update(sheet.spreadsheet_id, body)
        return
    if structure:
        with google_errors(remote.name):
            sheet.http.batch_update(sheet.spreadsheet_id, bodies.batch(structure))
        sheet = replace(sheet, row_count=max(row_count, last_row), column_count=max(sheet.column_count, last_column))
    write_updates(sheet, updates, format_dates=new_dates, date_pattern=pattern)


def _local_rows(path: Path, sheet: str | None, read_grid: Any) -> tuple[list[list[Any]], str]:
    if path.suffix.lower() == ".csv":
        import csv
        import io

        from sheetkit.excel.csv import decode_text

        text, _ = decode_text(path.read_bytes())
        return [list(r) for r in csv.reader(io.StringIO(text))], path.stem
    grid = read_grid(path, sheet=sheet)
    return grid.rows, grid.sheet


def _open_remote(url: str, worksheet: str | None, local_sheet: str, client: SheetsClient) -> GoogleGrid:
    from sheetkit.errors import SheetNotFoundError
    from sheetkit.google.sheets import parse_sheet_ref

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
    if not is_package(target):
        raise UsageError(f"pull writes .xlsx or .xlsm files (got {target.name})")
    loaded = load_schema(schema)
    from sheetkit.google.sheets import parse_sheet_ref

    with gc_paused():  # the new workbook's openpyxl cells too: a third less time
        remote = read_google_grid(parse_sheet_ref(url, worksheet), client=sheets_client(client))
        date_cols = _date_columns(remote.rows, loaded)
        header = _header_index(remote.rows, loaded)
        if target.exists():
            pulled = _pull_into_existing(
                target, sheet or remote.sheet.title, remote.rows, date_cols, header, loaded, backup, dry_run
            )
        else:
            values = [_pulled_row(row, date_cols) for row in remote.rows]
            if not dry_run:
                _new_workbook(target, remote.sheet.title, values, header, loaded.date_format)
            cells = sum(len(row) - row.count(None) for row in values)
            pulled = _Pulled(cells, rows_added=len(values), written=not dry_run)
    return TransferResult(
        "pull",
        remote.name,
        target.name,
        pulled.cells_changed,
        rows_added=pulled.rows_added,
        rows_removed=pulled.rows_removed,
        requests=remote.sheet.stats.requests,
        written=pulled.written,
        backup=pulled.backup,
        dry_run=dry_run,
    )


class _Pulled(NamedTuple):
    """What a pull changed in the workbook."""

    cells_changed: int
    rows_added: int = 0
    rows_removed: int = 0
    written: bool = False
    backup: Path | None = None


def _pulled_row(row: list[Any], date_cols: set[int]) -> list[Any]:
    """A Google row as pull writes it: normal of each cell (inlined where it is not a date column)."""
    values = [None if v == "" or v is None else v for v in row]
    for j in date_cols:
        if j < len(row):
            values[j] = normal(row[j], is_date=True)
    return values


def _pull_date_key(value: Any) -> Any:
    """A Google cell of a date column as pull writes it (a number becomes a date), booleans as stand-ins."""
    if value.__class__ is bool:
        return _TRUE if value else _FALSE
    if isinstance(value, (int, float)):
        return normal(value, is_date=True)
    return value


def _pull_date_keys(column: list[Any]) -> Iterable[Any]:
    return map(_pull_date_key, column)


def _pull_rules(date_cols: set[int]) -> Rules:
    """Keys for pull, where the exact test is shows(local cell, normal(Google cell)).

    Google's "" (written as nothing) keeps the key "", equal to a blank local cell.
    """

    def rules(j: int, local: set[type], remote: set[type]) -> tuple[Keys | None, Keys | None]:
        local_keys = _bool_keys if bool in local else None
        if j in date_cols and remote & {int, float}:
            return local_keys, _pull_date_keys if bool in remote else _keys_by_value(_pull_date_key)
        if not _mixes_bools(local | remote):
            return None, None
        return local_keys, (_bool_keys if bool in remote else None)

    return rules


def _new_workbook(target: Path, title: str, values: list[list[Any]], header: int, date_format: str) -> None:
    import openpyxl
    from openpyxl.styles import Font

    from sheetkit.runtime.atomic import atomic_replace

    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = title[:31]
    for values_row in values:
        ws.append(values_row)
    # Only dates and text that looks like a formula need a second look: find them in the plain lists,
    # which is far quicker than visiting every openpyxl cell.
    for i, values_row in enumerate(values, start=1):
        for j, value in enumerate(values_row, start=1):
            if isinstance(value, dt.date):
                ws.cell(i, j).number_format = date_format
            elif isinstance(value, str) and value.startswith("="):
                cell = ws.cell(i, j)
                if cell.data_type == "f":
                    cell.data_type = "s"  # text that starts with "=" stays text, as it was on Google
    if header >= 0:
        for header_cell in ws[header + 1]:
            header_cell.font = Font(bold=True)
        ws.freeze_panes = f"A{header + 2}"
    with atomic_replace(target, backup=False) as temporary:
        workbook.save(temporary)


def _pull_into_existing(
    target: Path,
    sheet: str,
    remote: list[list[Any]],
    date_cols: set[int],
    header: int,
    schema: Schema,
    backup: bool,
    dry_run: bool,
) -> _Pulled:
    """Write into an existing workbook only the cells that do not show what Google holds."""
    from sheetkit.excel.read import read_grid
    from sheetkit.excel.write import write_cells
    from sheetkit.runtime.atomic import FileStamp, atomic_replace, backup_path, real_path

    stamp = FileStamp.of(target)  # what is read now; the write checks it still is
    local = read_grid(target, sheet=sheet)
    updates = _pull_changes(local.rows, remote, date_cols)
    counts = len(updates), max(0, len(remote) - len(local.rows)), max(0, len(local.rows) - len(remote))
    if dry_run or not updates:
        return _Pulled(*counts)
    with atomic_replace(target, backup=backup, expect=stamp) as temporary:
        write_cells(target, temporary, sheet, updates, header_row=max(header + 1, 1), date_format=schema.date_format)
    return _Pulled(*counts, written=True, backup=backup_path(real_path(target)) if backup else None)


def _pull_changes(local_rows: list[list[Any]], remote_rows: list[list[Any]], date_cols: set[int]) -> list[CellUpdate]:
    """The local cells that do not show what Google holds (shows), as updates in row order."""

    height = max(len(remote_rows), len(local_rows))
    width = max(max(map(len, remote_rows), default=0), max(map(len, local_rows), default=0))
    updates: list[CellUpdate] = []
    for i in _candidate_rows(local_rows, remote_rows, height, _pull_rules(date_cols)):
        new_row = _pulled_row(remote_rows[i], date_cols) if i < len(remote_rows) else []
        old_row = local_rows[i] if i < len(local_rows) else []
        for j in range(width):
            new = new_row[j] if j < len(new_row) else None
            old = old_row[j] if j < len(old_row) else ""
            if not shows(old, new):
                updates.append(CellUpdate(i + 1, j + 1, new))
    return updates
