"""Optional computed columns and the job-search schema: same engine, rules from the schema only."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF, WorkbookFactory, contact

import sheetkit
from sheetkit.core.schema_file import load_schema, parse_schema


def recruiter_with_extras() -> object:
    text = Path(load_schema().path).read_text(encoding="utf-8").replace("    enabled: false\n", "    enabled: true\n")
    return parse_schema(text)


def row(status: str, tried: str = "", method: str = "", last: str | None = "2026-11-01", follow_ups: int = 1) -> dict:
    return {
        "First Name": "X",
        "Status": status,
        "Last Contacted": last,
        "Follow-ups": follow_ups,
        "Channels Tried": tried,
        "Contact Method": method,
    }


@pytest.mark.parametrize(
    ("status", "tried", "method", "expected"),
    [
        ("Contacted", "email", "", "phone"),  # email went unanswered: try the phone
        ("Contacted", "email, phone", "", "linkedin"),  # then LinkedIn
        ("Contacted", "phone", "", "linkedin"),  # after the phone comes LinkedIn
        ("Contacted", "email, phone, linkedin", "", "email"),  # all tried: start over after the last
        ("Contacted", "", "Phone", "linkedin"),  # only the preferred channel is known
        ("Ghosted", "LinkedIn", "", "email"),
        ("Replied", "email, phone", "Phone", "phone"),  # engaged: stay where they answer
        ("New", "", "", "email"),  # first touch: the first channel
        ("New", "", "Cell", "phone"),  # ...or their preferred one
        ("Bounced", "email", "", "fix the contact data"),  # wrong contact: fix the data first
        ("DNC", "email", "", None),  # never contact
    ],
)
def test_suggested_channel(status: str, tried: str, method: str, expected: str | None) -> None:
    out = sheetkit.enrich(pd.DataFrame([row(status, tried, method)]), schema=recruiter_with_extras(), as_of=AS_OF)
    value = out["Suggested Channel"].iloc[0]
    assert (None if value is None or pd.isna(value) else value) == expected


def test_due_bucket() -> None:
    rows = [
        row("Contacted", last="2026-11-10"),  # due 11-13: overdue
        row("Contacted", last="2026-11-18"),  # due 11-21: today
        row("Contacted", last="2026-11-20"),  # due 11-23: this week
        row("Keep warm", last="2026-11-20"),  # due 2027-02-18: later
        row("DNC"),  # never: blank
        row("New", last=None),  # due now: today
    ]
    out = sheetkit.enrich(pd.DataFrame(rows), schema=recruiter_with_extras(), as_of=AS_OF)
    assert [None if pd.isna(v) else v for v in out["Due"]] == ["overdue", "today", "this week", "later", None, "today"]


def test_extras_are_off_by_default() -> None:
    out = sheetkit.enrich(pd.DataFrame([row("Contacted")]), as_of=AS_OF)
    assert "Suggested Channel" not in out.columns and "Due" not in out.columns


def test_extras_written_back_when_switched_on(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    schema_path = tmp_path / "mine.yaml"
    schema_path.write_text(
        Path(load_schema().path).read_text(encoding="utf-8").replace("    enabled: false\n", "    enabled: true\n")
    )
    path = make_workbook([contact(**{"Channels Tried": "email"})])
    result = subprocess.run(
        [sys.executable, "-m", "sheetkit", "refresh", str(path), "--schema", str(schema_path), "--as-of", "2026-11-21"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(path)["Contacts"]
    assert [ws.cell(1, c).value for c in range(16, 21)] == [
        "Days Since Contact",
        "Non-Responsive",
        "Next Check-In",
        "Suggested Channel",
        "Due",
    ]
    assert [ws.cell(2, c).value for c in (19, 20)] == ["phone", "overdue"]


# -- the job seeker's side of the table ------------------------------------------------------------

JOB_HEADERS = [
    "Company",
    "Role",
    "Recruiter",
    "Recruiter Email",
    "Applied",
    "Status",
    "Last Contact",
    "Thank-You Sent",
    "Feedback Asked",
    "Notes",
]


def job_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Applications"
    ws.append(JOB_HEADERS)
    ws.append(
        [
            "Acme",
            "Data Engineer",
            "Pat",
            "pat@acme.com",
            dt.datetime(2026, 11, 1),
            "Phone screen",
            dt.datetime(2026, 11, 19),
            "no",
            "",
            "",
        ]
    )
    ws.append(
        [
            "Globex",
            "Analytics Engineer",
            "Sam",
            "sam@globex.com",
            dt.datetime(2026, 10, 1),
            "Interviewing",
            dt.datetime(2026, 11, 20),
            "yes",
            "",
            "",
        ]
    )
    ws.append(
        [
            "Initech",
            "ML Engineer",
            "Lee",
            "lee@initech",
            dt.datetime(2026, 10, 15),
            "Applied",
            dt.datetime(2026, 10, 15),
            "",
            "",
            "",
        ]
    )
    ws.append(
        [
            "Umbrella",
            "Data Engineer",
            "Kim",
            "kim@umbrella.com",
            dt.datetime(2026, 9, 1),
            "Rejected",
            dt.datetime(2026, 10, 1),
            "yes",
            "yes",
            "",
        ]
    )
    ws.append(
        [
            "Hooli",
            "Staff Engineer",
            "Ali",
            "ali@hooli.com",
            dt.datetime(2026, 9, 1),
            "Withdrew",
            dt.datetime(2026, 9, 5),
            "",
            "",
            "",
        ]
    )
    ws.append(
        [
            "Soylent",
            "Data Engineer",
            "Bo",
            "bo@soylent.com",
            None,
            "Interviewing",
            dt.datetime(2026, 11, 2),
            "maybe",
            "",
            "",
        ]
    )
    book.save(path)
    return path


def test_job_search_schema_through_the_same_engine(tmp_path: Path) -> None:
    path = job_workbook(tmp_path / "applications.xlsx")
    report = sheetkit.validate(path, schema="job_search", as_of=AS_OF)
    assert {(p.cell, p.rule) for p in report.problems} == {
        ("Applications!D4", "email"),
        ("Applications!H7", "type"),  # "maybe" is not TRUE or FALSE
    }
    result = sheetkit.refresh(path, schema="job_search", as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Applications"]
    assert [ws.cell(1, c).value for c in (11, 12, 13)] == ["Days Since Contact", "Next Check-In", "Thank-You Due"]
    got = [[ws.cell(r, c).value for c in (11, 12, 13)] for r in range(2, 8)]
    assert got == [
        [2, dt.datetime(2026, 11, 22), True],  # interviewing (phone screen), no thank-you yet: +3, flag
        [1, dt.datetime(2026, 11, 23), False],  # interviewing, thank-you sent
        [37, dt.datetime(2026, 10, 22), False],  # applied: +7 (overdue)
        [51, dt.datetime(2026, 12, 30), False],  # rejected: stay in touch in 90 days
        [77, None, False],  # withdrawn: never
        [None, None, None],  # "maybe" in Thank-You Sent: the flag cannot be computed
    ]
    assert result.report.not_computed == [7]


def test_job_search_from_the_cli(tmp_path: Path) -> None:
    path = job_workbook(tmp_path / "applications.xlsx")
    result = subprocess.run(
        [sys.executable, "-m", "sheetkit", "validate", str(path), "--schema", "job_search", "--as-of", "2026-11-21"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Applications!D4" in result.stdout and "'maybe' is not TRUE or FALSE" in result.stdout


def test_job_search_due_through_the_cli(tmp_path: Path) -> None:
    import json

    path = job_workbook(tmp_path / "applications.xlsx")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sheetkit",
            "due",
            str(path),
            "--schema",
            "job_search",
            "--as-of",
            "2026-11-21",
            "--within",
            "1d",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = json.loads(result.stdout)["rows"]
    # Initech (applied, due 10-22) is the most overdue; Acme (interviewing, due 11-22) is within a day;
    # Globex is due 11-23 (outside); Hooli (withdrew) never; Soylent's row has an error.
    assert [r["name"] for r in rows] == ["Initech", "Acme"]
    assert rows[0]["days_overdue"] == 30 and rows[0]["suggested_channel"] == "email"  # nothing tried yet: the first
