"""Cell values: when two mean the same, and how one becomes another's form.

The one home for the rules every reader and writer must agree on, so a refresh, a sync, a pull
and a push judge a cell alike:

- :func:`is_blank`: None, "" and NaN/NaT are all an empty cell.
- :func:`values_equal`: two copies hold the same cell (sync, push). Strict about type: the text
  "3" is not the number 3, a boolean is never a number (a person who retypes 3 as text edited it).
- :func:`shows`: the sheet already shows a value sheetkit means to write (refresh, pull). Lenient
  about form, because what a reader gives back varies: a CSV holds "TRUE" and "2026-11-21" as
  text, Google and an unformatted .xlsx cell hold a date as its serial number.
- :func:`normal`: a cell in the one form both copies are compared in (calamine and the Sheets
  API differ in details: datetimes at midnight, 3.0, time cells, dates as serials).
- :func:`google_value`: a local value as the Sheets API holds it (UNFORMATTED_VALUE): blanks
  as "", dates as serial numbers, times as fractions of a day.
- :func:`from_pandas`: a computed pandas/numpy value as a plain cell value.
- :func:`to_serial`: a date or datetime as a spreadsheet serial number, time of day kept.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from typing import Any

import pandas as pd

from sheetkit.core.cells import CellValue
from sheetkit.core.dates import EPOCH_1900, date_to_serial, serial_to_date


def is_blank(value: object) -> bool:
    """None, "" and NaN/NaT (what pandas may hand over for an empty cell) are all blank."""
    if value is None or (isinstance(value, str) and value == ""):
        return True
    return isinstance(value, float | dt.date) and value != value  # NaN and NaT only


def values_equal(a: CellValue, b: CellValue) -> bool:
    """Whether two cell values mean the same: blanks match, 3 == 3.0, text is compared exactly.

    Booleans only equal booleans; a datetime at midnight equals the same plain date.
    """
    if type(a) is type(b) and a == b:  # most cells of a sync: the same text or number on both sides
        return True
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


def shows(old: Any, new: CellValue, epoch: dt.date = EPOCH_1900) -> bool:
    """Whether a cell that reads back as ``old`` already shows ``new`` (so writing it changes nothing).

    ``old`` is what calamine, a CSV or the Sheets API gave. A date matches a date cell, its ISO
    text, or its serial number in ``epoch``; TRUE matches the text "TRUE"; 3 matches "3" and 3.0;
    blank matches any blank, including a cell of spaces.
    """
    if new is None:
        return old is None or (isinstance(old, str) and old.strip() == "") or (isinstance(old, float) and old != old)
    if isinstance(new, bool):
        if isinstance(old, str):
            return old.strip().upper() == ("TRUE" if new else "FALSE")
        return isinstance(old, bool) and old == new
    if isinstance(new, dt.date):
        if isinstance(old, dt.datetime):
            return old.date() == new and old.time() == dt.time(0)
        if isinstance(old, dt.date):
            return old == new
        if isinstance(old, (int, float)) and not isinstance(old, bool):
            return float(old) == float(to_serial(new, epoch))
        return isinstance(old, str) and old.strip() == new.isoformat()
    if isinstance(new, (int, float)):
        if isinstance(old, bool):
            return False
        if isinstance(old, (int, float)):
            return float(old) == float(new)
        if isinstance(old, str):
            try:
                return float(old.strip()) == float(new)
            except ValueError:
                return False
        return False
    return isinstance(old, str) and old == new


def normal(value: Any, *, is_date: bool = False, epoch: dt.date = EPOCH_1900) -> CellValue:
    """One cell in the form both copies are compared and written in.

    Blank (None, "", NaN) -> None; a datetime at midnight -> its date; 3.0 -> 3; a time of day
    (calamine's timedelta) -> its fraction of a day, as Google holds it; in a date column
    (``is_date``) a serial number -> its date. Other types become their text.
    """
    if type(value) is str:  # most cells: a sync of 100,000 rows normalises millions
        return value or None
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if is_date and isinstance(value, (int, float)):
        day = serial_to_date(float(value), epoch)
        return day if day is not None else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


def google_value(value: Any) -> Any:
    """A local cell as the Sheets API holds it (and gives it back with UNFORMATTED_VALUE).

    Blank -> ""; a date -> its serial number (1899-12-30 epoch), a datetime with its time as the
    fraction; a time of day -> its fraction of a day; a whole float -> an int. This is also the
    form a RAW values write sends.
    """
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return to_serial(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_serial(value: dt.date, epoch: dt.date = EPOCH_1900) -> int | float:
    """A date as a spreadsheet serial number (whole days); a datetime keeps its time as a fraction."""
    days = date_to_serial(value, epoch)
    if isinstance(value, dt.datetime):
        fraction = (value - dt.datetime(value.year, value.month, value.day)).total_seconds() / 86400
        return days + fraction if fraction else days
    return days


def from_pandas(value: Any) -> CellValue:
    """A computed value (pandas/numpy scalars included) as the writers take it: None for blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (bool, int, str, dt.date)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        item = value.item()
        return item if isinstance(item, (bool, int, float, str)) else None
    return value if isinstance(value, float) else str(value)
