"""The two copies of a sync as keyed snapshots: which row is whom, where each column is.

A copy is read into a :class:`Side`: its Table, its :class:`Snapshot` (rows by key, columns by
identity), and where each key and column sits in the sheet. Rows are keyed by the schema's key
field, or by an ID column sheetkit adds (derived from the row's content on a first sync, so an
interrupted run does not duplicate rows); a blank or repeated key leaves the row alone, reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetkit.core.cells import CellValue, a1
from sheetkit.core.schema import Schema, header_key
from sheetkit.core.table import Table
from sheetkit.core.values import normal
from sheetkit.errors import UsageError
from sheetkit.runtime.atomic import FileStamp
from sheetkit.syncing.plan import Snapshot
from sheetkit.syncing.readable import person_label


@dataclass
class Side:
    """One copy as read: its Table, its snapshot, and where each key and column sits."""

    name: str
    table: Table
    snapshot: Snapshot
    row_of: dict[str, int]  # key -> 1-based sheet row
    column_of: dict[str, int]  # column identity -> 1-based sheet column
    header_of: dict[str, str]  # column identity -> header text as written
    missing_ids: dict[str, int]  # generated key -> sheet row, for rows that had no ID yet
    excluded_rows: list[int]  # rows with a blank or duplicate key: left alone, reported
    key_problems: list[str]
    duplicate_keys: frozenset[str] = frozenset()  # keys on more than one row: left alone on both copies
    raw_rows: list[list[Any]] = field(default_factory=list)  # the Google copy as the API gave it
    stamp: FileStamp | None = None  # the workbook as it was read


def column_identity(header: str) -> str:
    return header_key(header) or header


def row_dicts(names: list[str], columns: list[list[Any]], count: int) -> list[dict[str, Any]]:
    """Cells held a column at a time (``columns[i]`` under ``names[i]``, ``count`` rows each) as
    one dict per row; ``count`` empty dicts when there are no columns."""
    by_row = zip(*columns, strict=True) if columns else ((),) * count
    return [dict(zip(names, row, strict=True)) for row in by_row]


def read_side(
    name: str, table: Table, schema: Schema, date_columns: set[str], paired_ids: list[str] | None = None
) -> Side:
    """Turn a side's Table into a keyed snapshot (computed columns included; the merge ignores them).

    ``paired_ids``: IDs to give this side's rows by position (first sync in ID mode, when neither
    copy has the ID column yet and the rows are taken to correspond in order).
    """
    identities = [column_identity(h) for h in table.headers]
    positions = {ident: i for i, ident in enumerate(identities) if ident}
    column_of = {ident: table.columns[i] for ident, i in positions.items()}
    header_of = {ident: table.headers[i] for ident, i in positions.items()}
    key_column = key_identity(schema, table)
    # Column by column (a cell at a time through DataFrame.iat took seconds at 100,000 rows).
    cells = [
        [normal(v, is_date=ident in date_columns) for v in table.values.iloc[:, i].to_numpy(dtype=object)]
        for ident, i in positions.items()
    ]
    values = row_dicts(list(positions), cells, len(table))
    keys = [_key_text(row.get(key_column)) for row in values]
    missing: dict[str, int] = {}
    if schema.sync.key is None:
        content = _content_columns(schema, positions)
        seen: dict[str, int] = {}
        for r, key in enumerate(keys):
            if key is None and any(v is not None for v in values[r].values()):
                generated = (
                    paired_ids[r] if paired_ids and r < len(paired_ids) else _content_id(values[r], content, seen)
                )
                keys[r] = generated
                missing[generated] = int(table.rows[r])
    counts: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    rows: dict[str, dict[str, CellValue]] = {}
    row_of: dict[str, int] = {}
    excluded: list[int] = []
    messages: list[str] = []
    key_header = header_of.get(key_column, schema.sync.id_header)
    for r, key in enumerate(keys):
        sheet_row = int(table.rows[r])
        if key is None or counts[key] > 1:
            excluded.append(sheet_row)
            what = "is blank" if key is None else f"{key!r} is used by more than one row"
            who = person_label(values[r], schema)
            messages.append(
                f"{who + ', ' if who else ''}{name} {a1(table.sheet, column_of.get(key_column, 1), sheet_row)}: "
                f"the key ({key_header}) {what}; the row is not synced until it has a key of its own"
            )
            continue
        row = dict(values[r])
        if schema.sync.key is None:
            row[key_column] = key
        rows[key] = row
        row_of[key] = sheet_row
    columns = tuple(dict.fromkeys([*positions, key_column]))
    duplicates = frozenset(key for key, count in counts.items() if count > 1)
    return Side(
        name, table, Snapshot(columns, rows), row_of, column_of, header_of, missing, excluded, messages, duplicates
    )


def without(snapshot: Snapshot, keys: frozenset[str]) -> Snapshot:
    """The snapshot without the rows ``keys`` (rows a sync leaves alone on both copies)."""
    if not keys:
        return snapshot
    return Snapshot(snapshot.columns, {k: row for k, row in snapshot.rows.items() if k not in keys})


def _content_columns(schema: Schema, positions: Mapping[str, int]) -> list[str]:
    """The columns a generated ID is derived from: the user's own (not computed, not the ID)."""
    skip = {column_identity(c.header) for c in schema.active_computed().values()}
    skip.add(column_identity(schema.sync.id_header))
    return [ident for ident in positions if ident not in skip]


def key_identity(schema: Schema, table: Table) -> str:
    if schema.sync.key is None:
        return column_identity(schema.sync.id_header)
    spec = schema.fields[schema.sync.key]
    for header in table.headers:
        if header_key(header) in spec.header_keys:
            return column_identity(header)
    raise UsageError(
        f"{table.source}, sheet {table.sheet!r}: the sync key column {spec.header!r} is missing; "
        "add it, or set `sync: {key: null}` in the schema to let sheetkit add an ID column"
    )


def _key_text(value: CellValue) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text.casefold() if text else None


def _content_id(values: Mapping[str, CellValue], columns: list[str], seen: dict[str, int]) -> str:
    """An ID derived from the row's own content: a run interrupted after one copy got its IDs and
    rerun on unchanged rows derives the same IDs again, so no row is duplicated."""
    text = json.dumps([str(values.get(c)) for c in columns], ensure_ascii=False)
    digest = hashlib.sha1(text.encode()).hexdigest()[:10]
    seen[digest] = seen.get(digest, 0) + 1
    return f"sk-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else "")


def date_columns(schema: Schema, *tables: Table) -> set[str]:
    """Columns that hold dates: schema date fields, date computed columns, and any column where the
    workbook already has a date cell (the Sheets API sends dates as plain serial numbers)."""
    keys = schema.date_header_keys
    found: set[str] = set()
    for table in tables:
        for i, header in enumerate(table.headers):
            ident = column_identity(header)
            holds_dates = table.kind != "gsheet" and table.values[i].map(lambda v: isinstance(v, dt.date)).any()
            if header_key(header) in keys or holds_dates:
                found.add(ident)
    return found
