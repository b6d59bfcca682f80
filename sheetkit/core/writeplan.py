"""The write plan: computed columns as the minimal set of cell updates (the writers apply it).

Only sheetkit's computed columns are written, and only cells whose value changes; a column
that is missing is appended to the right of the table. A second refresh with the same as-of
date therefore plans no update and leaves the file untouched (not even rewritten).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, overload

import pandas as pd

from sheetkit.core.cells import CellUpdate, CellValue
from sheetkit.core.normalize import Normalized
from sheetkit.core.schema import Schema
from sheetkit.core.values import from_pandas, shows


class PlannedCells(Sequence[CellUpdate]):
    """The cells a plan writes, held a column at a time: ``columns`` is (column, sheet rows,
    values) per computed column, in plan order.

    A refresh of 100,000 rows plans ~139,000 cells: making a CellUpdate of each and taking them
    apart again for the package writer cost ~0.14 s. The package writer takes the columns as
    they are (:meth:`by_cell`); iterating or indexing makes the CellUpdates, once.
    """

    __slots__ = ("_cells", "columns")

    def __init__(self, columns: Sequence[tuple[int, list[int], list[CellValue]]]) -> None:
        self.columns = tuple(columns)
        self._cells: tuple[CellUpdate, ...] | None = None

    def cells(self) -> tuple[CellUpdate, ...]:
        if self._cells is None:
            self._cells = tuple(
                CellUpdate(row, column, value)
                for column, rows, values in self.columns
                for row, value in zip(rows, values, strict=True)
            )
        return self._cells

    def by_cell(self) -> dict[tuple[int, int], CellValue]:
        """{(row, column): value}, a later cell of the plan winning (none repeats one)."""
        out: dict[tuple[int, int], CellValue] = {}
        for column, rows, values in self.columns:
            out.update(zip(zip(rows, repeat(column)), values, strict=True))
        return out

    def __len__(self) -> int:
        return sum(len(rows) for _, rows, _ in self.columns)

    def __iter__(self) -> Iterator[CellUpdate]:
        return iter(self.cells())

    @overload
    def __getitem__(self, index: int) -> CellUpdate: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[CellUpdate, ...]: ...
    def __getitem__(self, index: int | slice) -> CellUpdate | tuple[CellUpdate, ...]:
        return self.cells()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlannedCells | tuple | list):
            return self.cells() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.cells())

    def __repr__(self) -> str:
        return f"<PlannedCells: {len(self)} cells in {len(self.columns)} columns>"


@dataclass(frozen=True)
class WritePlan:
    """The cells a refresh changes: computed-column headers (when appended) and values."""

    updates: Sequence[CellUpdate]
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
    columns: list[tuple[int, list[int], list[CellValue]]] = []
    new_dates: list[CellUpdate] = []
    new_columns: list[int] = []
    next_free = table.last_column + 1
    sheet_rows = table.rows.tolist()
    epoch = table.epoch
    for kind in computed.columns:
        values = _cell_values(computed[kind])
        position = norm.computed_positions.get(kind)
        if position is None:  # a new column: its header, then every value is a change
            column = next_free
            next_free += 1
            new_columns.append(column)
            existing: list[Any] | None = None
            keep = [i for i, new in enumerate(values) if new is not None]
            head_rows: list[int] = [table.header_row]
            head_values: list[CellValue] = [schema.computed[kind].header]
        else:
            column = table.columns[position]
            existing = table.values[position].tolist()
            # Plain equality settles most cells at C speed; shows judges the rest (20 vs 20.0 is
            # already equal; a date against a datetime or a serial, or blank against "", is not).
            # An empty cell ("") that stays empty (None) is not a change either.
            changed = [
                i
                for i, (old, new) in enumerate(zip(existing, values, strict=True))
                if old != new and (new is not None or old != "")
            ]
            keep = [
                i
                for i in changed
                if (type(existing[i]), type(values[i])) in _UNEQUAL_MEANS_CHANGED
                or (type(existing[i]) is str and not existing[i])  # an empty cell that gets a value
                or not shows(existing[i], values[i], epoch)
            ]
            head_rows, head_values = [], []
        columns.append((column, head_rows + [sheet_rows[i] for i in keep], head_values + [values[i] for i in keep]))
        if pd.api.types.is_datetime64_any_dtype(computed[kind]) or pd.api.types.is_object_dtype(computed[kind]):
            # the columns that can hold dates: a cell that never held a date may lack a date format
            new_dates += [
                CellUpdate(sheet_rows[i], column, values[i])
                for i in keep
                if isinstance(values[i], dt.date)
                and (existing is None or not isinstance(existing[i], (int, float, dt.date)))
            ]
    return WritePlan(PlannedCells(columns), tuple(new_columns), table.header_row, tuple(new_dates))


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
