"""The one home of cell-value rules (sheetkit.core.values), and the differences kept on purpose.

values_equal (two copies hold the same cell) is strict about type; shows (the sheet already
shows what sheetkit would write) is lenient about form. normal and google_value put a cell in
the form both copies are compared in, and in the form the Sheets API holds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import gspread
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetkit.core.dates import EPOCH_1904
from sheetkit.core.values import from_pandas, google_value, is_blank, normal, shows, to_serial, values_equal
from sheetkit.testing import emulator_session
from sheetkit.transfer import push

DAY = dt.date(2026, 11, 21)
SERIAL = 46347  # DAY in the 1900 system (days since 1899-12-30)


@pytest.mark.parametrize(
    ("old", "new", "equal", "shown"),
    [
        # the text a CSV holds: the same for a refresh (nothing to write), an edit for a sync
        ("3", 3, False, True),
        ("TRUE", True, False, True),
        ("2026-11-21", DAY, False, True),
        # a date held as its serial (Google, or an .xlsx cell without a date format)
        (SERIAL, DAY, False, True),
        # the same in both
        (3.0, 3, True, True),
        (dt.datetime(2026, 11, 21), DAY, True, True),
        ("", None, True, True),
        (float("nan"), None, True, True),
        # a cell of spaces looks blank in a sheet; a sync keeps a person's spaces
        ("  ", None, False, True),
        # never the same
        (1, True, False, False),
        (0, False, False, False),
        ("x", "X", False, False),
        (dt.datetime(2026, 11, 21, 9), DAY, False, False),
    ],
)
def test_equal_and_shows_differ_where_they_should(old: Any, new: Any, equal: bool, shown: bool) -> None:
    assert values_equal(old, new) is equal
    assert values_equal(new, old) is equal  # symmetric
    assert shows(old, new) is shown


def test_shows_reads_serials_in_the_workbooks_date_system() -> None:
    assert shows(to_serial(DAY, EPOCH_1904), DAY, EPOCH_1904)
    assert not shows(SERIAL, DAY, EPOCH_1904)


@pytest.mark.parametrize(
    ("value", "is_date", "expected"),
    [
        ("", False, None),
        (None, False, None),
        (float("nan"), False, None),
        (3.0, False, 3),
        (2.5, False, 2.5),
        (True, False, True),
        (dt.datetime(2026, 11, 21), False, DAY),
        (dt.datetime(2026, 11, 21, 14, 30), False, dt.datetime(2026, 11, 21, 14, 30)),
        (dt.timedelta(hours=6), False, 0.25),  # a time cell: as Google holds it, not its text
        (SERIAL, True, DAY),
        (SERIAL, False, SERIAL),
        (True, True, True),  # a boolean in a date column is not serial 1
        ("007", False, "007"),
    ],
)
def test_normal(value: Any, is_date: bool, expected: Any) -> None:
    result = normal(value, is_date=is_date)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (DAY, SERIAL),
        (dt.datetime(2026, 11, 21, 18), SERIAL + 0.75),
        (dt.timedelta(hours=12), 0.5),
        (4.0, 4),
        ("=IMPORTXML(A1)", "=IMPORTXML(A1)"),
        (False, False),
    ],
)
def test_google_value(value: Any, expected: Any) -> None:
    result = google_value(value)
    assert result == expected and type(result) is type(expected)


def test_from_pandas() -> None:
    assert from_pandas(pd.NA) is None and from_pandas(pd.NaT) is None and from_pandas(float("nan")) is None
    assert from_pandas(pd.Timestamp("2026-11-21")) == DAY
    assert type(from_pandas(pd.array([3], dtype="Int64")[0])) is int


cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=5),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)


@given(value=cells)
def test_a_cell_pushed_and_read_back_is_the_same_cell(value: Any) -> None:
    """What Google holds after a push (google_value), read back (normal), equals the local cell."""
    local = normal(value)
    back = normal(google_value(value), is_date=isinstance(value, dt.date))
    assert values_equal(local, back)
    assert is_blank(local) == is_blank(back)


def test_push_keeps_the_time_of_a_datetime_cell(google_env: Any, tmp_path: Path) -> None:
    """The RAW values write used to drop the time of day (the serial's fraction) of a datetime."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Contacts"
    sheet.append(["Name", "Met at"])
    sheet.append(["Ana", dt.datetime(2026, 11, 21, 18, 0)])
    path = tmp_path / "book.xlsx"
    book.save(path)
    # B2 already holds a number, so the push is one RAW values write (no date format to add)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [["Name", "Met at"], ["Ana", 46000.5]]})
    push(path, key)
    worksheet = gspread.Client(auth=None, session=emulator_session(google_env.url)).open_by_key(key).sheet1
    assert worksheet.get("B2", value_render_option="UNFORMATTED_VALUE") == [[SERIAL + 0.75]]
