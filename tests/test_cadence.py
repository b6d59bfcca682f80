"""Per-person cadence ("Check-in every"): reading it, and Next Check-In from it in due and refresh alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF, HEADERS, WorkbookFactory, contact

import sheetkit
from sheetkit.core.dates import CADENCE_FORMS, read_cadence
from sheetkit.lists.due import due

D = dt.datetime
WITH_CADENCE = [*HEADERS, "Check-in every"]


@pytest.mark.parametrize(
    ("value", "days"),
    [
        ("30 days", 30),
        ("2 weeks", 14),
        ("monthly", 30),
        ("Quarterly", 90),
        ("6 months", 180),
        ("every 3 months", 90),
        ("Every 2 Weeks", 14),
        ("a month", 30),
        ("every week", 7),
        ("1 year", 365),
        ("  weekly ", 7),
        ("fortnightly", 14),
        ("half-yearly", 180),
        ("10d", 10),
        ("45", 45),
        (45, 45),
        (45.0, 45),
    ],
)
def test_cadences_people_write(value: Any, days: int) -> None:
    assert read_cadence(value) == days


@pytest.mark.parametrize(
    "value", ["soon", "week", "0 days", "-3 days", "2 fortnights", "monthly-ish", 45.5, 0, True, ""]
)
def test_what_is_not_a_cadence(value: Any) -> None:
    assert read_cadence(value) is None


def people() -> list[dict[str, Any]]:
    """Last contacted 2026-11-01 (contacted: +3 days by status; keep_warm: +90)."""
    return [
        contact(**{"First Name": "Al", "Email": "al@example.com", "Check-in every": "monthly"}),  # 12-01
        contact(**{"First Name": "Bo", "Email": "bo@example.com", "Check-in every": "2 weeks"}),  # 11-15: overdue
        contact(**{"First Name": "Cy", "Email": "cy@example.com", "Check-in every": None}),  # 11-04 (status)
        contact(
            **{"First Name": "Di", "Email": "di@example.com", "Status": "Silver medalist", "Check-in every": "10 days"}
        ),  # 11-11 instead of 2027-01-30
        contact(
            **{"First Name": "Ed", "Email": "ed@example.com", "Status": "DNC", "Check-in every": "weekly"}
        ),  # never
        contact(
            **{
                "First Name": "Fy",
                "Email": "fy@example.com",
                "Status": "New",
                "Last Contacted": None,
                "Check-in every": "quarterly",
            }
        ),  # new: due today whatever the cadence
    ]


def test_own_cadence_replaces_the_status_cadence_in_due_and_refresh(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(people(), headers=WITH_CADENCE)
    expected = {
        "Al": dt.date(2026, 12, 1),
        "Bo": dt.date(2026, 11, 15),
        "Cy": dt.date(2026, 11, 4),
        "Di": dt.date(2026, 11, 11),
        "Fy": AS_OF,
    }
    checked = sheetkit.check(path, as_of=AS_OF)
    assert checked.report.problems == []
    listed = due(checked, within_days=100_000)
    assert {r.name.split()[0]: r.next_check_in for r in listed.rows} == expected  # Ed (DNC) is never listed

    sheetkit.refresh(path, as_of=AS_OF)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    column = header.index("Next Check-In")
    written = {row[0].value: row[column].value for row in sheet.iter_rows(min_row=2)}
    assert {k: v.date() for k, v in written.items() if v is not None} == expected
    assert written["Ed"] is None


def test_an_unreadable_cadence_is_an_error_listing_the_forms(make_workbook: WorkbookFactory) -> None:
    rows = [contact(**{"Check-in every": "when she is back"})]
    report = sheetkit.validate(make_workbook(rows, headers=WITH_CADENCE), as_of=AS_OF)
    (problem,) = report.problems
    assert (problem.cell, problem.rule, problem.severity) == ("Contacts!P2", "type", "error")
    assert problem.message == f"'when she is back' is not a cadence; write one of: {CADENCE_FORMS}"
    frame = sheetkit.enrich(make_workbook(rows, headers=WITH_CADENCE, name="again.xlsx"), as_of=AS_OF)
    assert frame["Next Check-In"].isna().all()  # not silently the status cadence


@pytest.mark.parametrize("header", ["Cadence", "Keep in touch every", "check-in every"])
def test_the_column_goes_by_its_other_names(make_workbook: WorkbookFactory, header: str) -> None:
    rows = [contact(**{header: "monthly"})]
    checked = sheetkit.check(make_workbook(rows, headers=[*HEADERS, header]), as_of=AS_OF)
    assert checked.report.problems == []
    assert due(checked, within_days=100).rows[0].next_check_in == dt.date(2026, 12, 1)


def test_non_responsive_rows_keep_the_non_responsive_cadence(make_workbook: WorkbookFactory) -> None:
    row = contact(
        **{
            "Follow-ups": 3,
            "Channels Tried": "email, phone",
            "Check-in every": "weekly",
            "Last Contacted": D(2026, 11, 1),
        }
    )
    checked = sheetkit.check(make_workbook([row], headers=WITH_CADENCE), as_of=AS_OF)
    facts = checked.follow_up.iloc[0]
    assert bool(facts["non_responsive"]) and facts["next_check_in"].date() == dt.date(2027, 4, 30)  # +180 days
