"""Notebook views of a checked sheet: who is due, a highlighted DataFrame, a sync plan as HTML.

The row facts here (overdue, due today, non-responsive) are computed once, in :func:`row_flags`,
so the charts, the HTML report and the notebook views all count the same rows the same way.
Everything a cell holds is HTML-escaped: a candidate's note may contain markup.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheetkit.api import Checked, DateLike, SchemaLike, check, parse_as_of
from sheetkit.core.report import shown
from sheetkit.core.schema import header_key, load_schema
from sheetkit.errors import UsageError
from sheetkit.syncing.merge import Conflict, RowConflict

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from sheetkit.syncing.merge import SyncPlan

# Soft row backgrounds: readable text on top, distinguishable from each other.
OVERDUE_COLOUR = "#fde2e1"
NON_RESPONSIVE_COLOUR = "#e9e6f4"
BOTH_COLOUR = "#f3d6ea"
_LIMIT = 200  # rows of a list shown inline in a notebook before "... and N more"


def as_checked(source: Checked | Any, *, as_of: DateLike = None, schema: SchemaLike = None) -> Checked:
    """``source`` itself when already checked, else :func:`sheetkit.api.check` of it (a path, DataFrame, URL).

    Raises:
        UsageError: a Checked was given with a different ``as_of`` (its computed columns would not match).
    """
    if isinstance(source, Checked):
        if as_of is not None and parse_as_of(as_of, source.normalized.schema) != source.as_of:
            raise UsageError(
                f"this sheet was checked as of {source.as_of.isoformat()}, not {as_of}; "
                "check it again with that as_of (sheetkit.api.check(..., as_of=...))"
            )
        return source
    return check(source, schema=schema, as_of=as_of)


def row_flags(checked: Checked) -> pd.DataFrame:
    """One row per non-empty data row, indexed by sheet row: what the views show and colour by.

    Columns: name, status (canonical, or the unknown text as written), last_contacted,
    next_check_in (NaT when there is none, e.g. do_not_contact or a row with errors),
    days_overdue (Int64; 0 is due today, negative is due later), overdue, due_today, non_responsive.
    """
    typed = checked.normalized.frame
    computed = checked.computed
    index = pd.RangeIndex(len(typed))
    nat = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    next_check_in = computed.get("next_check_in", nat)
    non_responsive = computed.get("non_responsive", pd.Series(False, index=index))
    days = (pd.Timestamp(checked.as_of) - next_check_in).dt.days.astype("Int64")
    flags = pd.DataFrame(
        {
            "name": _names(typed, checked.table.rows),
            "status": typed.get("status", pd.Series(None, index=index, dtype=object)),
            "last_contacted": typed.get("last_contacted", nat),
            "next_check_in": next_check_in,
            "days_overdue": days,
            "overdue": (days > 0).fillna(False).astype(bool),
            "due_today": (days == 0).fillna(False).astype(bool),
            "non_responsive": non_responsive.fillna(False).astype(bool),
        },
        index=index,
    )
    flags.index = pd.Index(checked.table.rows, name="row")
    return flags[~checked.normalized.empty_rows()]


def _names(typed: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """A display name per row: first and last name where the schema has them, else "row N"."""
    parts = [typed[f].fillna("").astype(str) for f in ("first_name", "last_name", "name") if f in typed]
    joined = parts[0] if parts else pd.Series("", index=typed.index)
    for part in parts[1:]:
        joined = joined.str.cat(part, sep=" ")
    joined = joined.str.strip()
    fallback = pd.Series([f"row {r}" for r in rows], index=typed.index)
    return joined.where(joined != "", fallback)


def summary_counts(checked: Checked) -> dict[str, int]:
    """The headline numbers: rows, errors, warnings, non_responsive, due_today, overdue, due_next_7_days."""
    flags = row_flags(checked)
    upcoming = flags["days_overdue"].between(-7, -1).fillna(False)
    return {
        "rows": checked.report.rows,
        "errors": len(checked.report.errors),
        "warnings": len(checked.report.warnings),
        "non_responsive": int(flags["non_responsive"].sum()),
        "due_today": int(flags["due_today"].sum()),
        "overdue": int(flags["overdue"].sum()),
        "due_next_7_days": int(upcoming.sum()),
    }


def due_table(checked: Checked, *, within: int = 7) -> pd.DataFrame:
    """Rows overdue or due within ``within`` days of the as-of date, most overdue first.

    The same list as `sheetkit due` (:func:`sheetkit.lists.due.due`), shaped for the report. Columns:
    Row (sheet row), Name, Status, Last Contacted, Next Check-In (dates), Days Overdue (0 is due
    today, negative is due later).
    """
    from sheetkit.lists.due import due

    rows = due(checked, within_days=within).rows
    return pd.DataFrame(
        {
            "Row": [r.row for r in rows],
            "Name": [r.name for r in rows],
            "Status": [r.status for r in rows],
            "Last Contacted": [r.last_contacted for r in rows],
            "Next Check-In": [r.next_check_in for r in rows],
            "Days Overdue": pd.array([r.days_overdue for r in rows], dtype=int),
        }
    )


def due_text(days_overdue: int) -> str:
    """How a recruiter reads a due date: "3 days overdue", "due today", "in 2 days"."""
    if days_overdue > 0:
        return f"{days_overdue} day{'s' if days_overdue != 1 else ''} overdue"
    if days_overdue == 0:
        return "due today"
    return f"in {-days_overdue} day{'s' if days_overdue != -1 else ''}"


# -- a highlighted DataFrame ------------------------------------------------------------------------


def styled(source: Checked | pd.DataFrame | Any, *, as_of: DateLike = None, schema: SchemaLike = None) -> Styler:
    """The sheet as a pandas Styler: non-responsive and overdue rows on soft backgrounds, a legend caption.

    ``source`` is a :class:`~sheetkit.api.Checked`, a DataFrame (one from :func:`sheetkit.enrich` or
    a refresh is coloured by its own Non-Responsive and Next-Check-In columns; any other is checked
    first), or anything :func:`sheetkit.api.check` reads. Overdue means Next Check-In before ``as_of``.
    Cell text and labels are HTML-escaped.
    """
    if isinstance(source, pd.DataFrame):
        frame = source
        non_responsive, overdue, day = _frame_flags(source, as_of, schema)
    else:
        checked = as_checked(source, as_of=as_of, schema=schema)
        frame = checked.frame()
        flags = row_flags(checked).reindex(frame.index)
        non_responsive = flags["non_responsive"].fillna(False).to_numpy(dtype=bool)
        overdue = flags["overdue"].fillna(False).to_numpy(dtype=bool)
        day = checked.as_of
    colours = np.select(
        [overdue & non_responsive, overdue, non_responsive],
        [BOTH_COLOUR, OVERDUE_COLOUR, NON_RESPONSIVE_COLOUR],
        default="",
    )
    css = [f"background-color: {c}" if c else "" for c in colours]

    def paint(data: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            np.repeat(np.array(css, dtype=object)[:, None], data.shape[1], axis=1), data.index, data.columns
        )

    styler = frame.style.apply(paint, axis=None)
    styler = styler.format(_cell_text, na_rep="", escape="html")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    return styler.set_caption(_legend(day))


def _legend(day: dt.date) -> str:
    def swatch(colour: str, text: str) -> str:
        return f"<span style='background-color:{colour};padding:0 0.5em;margin-right:0.8em'>{html.escape(text)}</span>"

    return (
        swatch(OVERDUE_COLOUR, f"overdue (Next Check-In before {day.isoformat()})")
        + swatch(NON_RESPONSIVE_COLOUR, "non-responsive")
        + swatch(BOTH_COLOUR, "both")
    )


def _cell_text(value: Any) -> str:
    """Dates without a midnight time, 3.0 as 3, long notes shortened (as in problem messages)."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return shown(value)


