"""Dates as people and spreadsheets write them: serial numbers, date cells, typed-in text.

Spreadsheet serials count days from an epoch (Excel's 1900 system and Google: 1899-12-30;
Excel's 1904 system: 1904-01-01). Typed text is read in the forms people type; an ambiguous
"3/4/2024" follows the schema's ``day_first`` setting, while "13/4/2024" can only be 13 April.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

EPOCH_1900 = dt.date(1899, 12, 30)
EPOCH_1904 = dt.date(1904, 1, 1)
# Largest serial Excel accepts (9999-12-31); anything else in a date column is not a date.
_MAX_SERIAL = 2_958_465

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month_name>[A-Za-z]{3,9})\.?"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"

_ISO = re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}$")
_DAY_MONTH_YEAR = re.compile(
    rf"^{_WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+{_MONTH}[\s,-]+(?P<y>\d{{4}}){_TIME}$", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"^{_WEEKDAY}{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_TIME}$", re.I
)


def serial_to_date(serial: float, epoch: dt.date = EPOCH_1900) -> dt.date | None:
    """A spreadsheet serial number as a date (the time of day dropped), or None if out of range."""
    if serial != serial or not 1 <= serial <= _MAX_SERIAL:  # NaN, or outside Excel's calendar
        return None
    return epoch + dt.timedelta(days=int(serial))


def date_to_serial(value: dt.date, epoch: dt.date = EPOCH_1900) -> int:
    """A date as a spreadsheet serial number (whole days)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value - epoch).days


def parse_date_text(text: str, *, day_first: bool = False) -> dt.date | None:
    """Read a typed date ("2024-03-04", "3/4/2024", "4 Mar 2024", "March 4, 2024"); None if not one."""
    return _parse_date_text(text.strip(), day_first)


@lru_cache(maxsize=65536)
def _parse_date_text(text: str, day_first: bool) -> dt.date | None:
    if not text or len(text) > 40:
        return None
    if match := _ISO.match(text):
        return _make(int(match["y"]), int(match["m"]), int(match["d"]))
    if match := _NUMERIC.match(text):
        a, b, year = int(match["a"]), int(match["b"]), _full_year(match["y"])
        if a > 12 and b <= 12:
            day, month = a, b
        elif b > 12 and a <= 12:
            day, month = b, a
        elif day_first:
            day, month = a, b
        else:
            day, month = b, a
        return _make(year, month, day)
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        if match := pattern.match(text):
            named = _MONTHS.get(match["month_name"].lower())
            return None if named is None else _make(int(match["y"]), named, int(match["d"]))
    return None


def _full_year(text: str) -> int:
    """Two-digit years the way Excel reads them: 00-29 -> 2000s, 30-99 -> 1900s."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
