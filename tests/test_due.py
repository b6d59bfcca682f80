"""Who is due: order, window, owner, exclusions, channel rotation, outputs, and the "Due" sheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF, contact
from python_calamine import CalamineWorkbook

from sheetkit.api import check
from sheetkit.core.schema_file import load_schema, parse_schema
from sheetkit.errors import UsageError
from sheetkit.lists.due import DueList, due, parse_window, write_due_sheet

D = dt.datetime


def people() -> list[dict[str, Any]]:
    """Hand-checked against AS_OF = 2026-11-21 (cadences: contacted/engaged +3, keep_warm +90)."""
    return [
        # next check-in 2026-11-23: due in 2 days
        contact(**{"First Name": "Fay", "Email": "fay@example.com", "Last Contacted": D(2026, 11, 20)}),
        # 2026-11-04: 17 days overdue
        contact(**{"First Name": "Al", "Email": "al@example.com", "Last Contacted": D(2026, 11, 1), "Owner": "priya"}),
        # 2026-11-18: 3 days overdue
        contact(
            **{
                "First Name": "Bea",
                "Email": "bea@example.com",
                "Status": "Engaged",
                "Last Contacted": D(2026, 11, 15),
                "Owner": " PRIYA ",
            }
        ),
        # new: due today
        contact(**{"First Name": "Cy", "Email": "cy@example.com", "Status": "New", "Last Contacted": None}),
        # keep warm: 2027-01-30, not due
        contact(**{"First Name": "Dee", "Email": "dee@example.com", "Status": "Silver medalist"}),
        # do not contact, ever
        contact(
            **{
                "First Name": "Ed",
                "Email": "ed@example.com",
                "Status": "DNC",
                "Last Contacted": D(2025, 1, 1),
                "Follow-ups": 5,
                "Channels Tried": "email, phone",
            }
        ),
    ]


def test_most_overdue_first_today_only(make_workbook: Any) -> None:
    listed = due(check(make_workbook(people()), as_of=AS_OF))
    assert [(r.name, r.days_overdue) for r in listed.rows] == [("Al Lima", 17), ("Bea Lima", 3), ("Cy Lima", 0)]
    first = listed.rows[0]
    assert (first.row, first.cell) == (3, "Contacts!A3")
    assert first.email == "al@example.com" and first.phone == "+1 617 555 0100"
    assert first.status == "contacted" and first.owner == "priya"
    assert first.last_contacted == dt.date(2026, 11, 1) and first.next_check_in == dt.date(2026, 11, 4)
    assert listed.rows[2].last_contacted is None and listed.rows[2].next_check_in == AS_OF


def test_window_adds_rows_due_later(make_workbook: Any) -> None:
    checked = check(make_workbook(people()), as_of=AS_OF)
    assert [r.name for r in due(checked, within_days=1)] == ["Al Lima", "Bea Lima", "Cy Lima"]
    week = due(checked, within_days=parse_window("7d"))
    assert [(r.name, r.days_overdue) for r in week] == [
        ("Al Lima", 17),
        ("Bea Lima", 3),
        ("Cy Lima", 0),
        ("Fay Lima", -2),
    ]
    assert "Dee Lima" not in [r.name for r in due(checked, within_days=60)]
    assert "Dee Lima" in [r.name for r in due(checked, within_days=70)]


def test_do_not_contact_is_never_listed(make_workbook: Any) -> None:
    checked = check(make_workbook(people()), as_of=AS_OF)
    assert all(r.status != "do_not_contact" for r in due(checked, within_days=100_000))
    assert "Ed Lima" not in [r.name for r in due(checked, within_days=100_000)]


def test_owner_filter_ignores_case_and_spaces(make_workbook: Any) -> None:
    checked = check(make_workbook(people()), as_of=AS_OF)
    assert [r.name for r in due(checked, owner="Priya")] == ["Al Lima", "Bea Lima"]
    assert [r.name for r in due(checked, owner="sam")] == ["Cy Lima"]
    assert len(due(checked, owner="nobody")) == 0


def test_owner_filter_needs_an_owner_column() -> None:
    frame = pd.DataFrame({"First Name": ["Al"], "Status": ["New"], "Last Contacted": [None]})
    with pytest.raises(UsageError, match="no 'Owner' column"):
        due(check(frame, as_of=AS_OF), owner="Sam")


def test_wrong_contact_says_fix_the_data(make_workbook: Any) -> None:
    rows = [contact(**{"Status": "Bounced", "Last Contacted": D(2026, 10, 1), "Channels Tried": "email"})]
    (row,) = due(check(make_workbook(rows), as_of=AS_OF)).rows
    assert row.status == "wrong_contact" and row.next_check_in == AS_OF and row.days_overdue == 0
    assert row.suggested_channel == "fix the contact data"


@pytest.mark.parametrize(
    ("status", "method", "tried", "expected"),
    [
        ("Contacted", "Email", "email", "phone"),  # one silent channel: try the next one
        ("Contacted", "Email", "email, phone", "linkedin"),
        ("Contacted", "Email", "email, phone, linkedin", "email"),  # all tried: the one after the last used
        ("Contacted", "Email", "phone, linkedin, email", "phone"),
        ("Ghosted", "Phone", "Call, InMail", "email"),  # spellings map onto channels
        ("Engaged", "LinkedIn", "email", "linkedin"),  # they replied: their preferred channel
    ],
)
def test_channel_rotation(make_workbook: Any, status: str, method: str, tried: str, expected: str) -> None:
    rows = [
        contact(
            **{
                "Status": status,
                "Contact Method": method,
                "Channels Tried": tried,
                "Last Contacted": D(2026, 5, 1),
                "Follow-ups": 1,
            }
        )
    ]
    (row,) = due(check(make_workbook(rows), as_of=AS_OF)).rows
    assert row.suggested_channel == expected


def test_suggestion_matches_the_enabled_column(make_workbook: Any) -> None:
    text = Path(load_schema().path).read_text(encoding="utf-8")
    enabled = text.replace("    header: Suggested Channel\n    enabled: false", "    header: Suggested Channel")
    schema = parse_schema(enabled)
    assert schema.computed["suggested_channel"].enabled
    rows = [
        contact(
            **{"Email": f"p{i}@example.com", "Channels Tried": tried, "Status": status, "Last Contacted": D(2026, 6, 1)}
        )
        for i, (tried, status) in enumerate(
            [("email", "Contacted"), ("email, phone", "Contacted"), ("", "Engaged"), ("", "Bounced")]
        )
    ]
    checked = check(make_workbook(rows), schema=schema, as_of=AS_OF)
    listed = {r.row: r.suggested_channel for r in due(checked)}
    column = dict(zip(checked.table.rows, checked.computed["suggested_channel"], strict=True))
    assert listed == column == {2: "phone", 3: "linkedin", 4: "email", 5: "fix the contact data"}


def test_dataframe_source_and_job_search_schema() -> None:
    frame = pd.DataFrame(
        {
            "Company": ["Acme", "Globex", "Initech"],
            "Role": ["Data Engineer", "Analyst", "SRE"],
            "Recruiter Email": ["r@acme.com", "", "x@initech.com"],
            "Contact Method": ["Email", "", ""],
            "Status": ["Applied", "Withdrawn", "Interviewing"],
            "Last Contact": [dt.date(2026, 11, 10), dt.date(2026, 1, 1), dt.date(2026, 11, 20)],
        }
    )
    listed = due(check(frame, schema="job_search", as_of=AS_OF), within_days=2)
    # applied +7 -> 11-17 (4 overdue); interviewing +3 -> 11-23 (in 2 days); withdrawn: never
    assert [(r.name, r.days_overdue, r.email) for r in listed] == [
        ("Acme", 4, "r@acme.com"),
        ("Initech", -2, "x@initech.com"),
    ]
    # applied: their email went unanswered, so the next in job_search's order; interviewing: the first channel
    assert [r.suggested_channel for r in listed] == ["linkedin", "email"]
    with pytest.raises(UsageError, match="no 'owner' field"):
        due(check(frame, schema="job_search", as_of=AS_OF), owner="me")


# -- outputs ------------------------------------------------------------------------------------


def listed(make_workbook: Any) -> DueList:
    rows = people()
    rows[1]["Notes"] = "<b>VIP</b>"
    rows[1]["Last Name"] = "O'Neil <Jr>"
    return due(check(make_workbook(rows), as_of=AS_OF), within_days=7)


def test_csv_output(make_workbook: Any, tmp_path: Path) -> None:
    result = listed(make_workbook)
    buffer = io.StringIO()
    assert result.to_csv(buffer) is None
    table = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert table[0] == [
        "Row",
        "Name",
        "Email",
        "Phone",
        "Status",
        "Last Contacted",
        "Next Check-In",
        "When",
        "Days Overdue",
        "Suggested Channel",
        "Owner",
    ]
    assert table[1] == [
        "3",
        "Al O'Neil <Jr>",
        "al@example.com",
        "'+1 617 555 0100",  # a spreadsheet would read "+1 ..." as a formula (#NULL!): kept as text
        "contacted",
        "2026-11-01",
        "2026-11-04",
        "17 days overdue",
        "17",
        "phone",
        "priya",
    ]
    assert table[3][5] == "" and len(table) == 5
    path = tmp_path / "due.csv"
    result.to_csv(path)
    assert path.read_text(encoding="utf-8") == buffer.getvalue() == result.to_csv()


def test_json_output(make_workbook: Any) -> None:
    data = json.loads(listed(make_workbook).to_json())
    assert (data["as_of"], data["within_days"], data["owner"], data["count"]) == ("2026-11-21", 7, None, 4)
    assert data["rows"][0] == {
        "row": 3,
        "cell": "Contacts!A3",
        "name": "Al O'Neil <Jr>",
        "email": "al@example.com",
        "phone": "+1 617 555 0100",
        "status": "contacted",
        "last_contacted": "2026-11-01",
        "next_check_in": "2026-11-04",
        "days_overdue": 17,
        "suggested_channel": "phone",
        "owner": "priya",
        "when": "17 days overdue",
    }
    assert data["rows"][-1]["days_overdue"] == -2


def test_text_output_is_aligned(make_workbook: Any) -> None:
    text = listed(make_workbook).to_text()
    lines = text.splitlines()
    assert lines[0] == "Due by 2026-11-28 (within 7 days)"
    header, rule, *body = lines[1:]
    assert set(rule.replace(" ", "")) == {"-"} and len(body) == 4
    start = header.index("Next Check-In")
    assert [line[start : start + 10] for line in body] == ["2026-11-04", "2026-11-18", "2026-11-21", "2026-11-23"]
    start = header.index("When")
    assert [line[start:].split("  ")[0] for line in body] == ["17 days overdue", "3 days overdue", "due today", "in 2 days"]
    assert "Days Overdue" not in header  # in words on a terminal; the number stays in CSV, JSON and sheets
    assert (
        "Nobody is due."
        in due(
            check(
                pd.DataFrame({"First Name": ["A"], "Status": ["Placed"], "Last Contacted": [dt.date(2026, 11, 1)]}),
                as_of=AS_OF,
            )
        ).to_text()
    )


def test_frame_html_repr_len(make_workbook: Any) -> None:
    result = listed(make_workbook)
    frame = result.to_frame()
    assert list(frame["name"])[:2] == ["Al O'Neil <Jr>", "Bea Lima"]
    assert str(frame["next_check_in"].dtype) == "datetime64[ns]" and str(frame["days_overdue"].dtype) == "Int64"
    assert frame["last_contacted"].isna().tolist() == [False, False, True, False]
    html = result._repr_html_()
    assert "O&#x27;Neil &lt;Jr&gt;" in html and "<Jr>" not in html
    assert len(result) == 4
    assert repr(result) == "<DueList: 4 people due, Due by 2026-11-28 (within 7 days)>"


@pytest.mark.parametrize(
    ("text", "days"),
    [("0", 0), ("today", 0), ("Today", 0), ("7", 7), ("7d", 7), ("7 days", 7), ("2w", 14), ("1 week", 7), (3, 3)],
)
def test_parse_window(text: Any, days: int) -> None:
    assert parse_window(text) == days


@pytest.mark.parametrize("text", ["", "-1", "soon", "7x", "1.5d", "d7"])
def test_parse_window_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="not a time window"):
        parse_window(text)


# -- the Due sheet in a workbook -----------------------------------------------------------------

CHANGED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def test_due_sheet_added_to_workbook(make_workbook: Any) -> None:
    path = make_workbook(people())
    before = parts(path)
    checked = check(path, as_of=AS_OF)
    where = write_due_sheet(checked, due(checked, within_days=7), path=path)
    assert where == f"{path} (sheet 'Due')"
    after = parts(path)
    added = set(after) - set(before)
    assert added == {"xl/worksheets/sheet3.xml"}
    for name, data in before.items():
        if name not in CHANGED:
            assert after[name] == data, f"{name} changed"
    assert list(after)[: len(before)] == list(before)  # same order, new part last
    assert path.with_name("contacts.sheetkit-backup.xlsx").exists()

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contacts", "Notes", "Due"]
    sheet = book["Due"]
    assert [c.value for c in sheet[1]] == [
        "Row",
        "Name",
        "Email",
        "Phone",
        "Status",
        "Last Contacted",
        "Next Check-In",
        "When",
        "Days Overdue",
        "Suggested Channel",
        "Owner",
    ]
    assert [c.value for c in sheet[2]] == [
        3,
        "Al Lima",
        "al@example.com",
        "+1 617 555 0100",
        "contacted",
        D(2026, 11, 1),
        D(2026, 11, 4),
        "17 days overdue",
        17,
        "phone",
        "priya",
    ]
    assert sheet["G2"].is_date and sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet["F4"].value is None and sheet.max_row == 5
    assert sheet["B2"].hyperlink is not None and sheet["B2"].hyperlink.location == "Contacts!A3"
    assert sheet.freeze_panes == "A2"

    calamine = CalamineWorkbook.from_path(str(path))
    assert calamine.sheet_names == ["Contacts", "Notes", "Due"]
    rows = calamine.get_sheet_by_name("Due").to_python()
    assert rows[1][:2] == [3, "Al Lima"] and rows[1][6] == dt.date(2026, 11, 4) and rows[4][7:9] == ["in 2 days", -2]
    # the contacts sheet still reads the same
    again = check(path, as_of=AS_OF)
    assert again.table.sheet == "Contacts" and len(again.table) == len(checked.table)


def test_due_sheet_written_twice_is_replaced(make_workbook: Any) -> None:
    path = make_workbook(people())
    checked = check(path, as_of=AS_OF)
    write_due_sheet(checked, due(checked, within_days=7), path=path)
    first = parts(path)
    backup = path.with_name("contacts.sheetkit-backup.xlsx")
    backup.unlink()
    write_due_sheet(checked, due(checked, owner="sam"), path=path, backup=False)
    assert not backup.exists()
    second = parts(path)
    assert list(second) == list(first)  # no new part, nothing removed
    assert [n for n in first if first[n] != second[n]] == ["xl/worksheets/sheet3.xml"]  # styles not grown
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contacts", "Notes", "Due"]
    values = [[c.value for c in row] for row in book["Due"].iter_rows()]
    assert len(values) == 2 and values[1][1] == "Cy Lima"
    assert second["xl/workbook.xml"].count(b'name="Due"') == 1


def test_due_sheet_replaces_a_sheet_the_user_made(make_workbook: Any, tmp_path: Path) -> None:
    path = make_workbook(people())
    book = openpyxl.load_workbook(path)
    old = book.create_sheet("due")
    old["A1"], old["B1"], old["A9"] = "old", "=1+1", "stale"
    book.save(path)
    checked = check(path, as_of=AS_OF)
    write_due_sheet(checked, due(checked), path=path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contacts", "Notes", "due"]
    assert book["due"]["A1"].value == "Row" and book["due"].max_row == 4 and book["due"]["A9"].value is None


def test_due_sheet_refusals(make_workbook: Any, tmp_path: Path) -> None:
    path = make_workbook(people())
    checked = check(path, as_of=AS_OF)
    listed_now = due(checked)
    assert write_due_sheet(checked, listed_now).endswith("contacts.xlsx (sheet 'Due')")  # the table knows its file
    with pytest.raises(UsageError, match="contacts sheet itself"):
        write_due_sheet(checked, listed_now, sheet_name="contacts", path=path)
    with pytest.raises(UsageError, match="cannot be a sheet name"):
        write_due_sheet(checked, listed_now, sheet_name="Due/Today", path=path)
    with pytest.raises(UsageError, match="not the checked workbook"):
        write_due_sheet(checked, listed_now, path=tmp_path / "other.xlsx")
    frame = check(pd.DataFrame({"First Name": ["A"], "Status": ["New"], "Last Contacted": [None]}), as_of=AS_OF)
    with pytest.raises(UsageError, match="to_csv"):
        write_due_sheet(frame, due(frame))


# -- the Due sheet in a Google Sheet -------------------------------------------------------------

HEADER = ["First Name", "Last Name", "Email", "Status", "Last Contacted", "Follow-ups", "Channels Tried", "Owner"]
GOOGLE_ROWS = [
    ["Al", "Lima", "al@example.com", "Contacted", dt.date(2026, 11, 1), 1, "email", "Priya"],
    ["Bea", "Ng", "bea@example.com", "Engaged", dt.date(2026, 11, 15), 1, "email", "Sam"],
    ["Ed", "Ok", "ed@example.com", "DNC", dt.date(2025, 1, 1), 0, "", "Sam"],
]


def google_writes(env: Any) -> list[str]:
    return [r.path.rsplit("/", 1)[-1] for r in env.requests if r.method != "GET"]


def test_due_sheet_in_google_sheets(google_env: Any) -> None:
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *GOOGLE_ROWS]})
    checked = check(f"https://docs.google.com/spreadsheets/d/{key}/edit", as_of=AS_OF)
    google_env.clear_requests()
    where = write_due_sheet(checked, due(checked))
    assert google_writes(google_env) == [f"{key}:batchUpdate", "values:batchUpdate"]
    titles = [s["properties"]["title"] for s in google_env.spreadsheet(key)["sheets"]]
    assert titles == ["Contacts", "Due"]
    gid = next(
        s["properties"]["sheetId"] for s in google_env.spreadsheet(key)["sheets"] if s["properties"]["title"] == "Due"
    )
    assert where == f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={gid}"
    values = google_env.get_values(key, "Due")
    nov4 = (dt.date(2026, 11, 4) - dt.date(1899, 12, 30)).days
    assert values[0][:3] == ["Row", "Name", "Email"]
    assert values[1][:9] == [2, "Al Lima", "al@example.com", "", "contacted", nov4 - 3, nov4, "17 days overdue", 17]
    assert [v[1] for v in values[1:]] == ["Al Lima", "Bea Ng"]
    assert google_env.cell(key, "Due!G2").number_format["type"] == "DATE"
    assert google_env.cell(key, "Due!A1").user_entered_format["textFormat"]["bold"] is True

    google_env.clear_requests()
    write_due_sheet(checked, due(checked, owner="sam"))  # again: the sheet is cleared and rewritten
    assert google_writes(google_env) == [f"{key}:batchUpdate", "values:batchUpdate"]
    assert [s["properties"]["title"] for s in google_env.spreadsheet(key)["sheets"]] == ["Contacts", "Due"]
    values = google_env.get_values(key, "Due")
    assert [v[1] for v in values[1:]] == ["Bea Ng"] and len(values) == 2


@pytest.mark.interop
def test_due_sheet_reads_in_libreoffice(make_workbook: Any) -> None:
    from soffice import read_with_libreoffice

    path = make_workbook(people())
    checked = check(path, as_of=AS_OF)
    write_due_sheet(checked, due(checked, within_days=7), path=path)
    rows = read_with_libreoffice(path, "Due")
    assert rows[0][:2] == ["Row", "Name"]
    assert rows[1][:9] == [
        "3",
        "Al Lima",
        "al@example.com",
        "+1 617 555 0100",
        "contacted",
        "2026-11-01",
        "2026-11-04",
        "17 days overdue",
        "17",
    ]
    assert [r[1] for r in rows[1:]] == ["Al Lima", "Bea Lima", "Cy Lima", "Fay Lima"]


def test_google_due_sheet_that_exists_is_cleared_even_for_nobody(google_env: Any) -> None:
    junk = [["old", "stuff"], ["x", 1], ["y", 2]]
    key = google_env.create_spreadsheet(
        "Pipeline", {"Contacts": [HEADER, *GOOGLE_ROWS], "Due": junk}, rows=3, columns=2
    )
    checked = check(f"https://docs.google.com/spreadsheets/d/{key}/edit", as_of=AS_OF)
    google_env.clear_requests()
    write_due_sheet(checked, due(checked, owner="nobody"))
    assert google_writes(google_env) == [f"{key}:batchUpdate", "values:batchUpdate"]
    assert google_env.get_values(key, "Due") == [[c.header for c in DueList.columns]]
    assert [s["properties"]["title"] for s in google_env.spreadsheet(key)["sheets"]] == ["Contacts", "Due"]


# -- through the real CLI ------------------------------------------------------------------------

import json as _json  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import sys as _sys  # noqa: E402


def _cli(*args: str) -> _subprocess.CompletedProcess[str]:
    return _subprocess.run([_sys.executable, "-m", "sheetkit", *args], capture_output=True, text=True, timeout=120)


def test_cli_due_and_match(make_workbook, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import contact as _contact

    path = make_workbook(
        [
            _contact(**{"First Name": "Ana", "Last Contacted": "2026-11-10", "Channels Tried": "email"}),  # overdue
            _contact(Email="bo@example.com", Status="DNC", **{"First Name": "Bo"}),  # never listed
            _contact(Email="cy@example.com", Status="Bounced", **{"First Name": "Cy"}),  # fix the data, today
            _contact(
                Email="di@example.com", Status="Keep warm", **{"First Name": "Di", "Desired Title": "ML Engineer"}
            ),
        ]
    )
    text = _cli("due", str(path), "--as-of", "2026-11-21")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert [line.split()[1] for line in lines[3:5]] == ["Ana", "Cy"] and "Bo" not in text.stdout
    assert "phone" in lines[3] and "fix the contact data" in lines[4]
    data = _json.loads(_cli("due", str(path), "--as-of", "2026-11-21", "--format", "json").stdout)
    assert [r["name"].split()[0] for r in data["rows"]] == ["Ana", "Cy"] and data["count"] == 2
    csv_out = _cli("due", str(path), "--as-of", "2026-11-21", "--format", "csv", "--write-sheet").stdout
    assert csv_out.splitlines()[0].startswith("Row,Name")
    import openpyxl as _openpyxl

    assert "Due" in _openpyxl.load_workbook(path).sheetnames
    assert _cli("due", str(path), "--within", "soonish").returncode == 2
    matched = _cli("match", str(path), "--as-of", "2026-11-21", "--title", "Data Engineer", "--format", "json")
    names = [r["name"].split()[0] for r in _json.loads(matched.stdout)["rows"]]
    assert matched.returncode == 0 and "Ana" in names and "Di" not in names and "Bo" not in names
