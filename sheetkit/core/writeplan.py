"""The write plan: computed columns as the minimal set of cell updates (the writers apply it).

Only sheetkit's computed columns are written, and only cells whose value changes; a column
that is missing is appended to the right of the table. A second refresh with the same as-of
date therefore plans no update and leaves the file untouched (not even rewritten).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheetkit.core.cells import CellUpdate, CellValue
from sheetkit.core.normalize import Normalized
from sheetkit.core.schema import Schema
from sheetkit.core.values import from_pandas, shows


@dataclass(frozen=True)
class WritePlan:
    """The cells a refresh changes: computed-column headers (when appended) and values."""

    updates: tuple[CellUpdate, ...]
    new_columns: tuple[int, ...]
    header_row: int
    new_date_cells: tuple[CellUpdate, ...] = ()

    @property
    def cells_changed(self) -> int:
        return len(self.updates)

    def __bool__(self) -> bool:
        return bool(self.updates)


def plan_writes(norm: Normalized, computed: pd.DataFrame, schema: Schema) -> WritePlan:
    """Compare computed values with what the sheet holds; keep only the differences."""
    table = norm.table
    updates: list[CellUpdate] = []
    new_dates: list[CellUpdate] = []
    new_columns: list[int] = []
    next_free = table.last_column + 1
    for kind in computed.columns:
        values = _cell_values(computed[kind])
        position = norm.computed_positions.get(kind)
        if position is None:
            column = next_free
            next_free += 1
            new_columns.append(column)
            updates.append(CellUpdate(table.header_row, column, schema.computed[kind].header))
            existing: list[Any] = [""] * len(values)
        else:
            column = table.columns[position]
            existing = table.values[position].tolist()
        rows = table.rows.tolist()
        # Plain equality settles most cells at C speed; shows judges the rest (20 vs 20.0 is
        # already equal; a date against a datetime or a serial, or blank against "", is not).
        if position is None:  # a new column: every value is a change, nothing to compare
            changed = [i for i, new in enumerate(values) if new is not None]
        else:  # an empty cell ("") that stays empty (None) is not a change either
            changed = [
                i
                for i, (old, new) in enumerate(zip(existing, values, strict=True))
                if old != new and (new is not None or old != "")
            ]
        epoch = table.epoch
        for i in changed:
            old, new = existing[i], values[i]
            if (
                position is None
                or (type(old), type(new)) in _UNEQUAL_MEANS_CHANGED
                or (type(old) is str and not old)  # an empty cell that gets a value (new is not None here)
                or not shows(old, new, epoch)
            ):
                update = CellUpdate(int(rows[i]), column, new)
                updates.append(update)
                if isinstance(new, dt.date) and not isinstance(old, (int, float, dt.date)):
                    new_dates.append(update)  # a cell that never held a date may lack a date format
    return WritePlan(tuple(updates), tuple(new_columns), table.header_row, tuple(new_dates))


# Type pairs (old, new) for which `old != new` already means the sheet shows something else, so
# shows need not be asked (a refresh changes 100,000s of day counts: ~0.4 s of calls).
_UNEQUAL_MEANS_CHANGED = frozenset(
    [(int, int), (float, int), (int, float), (float, float), (bool, bool), (dt.date, dt.date)]
)


def _cell_values(series: pd.Series) -> list[CellValue]:
    """A computed column as writer values, converted by column (not cell by cell) where possible."""
    if pd.api.types.is_datetime64_any_dtype(series):
        blank = series.isna().to_numpy().tolist()
        return [None if missing else v for v, missing in zip(series.dt.date.tolist(), blank, strict=True)]
    if isinstance(series.dtype, (pd.Int64Dtype, pd.BooleanDtype)):
        return series.astype(object).where(series.notna(), None).tolist()
    return [from_pandas(v) for v in series.tolist()]
