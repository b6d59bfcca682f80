"""The pipeline after reading: a Table normalized, validated and computed into one Checked value.

Every command runs a sheet through :func:`check_table` (check, refresh, sync's merged content,
due, match, report), so they all see the same problems at the same cells, the same blocked rows
and the same computed values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sheetkit.core.computed import compute, follow_up, input_fields
from sheetkit.core.normalize import Normalized, normalize
from sheetkit.core.report import Problem, Report, merge_problems
from sheetkit.core.schema import Schema
from sheetkit.core.table import Table
from sheetkit.core.validation import validate_normalized

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


@dataclass(frozen=True)
class Checked:
    """A sheet read, normalized, validated and computed: everything but the write.

    Attributes:
        table: the values as read, with where each came from.
        normalized: the values typed under the schema's field names.
        report: every problem, by cell.
        computed: the schema's enabled computed columns (by schema key), one row per table row.
        follow_up: days_since_contact, non_responsive and next_check_in for every row, whether or
            not the schema writes those columns (the due list and the row facts read them).
        as_of: the date "today" meant.
    """

    table: Table
    normalized: Normalized
    report: Report
    computed: pd.DataFrame
    follow_up: pd.DataFrame
    as_of: dt.date

    @property
    def schema(self) -> Schema:
        return self.normalized.schema

    def __repr__(self) -> str:
        return f"<Checked {self.report.source} {self.table.sheet!r} as of {self.as_of.isoformat()}: {self.report!r}>"

    def frame(self) -> pd.DataFrame:
        """The sheet's table as the user wrote it, with the computed columns set (by header)."""
        table = self.table
        frame = table.values.copy()
        frame.columns = pd.Index(unique_headers(table.headers))
        frame.index = pd.Index(table.rows, name="row")
        positions = self.normalized.computed_positions
        for kind in self.computed.columns:
            header = frame.columns[positions[kind]] if kind in positions else self.schema.computed[kind].header
            frame[header] = self.computed[kind].array
        return frame

    def styled(self) -> Styler:
        """The sheet as a pandas Styler, overdue and non-responsive rows highlighted (for notebooks)."""
        from sheetkit.core.display import styled_checked

        return styled_checked(self)

    def _repr_html_(self) -> str:
        from sheetkit.core.display import checked_html

        return checked_html(self)


def check_table(
    table: Table, schema: Schema, as_of: dt.date, *, step: Callable[[str], None] = lambda name: None
) -> Checked:
    """Normalize, validate and compute one table: the one pipeline every command runs.

    ``step`` is told "validate" and "compute" as those stages start (progress bars use it).
    """
    step("validate")
    normalized = normalize(table, schema, as_of)
    problems = merge_problems(normalized.problems, validate_normalized(normalized, as_of))
    empty = normalized.empty_rows()
    blocked = blocked_rows(problems, table, input_fields(schema)) | empty
    step("compute")
    facts = follow_up(normalized.frame, schema, as_of, blocked)
    computed = compute(normalized.frame, schema, as_of, blocked, facts=facts)
    report = Report(
        source=table.source,
        sheet=table.sheet,
        rows=int((~empty).sum()),
        problems=problems,
        not_computed=[int(r) for r in table.rows[blocked & ~empty]],
        schema=schema.name,
    )
    return Checked(table, normalized, report, computed, facts, as_of)


def blocked_rows(problems: list[Problem], table: Table, fields: set[str]) -> np.ndarray:
    """Rows with an error in a field the computed columns read: their computed cells stay blank."""
    bad_rows = {p.row for p in problems if p.severity == "error" and p.field in fields and p.row is not None}
    return np.isin(table.rows, list(bad_rows)) if bad_rows else np.zeros(len(table), dtype=bool)


def unique_headers(headers: list[str]) -> list[str]:
    """Headers made unique for a DataFrame: blanks named "column N", repeats numbered "Notes (2)"."""
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(headers):
        name = header or f"column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out
