"""Row facts: who each row is and where it stands (due, overdue, non-responsive), in one place.

The due list, the match list, the report's counts, the charts, the HTML page and the notebook
views all read :func:`row_facts`, so they name people the same way and count the same rows.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sheetkit.core.schema import Schema
from sheetkit.errors import UsageError

if TYPE_CHECKING:
    from sheetkit.core.checked import Checked


def row_facts(checked: Checked) -> pd.DataFrame:
    """One row per table row, indexed like the typed frame (0..n-1).

    Columns:
        row (sheet row), cell (the name cell, e.g. "Contacts!A7"), name, email, phone, owner,
        status (canonical, or the unknown text as written), last_contacted and next_check_in
        (datetime64; NaT when there is none: do not contact, or inputs with errors),
        days_overdue (Int64: 0 is due today, negative is due later), overdue, due_today,
        non_responsive, never_contact (bool), empty (the row holds nothing the schema knows;
        such rows are no one and are left out of every list and count).

    The name is First + Last Name (or a ``name`` field); a schema with neither uses its first
    text field (a job search sheet: the company), and a blank one reads "row N".
    """
    typed = checked.normalized.frame
    schema = checked.schema
    table = checked.table
    index = typed.index
    name_fields = schema.name_fields
    names = pd.Series("", index=index, dtype=object)
    for part in (_text(typed[f]) for f in name_fields if f in typed):
        names = names.str.cat(part, sep=" ")
    names = names.str.split().str.join(" ")
    rows = pd.Series(table.rows, index=index)
    names = names.where(names != "", "row " + rows.astype(str))
    follow_up = checked.follow_up
    next_check_in = follow_up["next_check_in"]
    days = (pd.Timestamp(checked.as_of) - next_check_in).dt.days.astype("Int64")
    status = _optional(typed, "status")
    return pd.DataFrame(
        {
            "row": rows.astype(int),
            "cell": checked.normalized.name_cells(),
            "name": names,
            "email": _optional(typed, _field_like(schema, typed, "email")),
            "phone": _optional(typed, _field_like(schema, typed, "phone")),
            "owner": _optional(typed, "owner"),
            "status": status,
            "last_contacted": typed.get("last_contacted", pd.NaT),
            "next_check_in": next_check_in,
            "days_overdue": days,
            "overdue": (days > 0).fillna(False).astype(bool),
            "due_today": (days == 0).fillna(False).astype(bool),
            "non_responsive": follow_up["non_responsive"].fillna(False).astype(bool),
            "never_contact": never_contact(schema, status),
            "empty": checked.normalized.empty_rows(),
        },
        index=index,
    )


def never_contact(schema: Schema, status: pd.Series) -> np.ndarray:
    """Rows whose status says never contact again: do_not_contact, and any status with no cadence."""
    never = {"do_not_contact"} | {
        s.name for s in schema.statuses.values() if s.cadence_days is None and not s.due_now and not s.suggestion
    }
    return status.isin(sorted(never)).to_numpy(dtype=bool)


def due_rows(checked: Checked, *, within_days: int = 0, owner: str | None = None) -> pd.DataFrame:
    """The row facts of the people due by the as-of date (or within ``within_days`` after it).

    Most overdue first (then by sheet row). Rows with no Next Check-In, empty rows and people
    never to be contacted again are left out; ``owner`` keeps one owner's rows (case and
    surrounding spaces ignored).

    Raises:
        UsageError: a negative window, or an owner filter on a sheet or schema without an owner field.
    """
    if within_days < 0:
        raise UsageError(f"the due window must be 0 days or more, got {within_days}")
    facts = row_facts(checked)
    limit = pd.Timestamp(checked.as_of) + pd.Timedelta(days=within_days)
    keep = (facts["next_check_in"] <= limit).fillna(False).to_numpy(dtype=bool) & ~facts["empty"].to_numpy(bool)
    keep &= ~facts["never_contact"].to_numpy(dtype=bool)
    if owner is not None:
        schema = checked.schema
        if "owner" not in schema.fields:
            raise UsageError(
                f"the schema {schema.name!r} has no 'owner' field, so the list cannot be filtered by owner"
            )
        if "owner" not in checked.normalized.frame:
            header = schema.fields["owner"].header
            raise UsageError(f"the sheet has no {header!r} column, so the list cannot be filtered by owner")
        wanted = owner.strip().casefold()
        keep &= (facts["owner"].fillna("").astype(str).str.strip().str.casefold() == wanted).to_numpy(dtype=bool)
    chosen = facts[keep]
    order = np.lexsort((chosen["row"].to_numpy(), chosen["next_check_in"].to_numpy()))
    return chosen.iloc[order]


def summary_counts(checked: Checked) -> dict[str, int]:
    """The headline numbers: rows, errors, warnings, non_responsive, due_today, overdue, due_next_7_days."""
    facts = row_facts(checked)
    people = facts[~facts["empty"]]
    return {
        "rows": checked.report.rows,
        "errors": len(checked.report.errors),
        "warnings": len(checked.report.warnings),
        "non_responsive": int(people["non_responsive"].sum()),
        "due_today": int(people["due_today"].sum()),
        "overdue": int(people["overdue"].sum()),
        "due_next_7_days": int(people["days_overdue"].between(-7, -1).fillna(False).sum()),
    }


def due_text(days_overdue: int) -> str:
    """How a recruiter reads a due date: "3 days overdue", "due today", "in 2 days"."""
    if days_overdue > 0:
        return f"{days_overdue} day{'s' if days_overdue != 1 else ''} overdue"
    if days_overdue == 0:
        return "due today"
    return f"in {-days_overdue} day{'s' if days_overdue != -1 else ''}"


def date_or_none(value: object) -> dt.date | None:
    """A pandas timestamp (or NaT) as a date (or None)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def text_or_none(value: object) -> str | None:
    """A cell as trimmed text, or None when it is blank (None, NaN, NA, spaces)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _field_like(schema: Schema, typed: pd.DataFrame, word: str) -> str | None:
    """The field named ``word``, else the first one whose name ends with it (recruiter_email)."""
    if word in typed:
        return word
    return next((f for f in schema.fields if f.endswith(word) and f in typed), None)


def _optional(typed: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None or name not in typed:
        return pd.Series(None, index=typed.index, dtype=object)
    column = typed[name].astype(object)
    return column.where(column.notna() & (column.astype(str).str.strip() != ""), None)


def _text(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), "").astype(str)
