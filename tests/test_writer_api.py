"""sheetkit.write_cells, the public cell writer: keys, values, sheets, backup, output, atomicity."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from xlsx_factory import build_contacts, edit_zip

import sheetkit
from sheetkit.errors import SheetNotFoundError, WriteError


def two_sheets(path: Path) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Contacts"
    first.append(["Name", "Score"])
    first.append(["Ana", 1])
    second = book.create_sheet("Q4 'notes'")
    second["A1"] = "kept"
    second["B2"] = "=1+1"
    book.save(path)
    return path


def grid(path: Path, sheet: str) -> dict[tuple[int, int], Any]:
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}


def test_cells_on_several_sheets_are_written_atomically_with_a_backup(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    before = path.read_bytes()
    os.chmod(path, 0o640)
    result = sheetkit.write_cells(
        path, {"B2": 5, "$C$1": "New", "'Q4 ''notes'''!C3": dt.date(2026, 1, 2), "Contacts!A2": None}
    )
    assert result.path == path and result.engine == "package"
    assert result.cells == ("Contacts!B2", "Contacts!C1", "'Q4 ''notes'''!C3", "Contacts!A2")
    assert repr(result) == "<CellsWritten book.xlsx: 4 cells via package>"
    assert result.backup is not None and result.backup.read_bytes() == before
    assert grid(path, "Contacts") == {(1, 1): "Name", (1, 2): "Score", (1, 3): "New", (2, 2): 5}
    assert grid(path, "Q4 'notes'") == {(1, 1): "kept", (3, 3): dt.date(2026, 1, 2)}
    assert openpyxl.load_workbook(path)["Q4 'notes'"]["B2"].value == "=1+1"  # the formula kept
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.sheetkit-backup.xlsx", "book.xlsx"]


def test_output_leaves_the_source_alone_and_text_is_never_a_formula(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    before = path.read_bytes()
    result = sheetkit.write_cells(path, {"A3": "=1+1", "B3": True}, output=tmp_path / "copy.xlsx")
    assert path.read_bytes() == before and result.backup is None and result.path == tmp_path / "copy.xlsx"
    cell = openpyxl.load_workbook(result.path)["Contacts"]["A3"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert grid(result.path, "Contacts")[(3, 2)] is True


def test_datetimes_get_a_date_and_time_format_unless_told(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    moment = dt.datetime(2026, 3, 4, 13, 5, 0)
    sheetkit.write_cells(path, {"C2": moment}, output=tmp_path / "a.xlsx")
    assert openpyxl.load_workbook(tmp_path / "a.xlsx")["Contacts"]["C2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert grid(tmp_path / "a.xlsx", "Contacts")[(2, 3)] == moment
    sheetkit.write_cells(path, {"C2": moment}, output=tmp_path / "b.xlsx", date_format="dd/mm/yyyy")
    assert openpyxl.load_workbook(tmp_path / "b.xlsx")["Contacts"]["C2"].number_format == "dd/mm/yyyy"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"A0": 1}, "'A0' is outside Excel's grid"),
        ({"1A": 1}, "'1A' is not one cell's address"),
        ({"A1:B2": 1}, "not one cell's address"),
        ({"XFE1": 1}, "outside Excel's grid"),
        ({"!A1": 1}, "no sheet name before '!'"),
        ({1: 1}, "cell addresses are text"),
        ({"A1": [1]}, "must be str, int, float, bool, date or None"),
        ({"A1": float("nan")}, "cannot hold nan"),
    ],
)
def test_bad_keys_and_values_are_refused_and_nothing_is_written(
    tmp_path: Path, cells: dict[Any, Any], message: str
) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    before = path.read_bytes()
    with pytest.raises(WriteError, match=message):
        sheetkit.write_cells(path, cells)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_refused_second_sheet_leaves_nothing_behind(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")
    before = path.read_bytes()
    with pytest.raises(SheetNotFoundError, match="no worksheet named 'Nope'"):
        sheetkit.write_cells(path, {"A1": 1, "Nope!A1": 2})
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_other_files_and_empty_writes(tmp_path: Path) -> None:
    csv = tmp_path / "book.csv"
    csv.write_text("a,b\n")
    with pytest.raises(WriteError, match=r"writes \.xlsx and \.xlsm workbooks"):
        sheetkit.write_cells(csv, {"A1": 1})
    with pytest.raises(WriteError, match="no such file"):
        sheetkit.write_cells(tmp_path / "missing.xlsx", {"A1": 1})
    path = build_contacts(tmp_path / "contacts.xlsx")
    before = path.read_bytes()
    assert sheetkit.write_cells(path, {}).cells == () and path.read_bytes() == before
    copy = sheetkit.write_cells(path, {}, output=tmp_path / "copy.xlsx")
    assert copy.path.read_bytes() == before


def test_the_default_sheet_is_the_first_in_tab_order(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "book.xlsx")

    def reorder(parts: dict[str, bytes]) -> None:
        xml = parts["xl/workbook.xml"].decode()
        first, second = xml.index("<sheet "), xml.rindex("<sheet ")
        end_first = xml.index("/>", first) + 2
        end_second = xml.index("/>", second) + 2
        parts["xl/workbook.xml"] = (
            xml[:first] + xml[second:end_second] + xml[end_first:second] + xml[first:end_first] + xml[end_second:]
        ).encode()

    edit_zip(path, reorder)
    result = sheetkit.write_cells(path, {"D4": 1}, output=tmp_path / "out.xlsx")
    assert result.cells == ("'Q4 ''notes'''!D4",)
