"""The LibreOffice reader used by interop tests reads what openpyxl wrote, value for value."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import zipfile
from pathlib import Path

import openpyxl
import pytest
from soffice import (
    CALL_SECONDS,
    LibreOfficeError,
    read_sheets_with_libreoffice,
    read_with_libreoffice,
    soffice_available,
    soffice_path,
)

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed"),
]


def build_sample(path: Path) -> Path:
    """A small workbook: text, numbers, an ISO-formatted date, booleans, unicode, a formula, 3 sheets."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "Contacts"
    ws.append(["Name", "Follow-ups", "Score", "Last Contacted", "Active", "Notes", "Twice"])
    ws.append(["Ana Lima", 3, 3.5, dt.datetime(2026, 11, 1), True, "Boston, MA", "=B2*2"])
    ws.append(
        ["张伟", 0, -1234567.125, dt.date(2026, 1, 2), False, 'said "call me" 🎉\nsecond line', "=B3*2"]
    )
    ws.append(["Zoë Ødegaard", None, 0.25, None, None, "=HYPERLINK is text here", None])
    ws["F4"].data_type = "s"  # text that starts with "=", not a formula
    ws.append(["محمد", 5, 1e-3, dt.date(2024, 2, 29), True, "", "=SUM(B2:B5)"])
    for row in range(2, 6):
        ws.cell(row, 4).number_format = "yyyy-mm-dd"
    roles = workbook.create_sheet("Roles")
    roles.append(["Role", "Openings"])
    roles.append(["Data Engineer", 2])
    workbook.create_sheet("Empty")
    workbook.save(path)
    return path


def set_stale_cache(path: Path, ref: str, cached: str) -> None:
    """Give formula cell `ref` of the first sheet a wrong cached value, as a stale Excel file would have."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    text = parts[member].decode("utf-8")
    pattern = re.compile(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>[^<]*</v>)?')
    text, count = pattern.subn(lambda m: f"{m.group(1)}<v>{cached}</v>", text)
    assert count == 1
    parts[member] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("lo") / "sample book.xlsx")


@pytest.fixture(scope="module")
def all_sheets(sample: Path) -> dict[str, list[list[str]]]:
    return read_sheets_with_libreoffice(sample)


def test_soffice_path_is_an_executable() -> None:
    path = soffice_path()
    assert path is not None and Path(path).exists()


def test_values_as_libreoffice_reads_them(all_sheets: dict[str, list[list[str]]]) -> None:
    assert all_sheets["Contacts"] == [
        ["Name", "Follow-ups", "Score", "Last Contacted", "Active", "Notes", "Twice"],
        ["Ana Lima", "3", "3.5", "2026-11-01", "TRUE", "Boston, MA", "6"],
        ["张伟", "0", "-1234567.125", "2026-01-02", "FALSE", 'said "call me" 🎉\nsecond line', "0"],
        ["Zoë Ødegaard", "", "0.25", "", "", "=HYPERLINK is text here", ""],
        ["محمد", "5", "0.001", "2024-02-29", "TRUE", "", "8"],
    ]


def test_all_sheets_in_one_call_in_workbook_order(all_sheets: dict[str, list[list[str]]]) -> None:
    assert list(all_sheets) == ["Contacts", "Roles", "Empty"]
    assert all_sheets["Roles"] == [["Role", "Openings"], ["Data Engineer", "2"]]
    assert all_sheets["Empty"] == []


def test_first_sheet_by_default_and_any_sheet_by_name(
    sample: Path, all_sheets: dict[str, list[list[str]]]
) -> None:
    assert read_with_libreoffice(sample) == all_sheets["Contacts"]
    assert read_with_libreoffice(sample, "Roles") == all_sheets["Roles"]


def test_unknown_sheet_is_a_clear_error(sample: Path) -> None:
    with pytest.raises(LibreOfficeError, match=r"'Nope'.*LibreOffice saw \['Contacts', 'Roles', 'Empty'\]"):
        read_with_libreoffice(sample, "Nope")


def test_stale_cached_formula_values_are_recalculated(tmp_path: Path) -> None:
    path = build_sample(tmp_path / "stale.xlsx")
    set_stale_cache(path, "G2", "999")
    assert read_with_libreoffice(path)[1][6] == "6"  # not the stale 999: OOXMLRecalcMode = always


def test_output_does_not_depend_on_the_callers_locale(
    sample: Path, all_sheets: dict[str, list[list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert read_with_libreoffice(sample) == all_sheets["Contacts"]  # "3.5" and TRUE, not "3,5" and WAHR


def test_missing_and_unreadable_files_raise(tmp_path: Path) -> None:
    with pytest.raises(LibreOfficeError, match="no such file"):
        read_with_libreoffice(tmp_path / "absent.xlsx")
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"\x00\x01 not a zip package")
    with pytest.raises(LibreOfficeError, match="produced no CSV"):
        read_with_libreoffice(garbage)


def test_many_calls_in_one_run_and_their_cost(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = len(CALL_SECONDS)
    results = [read_with_libreoffice(sample) for _ in range(3)]
    assert results[0] == results[1] == results[2]
    times = CALL_SECONDS[before:]
    assert len(times) == 3
    assert max(times) < 30
    with capsys.disabled():
        print(
            f"\nLibreOffice read: {statistics.mean(times):.2f} s per call "
            f"(min {min(times):.2f}, max {max(times):.2f}; all calls so far: "
            + ", ".join(f"{t:.2f}" for t in CALL_SECONDS)
            + ")"
        )
