"""Notebook views of any source: a highlighted DataFrame, and a Checked from whatever was given.

A Checked shows itself (:mod:`sheetkit.core.display`); this module adds what needs the whole
library: checking a path, URL or DataFrame first, and colouring a DataFrame from sheetkit.enrich
or a refresh by its own computed columns.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheetkit.api import as_checked, check
from sheetkit.core.checked import Checked
from sheetkit.core.display import styled_checked, styled_frame
from sheetkit.core.facts import row_facts
from sheetkit.core.schema import DateLike, SchemaLike, header_key
from sheetkit.core.schema_file import load_schema

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


def styled(source: Checked | pd.DataFrame | Any, *, as_of: DateLike = None, schema: SchemaLike = None) -> Styler:
    """The sheet as a pandas Styler: non-responsive and overdue rows on soft backgrounds, a legend caption.

    ``source`` is a :class:`~sheetkit.Checked`, a DataFrame (one from :func:`sheetkit.enrich` or
    a refresh is coloured by its own Non-Responsive and Next-Check-In columns; any other is checked
    first), or anything :func:`sheetkit.check` reads. Overdue means Next Check-In before ``as_of``.
    Cell text and labels are HTML-escaped.
    """
    if not isinstance(source, pd.DataFrame):
        return styled_checked(as_checked(source, as_of=as_of, schema=schema))
    non_responsive, overdue, day = _frame_flags(source, as_of, schema)
    return styled_frame(source, non_responsive, overdue, day)


def _frame_flags(frame: pd.DataFrame, as_of: DateLike, schema: SchemaLike) -> tuple[np.ndarray, np.ndarray, dt.date]:
    """(non_responsive, overdue, as_of) per frame row, from its own computed columns when it has them."""
    loaded = load_schema(schema)
    day = loaded.as_of(as_of)
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
    facts = row_facts(checked)
    facts = facts[~facts["empty"]]
    positions = facts["row"].to_numpy() - (checked.table.header_row + 1)  # blank rows are not in the table
    non_responsive = np.zeros(len(frame), dtype=bool)
    overdue = np.zeros(len(frame), dtype=bool)
    non_responsive[positions] = facts["non_responsive"].to_numpy(dtype=bool)
    overdue[positions] = facts["overdue"].to_numpy(dtype=bool)
    return non_responsive, overdue, day
