"""Against the real Google Sheets API: runs only when SHEETKIT_TEST_CREDENTIALS names a key file.

Everything else about Google Sheets is tested against the loopback emulator; these tests check
that the emulator's answers and sheetkit's requests still hold against Google itself.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest

import sheetkit

KEY_FILE = os.environ.get("SHEETKIT_TEST_CREDENTIALS", "")
pytestmark = [
    pytest.mark.google,
    pytest.mark.skipif(not KEY_FILE, reason="real Google account tests: set SHEETKIT_TEST_CREDENTIALS=/path/key.json"),
]


@pytest.fixture
def live_sheet(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from sheetkit.google.client import connect

    monkeypatch.setenv("SHEETKIT_CREDENTIALS", KEY_FILE)
    monkeypatch.delenv("SHEETKIT_SHEETS_API_URL", raising=False)
    client = connect().client  # the gspread Client inside sheetkit's SheetsClient
    assert client is not None
    spreadsheet = client.create(f"sheetkit live test {dt.datetime.now().isoformat(timespec='seconds')}")
    try:
        yield spreadsheet
    finally:
        client.del_spreadsheet(spreadsheet.id)


def test_refresh_against_google(live_sheet: Any) -> None:
    worksheet = live_sheet.sheet1
    worksheet.update(
        [["First Name", "Status", "Last Contacted", "Notes"], ["Ana", "Contacted", "2026-11-01", "=1+1"]],
        "A1",
        value_input_option="RAW",
    )
    result = sheetkit.refresh(live_sheet.url, as_of="2026-11-21")
    assert result.cells_changed == 6 and result.requests is not None and result.requests <= 4
    values = worksheet.get("E1:G2", value_render_option="UNFORMATTED_VALUE")
    assert values[1][:2] == [20, False]
    assert worksheet.acell("D2", value_render_option="FORMULA").value == "=1+1"  # text stayed text
    again = sheetkit.refresh(live_sheet.url, as_of="2026-11-21")
    assert again.cells_changed == 0
