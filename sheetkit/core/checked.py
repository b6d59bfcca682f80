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

from sheetkit.core.cells import quote_sheet
from sheetkit.core.computed import compute, follow_up, input_fields, missing_inputs
from sheetkit.core.normalize import Normalized, normalize
from sheetkit.core.report import Problem, Report, merge_problems
from sheetkit.core.schema import Schema
from sheetkit.core.suggest import COPY_SCHEMA_HINT
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
        """The sheet's table as the user wrote it, with the computed columns set (by header).

        Cells keep the type the user gave them: a text field's number is the text it shows (a phone
        typed as 15125550000 is "15125550000", not 15125550000.0) and a count is a whole number.
        """
        table = self.table
        frame = table.values.copy()
        for field, position in self.normalized.positions.items():
            kind = self.schema.fields[field].type
            if kind in ("text", "integer"):
                frame[position] = _as_written(frame[position], self.normalized.frame[field], kind)
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


def _as_written(raw: pd.Series, typed: pd.Series, kind: str) -> pd.Series:
    """A text or count column for a DataFrame: numbers shown as text in a text field, counts as Int64.

    A cell that could not be read as its type keeps its raw value (the report names it).
    """
    numbers = raw.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).to_numpy(dtype=bool)
    if kind == "text":
        return raw.where(~numbers, typed.astype(object))
    readable = typed.notna().to_numpy(dtype=bool) | raw.map(lambda v: v is None or v == "").to_numpy(dtype=bool)
    if readable.all():
        return typed.astype("Int64").reset_index(drop=True).set_axis(raw.index)
    return raw.where(~readable, typed.astype(object))


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
    wants_cells = any(c.kind == "duplicate_of" for c in schema.active_computed().values())
    cells = normalized.name_cells() if wants_cells else None
    computed = compute(normalized.frame, schema, as_of, blocked, facts=facts, cells=cells)
    skipped = missing_inputs(schema, normalized.frame.columns)
    report = Report(
        source=table.source,
        sheet=table.sheet,
        rows=int((~empty).sum()),
        problems=merge_problems(problems, _skipped_problems(table, schema, skipped)),
        not_computed=[int(r) for r in table.rows[blocked & ~empty]],
        schema=schema.name,
        notices=[*_footer_notices(table), *normalized.notices],
    )
    return Checked(table, normalized, report, computed, facts, as_of)


def _skipped_problems(table: Table, schema: Schema, skipped: dict[str, tuple[str, ...]]) -> list[Problem]:
    """One warning per missing input column: which computed columns were not computed because of it."""
    by_field: dict[str, list[str]] = {}
    for name, fields in skipped.items():
        for field in fields:
            by_field.setdefault(field, []).append(schema.computed[name].header)
    problems = []
    for field, headers in by_field.items():
        spec = schema.fields[field]
        outputs = " and ".join(", ".join(headers).rsplit(", ", 1)) if len(headers) > 1 else headers[0]
        dates = "; `sheetkit due` lists no one" if field == "last_contacted" or field == "status" else ""
        problems.append(
            Problem(
                severity="warning",
                rule="missing_input",
                cell=f"{quote_sheet(table.sheet)}!{table.header_row}:{table.header_row}" if table.header_row else "",
                header=spec.header,
                field=field,
                message=(
                    f"no {spec.header!r} column, so {outputs} {'was' if len(headers) == 1 else 'were'} not computed "
                    f"(existing cells left as they are){dates}; add the column, or if it has another name add "
                    f"that to fields.{field}.aliases in the schema ({COPY_SCHEMA_HINT})"
                ),
            )
        )
    return problems


def _footer_notices(table: Table) -> list[Problem]:
    return [
        Problem(
            severity="notice",
            rule="footer_row",
            cell=f"{quote_sheet(table.sheet)}!{footer.row}:{footer.row}",
            row=footer.row,
            message=(
                f"row {footer.row} looks like a totals row, not a person ({footer.why}): it is left out of the "
                "checks, the computed columns, due, match and sync; set `footer_rows: false` in the schema to "
                "read such rows as people"
            ),
        )
        for footer in table.footer
    ]


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
