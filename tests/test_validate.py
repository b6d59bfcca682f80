"""Validation reports: every problem at once, by cell, in text, JSON, DataFrame and HTML."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from conftest import AS_OF, HEADERS, WorkbookFactory, contact

import sheetkit


def rows_with_problems() -> list[dict]:
    return [
        contact(),  # row 2: fine
        contact(Email="bo@", **{"First Name": "Bo"}),  # row 3: email
        contact(Email="cy@example.com", **{"Last Contacted": "next tuesday"}),  # row 4: not a date
        contact(Email="ANA.LIMA@example.com "),  # row 5: duplicate of row 2
        contact(Email="di@example.com", Status="Maybe later"),  # row 6: unknown status
        contact(Email="ed@example.com", **{"Follow-ups": -1}),  # row 7: negative
        contact(Email="fa@example.com", **{"Last Contacted": dt.datetime(2027, 1, 1)}),  # row 8: future
        contact(Email="gu@example.com", **{"LinkedIn URL": "https://linkedin.com/company/acme"}),  # row 9
        contact(Email="ha@example.com", **{"First Name": None}),  # row 10: required blank
    ]


def test_every_problem_at_once_by_cell(make_workbook: WorkbookFactory) -> None:
    report = sheetkit.validate(make_workbook(rows_with_problems()), as_of=AS_OF)
    found = {(p.cell, p.rule, p.severity) for p in report.problems}
    assert found == {
        ("Contacts!C3", "email", "error"),
        ("Contacts!J4", "type", "error"),
        ("Contacts!C5", "unique", "error"),
        ("Contacts!I6", "status", "error"),
        ("Contacts!K7", "min", "error"),
        ("Contacts!J8", "not_in_future", "error"),
        ("Contacts!H9", "linkedin_url", "warning"),
        ("Contacts!A10", "required", "error"),
    }
    by_cell = {p.cell: p for p in report.problems}
    assert (
        by_cell["Contacts!J4"].message
        == "'next tuesday' is a relative date; write the date itself, e.g. 2026-11-24"
    )
    assert by_cell["Contacts!J4"].header == "Last Contacted" and by_cell["Contacts!J4"].value == "next tuesday"
    assert by_cell["Contacts!C5"].message == "'ANA.LIMA@example.com ' appears more than once (first at Contacts!C2)"
    assert "use one of: new, contacted" in by_cell["Contacts!I6"].message
    assert by_cell["Contacts!J8"].message.startswith("2027-01-01 is after the as-of date 2026-11-21")
    assert by_cell["Contacts!A10"].message == "First Name is blank; a value is required"
    assert report.not_computed == [4, 6, 7, 8]  # errors in Status, Last Contacted, Follow-ups only
    assert report.exit_code == 1 and len(report.errors) == 7 and len(report.warnings) == 1


def test_header_as_the_user_wrote_it(make_workbook: WorkbookFactory) -> None:
    headers = [h if h != "Last Contacted" else "last touch" for h in HEADERS]
    rows = [
        {("last touch" if k == "Last Contacted" else k): v for k, v in contact(**{"Last Contacted": "soon"}).items()}
    ]
    report = sheetkit.validate(make_workbook(rows, headers=headers), as_of=AS_OF)
    assert [(p.header, p.field) for p in report.problems] == [("last touch", "last_contacted")]


def test_missing_required_column_is_one_problem(make_workbook: WorkbookFactory) -> None:
    headers = [h for h in HEADERS if h != "Status"]
    report = sheetkit.validate(make_workbook([contact()] * 50, headers=headers), as_of=AS_OF)
    missing = [p for p in report.problems if p.rule == "required_column"]
    assert len(missing) == 1
    assert missing[0].message.startswith("required column 'Status' is missing (looked for headers: 'Status', 'Stage'")
    assert missing[0].cell == "Contacts!1:1"


def test_duplicated_header(make_workbook: WorkbookFactory) -> None:
    headers = [*HEADERS, "E-mail"]
    rows = [dict(contact(), **{"E-mail": "other@example.com"})]
    report = sheetkit.validate(make_workbook(rows, headers=headers), as_of=AS_OF)
    (problem,) = report.problems
    assert problem.rule == "duplicate_header" and problem.cell == "Contacts!P1"
    assert problem.message.startswith(
        "header 'E-mail' duplicates Contacts!C1 (the field 'Email'); this column is ignored"
    )


def test_merged_header_cells(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    workbook = openpyxl.load_workbook(path)
    workbook["Contacts"].merge_cells("L1:M1")
    workbook.save(path)
    report = sheetkit.validate(path, as_of=AS_OF)
    merged = [p for p in report.problems if p.rule == "merged_header"]
    assert [p.cell for p in merged] == ["Contacts!L1:M1"]
    assert "unmerge them" in merged[0].message


def test_wrong_types_in_every_typed_column(make_workbook: WorkbookFactory) -> None:
    bad = contact(**{"Last Contacted": "someday", "Follow-ups": "two", "Status": 42})
    report = sheetkit.validate(make_workbook([bad]), as_of=AS_OF)
    messages = {p.cell: p.message for p in report.problems}
    assert messages["Contacts!J2"].startswith("'someday' is not a date")
    assert messages["Contacts!K2"] == "'two' is not a whole number"
    assert messages["Contacts!I2"].startswith("'42' is not a known status")
    decimal = sheetkit.validate(make_workbook([contact(**{"Follow-ups": 2.5})], name="b.xlsx"), as_of=AS_OF)
    assert [p.message for p in decimal.problems] == ["'2.5' is not a whole number"]


def test_long_text_emoji_and_non_latin_names(make_workbook: WorkbookFactory) -> None:
    rows = [
        contact(Notes="x" * 10_000),
        contact(Email="li@example.com", **{"First Name": "李", "Last Name": "小龍"}),
        contact(Email="zo@example.com", **{"First Name": "Zoë 🚀", "Last Name": "Ørsted"}),
        contact(Email="ya@example.com", **{"First Name": "Яна", "Last Name": "الحربي"}),
    ]
    path = make_workbook(rows)
    report = sheetkit.validate(path, as_of=AS_OF)
    assert report.ok, report.to_text()
    frame = sheetkit.enrich(path, as_of=AS_OF)
    assert frame["First Name"].tolist() == ["Ana", "李", "Zoë 🚀", "Яна"]
    long_value = sheetkit.validate(
        make_workbook([contact(**{"Last Contacted": "y" * 10_000})], name="l.xlsx"), as_of=AS_OF
    )
    (problem,) = long_value.problems
    assert len(problem.value) <= 80 and len(problem.message) < 200  # shortened for people


def test_text_output_is_grouped_by_column(make_workbook: WorkbookFactory) -> None:
    report = sheetkit.validate(make_workbook(rows_with_problems()), as_of=AS_OF)
    text = report.to_text()
    assert text.splitlines()[0] == "contacts.xlsx, sheet 'Contacts': 9 rows, 7 errors, 1 warning"
    assert "\nEmail (column C)\n  error    Contacts!C3 " in text
    assert text.index("Email (column C)") < text.index("Status (column I)") < text.index("Last Contacted (column J)")
    assert "4 rows left without computed values because of errors: 4, 6, 7, 8" in text


def test_json_dataframe_and_html(make_workbook: WorkbookFactory) -> None:
    report = sheetkit.validate(make_workbook(rows_with_problems()), as_of=AS_OF)
    data = json.loads(report.to_json())
    assert data["errors"] == 7 and data["warnings"] == 1 and data["rows"] == 9
    assert {"cell", "header", "value", "rule", "message", "severity"} <= set(data["problems"][0])
    frame = report.to_frame()
    assert len(frame) == 8 and frame.loc[frame["cell"] == "Contacts!C3", "rule"].item() == "email"
    page = report._repr_html_()
    assert "<table>" in page and "Contacts!J4" in page and "&#x27;next tuesday&#x27; is a relative date" in page
    assert repr(report) == "<Report contacts.xlsx 'Contacts': 9 rows, 8 problems>"


def test_clean_sheet_passes(make_workbook: WorkbookFactory) -> None:
    report = sheetkit.validate(make_workbook([contact()]), as_of=AS_OF)
    assert report.ok and report.exit_code == 0 and report.to_text().endswith("No problems found.")


def test_blank_status_is_a_warning_read_as_new(make_workbook: WorkbookFactory) -> None:
    report = sheetkit.validate(make_workbook([contact(Status=None)]), as_of=AS_OF)
    assert [(p.cell, p.severity, p.message) for p in report.problems] == [
        ("Contacts!I2", "warning", "Status is blank; read as 'new'")
    ]


def test_true_and_one_in_the_same_column_are_told_apart(make_workbook: WorkbookFactory) -> None:
    """Python counts TRUE == 1: reading each distinct value once must not merge them."""
    rows = [
        contact(**{"First Name": "A", "Email": "a@example.com", "Follow-ups": True}),
        contact(**{"First Name": "B", "Email": "b@example.com", "Follow-ups": 1}),
        contact(**{"First Name": "C", "Email": "c@example.com", "Follow-ups": 1.0}),
    ]
    path = make_workbook(rows)
    report = sheetkit.validate(path, as_of=AS_OF)
    bad = [(p.cell, p.rule) for p in report.problems if p.field == "follow_ups"]
    assert bad == [("Contacts!K2", "type")]  # only the TRUE; the 1s are counts
