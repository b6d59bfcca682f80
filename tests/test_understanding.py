"""Never guess silently: what sheetkit cannot know is said, what a person obviously meant is understood.

Hand-made workbooks, the way people make them, through the CLI (as a user runs it) and the API.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import AS_OF, HEADERS, WorkbookFactory, contact, set_cached_values
from hypothesis import given, settings
from hypothesis import strategies as st

import sheetkit

COPY_HINT = "sheetkit init --copy-schema"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sheetkit", *args], capture_output=True, text=True, timeout=120)


def test_no_last_contacted_column_computes_nothing_that_needs_it(make_workbook: WorkbookFactory) -> None:
    headers = [h for h in HEADERS if h != "Last Contacted"] + ["Next Check-In"]
    rows = [
        contact(Status="Placed", **{"Next Check-In": "kept as typed"}),
        contact(Status="Not looking", **{"First Name": "Bo"}),
    ]
    path = make_workbook(rows, headers=headers)
    result = run("refresh", str(path), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)["report"]
    warning = next(p for p in report["problems"] if p["rule"] == "missing_input")
    assert "no 'Last Contacted' column, so Days Since Contact and Next Check-In were not computed" in warning["message"]
    assert "fields.last_contacted.aliases" in warning["message"]
    sheet = openpyxl.load_workbook(path)["Contacts"]
    header = [c.value for c in sheet[1]]
    assert "Days Since Contact" not in header  # not added
    assert sheet.cell(2, header.index("Next Check-In") + 1).value == "kept as typed"  # not overwritten
    assert "Non-Responsive" in header  # it needs no date: still computed
    due = run("due", str(path), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert json.loads(due.stdout)["rows"] == []  # nobody invented as "due today"


def test_a_full_name_column_is_the_persons_name(make_workbook: WorkbookFactory) -> None:
    headers = ["Full Name", *[h for h in HEADERS if h not in ("First Name", "Last Name")]]
    path = make_workbook([contact(**{"Full Name": "Ana Ng"})], headers=headers)
    report = sheetkit.validate(path, as_of=AS_OF)
    assert report.ok, report.to_text()
    assert [row.name for row in sheetkit.due(path, as_of=AS_OF)] == ["Ana Ng"]
    neither = make_workbook([contact()], headers=[h for h in HEADERS if h != "First Name"], name="noname.xlsx")
    missing = [p for p in sheetkit.validate(neither, as_of=AS_OF).errors if p.rule == "required_column"]
    assert missing and "required column 'First Name' (or 'Name') is missing" in missing[0].message


def test_unknown_headers_are_notices_with_the_closest_field(make_workbook: WorkbookFactory) -> None:
    extra = make_workbook([contact(**{"Favourite colour": "blue"})], headers=[*HEADERS, "Favourite colour"])
    text = run("validate", str(extra), "--as-of", AS_OF.isoformat())
    assert text.returncode == 0, text.stdout  # a notice does not change the exit code
    assert "column P 'Favourite colour' is not a column the schema knows; sheetkit leaves it as it is" in text.stdout
    headers = [*(h for h in HEADERS if h != "Follow-ups"), "Times followed up"]
    path = make_workbook([contact(**{"Times followed up": 2})], headers=headers, name="renamed.xlsx")
    text = run("validate", str(path), "--as-of", AS_OF.isoformat()).stdout
    assert "column O 'Times followed up' is not a column the schema knows; did you mean follow_ups? " in text
    assert "add 'Times followed up' to fields.follow_ups.aliases" in text and COPY_HINT in text
    data = json.loads(run("validate", str(path), "--as-of", AS_OF.isoformat(), "--format", "json").stdout)
    assert [n["header"] for n in data["notices"]] == ["Times followed up"]
    assert [p["rule"] for p in data["problems"]] == ["missing_input"]  # and what it costs is said


def test_unknown_status_suggests_the_closest_and_the_key_to_edit(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact(Status="In talks")])
    (problem,) = sheetkit.validate(path, as_of=AS_OF).errors
    assert "'In talks' is not a known status; did you mean engaged?" in problem.message
    assert "statuses.engaged.spellings" in problem.message and COPY_HINT in problem.message


def test_one_problem_in_many_cells_is_one_line(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact(Status="In talks", Email=f"p{i}@example.com") for i in range(50)])
    text = run("validate", str(path), "--as-of", AS_OF.isoformat()).stdout
    lines = [line for line in text.splitlines() if "'In talks' is not a known status" in line]
    assert len(lines) == 1
    assert "50 cells: Contacts!I2, I3, I4, I5, I6 ..." in lines[0]
    data = json.loads(run("validate", str(path), "--as-of", AS_OF.isoformat(), "--format", "json").stdout)
    assert len(data["problems"]) == 50  # machines still get one entry per cell
    page = sheetkit.check(path, as_of=AS_OF)._repr_html_()
    assert page.count("is not a known status") == 1 and "50 cells: Contacts!I2" in page


def test_enrich_keeps_the_types_people_typed(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact(Phone=15125550000, **{"Follow-ups": 2})])
    frame = sheetkit.enrich(path, as_of=AS_OF)
    assert frame["Phone"].tolist() == ["15125550000"]
    assert str(frame["Follow-ups"].dtype) == "Int64" and frame["Follow-ups"].tolist() == [2]


statuses = st.text(alphabet=st.sampled_from("abcdefgh ijklmnopqrstuvwxyz-"), min_size=3, max_size=15)


@settings(max_examples=40, deadline=None)
@given(status=statuses, header=statuses)
def test_no_message_about_an_unknown_header_or_status_lacks_the_key_to_edit(status: str, header: str) -> None:
    schema = sheetkit.load_schema()
    frame = pd.DataFrame(
        {"First Name": ["Ana"], "Status": [status], "Last Contacted": [dt.date(2026, 11, 1)], header.strip() or "x": [1]}
    )
    checked = sheetkit.check(frame, schema=schema, as_of=AS_OF)
    about_status = [p for p in checked.report.problems if p.rule == "status"]
    for problem in about_status:
        assert "statuses." in problem.message and COPY_HINT in problem.message
    for notice in checked.report.notices:
        assert "aliases" in notice.message


def _with_footer(make_workbook: WorkbookFactory, label: str | None, name: str = "contacts.xlsx") -> Path:
    """Two people, a blank row, then a totals row of =COUNTA / =SUM formulas with Excel's cached values."""
    people = [contact(Email="ana@example.com"), contact(**{"First Name": "Bo", "Email": "bo@example.com"})]
    path = make_workbook([*people, {}], name=name)
    book = openpyxl.load_workbook(path)
    sheet = book["Contacts"]
    sheet["A5"] = label
    sheet["C5"] = "=COUNTA(C2:C3)"
    sheet["K5"] = "=SUM(K2:K3)"
    book.save(path)
    set_cached_values(path, {"C5": "2", "K5": "2"})
    return path


