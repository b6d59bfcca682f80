"""Problems found in a sheet, and the Report that holds them.

A Problem names its cell ("Contacts!I7"), the header as the user wrote it, the value, the rule
and a plain-English message. A Report renders them as grouped text for a terminal, JSON for
machines, a DataFrame for analysis and HTML for Jupyter.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from sheetkit.runtime.text import counted, printable

if TYPE_CHECKING:
    import pandas as pd

Severity = Literal["error", "warning", "notice"]
_MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a sheet.

    Attributes:
        severity: "error" (the value cannot be used), "warning" (used, but worth a look) or
            "notice" (nothing wrong; something sheetkit did not use, said so it is not a surprise).
        rule: the check that failed ("email", "type", "required_column", ...).
        message: plain English, starting with the value: "'bo@' is not an email address: there must
            be something after the @-sign (expected name@example.com)".
        cell: "Contacts!I7", a range for a header problem, or "" when no cell applies.
        row: 1-based sheet row, or None for a problem with a whole column or the header.
        column: column letter ("I"), or "" when no column applies.
        header: the header as written in the sheet (or the schema's header for a missing column).
        field: the schema field, or "" for a structural problem.
        value: the offending value as text ("" when none).
    """

    severity: Severity
    rule: str
    message: str
    cell: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    field: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = f"{self.cell}: " if self.cell else ""
        return f"{where}{self.message}"


