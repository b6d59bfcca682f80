"""Dates as serials, date cells and typed text: both readings of an ambiguous one, ordinals, and
text meant as a date that is not one (relative words, no year)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetkit.core.dates import (
    EPOCH_1900,
    EPOCH_1904,
    NotADate,
    Reading,
    date_to_serial,
    not_a_date,
    parse_date_text,
    read_date_text,
    serial_to_date,
)

dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2099, 12, 31))
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_FULL = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@given(dates, st.sampled_from([EPOCH_1900, EPOCH_1904]))
def test_serial_round_trip(day: dt.date, epoch: dt.date) -> None:
    assert serial_to_date(date_to_serial(day, epoch), epoch) == day


def test_known_serials() -> None:
    assert serial_to_date(45355) == dt.date(2024, 3, 4)  # Excel and Google agree
    assert serial_to_date(45355.75) == dt.date(2024, 3, 4)  # the time of day is dropped
    assert serial_to_date(43893, EPOCH_1904) == dt.date(2024, 3, 4)  # 1904 system: 1462 days fewer
    assert serial_to_date(0) is None and serial_to_date(-5) is None and serial_to_date(float("nan")) is None
    assert serial_to_date(3_000_000) is None


@given(dates, st.booleans())
def test_iso_and_named_month_forms_parse_either_way(day: dt.date, day_first: bool) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.day} {MONTH_ABBR[day.month - 1]} {day.year}",
        f"{day.day:02d}-{MONTH_ABBR[day.month - 1]}-{day.year}",
        f"{MONTH_FULL[day.month - 1]} {day.day}, {day.year}",
        f"{day.day} {MONTH_FULL[day.month - 1]} {day.year}",
        f"  {day.isoformat()}  ",
        f"{day.isoformat()} 14:30",
    ]
    for text in forms:
        assert parse_date_text(text, day_first=day_first) == day, text


@given(dates)
def test_numeric_order_follows_day_first(day: dt.date) -> None:
    month_first = f"{day.month}/{day.day}/{day.year}"
    day_first = f"{day.day}/{day.month}/{day.year}"
    assert parse_date_text(month_first, day_first=False) == day
    assert parse_date_text(day_first, day_first=True) == day
    if day.day > 12:  # unambiguous: read the only way it can be read, whatever the setting
        assert parse_date_text(day_first, day_first=False) == day
        assert parse_date_text(month_first, day_first=True) == day


def test_ambiguous_example_from_the_issue() -> None:
    assert parse_date_text("3/4/2024", day_first=False) == dt.date(2024, 3, 4)
    assert parse_date_text("3/4/2024", day_first=True) == dt.date(2024, 4, 3)
    assert parse_date_text("04.03.2024", day_first=True) == dt.date(2024, 3, 4)
    assert parse_date_text("3/4/24", day_first=False) == dt.date(2024, 3, 4)


@pytest.mark.parametrize(
    "text", ["next tuesday", "", "2024-02-30", "13/13/2024", "Smarch 4 2024", "yesterday", "4", "2024", "x" * 10_000]
)
def test_not_dates(text: str) -> None:
    assert parse_date_text(text) is None


@given(st.text(max_size=40))
def test_parse_never_raises(text: str) -> None:
    result = parse_date_text(text)
    assert result is None or isinstance(result, dt.date)


@given(dates)
def test_both_readings_of_a_numeric_date(day: dt.date) -> None:
    for sep in "/.-":
        text = f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
        reading = read_date_text(text)
        assert reading is not None and reading.day_first == day and reading.dotted == (sep == ".")
        swapped = dt.date(day.year, day.day, day.month) if day.day <= 12 else None
        assert reading.month_first == swapped
        assert reading.ambiguous == (swapped is not None and swapped != day)
        assert reading.proves == (None if swapped is not None else "day")


def test_what_a_reading_proves() -> None:
    assert read_date_text("27.10.2026") == Reading(None, dt.date(2026, 10, 27), dotted=True)
    assert read_date_text("10/27/2026") == Reading(dt.date(2026, 10, 27), None)
    assert read_date_text("27.10.2026").proves == "day"  # type: ignore[union-attr]
    assert read_date_text("10/27/2026").proves == "month"  # type: ignore[union-attr]
    same = read_date_text("04/04/2026")
    assert same is not None and not same.ambiguous and same.proves is None  # reads the same both ways
    iso = read_date_text("2026-11-04")
    assert iso == Reading(dt.date(2026, 11, 4), dt.date(2026, 11, 4)) and iso.proves is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("23rd November 2026", dt.date(2026, 11, 23)),
        ("November 23rd, 2026", dt.date(2026, 11, 23)),
        ("November 23rd 2026", dt.date(2026, 11, 23)),
        ("4th March 2026", dt.date(2026, 3, 4)),
        ("1st Jan 2026", dt.date(2026, 1, 1)),
        ("2nd Feb 2026", dt.date(2026, 2, 2)),
        ("the 4th of March 2026", dt.date(2026, 3, 4)),
        ("4th of March, 2026", dt.date(2026, 3, 4)),
        ("March the 4th, 2026", dt.date(2026, 3, 4)),
        ("Mon, 23rd Nov 2026", dt.date(2026, 11, 23)),
        ("Nov. 23rd, 2026", dt.date(2026, 11, 23)),
    ],
)
def test_ordinals(text: str, day: dt.date) -> None:
    assert parse_date_text(text) == day
    assert read_date_text(text) == Reading(day, day)


AS_OF = dt.date(2026, 11, 21)  # a Saturday


@pytest.mark.parametrize(
    ("text", "kind", "example"),
    [
        ("next tuesday", "relative", "2026-11-24"),
        ("Next Tuesday", "relative", "2026-11-24"),
        ("last tuesday", "relative", "2026-11-17"),
        ("this friday", "relative", "2026-11-27"),
        ("yesterday", "relative", "2026-11-20"),
        ("today", "relative", "2026-11-21"),
        ("tomorrow", "relative", "2026-11-22"),
        ("in 2 days", "relative", "2026-11-23"),
        ("3 weeks ago", "relative", "2026-10-31"),
        ("a few days ago", "relative", "2026-11-18"),
        ("last week", "relative", "2026-11-14"),
        ("last week?", "relative", "2026-11-14"),
        ("next month", "relative", "2026-12-21"),
        ("ASAP", "placeholder", "2026-11-21"),
        ("tbd", "placeholder", "2026-11-21"),
        ("TBA", "placeholder", "2026-11-21"),
        ("23rd November", "no_year", "23rd November 2026"),
        ("November 23rd", "no_year", "November 23rd, 2026"),
        ("1st Jan", "no_year", "1st Jan 2026"),
        ("Nov 23", "no_year", "Nov 23, 2026"),
        ("23/11", "no_year", "23/11/2026"),
        ("4.11.", "no_year", "4.11.2026"),
    ],
)
def test_text_meant_as_a_date(text: str, kind: str, example: str) -> None:
    assert parse_date_text(text) is None  # never read as a date
    assert not_a_date(text, AS_OF) == NotADate(kind, example)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "soon-ish", "1.5", "12.5", "31/2", "Smarch 23", "2024", "x" * 100, "Bob"])
def test_other_text_is_just_not_a_date(text: str) -> None:
    assert not_a_date(text, AS_OF) is None


def test_a_month_later_keeps_the_day_or_takes_the_last() -> None:
    assert not_a_date("next month", dt.date(2026, 1, 31)) == NotADate("relative", "2026-02-28")
    assert not_a_date("last year", dt.date(2024, 2, 29)) == NotADate("relative", "2023-02-28")
    assert not_a_date("in 999 years", dt.date(9990, 1, 1)) == NotADate("relative", "9990-01-01")  # off the calendar
    assert not_a_date("in 999 weeks", dt.date(9990, 1, 1)) == NotADate("relative", "9990-01-01")


@given(st.text(max_size=50), st.dates())
def test_not_a_date_never_raises(text: str, as_of: dt.date) -> None:
    found = not_a_date(text, as_of)
    assert found is None or found.kind in ("relative", "placeholder", "no_year")
