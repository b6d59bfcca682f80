"""The Python API: validate a sheet, compute its columns, refresh it in place.

    >>> import sheetkit
    >>> report = sheetkit.validate("contacts.xlsx")
    >>> result = sheetkit.refresh("contacts.xlsx", as_of="2026-11-21")

Everything the CLI does goes through these functions.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sheetkit.computed import INPUT_FIELDS, compute
from sheetkit.errors import UsageError
from sheetkit.normalize import Normalized, normalize
from sheetkit.read import read_table
from sheetkit.report import Report, merge_problems
from sheetkit.schema import Schema, load_schema
from sheetkit.table import Table
from sheetkit.writeback import WritePlan, apply_plan, plan_writes

log = logging.getLogger("sheetkit")

SchemaLike = Schema | str | Path | None
DateLike = dt.date | str | None


@dataclass
class Checked:
    """A sheet read, normalized, validated and computed: everything but the write."""

    table: Table
    normalized: Normalized
    report: Report
    computed: pd.DataFrame
    as_of: dt.date

    def frame(self) -> pd.DataFrame:
        """The sheet's table as the user wrote it, with the computed columns set (by header)."""
        table = self.table
        frame = table.values.copy()
        frame.columns = pd.Index(_unique_headers(table.headers))
        frame.index = pd.Index(table.rows, name="row")
        schema = self.normalized.schema
        positions = self.normalized.computed_positions
        for kind in self.computed.columns:
            header = frame.columns[positions[kind]] if kind in positions else schema.computed[kind].header
            frame[header] = self.computed[kind].array
        return frame


