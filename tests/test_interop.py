"""LibreOffice, an independent program, reads what sheetkit wrote and sees the same values."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF
from soffice import read_sheets_with_libreoffice

import sheetkit

pytestmark = pytest.mark.interop
EXAMPLE = Path(__file__).parent.parent / "examples" / "recruiter_contacts.xlsx"


def as_text(value: Any) -> str:
    """A computed value as LibreOffice's CSV export shows it (dates in the yyyy-mm-dd format we write)."""
    import pandas as pd

    if value is None or pd.isna(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_refreshed_example_reads_the_same_in_libreoffice(tmp_path: Path, engine: str) -> None:
    original = tmp_path / "original.xlsx"
    shutil.copy(EXAMPLE, original)
    refreshed = tmp_path / "refreshed.xlsx"
    result = sheetkit.refresh(original, as_of=AS_OF, output=refreshed, engine=engine)  # type: ignore[arg-type]
    assert result.engine == engine
    before = read_sheets_with_libreoffice(original)
    after = read_sheets_with_libreoffice(refreshed)
    assert after["Notes"] == before["Notes"]  # the other sheet, its formula recalculated, unchanged
    old, new = before["Contacts"], after["Contacts"]
    width = len(old[2])
    assert [row[:width] for row in new] == [row[:width] + [""] * (width - len(row[:width])) for row in old]
    header = new[2]
    assert header[width:] == ["Days Since Contact", "Non-Responsive", "Next Check-In"]
    frame = result.frame
    for sheet_row, values in frame.iterrows():
        got = new[int(sheet_row) - 1][width:]
        expected = [as_text(values[h]) for h in header[width:]]
        assert got == expected, f"row {sheet_row}"


def test_refreshed_csv_and_pulled_workbook_read_back(tmp_path: Path, google_env: Any) -> None:
    from sheetkit.transfer import pull

    key = google_env.create_spreadsheet(
        "Pipeline",
        {"Contacts": [["First Name", "Status", "Last Contacted", "Follow-ups", "Notes"],
                      ["Ana", "Contacted", dt.date(2026, 11, 1), 1, "=not a formula"],
                      ["李", "New", "", 0, "007"]]},
    )
    sheetkit.refresh(key, as_of=AS_OF)
    out = tmp_path / "pulled.xlsx"
    pull(key, out)
    rows = read_sheets_with_libreoffice(out)["Contacts"]
    assert rows[:3] == [
        ["First Name", "Status", "Last Contacted", "Follow-ups", "Notes", "Days Since Contact", "Non-Responsive",
         "Next Check-In"],
        ["Ana", "Contacted", "2026-11-01", "1", "=not a formula", "20", "FALSE", "2026-11-04"],
        ["李", "New", "", "0", "007", "", "FALSE", "2026-11-21"],
    ]