def shown(value: Any) -> str:
    """A value as it appears in a message: dates in ISO form, control characters escaped, long text shortened."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else printable(str(value))
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return text


@dataclass
class Report:
    """The outcome of validating one sheet."""

    source: str
    sheet: str
    rows: int
    problems: list[Problem] = field(default_factory=list)
    not_computed: list[int] = field(default_factory=list)
    schema: str = ""
    notices: list[Problem] = field(default_factory=list)  # do not change ok or the exit code

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (warnings included: they are worth a look too)."""
        return not self.problems

    @property
    def exit_code(self) -> int:
        """The CLI's exit code for this report: 0 clean, 1 problems found."""
        return 0 if self.ok else 1

    def __repr__(self) -> str:
        problems = counted(len(self.problems), "problem")
        return f"<Report {self.source} {self.sheet!r}: {counted(self.rows, 'row')}, {problems}>"

    # -- machine-readable -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sheet": self.sheet,
            "schema": self.schema,
            "rows": self.rows,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [asdict(p) for p in self.problems],
            "rows_not_computed": list(self.not_computed),
            "notices": [asdict(p) for p in self.notices],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame, one row per problem."""
        import pandas as pd

        columns = ["severity", "cell", "header", "value", "rule", "message", "row", "column", "field"]
        return pd.DataFrame([asdict(p) for p in self.problems], columns=columns)

    # -- for people ------------------------------------------------------------------------------
    def summary(self) -> str:
        parts = [counted(self.rows, "row"), counted(len(self.errors), "error"), counted(len(self.warnings), "warning")]
        return f"{self.source}, sheet {self.sheet!r}: " + ", ".join(parts)

    def to_text(self, *, limit_per_group: int = 50) -> str:
        """Problems grouped by column for a terminal; the same problem in many cells is one line."""
        lines = [self.summary()]
        for title, alike in self.grouped():
            lines.append("")
            lines.append(title)
            for group in alike[:limit_per_group]:
                where = f"{group.where:<16}" if len(group.where) <= 16 else f"{group.where}:"
                lines.append(f"  {group.severity:<8} {where} {group.message}")
            if len(alike) > limit_per_group:
                lines.append(f"  ... and {len(alike) - limit_per_group} more in this column (see --format json)")
        if self.not_computed:
            lines.append("")
            lines.append(
                f"{counted(len(self.not_computed), 'row')} left without computed values because of errors: "
                + _row_list(self.not_computed)
            )
        if self.ok:
            lines.append("No problems found.")
        if self.notices:
            lines.append("")
            lines.append("Notices (nothing wrong, worth knowing)")
            lines.extend(f"  notice   {n.cell or '-':<16} {n.message}" for n in self.notices)
        return "\n".join(lines)

    def groups(self) -> list[tuple[str, list[Problem]]]:
        """(title, problems) per column, sheet-wide problems first, columns left to right."""
        buckets: dict[tuple[int, str], list[Problem]] = {}
        for problem in self.problems:
            if problem.row is None and problem.rule != "unique":
                key = (0, "Sheet structure")
            else:
                title = problem.header or problem.field or "Other"
                if problem.column:
                    title += f" (column {problem.column})"
                key = (1 + _column_order(problem.column), title)
            buckets.setdefault(key, []).append(problem)
        ordered = sorted(buckets.items(), key=lambda item: item[0])
        return [(title, sorted(ps, key=lambda p: p.row or 0)) for (_, title), ps in ordered]

    def grouped(self) -> list[tuple[str, list[ProblemGroup]]]:
        """Like :meth:`groups`, with identical problems (same rule and message) merged into one group."""
        out = []
        for title, problems in self.groups():
            alike: dict[tuple[str, str, str], list[Problem]] = {}
            for problem in problems:
                alike.setdefault((problem.severity, problem.rule, problem.message), []).append(problem)
            out.append((title, [ProblemGroup(tuple(members)) for members in alike.values()]))
        return out

    def _repr_html_(self) -> str:
        head = html.escape(self.summary())
        if self.ok:
            return f"<div><strong>{head}</strong><p>No problems found.</p></div>"
        parts = [f"<div><strong>{head}</strong>"]
        for title, alike in self.grouped():
            count = sum(len(g.problems) for g in alike)
            parts.append(f"<h4 style='margin:0.8em 0 0.2em'>{html.escape(title)} ({count})</h4>")
            parts.append(
                "<table><thead><tr><th>severity</th><th>cells</th><th>value</th><th>problem</th></tr></thead><tbody>"
            )
            for g in alike[:200]:
                colour = "#b00020" if g.severity == "error" else "#8a6d00"
                parts.append(
                    f"<tr><td style='color:{colour}'>{g.severity}</td><td><code>{html.escape(g.where)}</code></td>"
                    f"<td>{html.escape(g.problems[0].value)}</td><td>{html.escape(g.message)}</td></tr>"
                )
            parts.append("</tbody></table>")
            if len(alike) > 200:
                parts.append(f"<p>... and {len(alike) - 200} more</p>")
        if self.not_computed:
            parts.append(f"<p>Rows left without computed values: {html.escape(_row_list(self.not_computed))}</p>")
        if self.notices:
            items = "".join(
                f"<li><code>{html.escape(n.cell)}</code> {html.escape(n.message)}</li>" for n in self.notices
            )
            parts.append(f"<h4 style='margin:0.8em 0 0.2em'>Notices</h4><ul>{items}</ul>")
        parts.append("</div>")
        return "".join(parts)


@dataclass(frozen=True)
class ProblemGroup:
    """The same problem in one or more cells: shown once, with its cells, in text and HTML."""

    problems: tuple[Problem, ...]
    cells_shown: int = 5

    @property
    def severity(self) -> str:
        return self.problems[0].severity

    @property
    def message(self) -> str:
        return self.problems[0].message

    @property
    def where(self) -> str:
        """"Contacts!F4" for one cell; "12 cells: Contacts!F4, F7, F9, F12, F15 ..." for many."""
        cells = [p.cell for p in self.problems if p.cell]
        if len(self.problems) == 1:
            return cells[0] if cells else "-"
        first, *rest = cells[: self.cells_shown] or ["-"]
        listed = ", ".join([first, *(c.rsplit("!", 1)[-1] for c in rest)])
        more = " ..." if len(cells) > self.cells_shown else ""
        return f"{counted(len(self.problems), 'cell')}: {listed}{more}"


def _row_list(rows: Sequence[int], limit: int = 30) -> str:
    shown_rows = ", ".join(str(r) for r in rows[:limit])
    return shown_rows + (f" ... ({len(rows) - limit} more)" if len(rows) > limit else "")


def _column_order(letters: str) -> int:
    if not letters:
        return 10**6
    from sheetkit.core.cells import column_index

    return column_index(letters)


def merge_problems(*groups: Iterable[Problem]) -> list[Problem]:
    """All problems, in sheet order (structure first, then by row and column)."""
    from sheetkit.core.cells import column_index

    problems = [p for group in groups for p in group]
    return sorted(
        problems,
        key=lambda p: (p.row is not None, p.row or 0, column_index(p.column) if p.column else 0),
    )