@dataclass
class RefreshResult:
    """What a refresh did: the report, the cells it changed, where it wrote.

    Attributes:
        report: the validation report.
        plan: the cell updates (empty when the sheet was already up to date).
        written: the file written, or None (dry run, or nothing changed).
        backup: where the previous version was kept, or None.
        engine: how the workbook was written: "package" (direct edit), "openpyxl", "csv", or "".
        fallback_reason: why openpyxl was used instead of the direct edit, if it was.
        frame: the table with its computed columns, as a DataFrame indexed by sheet row.
    """

    report: Report
    plan: WritePlan
    written: Path | None
    backup: Path | None
    engine: str
    fallback_reason: str | None
    frame: pd.DataFrame
    as_of: dt.date
    dry_run: bool = False

    @property
    def cells_changed(self) -> int:
        return self.plan.cells_changed

    def summary(self) -> str:
        cells = f"{self.cells_changed} cell" + ("" if self.cells_changed == 1 else "s")
        if self.dry_run:
            return f"Dry run: would change {cells} (as of {self.as_of.isoformat()}); nothing written."
        if self.written is None:
            return f"Up to date as of {self.as_of.isoformat()}: nothing to write."
        line = f"Wrote {cells} to {self.written} (as of {self.as_of.isoformat()}"
        line += f", via {self.engine}" if self.engine else ""
        line += ")."
        if self.fallback_reason:
            line += f" The direct edit was not possible ({self.fallback_reason}), so openpyxl wrote the file."
        if self.backup is not None:
            line += f" Previous version kept at {self.backup}."
        return line

    def __repr__(self) -> str:
        return (
            f"<RefreshResult {self.report.source}: {self.report.rows} rows, "
            f"{len(self.report.problems)} problems, {self.cells_changed} cells changed>"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>" + self.report._repr_html_()


def today(schema: Schema) -> dt.date:
    """Today in the schema's time zone (a refresh at 01:00 in Berlin is not yesterday in UTC)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(schema.timezone)).date()


def parse_as_of(value: DateLike, schema: Schema) -> dt.date:
    """The as-of date: a date, an ISO 'YYYY-MM-DD' text, or None for today."""
    if value is None:
        return today(schema)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"as-of date {value!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-21") from None


def check(source: Any, *, schema: SchemaLike = None, sheet: str | None = None, as_of: DateLike = None) -> Checked:
    """Read, normalize, validate and compute one sheet, without writing anything."""
    loaded = load_schema(schema)
    day = parse_as_of(as_of, loaded)
    table = read_table(source, loaded, sheet=sheet)
    log.info("read %s", table)
    normalized = normalize(table, loaded)
    from sheetkit.validation import validate_normalized

    checked_problems = validate_normalized(normalized, day)
    problems = merge_problems(normalized.problems, checked_problems)
    blocked = _blocked_rows(problems, table)
    empty = normalized.empty_rows()
    computed = compute(normalized.frame, loaded, day, blocked | empty)
    report = Report(
        source=table.source,
        sheet=table.sheet,
        rows=int((~empty).sum()),
        problems=problems,
        not_computed=[int(r) for r in table.rows[blocked & ~empty]],
        schema=loaded.name,
    )
    return Checked(table, normalized, report, computed, day)


def validate(source: Any, *, schema: SchemaLike = None, sheet: str | None = None, as_of: DateLike = None) -> Report:
    """Check a sheet against a schema and report every problem, each by cell.

    Args:
        source: a path to an .xlsx/.xlsm/.xls/.csv file, or a pandas DataFrame.
        schema: a schema path, a bundled schema name, a Schema, or None for recruiter_contacts.
        sheet: the worksheet name (default: the first).
        as_of: "today" for date checks (default: today in the schema's time zone).
    """
    return check(source, schema=schema, sheet=sheet, as_of=as_of).report


def enrich(source: Any, *, schema: SchemaLike = None, sheet: str | None = None, as_of: DateLike = None) -> pd.DataFrame:
    """The sheet (or DataFrame) with its computed columns filled in, as a new DataFrame."""
    checked = check(source, schema=schema, sheet=sheet, as_of=as_of)
    frame = checked.frame()
    if isinstance(source, pd.DataFrame):
        frame.index = source.index
    return frame


def refresh(
    source: str | Path,
    *,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    output: str | Path | None = None,
    dry_run: bool = False,
    backup: bool = True,
    engine: str = "auto",
) -> RefreshResult:
    """Validate a workbook and write its computed columns back into it (or into ``output``).

    Only computed cells whose value changes are written; everything else in the workbook is
    left as it was. The write is atomic, and the previous file is kept as a backup.

    Raises:
        SheetkitError: the source cannot be read, or the result cannot be written (the
            original file is then left exactly as it was).
    """
    path = Path(source)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv") and path.suffix.lower() in (".xls", ".xlsb", ".ods"):
        from sheetkit.read import sniff_workbook

        sniff_workbook(path)
    checked = check(path, schema=schema, sheet=sheet, as_of=as_of)
    loaded = checked.normalized.schema
    plan = plan_writes(checked.normalized, checked.computed, loaded)
    target = Path(output) if output is not None else path
    written: Path | None = None
    backup_file: Path | None = None
    used_engine, reason = "", None
    if not dry_run and (plan or target != path):
        if target != path and not plan:
            import shutil

            from sheetkit.atomic import atomic_replace

            with atomic_replace(target, backup=backup) as temporary:
                shutil.copyfile(path, temporary)
            used_engine = "copy"
        else:
            had_target = target.exists()
            used_engine, reason = apply_plan(
                plan,
                source=path,
                target=target,
                sheet=checked.table.sheet,
                schema=loaded,
                backup=backup,
                engine=engine,
            )
            if backup and had_target:
                from sheetkit.atomic import backup_path

                backup_file = backup_path(target)
        written = target
        log.info("wrote %d cells to %s via %s", plan.cells_changed, target, used_engine)
    return RefreshResult(
        report=checked.report,
        plan=plan,
        written=written,
        backup=backup_file,
        engine=used_engine,
        fallback_reason=reason,
        frame=checked.frame(),
        as_of=checked.as_of,
        dry_run=dry_run,
    )


def _blocked_rows(problems: list[Any], table: Table) -> np.ndarray:
    """Rows with an error in a field the computed columns read."""
    bad_rows = {p.row for p in problems if p.severity == "error" and p.field in INPUT_FIELDS and p.row is not None}
    return np.isin(table.rows, list(bad_rows)) if bad_rows else np.zeros(len(table), dtype=bool)


def _unique_headers(headers: list[str]) -> list[str]:
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
