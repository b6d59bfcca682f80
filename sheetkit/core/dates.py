"""Dates as people and spreadsheets write them: serial numbers, date cells, typed-in text.

Spreadsheet serials count days from an epoch (Excel's 1900 system and Google: 1899-12-30;
Excel's 1904 system: 1904-01-01). Typed text is read in the forms people type, ordinals included
("23rd November 2026"). A numeric date whose day and month could be swapped ("3/4/2024") has two
readings: :func:`read_date_text` gives both, and the column it was typed in decides between them
(:mod:`sheetkit.core.dateorder`), while "13/4/2024" can only be 13 April. Text meant as a date
that names none ("next tuesday", "ASAP", "23rd November" without its year) is never read as one:
:func:`not_a_date` says what to write instead.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Literal, NamedTuple

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
_DAY = r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?"  # 4, 04, 4th, the 4th

_ISO = re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}}){_TIME}$")
_DAY_MONTH_YEAR = re.compile(rf"^{_WEEKDAY}{_DAY}(?:\s+of)?[\s-]+{_MONTH}[\s,-]+(?P<y>\d{{4}}){_TIME}$", re.I)
_MONTH_DAY_YEAR = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+(?P<y>\d{{4}}){_TIME}$", re.I)
# The same without a year: recognised to ask for the year, never read.
_DAY_MONTH = re.compile(rf"^{_WEEKDAY}{_DAY}(?:\s+of)?[\s-]+{_MONTH}$", re.I)
_MONTH_DAY = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY}$", re.I)
_NUMERIC_NO_YEAR = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P<end>\.?)$")


class Reading(NamedTuple):
    """What a typed date means read month first and read day first.

    The two are the same date unless the text is a numeric date whose day and month could be
    swapped; a reading is None when that order gives no date ("13/4/2024" month first).
    ``dotted`` marks the European form "04.11.2026".
    """

    month_first: dt.date | None
    day_first: dt.date | None
    dotted: bool = False

    @property
    def ambiguous(self) -> bool:
        """Whether the order matters: both readings are dates, and different ones."""
        return self.month_first is not None and self.day_first is not None and self.month_first != self.day_first

    @property
    def proves(self) -> Literal["day", "month"] | None:
        """The order this text can only have been typed in: "day" for 27/10/2026, "month" for 10/27/2026."""
        if self.month_first is None:
            return "day"
        if self.day_first is None:
            return "month"
        return None

    def date(self, day_first: bool) -> dt.date:
        """The reading in that order, or the only reading there is."""
        chosen = self.day_first if day_first else self.month_first
        found = chosen or self.month_first or self.day_first
        assert found is not None  # read_date_text gives no Reading without a date
        return found


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
    """Read a typed date ("2024-03-04", "3/4/2024", "4 Mar 2024", "March 4th, 2024"); None if not one.

    An ambiguous "3/4/2024" is read in the order ``day_first`` gives; a column of them is better
    read with :mod:`sheetkit.core.dateorder`, which looks at the column's other values.
    """
    reading = read_date_text(text)
    return None if reading is None else reading.date(day_first)


def read_date_text(text: str) -> Reading | None:
    """Both readings of a typed date, or None if the text is not a date."""
    return _read_date_text(text.strip())


@lru_cache(maxsize=65536)
def _read_date_text(text: str) -> Reading | None:
    if not text or len(text) > 40:
        return None
    if match := _ISO.match(text):
        return _single(_make(int(match["y"]), int(match["m"]), int(match["d"])))
    if match := _NUMERIC.match(text):
        a, b, year = int(match["a"]), int(match["b"]), _full_year(match["y"])
        month_first, day_first = _make(year, a, b), _make(year, b, a)
        if month_first is None and day_first is None:
            return None
        return Reading(month_first, day_first, match["sep"] == ".")
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        if match := pattern.match(text):
            named = _MONTHS.get(match["month_name"].lower())
            return None if named is None else _single(_make(int(match["y"]), named, int(match["d"])))
    return None


def _single(day: dt.date | None) -> Reading | None:
    return None if day is None else Reading(day, day)


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


# ---------------------------------------------------------------------------------------------
# Text meant as a date that does not name one


class NotADate(NamedTuple):
    """Why a text meant as a date is not read as one, and a date to show as the example of what to write.

    ``kind`` is "relative" ("next tuesday", "in 2 days": a date only on the day it was typed),
    "placeholder" ("ASAP", "tbd") or "no_year" ("23rd November"). ``example`` is the relative
    date worked out from the as-of date, that date for a placeholder, or the text with the as-of
    date's year added.
    """

    kind: Literal["relative", "placeholder", "no_year"]
    example: str


_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_SIMPLE_RELATIVE = {
    "today": 0,
    "now": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "tmrw": 1,
    "day before yesterday": -2,
    "the day before yesterday": -2,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
}
_PLACEHOLDERS = {"asap", "tbd", "tba", "tbc", "soon", "later", "someday", "sometime", "pending", "unknown", "n/a"}
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "few": 3, "couple": 2}
_COUNT = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?)"
_UNIT = r"(?P<unit>day|week|fortnight|month|year)s?"
_IN = re.compile(rf"^(?:in\s+){_COUNT}\s+{_UNIT}(?:\s+time)?$")
_AGO = re.compile(rf"^{_COUNT}\s+{_UNIT}\s+ago$")
_NEXT_LAST = re.compile(r"^(?P<which>next|last|this|coming|past|previous)\s+(?P<what>[a-z]+)$")


def not_a_date(text: str, as_of: dt.date) -> NotADate | None:
    """For text that is not a date but was meant as one, why not and what to write; else None."""
    words = " ".join(text.strip().casefold().rstrip("?!.").split())
    if words in _PLACEHOLDERS:
        return NotADate("placeholder", as_of.isoformat())
    try:
        relative = _relative(words, as_of)
    except OverflowError:  # "in 999 years" near the end of the calendar: still relative
        relative = as_of
    if relative is not None:
        return NotADate("relative", relative.isoformat())
    example = _with_year(text.strip(), as_of.year)
    return None if example is None else NotADate("no_year", example)


def _relative(words: str, as_of: dt.date) -> dt.date | None:
    """The date a relative expression means on the as-of date, or None if ``words`` is not one."""
    if words in _SIMPLE_RELATIVE:
        return as_of + dt.timedelta(days=_SIMPLE_RELATIVE[words])
    if words in _WEEKDAYS:  # a bare "tuesday": the coming one
        return _weekday(as_of, _WEEKDAYS[words], forward=True, today_counts=True)
    for pattern, sign in ((_IN, 1), (_AGO, -1)):
        if match := pattern.match(words):
            count = match["n"]
            n = int(count) if count.isdigit() else _COUNTS[next(w for w in reversed(count.split()) if w != "of")]
            return _shift(as_of, match["unit"], sign * n)
    if match := _NEXT_LAST.match(words):
        which, what = match["which"], match["what"]
        forward = which in ("next", "coming", "this")
        if what in _WEEKDAYS:
            return _weekday(as_of, _WEEKDAYS[what], forward=forward, today_counts=which == "this")
        unit = what.removesuffix("s")
        if unit in ("day", "week", "fortnight", "month", "year"):
            return as_of if which == "this" else _shift(as_of, unit, 1 if forward else -1)
    return None


def _weekday(as_of: dt.date, weekday: int, *, forward: bool, today_counts: bool) -> dt.date:
    """The nearest such weekday after (or before) the as-of date; the as-of date itself if it counts."""
    if forward:
        days = (weekday - as_of.weekday()) % 7
        return as_of + dt.timedelta(days=days or (0 if today_counts else 7))
    days = (as_of.weekday() - weekday) % 7
    return as_of - dt.timedelta(days=days or 7)


def _shift(day: dt.date, unit: str, n: int) -> dt.date:
    if unit in ("day", "week", "fortnight"):
        return day + dt.timedelta(days=n * {"day": 1, "week": 7, "fortnight": 14}[unit])
    months = day.month - 1 + n * (12 if unit == "year" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise OverflowError(f"year {year} is out of range")
    for last in (31, 30, 29, 28):  # the same day of the month, or the month's last day
        shifted = _make(year, month, min(day.day, last))
        if shifted is not None:
            return shifted
    raise AssertionError("every month has a 28th")


def _with_year(text: str, year: int) -> str | None:
    """A day and month without a year ("23rd November", "Nov 23", "23/11") with ``year`` added; else None."""
    if len(text) > 40:
        return None
    for pattern, joiner in ((_DAY_MONTH, " "), (_MONTH_DAY, ", ")):
        if match := pattern.match(text):
            month = _MONTHS.get(match["month_name"].lower())
            if month is None or _make(2000, month, int(match["d"])) is None:  # 2000: a leap year
                return None
            return f"{text}{joiner}{year}"
    if match := _NUMERIC_NO_YEAR.match(text):
        a, b = int(match["a"]), int(match["b"])
        if match["sep"] == "." and not match["end"] and len(match["b"]) < 2:
            return None  # "1.5" is a number; "4.11", "4.5." and "23/11" are a day and a month
        if _make(2000, a, b) is None and _make(2000, b, a) is None:
            return None
        return f"{match['a']}{match['sep']}{match['b']}{match['sep']}{year}"
    return None


# -- cadences ("Check-in every": 30 days, 2 weeks, monthly) -----------------------------------------

# Days in each unit of a cadence. A month is 30 days and a year 365 (a cadence is a rhythm, not a
# calendar date: "monthly" from 31 January is 2 March, never an invalid 31 February).
_CADENCE_UNITS = {
    "day": 1,
    "days": 1,
    "d": 1,
    "week": 7,
    "weeks": 7,
    "wk": 7,
    "wks": 7,
    "w": 7,
    "month": 30,
    "months": 30,
    "mo": 30,
    "mos": 30,
    "quarter": 90,
    "quarters": 90,
    "year": 365,
    "years": 365,
    "yr": 365,
    "yrs": 365,
}
_CADENCE_WORDS = {
    "daily": 1,
    "weekly": 7,
    "fortnightly": 14,
    "monthly": 30,
    "quarterly": 90,
    "halfyearly": 180,
    "semiannually": 180,
    "yearly": 365,
    "annually": 365,
}
_CADENCE_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")  # every-2-weeks, half-yearly
_CADENCE = re.compile(r"^(?:every\s+)?(?:(?P<count>\d{1,4}|an?|one)\s*)?(?P<unit>[a-z]+)$")
# Said in every message about a cadence that cannot be read.
CADENCE_FORMS = "30 days, 2 weeks, 6 months, 1 year, daily, weekly, monthly, quarterly, yearly, or a number of days"


def read_cadence(value: object) -> int | None:
    """A per-person cadence ("Check-in every") as a number of days, or None when it cannot be read.

    Reads a whole number of days (30), "30 days", "2 weeks", "6 months", "every 3 months",
    "a month" and the words daily, weekly, fortnightly, monthly, quarterly, yearly (case and
    spaces ignored). Zero and negative cadences are not cadences.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and 0 < value <= 36_500 else None
    if not isinstance(value, str):
        return None
    return _cadence_text(" ".join(_CADENCE_HYPHEN.sub(" ", value.casefold()).split()))


@lru_cache(maxsize=1024)
def _cadence_text(text: str) -> int | None:
    if text.isdigit():
        return read_cadence(int(text))
    words = text.removeprefix("every ").replace(" ", "")
    if words in _CADENCE_WORDS:
        return _CADENCE_WORDS[words]
    match = _CADENCE.match(text)
    if match is None or match["unit"] not in _CADENCE_UNITS:
        return None
    count = match["count"]
    number = 1 if count in (None, "a", "an", "one") else int(count)
    if count is None and not text.startswith("every "):
        return None  # a bare "week" or "days" is not a cadence; "every week" is
    days = number * _CADENCE_UNITS[match["unit"]]
    return days if 0 < days <= 36_500 else None
