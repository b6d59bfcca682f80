"""Two-way sync between a workbook and a Google Sheet, by three-way merge against the last sync.

The promise (Unison's): at every moment each copy holds either its old or its new content, and a
run that was interrupted, run again, finishes the job. How:

- the Google side gets all of its changes in ONE spreadsheets:batchUpdate (row deletes, row
  inserts and cell values together), which Google applies all or nothing; cell values are typed
  (stringValue, numberValue, boolValue), so a text "=..." can never become a formula;
- the workbook is written atomically (temporary file, backup, rename);
- the base snapshot (``.NAME.sheetkit-sync.json`` beside the workbook) is replaced only after
  both copies are written, so a crash in between leaves the old base, and the next run sees the
  already-copied edits as "changed on both sides to the same value": nothing is lost or doubled;
- just before writing, the Google rows are read again; if they changed since they were read,
  the sync plans again (at most 3 times) instead of overwriting an edit it has not seen;
- a lock file stops two syncs of one workbook from running at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from sheetkit.core.cells import CellUpdate, CellValue
from sheetkit.core.report import Report
from sheetkit.core.schema import Schema, header_key
from sheetkit.core.schema_file import load_schema
from sheetkit.core.table import Table, set_aside_footer
from sheetkit.core.values import from_pandas, values_equal
from sheetkit.errors import LockedError, SyncLockedError, UsageError, WriteError
from sheetkit.excel.parts import is_package
from sheetkit.google import bodies
from sheetkit.google.sheets import (
    fetch_values,
    google_errors,
    google_sheet,
    parse_sheet_ref,
    read_google_grid,
    table_from_grid,
    write_updates,
)
from sheetkit.runtime.atomic import FileStamp
from sheetkit.runtime.text import counted
from sheetkit.syncing.merge import merge
from sheetkit.syncing.plan import SideChanges, Snapshot, SyncPlan
from sheetkit.syncing.readable import PlanView, Where, person_names
from sheetkit.syncing.sides import Side, column_identity, date_columns, key_identity, read_side, row_dicts, without
from sheetkit.syncing.state import Sides, load_state, save_state, workbook_sheet_id

log = logging.getLogger("sheetkit.sync")

MAX_PLANS = 3
Prefer = Literal["local", "remote"]


def lock_path(workbook: Path) -> Path:
    from sheetkit.runtime.locks import workbook_lock_path

    return workbook_lock_path(workbook)


@dataclass(frozen=True)
class SyncResult:
    """What a sync did (or, with dry_run, would do)."""

    plan: SyncPlan
    report: Report
    key_problems: list[str]
    dry_run: bool
    view: PlanView | None = None  # the plan with names, headers and cells: what summary() and to_dict() show
    local_written: bool = False
    remote_written: bool = False
    plans_made: int = 1
    requests: int = 0
    state: Path | None = None
    computed_cells: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """1 when conflicts, key problems or validation problems were found; else 0."""
        open_conflicts = self.plan.conflicts or any(not c.winner for c in self.plan.row_conflicts)
        return 1 if open_conflicts or self.key_problems or not self.report.ok else 0

    def summary(self) -> str:
        plan = self.view.summary() if self.view is not None else self.plan.summary()
        return plan + "\n" + self.outcome()

    def _repr_html_(self) -> str:
        import html

        plan = self.view._repr_html_() if self.view is not None else self.plan._repr_html_()
        return plan + "<pre>" + html.escape(self.outcome()) + "</pre>"

    def outcome(self) -> str:
        """What happened, without the plan (the CLI prints the plan before writing)."""
        lines = [f"key problem: {p}" for p in self.key_problems]
        if self.computed_cells:
            lines.append(
                "computed columns recomputed: "
                + ", ".join(f"{counted(n, 'cell')} on the {side} copy" for side, n in self.computed_cells.items())
            )
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        else:
            written = [s for s, w in (("workbook", self.local_written), ("Google Sheet", self.remote_written)) if w]
            lines.append(("Wrote the " + " and the ".join(written) + ".") if written else "Both copies were in sync.")
        lines.append(f"{self.requests} Google API requests.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.view.to_dict() if self.view is not None else self.plan.to_dict(),
            "report": self.report.to_dict(),
            "key_problems": self.key_problems,
            "dry_run": self.dry_run,
            "local_written": self.local_written,
            "remote_written": self.remote_written,
            "plans_made": self.plans_made,
            "requests": self.requests,
            "computed_cells": self.computed_cells,
        }


# ---------------------------------------------------------------------------------------------
# The lock


@contextlib.contextmanager
def sync_lock(workbook: Path) -> Iterator[None]:
    """The workbook's run lock (shared with refresh): a second sync stops at once with a message."""
    from sheetkit.runtime.locks import exclusive

    try:
        with exclusive(lock_path(workbook), workbook.name):
            yield
    except LockedError as exc:
        raise SyncLockedError(str(exc).replace("sheetkit run", "sheetkit sync or refresh")) from None


