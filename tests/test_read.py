"""Reading real workbooks: where the header is, which rows are data, and bad files explained."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import AS_OF, HEADERS, WorkbookFactory, contact, set_cached_values

import sheetkit
from sheetkit.core.schema_file import load_schema
from sheetkit.errors import HeaderError, SheetNotFoundError, SourceError, WorkbookFormatError
from sheetkit.excel.read import read_table

DATA = Path(__file__).parent / "data"


def test_header_found_below_title_rows_and_trailing_blank_rows_ignored(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(
        [contact(), {}, contact(Email="bo@example.com", **{"First Name": "Bo"}), {}, {}],
        title_rows=[["Candidate pipeline - Data team"], []],
    )
    table = read_table(path, load_schema())
    assert table.header_row == 3
    assert table.rows.tolist() == [4, 6]  # the blank rows in between and at the end are not data
    assert table.headers == HEADERS
    assert table.cell(HEADERS.index("Status"), 4) == "Contacts!I4"


def test_any_sheet_by_name_default_first(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    workbook = openpyxl.load_workbook(path)
    other = workbook.create_sheet("Team B", 0)
    other.append(HEADERS)
    other.append([contact(**{"First Name": "Zoe"})[h] for h in HEADERS])
    workbook.save(path)
    assert sheetkit.enrich(path, as_of=AS_OF)["First Name"].tolist() == ["Zoe"]
    assert sheetkit.enrich(path, sheet="Contacts", as_of=AS_OF)["First Name"].tolist() == ["Ana"]
    report = sheetkit.validate(path, sheet="Team B", as_of=AS_OF)
    assert report.sheet == "Team B" and report.rows == 1


def test_dates_in_every_form(make_workbook: WorkbookFactory) -> None:
    rows = [
        contact(**{"Last Contacted": dt.datetime(2024, 3, 4)}),
        contact(**{"Last Contacted": 45355}),  # a serial number in a cell without a date format
        contact(**{"Last Contacted": "2024-03-04"}),
        contact(**{"Last Contacted": "3/4/2024"}),
        contact(**{"Last Contacted": "4 Mar 2024"}),
        contact(**{"Last Contacted": "March 4, 2024"}),
    ]
    for i, row in enumerate(rows):
        row["Email"] = f"p{i}@example.com"
    path = make_workbook(rows)
    frame = sheetkit.enrich(path, as_of=AS_OF)
    assert frame["Days Since Contact"].tolist() == [(AS_OF - dt.date(2024, 3, 4)).days] * 6


def test_1904_date_system(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact(**{"Last Contacted": 43893})])  # 2024-03-04 in the 1904 system
    with zipfile.ZipFile(path) as package:
        parts = {i.filename: package.read(i.filename) for i in package.infolist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<workbookPr", b'<workbookPr date1904="1"', 1)
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    frame = sheetkit.enrich(path, as_of=AS_OF)
    assert frame["Days Since Contact"].tolist() == [(AS_OF - dt.date(2024, 3, 4)).days]


def test_formula_cells_are_read_by_their_cached_value(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    workbook = openpyxl.load_workbook(path)
    ws = workbook["Contacts"]
    ws["K2"] = "=1+2"  # Follow-ups computed by a formula
    workbook.save(path)
    set_cached_values(path, {"K2": "3"})
    frame = sheetkit.enrich(path, as_of=AS_OF)
    assert frame["Follow-ups"].tolist() == [3.0]


def test_xlsm_and_csv_are_read(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    xlsx = make_workbook([contact()])
    xlsm = xlsx.with_suffix(".xlsm")
    shutil.copy(xlsx, xlsm)
    assert sheetkit.validate(xlsm, as_of=AS_OF).rows == 1
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_text(
        "Export from CRM\n\nFirst Name;Email;Status;Last Contacted;Follow-ups\nAna;ana@example.com;Contacted;2026-11-01;1\n",
        encoding="utf-8-sig",
    )
    frame = sheetkit.enrich(csv_path, as_of=AS_OF)
    assert frame["Days Since Contact"].tolist() == [20]


def test_linkedin_connections_export_is_read(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text(
        'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Lima,https://www.linkedin.com/in/ana-lima,ana@example.com,Acme,Data Engineer,12 Mar 2024\n",
        encoding="utf-8",
    )
    table = read_table(path, load_schema())
    assert table.header_row == 4
    report = sheetkit.validate(path, as_of=AS_OF)
    assert [p.rule for p in report.errors] == ["required_column", "required_column"]  # no Status, no Last Contacted
    assert {p.header for p in report.errors} == {"Status", "Last Contacted"}


def test_old_xls_is_read_for_validation() -> None:
    report = sheetkit.validate(DATA / "old_format.xls", as_of=AS_OF)
    assert report.rows == 2
    assert [(p.cell, p.rule) for p in report.problems] == [("Contacts!B3", "email")]


# -- bad input: a specific message, never a traceback ------------------------------------------


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    path.write_text("First Name,Email\nAna,ana@example.com\n")
    with pytest.raises(WorkbookFormatError, match=r"contacts.xlsx is not an Excel workbook .* this file is text"):
        sheetkit.validate(path)


def test_corrupt_zip(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkbookFormatError, match="contacts.xlsx is damaged and cannot be read"):
        sheetkit.validate(path)


def test_password_protected(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_workbook([contact()])
    encrypted = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, encrypted.open("wb") as out:
        OOXMLFile(source).encrypt("secret", out)
    with pytest.raises(WorkbookFormatError, match="locked.xlsx is password-protected; .*remove the password"):
        sheetkit.validate(encrypted)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(b"")
    with pytest.raises(WorkbookFormatError, match=r"contacts.xlsx is empty \(0 bytes\)"):
        sheetkit.validate(path)


def test_empty_sheet(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(HeaderError, match="sheet 'Sheet' is empty; expected a header row such as 'First Name'"):
        sheetkit.validate(path)


def test_sheet_that_does_not_exist(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    with pytest.raises(SheetNotFoundError, match="has no sheet named 'Contcts'; its sheets are: 'Contacts', 'Notes'"):
        sheetkit.validate(path, sheet="Contcts")


def test_no_header_row(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([{"Nom": "Ana", "Mail": "x"}], headers=["Nom", "Mailbox", "Town"])
    with pytest.raises(HeaderError, match="no header row found in the first 30 rows"):
        sheetkit.validate(path)


def test_missing_file_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file not found"):
        sheetkit.validate(tmp_path / "nope.xlsx")
    odd = tmp_path / "contacts.numbers"
    odd.write_bytes(b"PK\x03\x04")
    with pytest.raises(WorkbookFormatError, match="unsupported file type .numbers"):
        sheetkit.validate(odd)


def test_xls_content_under_xlsx_name(tmp_path: Path) -> None:
    path = tmp_path / "renamed.xlsx"
    shutil.copy(DATA / "old_format.xls", path)
    with pytest.raises(WorkbookFormatError, match=r"old-format Excel 97-2003 \(.xls\) file with an .xlsx name"):
        sheetkit.validate(path)


def test_repeated_texts_share_one_str_after_normalize_and_every_value_stays_as_read() -> None:
    """Memory at Excel's row limit: a column repeating a dozen words keeps one str per word."""
    import numpy as np

    from sheetkit.core.normalize import normalize

    example = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
    schema = load_schema(None)
    table = read_table(example, schema)
    before = [list(table.values[p]) for p in range(len(table.headers))]
    status = table.headers.index("Status")
    assert len({id(v) for v in table.values[status]}) > len(set(table.values[status]))  # one str per cell as read
    normalize(table, schema, AS_OF)
    assert len({id(v) for v in table.values[status]}) == len(set(table.values[status]))  # one per distinct text
    after = [list(table.values[p]) for p in range(len(table.headers))]
    assert after == before
    assert [[type(v) for v in column] for column in after] == [[type(v) for v in column] for column in before]

    # only text is shared: 1 and 1.0 compare equal but are different values of a cell
    grid = np.empty((4, 1), dtype=object)
    grid[:, 0] = [1, 1.0, "a", "a"]
    import pandas as pd

    from sheetkit.core.table import Table

    frame = pd.DataFrame(grid, columns=pd.RangeIndex(1), dtype=object, copy=False)
    small = Table("t", "S", 1, ["x"], [1], frame, np.arange(2, 6), grid=grid)
    codes, uniques = pd.factorize(grid[:, 0])
    small.share_repeated_text(0, codes, uniques.tolist())
    assert [type(v) for v in frame[0]] == [int, float, str, str]