def test_a_totals_row_under_the_table_is_not_a_person(make_workbook: WorkbookFactory) -> None:
    for label in ("Total", None):  # labelled, or only formulas whose values sum the columns
        path = _with_footer(make_workbook, label, name=f"{label}.xlsx")
        report = sheetkit.validate(path, as_of=AS_OF)
        assert report.ok and report.rows == 2, report.to_text()
        (notice,) = [n for n in report.notices if n.rule == "footer_row"]
        assert notice.row == 5 and "row 5 looks like a totals row" in notice.message
        assert [row.row for row in sheetkit.due(path, as_of=AS_OF)] == [2, 3]
        sheetkit.refresh(path, as_of=AS_OF)
        sheet = openpyxl.load_workbook(path)["Contacts"]
        header = [c.value for c in sheet[1]]
        assert sheet.cell(5, header.index("Next Check-In") + 1).value is None  # no computed cells for it
        assert sheet.cell(2, header.index("Next Check-In") + 1).value is not None


def test_footer_rows_can_be_turned_off_and_a_person_named_total_is_a_person(
    make_workbook: WorkbookFactory, tmp_path: Path
) -> None:
    text = (Path(sheetkit.load_schema().path)).read_text(encoding="utf-8")
    custom = tmp_path / "mine.yaml"
    custom.write_text(text.replace("footer_rows: true", "footer_rows: false"))
    path = _with_footer(make_workbook, "Total")
    assert sheetkit.validate(path, schema=custom, as_of=AS_OF).rows == 3
    person = make_workbook([contact(), contact(**{"First Name": "Total", "Email": "t@example.com"})], name="p.xlsx")
    assert sheetkit.validate(person, as_of=AS_OF).rows == 2  # a name and an email: someone