# ---------------------------------------------------------------------------------------------
# The sync


def sync(
    path: str | Path,
    url: str,
    *,
    schema: Schema | str | Path | None = None,
    sheet: str | None = None,
    worksheet: str | None = None,
    prefer: Prefer | None = None,
    dry_run: bool = False,
    allow_mass_delete: bool = False,
    as_of: dt.date | str | None = None,
    client: Any = None,
    on_plan: Callable[[PlanView], None] | None = None,
    rebase: bool = False,
) -> SyncResult:
    """Bring a workbook and a Google worksheet to the same content, losing no edit.

    Args:
        path: the local .xlsx/.xlsm workbook.
        url: the Google Sheets URL or spreadsheet id.
        sheet: the local sheet (default: the first); worksheet: the Google one (default: the
            URL's gid, else the first).
        prefer: which side wins a conflict; None leaves conflicts as they are and reports them.
        dry_run: plan and report, write nothing.
        allow_mass_delete: let a sync delete more than the schema's max_delete_fraction of rows.
        on_plan: called with the plan (a :class:`PlanView`: names, headers, cells; its ``plan``
            is the raw :class:`SyncPlan`) before anything is written (the CLI prints it).
        rebase: start over with these two sheets: ignore the last sync's state (both copies are
            compared as new) and bind the state to them. For a deliberate change of either sheet.

    Raises:
        MassDeleteError, SyncLockedError, SyncStateError, and the read/write errors of each side.
    """
    from sheetkit.google.client import sheets_client

    workbook = Path(path)
    if not is_package(workbook):
        raise UsageError(f"sync works on .xlsx and .xlsm workbooks (got {workbook.name})")
    loaded = load_schema(schema)
    day = loaded.as_of(as_of)
    client = sheets_client(client)
    stats = client.stats
    with sync_lock(workbook):
        for attempt in range(1, MAX_PLANS + 1):
            local, remote = _read_both(workbook, url, sheet, worksheet, loaded, client)
            sides = _sides(workbook, local, remote)
            base = load_state(workbook, sides, rebase=rebase)
            # a key on two rows of one copy: that person is left alone on both copies (never added
            # again from the other copy, never read as deleted) until the copy has it once
            leave = local.duplicate_keys | remote.duplicate_keys
            base = without(base, leave) if base is not None else None
            local = dataclasses.replace(local, snapshot=without(local.snapshot, leave))
            remote = dataclasses.replace(remote, snapshot=without(remote.snapshot, leave))
            computed = frozenset(column_identity(c.header) for c in loaded.active_computed().values())
            plan = merge(
                base,
                local.snapshot,
                remote.snapshot,
                prefer=prefer,
                ignore=computed,
                max_delete_fraction=loaded.sync.max_delete_fraction,
                allow_mass_delete=allow_mass_delete,
            )
            headers = {**remote.header_of, **local.header_of}
            layout = _Layout(local, plan.local, headers, loaded)
            report, recomputed = _recompute(plan.merged_local, layout, loaded, day)
            local_cells = _local_updates(local, plan.local, plan.merged_local, recomputed, loaded, layout)
            remote_requests = _remote_requests(remote, plan.remote, recomputed, loaded, headers)
            view = _view(plan, local, remote, layout, remote_requests, loaded, headers)
            if on_plan is not None:
                on_plan(view)
            if not dry_run and remote_requests.sends and not _remote_unchanged(remote):
                log.info("the Google Sheet changed while planning; planning again (%d/%d)", attempt, MAX_PLANS)
                continue
            written = _Applied()
            if not dry_run:
                written = _apply(workbook, sides, plan, local, local_cells, remote, remote_requests, loaded)
            return SyncResult(
                plan,
                report,
                local.key_problems + remote.key_problems,
                dry_run,
                view,
                local_written=written.local_written,
                remote_written=written.remote_written,
                plans_made=attempt,
                requests=stats.requests,
                state=written.state,
                computed_cells={"workbook": local_cells.computed, "Google Sheet": remote_requests.computed},
            )
    raise WriteError(
        f"the Google Sheet kept changing while sheetkit planned the sync ({MAX_PLANS} tries); nothing was "
        "written; run the sync again when the edits settle"
    )


