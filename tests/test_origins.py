"""A Table's origin is set by the reader that builds it, typed: a file's path, a Google worksheet, or None."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import AS_OF, WorkbookFactory, contact

from sheetkit.api import check
from sheetkit.core.cells import CellUpdate
from sheetkit.core.schema_file import load_schema
from sheetkit.core.table import FileOrigin, GoogleOrigin
from sheetkit.excel.read import read_table


def test_files_are_read_with_their_path(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    schema = load_schema()
    book = make_workbook([contact()])
    assert read_table(book, schema).origin == FileOrigin(book)
    assert read_table(str(book), schema).origin == FileOrigin(book)
    csv = tmp_path / "contacts.csv"
    csv.write_text("First Name,Email,Status\nAna,ana@example.com,New\n", encoding="utf-8")
    assert read_table(csv, schema).origin == FileOrigin(csv)
    assert read_table(pd.DataFrame({"First Name": ["Ana"]}), schema).origin is None
    assert check(book, as_of=AS_OF).table.origin == FileOrigin(book)


def test_a_google_sheet_is_read_with_its_worksheet(google_env: Any) -> None:
    from sheetkit.google.sheets import GoogleSheet, google_sheet, write_updates

    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [["First Name", "Status"], ["Ana", "New"]]}, rows=5)
    table = check(key, as_of=AS_OF).table
    origin = google_sheet(table)
    assert isinstance(origin, GoogleSheet) and isinstance(origin, GoogleOrigin)
    assert (origin.spreadsheet_id, origin.title, origin.row_count) == (key, "Contacts", 5)
    assert origin.url == f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={origin.sheet_id}"
    with pytest.raises(dataclasses.FrozenInstanceError):
        origin.row_count = 9  # type: ignore[misc]
    grown = write_updates(origin, [CellUpdate(8, 30, "far")])
    assert (grown.row_count, grown.column_count) == (8, 30) and origin.row_count == 5  # derived, not mutated
    assert write_updates(grown, [CellUpdate(8, 30, "again")]) == grown
    assert google_env.spreadsheet(key)["sheets"][0]["properties"]["gridProperties"]["rowCount"] == 8
