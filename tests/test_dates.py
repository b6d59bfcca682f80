"""Dates as serials, date cells and typed text; ambiguity follows the schema's day_first."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetkit.core.dates import EPOCH_1900, EPOCH_1904, date_to_serial, parse_date_text, serial_to_date

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