class _Applied(NamedTuple):
    """What writing a plan wrote."""

    local_written: bool = False
    remote_written: bool = False
    state: Path | None = None


def _apply(
    workbook: Path,
    sides: Sides,
    plan: SyncPlan,
    local: Side,
    local_cells: _LocalCells,
    remote: Side,
    remote_requests: _RemoteRequests,
    schema: Schema,
) -> _Applied:
    """Write a plan: the Google Sheet first (all or nothing), then the workbook, the state last.

    A crash between any two steps leaves the old state, so the next run finds the copied edits
    on both sides and converges. An edit Google applies after the write is newer than it, and
    the next sync takes it like any other edit.
    """
    if remote_requests.sends:
        _before_send(remote)
        _send(remote, remote_requests)
    if local_cells.updates:
        _write_local(workbook, local, local_cells, schema)
    state = save_state(workbook, sides, plan.next_base)
    return _Applied(bool(local_cells.updates), remote_requests.sends, state)


def _nothing(side: Side) -> None:
    return None


# Called just before the Google write, after the re-read; tests put a person's edit here.
_before_send: Callable[[Side], None] = _nothing


def _view(
    plan: SyncPlan,
    local: Side,
    remote: Side,
    layout: _Layout,
    remote_requests: _RemoteRequests,
    schema: Schema,
    headers: Mapping[str, str],
) -> PlanView:
    """The plan with people's names, the user's headers and the cells on both sides."""
    id_identity = column_identity(schema.sync.id_header)
    all_headers = {
        **{column_identity(c.header): c.header for c in schema.computed.values()},
        id_identity: schema.sync.id_header,
        **headers,
    }
    fields = {
        identity: spec.name
        for identity in all_headers
        for spec in schema.fields.values()
        if header_key(identity) in spec.header_keys
    }
    fallback = {key: f"workbook row {row}" for key, row in local.row_of.items()}
    fallback.update({key: f"Google Sheet row {row}" for key, row in remote.row_of.items() if key not in fallback})
    workbook_now = Where(local.table.sheet, local.row_of, local.column_of)
    google_now = Where(remote.table.sheet, remote.row_of, remote.column_of)
    adds_id = schema.sync.key is None
    return PlanView(
        plan=plan,
        names=person_names([plan.merged_local, local.snapshot, remote.snapshot], schema, fallback),
        headers=all_headers,
        fields=fields,
        workbook=workbook_now,
        google=google_now,
        workbook_after=Where(local.table.sheet, layout.row_of, layout.column.column_of),
        google_after=remote_requests.after or google_now,
        id_header=schema.sync.id_header if adds_id else None,
        id_added_to=tuple(
            side
            for side, have in (("workbook", local.column_of), ("Google Sheet", remote.column_of))
            if adds_id and id_identity not in have
        ),
    )


def _sides(workbook: Path, local: Side, remote: Side) -> Sides:
    origin = google_sheet(remote.table)
    return Sides(
        workbook=workbook.name,
        sheet=local.table.sheet,
        sheet_id=workbook_sheet_id(workbook, local.table.sheet),
        spreadsheet_id=origin.spreadsheet_id,
        gid=origin.sheet_id,
        worksheet=origin.title,
    )