def _frame_flags(frame: pd.DataFrame, as_of: DateLike, schema: SchemaLike) -> tuple[np.ndarray, np.ndarray, dt.date]:
    """(non_responsive, overdue, as_of) per frame row, from its own computed columns when it has them."""
    loaded = load_schema(schema)
    day = parse_as_of(as_of, loaded)
    by_key = {header_key(c): c for c in frame.columns}
    found = {
        column.kind: by_key.get(header_key(column.header))
        for column in loaded.active_computed().values()
        if column.kind in ("non_responsive", "next_check_in")
    }
    if len(found) == 2 and all(found.values()):
        flag_values = frame[found["non_responsive"]]
        non_responsive = np.array([v is True or header_key(v) in ("true", "yes") for v in flag_values], dtype=bool)
        next_check_in = pd.to_datetime(frame[found["next_check_in"]], errors="coerce")
        overdue = (next_check_in < pd.Timestamp(day)).fillna(False).to_numpy(dtype=bool)
        return non_responsive, overdue, day
    checked = check(frame, schema=loaded, as_of=day)
    flags = row_flags(checked)
    positions = flags.index.to_numpy() - (checked.table.header_row + 1)  # blank rows are not in the table
    non_responsive = np.zeros(len(frame), dtype=bool)
    overdue = np.zeros(len(frame), dtype=bool)
    non_responsive[positions] = flags["non_responsive"].to_numpy(dtype=bool)
    overdue[positions] = flags["overdue"].to_numpy(dtype=bool)
    return non_responsive, overdue, day