def test_due_suggests_a_channel_the_row_can_be_reached_on(make_workbook: WorkbookFactory) -> None:
    rows = [
        contact(Email="", **{"Channels Tried": "phone", "LinkedIn URL": ""}),  # only a phone number: phone again
        contact(Email="", Phone="", **{"First Name": "Bo", "LinkedIn URL": "", "Channels Tried": ""}),
        contact(**{"First Name": "Cy", "Email": "cy@example.com", "Channels Tried": "email"}),  # rotate to phone
    ]
    path = make_workbook(rows)
    channels = {row.name: row.suggested_channel for row in sheetkit.due(path, as_of=AS_OF)}
    assert channels == {"Ana Lima": "phone", "Bo Lima": "add contact details", "Cy Lima": "phone"}


def test_text_says_when_in_words(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(
        [contact(**{"Last Contacted": dt.datetime(2026, 11, 20)}), contact(**{"First Name": "Bo", "Email": "b@x.org"})]
    )
    text = run("due", str(path), "--within", "7", "--as-of", AS_OF.isoformat()).stdout
    assert "in 2 days" in text and "17 days overdue" in text and " -2" not in text
    report = run("report", str(path), "--as-of", AS_OF.isoformat()).stdout
    assert "in 2 days" in report and "Days Overdue" not in report
    data = json.loads(run("due", str(path), "--within", "7", "--as-of", AS_OF.isoformat(), "--format", "json").stdout)
    assert sorted(r["days_overdue"] for r in data["rows"]) == [-2, 17]  # machines keep the number


def test_remote_limited_to_a_region_is_not_anywhere(make_workbook: WorkbookFactory) -> None:
    rows = [
        contact(**{"Desired Location": "Remote (US)", "Email": "us@example.org"}),
        contact(**{"First Name": "Bo", "Desired Location": "Remote", "Email": "any@example.org"}),
    ]
    path = make_workbook(rows)
    found = {m.name: m for m in sheetkit.match(path, title="Data Engineer", location="Berlin", remote_ok=True, as_of=AS_OF)}
    assert found["Bo Lima"].location_score == 100 and "remote OK" in found["Bo Lima"].why
    us_only = found.get("Ana Lima")  # a location that does not fit, like any other: ranked by it, never "remote OK"
    assert us_only is None or (us_only.location_score < 60 and "remote OK" not in us_only.why)
    in_us = {m.name: m for m in sheetkit.match(path, title="Data Engineer", location="New York US", remote_ok=True, as_of=AS_OF)}
    assert in_us["Ana Lima"].location_score == 100


def test_command_line_mistakes_are_one_line_with_a_pointer(tmp_path: Path) -> None:
    cases = {
        ("validate",): "sheetkit validate: error: the following arguments are required: SOURCE (see sheetkit validate --help)",
        ("match", "x.xlsx", "--title", "X", "--limit", "-3"): "must be 1 or more, got -3",
        ("validate", "x.xlsx", "--bogus"): "unrecognized arguments: --bogus (see sheetkit --help)",
    }
    for args, message in cases.items():
        result = run(*args)
        assert result.returncode == 2 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    example = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
    result = run("report", str(example), "--charts", str(blocker / "charts"))
    assert result.returncode == 2 and "cannot make that folder" in result.stderr and "unexpected" not in result.stderr