def _read_both(
    workbook: Path, url: str, sheet: str | None, worksheet: str | None, schema: Schema, client: Any
) -> tuple[Side, Side]:
    from sheetkit.excel.read import read_table

    stamp = FileStamp.of(workbook)
    local_table = set_aside_footer(read_table(workbook, schema, sheet=sheet), schema)
    grid = read_google_grid(parse_sheet_ref(url, worksheet), client=client)
    remote_table = set_aside_footer(table_from_grid(grid, schema), schema)
    dates = date_columns(schema, local_table, remote_table)
    local = read_side("workbook", local_table, schema, dates)
    id_column = column_identity(schema.sync.id_header)
    first_sync = schema.sync.key is None and not any(
        column_identity(h) == id_column for h in [*local_table.headers, *remote_table.headers]
    )
    if first_sync:  # neither copy has IDs yet: rows correspond in order (a pushed copy, typically)
        by_row = {row: key for key, row in local.row_of.items()}
        paired = [by_row.get(int(r), "") for r in local_table.rows]
        remote = read_side("Google Sheet", remote_table, schema, dates, paired_ids=[p for p in paired if p])
    else:
        remote = read_side("Google Sheet", remote_table, schema, dates)
    return dataclasses.replace(local, stamp=stamp), dataclasses.replace(remote, raw_rows=grid.rows)


def _remote_unchanged(remote: Side) -> bool:
    """Read the Google values again (one request): never overwrite an edit made since they were read.

    The answer is compared with the first read as it came from the API, whole rows at a time (list
    equality runs in C), so the time between this check and the write stays short.
    """
    origin = google_sheet(remote.table)
    with google_errors(f"spreadsheet {origin.spreadsheet_id} {origin.title!r}"):
        now = fetch_values(origin.client, origin.spreadsheet_id, origin.title, origin.row_count, origin.column_count)
    return _trimmed(now) == _trimmed(remote.raw_rows)


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows without trailing blank cells and trailing blank rows (Google omits them; a padded grid has them)."""
    out = [row[: len(row) - len(list(itertools.takewhile(_blank_cell, reversed(row))))] for row in rows]
    while out and not out[-1]:
        out.pop()
    return out


def _blank_cell(value: Any) -> bool:
    return value == "" or value is None


# ---------------------------------------------------------------------------------------------
# Computed columns: recomputed on the merged content, never merged


def _recompute(
    merged: Snapshot, layout: _Layout, schema: Schema, day: dt.date
) -> tuple[Report, dict[str, dict[str, CellValue]]]:
    """Check the merged content as the workbook will hold it: (report, key -> {identity: value}).

    The merged rows are laid out where the workbook will have them (kept rows in place, new rows
    below the table, each column where it is or will be), so the report names the workbook's
    cells exactly as `sheetkit validate` on the synced workbook would.
    """
    import numpy as np
    import pandas as pd

    from sheetkit.core.checked import check_table

    table = layout.side.table
    keys = sorted(merged.order, key=lambda k: layout.row_of[k])
    columns = list(merged.columns)
    values = pd.DataFrame([[merged.value(k, c) for c in columns] for k in keys], columns=range(len(columns)))
    numbers = [layout.column(c) for c in columns]
    merged_table = Table(
        source=table.source,
        sheet=table.sheet,
        header_row=table.header_row,
        headers=[layout.header(c) for c in columns],
        columns=numbers,
        values=values.astype(object).where(values.notna(), None),
        rows=np.array([layout.row_of[k] for k in keys], dtype=np.int64),
        epoch=table.epoch,
        last_column=max([table.last_column, *numbers]),
        kind=table.kind,
    )
    checked = check_table(merged_table, schema, day)
    identities = [column_identity(schema.computed[k].header) for k in checked.computed.columns]
    computed = [[from_pandas(v) for v in checked.computed[k].to_numpy(dtype=object)] for k in checked.computed.columns]
    out = dict(zip(keys, row_dicts(identities, computed, len(keys)), strict=True))
    return checked.report, out


# ---------------------------------------------------------------------------------------------
# Applying a plan to the workbook


@dataclass
class _LocalCells:
    updates: list[CellUpdate]
    new_columns: list[int]
    computed: int


class _Columns:
    """Where each column identity sits on one copy; columns it lacks are given the next free
    column to the right of its table, and their header cells are recorded."""

    def __init__(self, side: Side, headers: Mapping[str, str], schema: Schema) -> None:
        self.column_of = dict(side.column_of)
        self.next_column = side.table.last_column + 1
        self.header_row = side.table.header_row
        self.headers = headers
        self.schema = schema
        self.new_headers: list[CellUpdate] = []

    def __call__(self, identity: str) -> int:
        if identity not in self.column_of:
            self.column_of[identity] = self.next_column
            header = _header_text(identity, self.headers, self.schema)
            self.new_headers.append(CellUpdate(self.header_row, self.next_column, header))
            self.next_column += 1
        return self.column_of[identity]


class _Layout:
    """Where the workbook will hold each merged row and column once the plan is written.

    Rows are never shifted: a deleted row is emptied, new rows go below the table, so nothing
    else in the workbook moves. New columns (from the other copy, then the ID column) go right
    of the table, in that order.
    """

    def __init__(self, side: Side, changes: SideChanges, headers: Mapping[str, str], schema: Schema) -> None:
        self.side = side
        self.headers = headers
        self.schema = schema
        self.column = _Columns(side, headers, schema)
        for identity in changes.add_columns:
            self.column(identity)
        self.key_column = self.column(key_identity(schema, side.table)) if schema.sync.key is None else None
        table = side.table
        self.row_of = dict(side.row_of)
        for key in changes.delete_rows:
            self.row_of.pop(key)
        next_row = int(max(table.rows.max(initial=table.header_row), table.header_row)) + 1
        self.new_rows: dict[str, int] = {}
        for add in changes.add_rows:
            self.row_of[add.key] = self.new_rows[add.key] = next_row
            next_row += 1

    def header(self, identity: str) -> str:
        """The header the workbook shows (or will show) for a column."""
        return self.side.header_of.get(identity) or _header_text(identity, self.headers, self.schema)


def _computed_cells(
    side: Side, row_of: Mapping[str, int], computed: Mapping[str, Mapping[str, CellValue]], column: _Columns
) -> list[CellUpdate]:
    """Recomputed values that differ from what this copy shows (new rows show nothing yet)."""
    cells = []
    for key, values in computed.items():
        if key not in row_of:
            continue
        for identity, value in values.items():
            if not values_equal(side.snapshot.value(key, identity) if key in side.row_of else None, value):
                cells.append(CellUpdate(row_of[key], column(identity), value))
    return cells


def _local_updates(
    side: Side,
    changes: SideChanges,
    merged: Snapshot,
    computed: dict[str, dict[str, CellValue]],
    schema: Schema,
    layout: _Layout,
) -> _LocalCells:
    """Cell updates for the workbook, at the places :class:`_Layout` gives them."""
    column = layout.column
    updates: list[CellUpdate] = []
    if layout.key_column is not None:
        updates.extend(
            CellUpdate(row, layout.key_column, key) for key, row in side.missing_ids.items() if key in merged.rows
        )
    for key in changes.delete_rows:
        for identity, col in column.column_of.items():
            if side.snapshot.value(key, identity) is not None:
                updates.append(CellUpdate(side.row_of[key], col, None))
    for add in changes.add_rows:
        row = layout.new_rows[add.key]
        updates.extend(CellUpdate(row, column(i), v) for i, v in add.values.items() if v is not None)
    updates.extend(CellUpdate(layout.row_of[c.key], column(c.column), c.value) for c in changes.update_cells)
    computed_cells = _computed_cells(side, layout.row_of, computed, column)
    return _LocalCells(
        [*column.new_headers, *updates, *computed_cells],
        [u.column for u in column.new_headers],
        len(computed_cells),
    )


def _header_text(identity: str, headers: Mapping[str, str], schema: Schema) -> str:
    """The header to write for a column a copy lacks: as the other copy wrote it, else the schema's."""
    if identity in headers:
        return headers[identity]
    if identity == column_identity(schema.sync.id_header):
        return schema.sync.id_header
    for c in schema.active_computed().values():
        if column_identity(c.header) == identity:
            return c.header
    return identity