# -- HTML fragments for notebook reprs ----------------------------------------------------------------


def checked_html(checked: Checked) -> str:
    """A Checked in a notebook: the headline counts, who is due this week, then the report."""
    counts = summary_counts(checked)
    line = (
        f"as of {checked.as_of.isoformat()}: {counts['overdue']} overdue, {counts['due_today']} due today, "
        f"{counts['due_next_7_days']} due in the next 7 days, {counts['non_responsive']} non-responsive"
    )
    due = due_table(checked)
    rows = due.head(_LIMIT).assign(**{"Days Overdue": [due_text(int(d)) for d in due["Days Overdue"].head(_LIMIT)]})
    parts = [f"<p>{html.escape(line)}</p>"]
    if len(due):
        parts.append(rows.to_html(index=False, na_rep="", escape=True, border=0))
        if len(due) > _LIMIT:
            parts.append(f"<p>... and {len(due) - _LIMIT} more due</p>")
    parts.append(checked.report._repr_html_())
    return "<div>" + "".join(parts) + "</div>"


def plan_html(plan: SyncPlan) -> str:
    """A sync plan as HTML: what changes on each copy, then conflicts with base/local/remote values."""
    parts = ["<div class='sheetkit-plan'>"]
    head = "".join(f"<th>{h}</th>" for h in ("", "local copy", "remote copy"))
    body = []
    for label, pick in (
        ("rows added", lambda s: tuple(a.key for a in s.add_rows)),
        ("rows changed", lambda s: s.changed_rows),
        ("rows deleted", lambda s: s.delete_rows),
        ("columns added", lambda s: s.add_columns),
    ):
        cells = "".join(f"<td>{_keys_cell(pick(side))}</td>" for side in (plan.local, plan.remote))
        body.append(f"<tr><th style='text-align:left'>{label}</th>{cells}</tr>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    changes = [(name, c) for name, side in (("local", plan.local), ("remote", plan.remote)) for c in side.update_cells]
    if changes:
        parts.append(f"<h4>Cells to set ({len(changes)})</h4>")
        rows = [
            f"<tr><td>{name}</td>{_td(c.key)}{_td(c.column)}{_td(_value(c.old))}{_td(_value(c.value))}</tr>"
            for name, c in changes[:_LIMIT]
        ]
        parts.append(_table(("copy", "row", "column", "now", "becomes"), rows, len(changes)))
    conflicts = [*plan.conflicts, *(c for c in plan.resolved if isinstance(c, Conflict))]
    if conflicts:
        parts.append(f"<h4>Conflicts ({len(conflicts)})</h4>")
        rows = []
        for conflict in conflicts[:_LIMIT]:
            base = _value(conflict.base) if conflict.in_base else "(none)"
            outcome = f"{conflict.winner} wins" if conflict.winner else "open: left as is on both sides"
            values = (conflict.key, conflict.column, base, _value(conflict.local), _value(conflict.remote), outcome)
            rows.append("<tr>" + "".join(_td(v) for v in values) + "</tr>")
        parts.append(_table(("row", "column", "base", "local", "remote", "outcome"), rows, len(conflicts)))
    row_conflicts = [*plan.row_conflicts, *(c for c in plan.resolved if isinstance(c, RowConflict))]
    if row_conflicts:
        parts.append(f"<h4>Rows deleted on one side, edited on the other ({len(row_conflicts)})</h4>")
        parts.append("<ul>" + "".join(f"<li>{html.escape(c.describe())}</li>" for c in row_conflicts) + "</ul>")
    if plan.notes:
        parts.append("<h4>Notes</h4><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in plan.notes) + "</ul>")
    if plan.is_empty and not conflicts and not row_conflicts:
        parts.append("<p>Nothing to do: the copies agree.</p>")
    parts.append("</div>")
    return "".join(parts)


def _keys_cell(keys: tuple[str, ...], limit: int = 10) -> str:
    if not keys:
        return "–"
    shown_keys = ", ".join(keys[:limit]) + (f", … ({len(keys) - limit} more)" if len(keys) > limit else "")
    return f"<strong>{len(keys)}</strong>: {html.escape(shown_keys)}"


def _td(text: str) -> str:
    return f"<td>{html.escape(text)}</td>"


def _value(value: Any) -> str:
    if value is None or (isinstance(value, str) and value == "") or (isinstance(value, float) and value != value):
        return "(blank)"
    return shown(value)


def _table(headers: tuple[str, ...], rows: list[str], total: int) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    more = f"<p>... and {total - len(rows)} more</p>" if total > len(rows) else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
