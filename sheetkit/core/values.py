"""Cell values: when two mean the same, and how one becomes another's form.

One home for the rules every reader and writer must agree on (a blank is None, "" or NaN;
3 equals 3.0; a boolean is never a number), so a refresh, a sync and a push judge a cell alike.
"""

from __future__ import annotations

import datetime as dt
import numbers

from sheetkit.core.cells import CellValue


def is_blank(value: object) -> bool:
    """None, "" and NaN/NaT (what pandas may hand over for an empty cell) are all blank."""
    if value is None or (isinstance(value, str) and value == ""):
        return True
    return isinstance(value, float | dt.date) and value != value  # NaN and NaT only


def values_equal(a: CellValue, b: CellValue) -> bool:
    """Whether two cell values mean the same: blanks match, 3 == 3.0, text is compared exactly.

    Booleans only equal booleans; a datetime at midnight equals the same plain date.
    """
    if is_blank(a) or is_blank(b):
        return is_blank(a) and is_blank(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        if isinstance(b, dt.datetime) and not isinstance(a, dt.datetime):
            a, b = b, a
        if isinstance(a, dt.datetime) and not isinstance(b, dt.datetime):
            return a.time() == dt.time() and a.date() == b
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b