def _write_local(workbook: Path, side: Side, cells: _LocalCells, schema: Schema) -> None:
    """Write the workbook's cells, unless another program saved it since it was read (then refuse)."""
    from sheetkit.excel.write import write_cells
    from sheetkit.runtime.atomic import atomic_replace

    with atomic_replace(workbook, backup=True, expect=side.stamp) as temporary:
        write_cells(
            workbook,
            temporary,
            side.table.sheet,
            cells.updates,
            header_row=side.table.header_row,
            new_columns=cells.new_columns,
            date_format=schema.date_format,
        )


# ---------------------------------------------------------------------------------------------
# Applying a plan to the Google Sheet: one all-or-nothing spreadsheets:batchUpdate


@dataclass
class _RemoteRequests:
    requests: list[dict[str, Any]]
    computed: int
    after: Where | None = None  # where the Google copy holds each row and column once written
    values: tuple[CellUpdate, ...] = ()  # instead of requests: plain values, sent RAW (values:batchUpdate)

    @property
    def sends(self) -> bool:
        return bool(self.requests or self.values)


def _remote_requests(
    side: Side,
    changes: SideChanges,
    computed: dict[str, dict[str, CellValue]],
    schema: Schema,
    headers: Mapping[str, str],
) -> _RemoteRequests:
    """The Google copy's changes as batchUpdate requests: row deletes, row inserts (each placed
    after the row it follows, found by key), then typed cell values."""
    table = side.table
    origin = google_sheet(table)
    sheet_id = origin.sheet_id
    requests: list[dict[str, Any]] = []
    column = _Columns(side, headers, schema)
    for identity in changes.add_columns:
        column(identity)
    key_column = column(key_identity(schema, table)) if schema.sync.key is None else None
    # Rows in sheet order, by key (None for rows the sync leaves alone: excluded or blank).
    by_row = {row: key for key, row in side.row_of.items()}
    last_row = int(max(table.rows.max(initial=table.header_row), table.header_row))
    order: list[str | None] = [by_row.get(r) for r in range(table.header_row + 1, last_row + 1)]
    for key in sorted(changes.delete_rows, key=lambda k: -side.row_of[k]):
        index = order.index(key)
        row = table.header_row + index + 1
        requests.append(bodies.delete_rows(sheet_id, row, row))
        order.pop(index)
    for add in changes.add_rows:
        position = order.index(add.after) + 1 if add.after in order else len(order)
        order.insert(position, add.key)
        requests.append(bodies.insert_rows(sheet_id, table.header_row + position + 1))
    row_of = {key: table.header_row + 1 + i for i, key in enumerate(order) if key is not None}
    written: dict[tuple[int, int], CellValue] = {}
    for add in changes.add_rows:
        for identity, value in add.values.items():
            if value is not None:
                written[(row_of[add.key], column(identity))] = value
    for change in changes.update_cells:
        written[(row_of[change.key], column(change.column))] = change.value
    cells = [CellUpdate(row, col, value) for (row, col), value in written.items()]
    if key_column is not None:
        cells.extend(CellUpdate(row_of[k], key_column, k) for k in side.missing_ids if k in row_of)
    computed_cells = _computed_cells(side, row_of, computed, column)
    cells = [*column.new_headers, *cells, *computed_cells]
    after = Where(table.sheet, row_of, column.column_of)
    if not requests and not cells:
        return _RemoteRequests([], 0, after=after)
    grow = bodies.grow(sheet_id, columns=column.next_column - 1 - origin.column_count)
    # A date replacing a number or a date keeps the cell's date format, as a refresh does: value only.
    dates = [c for c in cells if isinstance(c.value, dt.date)]
    dated = _held_numbers(side, dates, row_of)
    if not grow and not requests and len(dated) == len(dates):  # values only: RAW ranges, a third of the bytes
        return _RemoteRequests([], len(computed_cells), after, values=tuple(cells))
    typed = bodies.update_cells(sheet_id, cells, schema.date_format, dated=dated)  # one updateCells per row run
    return _RemoteRequests([*grow, *requests, *typed], len(computed_cells), after)


def _held_numbers(side: Side, cells: list[CellUpdate], row_of: Mapping[str, int]) -> set[tuple[int, int]]:
    """(row, column) after the write of the cells that held a number (a date is one) when Google was read."""
    key_at = {row: key for key, row in row_of.items()}
    raw = side.raw_rows or []
    found = set()
    for cell in cells:
        key = key_at.get(cell.row)
        before = side.row_of.get(key) if key is not None else None
        if before is None or before - 1 >= len(raw):
            continue
        values = raw[before - 1]
        held = values[cell.column - 1] if cell.column - 1 < len(values) else None
        if isinstance(held, (int, float)) and not isinstance(held, bool):
            found.add((cell.row, cell.column))
    return found


def _send(side: Side, sent: _RemoteRequests) -> None:
    origin = google_sheet(side.table)
    if sent.values:
        write_updates(origin, sent.values)
        return
    with google_errors(f"spreadsheet {origin.spreadsheet_id} {origin.title!r}"):
        origin.http.batch_update(origin.spreadsheet_id, bodies.batch(sent.requests))
