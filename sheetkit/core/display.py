"""A checked sheet for people in a notebook: the headline, who is due, highlighted rows.

Colours and counts come from the row facts (:mod:`sheetkit.core.facts`), so a notebook shows the
same rows as `sheetkit due` and `sheetkit report`. Everything a cell holds is HTML-escaped: a
candidate's note may contain markup.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheetkit.core.facts import due_rows, due_text, row_facts, summary_counts
from sheetkit.core.report import shown

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from sheetkit.core.checked import Checked

# Soft row backgrounds: readable text on top, distinguishable from each other.
OVERDUE_COLOUR = "#fde2e1"
NON_RESPONSIVE_COLOUR = "#e9e6f4"
BOTH_COLOUR = "#f3d6ea"
ROWS_SHOWN = 200  # rows of a list shown inline in a notebook before "... and N more"


def due_table(checked: Checked, *, within: int = 7) -> pd.DataFrame:
    """Rows overdue or due within ``within`` days of the as-of date, most overdue first.

    The same people as `sheetkit due` (:func:`sheetkit.core.facts.due_rows`), shaped for the
    report. Columns: Row (sheet row), Name, Status, Last Contacted, Next Check-In (dates), Days
    Overdue (0 is due today, negative is due later).
    """
    rows = due_rows(checked, within_days=within)
    return pd.DataFrame(
        {
            "Row": rows["row"].to_numpy(dtype=int),
            "Name": rows["name"].tolist(),
            "Status": rows["status"].tolist(),
            "Last Contacted": [None if pd.isna(d) else pd.Timestamp(d).date() for d in rows["last_contacted"]],
            "Next Check-In": [pd.Timestamp(d).date() for d in rows["next_check_in"]],
            "Days Overdue": pd.array(rows["days_overdue"].to_numpy(dtype=int), dtype=int),
        }
    )


def checked_html(checked: Checked) -> str:
    """A Checked in a notebook: the headline counts, who is due this week, then the report."""
    counts = summary_counts(checked)
    line = (
        f"as of {checked.as_of.isoformat()}: {counts['overdue']} overdue, {counts['due_today']} due today, "
        f"{counts['due_next_7_days']} due in the next 7 days, {counts['non_responsive']} non-responsive"
    )
    due = due_table(checked)
    head = due.head(ROWS_SHOWN)
    rows = head.assign(**{"Days Overdue": [due_text(int(d)) for d in head["Days Overdue"]]})
    parts = [f"<p>{html.escape(line)}</p>"]
    if len(due):
        parts.append(rows.to_html(index=False, na_rep="", escape=True, border=0))
        if len(due) > ROWS_SHOWN:
            parts.append(f"<p>... and {len(due) - ROWS_SHOWN} more due</p>")
    parts.append(checked.report._repr_html_())
    return "<div>" + "".join(parts) + "</div>"


def styled_checked(checked: Checked) -> Styler:
    """The checked sheet as a pandas Styler: overdue and non-responsive rows coloured by the row facts."""
    frame = checked.frame()
    facts = row_facts(checked).set_index("row").reindex(frame.index)
    non_responsive = facts["non_responsive"].fillna(False).to_numpy(dtype=bool)
    overdue = facts["overdue"].fillna(False).to_numpy(dtype=bool)
    return styled_frame(frame, non_responsive, overdue, checked.as_of)


def styled_frame(frame: pd.DataFrame, non_responsive: np.ndarray, overdue: np.ndarray, as_of: dt.date) -> Styler:
    """``frame`` as a Styler: rows on soft backgrounds by the two flags, a legend caption, text escaped."""
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
    return styler.set_caption(_legend(as_of))


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
