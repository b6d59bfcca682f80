"""The day/month order of typed dates, decided per column (issue 14: never guess silently).

The workbooks here are built by hand with openpyxl, their Last Contacted cells TEXT (as typed
into a text-formatted column, or read from a CSV), and checked through the CLI's real entry point
and through the API: a column's unambiguous dates decide its ambiguous ones, an explicit
day_first always wins, an order still unknown is a warning naming both readings, ordinals are
read, relative words and dates without a year are errors, and messages say how a date was read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF, HEADERS, contact
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sheetkit
from sheetkit.config import load_config
from sheetkit.core.dates import read_date_text
from sheetkit.core.normalize import normalize
from sheetkit.core.schema import Schema
from sheetkit.core.schema_file import load_schema
from sheetkit.core.table import table_from_frame

D = dt.date
COLUMN = "J"  # Last Contacted in conftest.HEADERS
HINT = "set day_first: true or false in the schema (sheetkit init --copy-schema gives an editable copy)"


def typed_workbook(path: Path, dates: list[Any], statuses: list[str] | None = None) -> Path:
    """A Contacts sheet whose Last Contacted column is formatted as text and holds ``dates`` as typed."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "Contacts"
    ws.append(HEADERS)
    column = HEADERS.index("Last Contacted") + 1
    for i, value in enumerate(dates):
        status = statuses[i] if statuses else "Contacted"
        row = contact(**{"First Name": f"P{i}", "Email": f"p{i}@example.com", "Status": status})
        ws.append([value if h == "Last Contacted" else row[h] for h in HEADERS])
        if isinstance(value, str):
            ws.cell(i + 2, column).number_format = "@"  # Excel's Text format: what is typed stays text
        else:
            ws.cell(i + 2, column).number_format = "yyyy-mm-dd"  # a real date cell
    workbook.save(path)
    return path


def typed_csv(path: Path, dates: list[str]) -> Path:
    frame = pd.DataFrame([contact(**{"First Name": f"P{i}", "Email": f"p{i}@example.com"}) for i in range(len(dates))])
    frame["Last Contacted"] = dates
    frame.to_csv(path, index=False)
    return path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def read_dates(checked: sheetkit.Checked) -> list[dt.date | None]:
    return [None if pd.isna(v) else v.date() for v in checked.normalized.frame["last_contacted"]]


def messages(checked: sheetkit.Checked) -> dict[str, str]:
    return {p.cell: p.message for p in checked.report.problems}


def schema_copy(tmp_path: Path, day_first: str) -> Path:
    text = Path(load_schema().path).read_text(encoding="utf-8")
    assert "\nday_first: auto\n" in text
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace("\nday_first: auto\n", f"\nday_first: {day_first}\n"), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# The column decides


def test_the_cells_are_text(tmp_path: Path) -> None:
    path = typed_workbook(tmp_path / "contacts.xlsx", ["27.10.2026", "04.11.2026"])
    ws = openpyxl.load_workbook(path)["Contacts"]
    assert [(ws[f"J{r}"].value, ws[f"J{r}"].data_type) for r in (2, 3)] == [("27.10.2026", "s"), ("04.11.2026", "s")]


def test_04_11_2026_beside_27_10_2026_is_4_november(tmp_path: Path) -> None:
    path = typed_workbook(tmp_path / "contacts.xlsx", ["27.10.2026", "04.11.2026"])
    checked = sheetkit.check(path, as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 10, 27), D(2026, 11, 4)]
    assert checked.report.problems == []  # the column decided: nothing was guessed
    assert checked.normalized.read_as("last_contacted", "04.11.2026") == (
        "read as 2026-11-04 (day first, like 27.10.2026 in this column)"
    )

    validate = run("validate", str(path), "--as-of", "2026-11-21")
    assert validate.returncode == 0 and "No problems found." in validate.stdout, validate.stdout
    due = run("due", str(path), "--as-of", "2026-11-21", "--format", "json")
    rows = {r["name"]: r for r in json.loads(due.stdout)["rows"]}
    assert rows["P1 Lima"]["last_contacted"] == "2026-11-04" and rows["P1 Lima"]["next_check_in"] == "2026-11-07"
    assert rows["P1 Lima"]["days_overdue"] == 14
    refresh = run("refresh", str(path), "--as-of", "2026-11-21")
    assert refresh.returncode == 0, refresh.stderr
    ws = openpyxl.load_workbook(path)["Contacts"]
    assert ws["J3"].value == "04.11.2026"  # the typed text is left as it was
    assert ws["P3"].value == 17 and ws["R3"].value.date() == D(2026, 11, 7)  # 21 Nov - 4 Nov; 4 Nov + 3


def test_a_column_of_month_first_dates_reads_its_ambiguous_ones_month_first(tmp_path: Path) -> None:
    path = typed_csv(tmp_path / "contacts.csv", ["10/27/2026", "11/04/2026", "3/4/2026"])
    checked = sheetkit.check(path, as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 10, 27), D(2026, 11, 4), D(2026, 3, 4)]
    assert checked.report.ok
    # a dotted date leans day first only when the column says nothing: here it says month first
    checked = sheetkit.check(typed_csv(tmp_path / "dotted.csv", ["10/27/2026", "04.11.2026"]), as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 10, 27), D(2026, 4, 11)] and checked.report.ok


def test_an_undecided_column_warns_naming_both_readings(tmp_path: Path) -> None:
    path = typed_workbook(tmp_path / "contacts.xlsx", ["03/04/2026", "04/04/2026", "2026-11-02", "03/04/2026"])
    checked = sheetkit.check(path, as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 3, 4), D(2026, 4, 4), D(2026, 11, 2), D(2026, 3, 4)]
    expected = "03/04/2026 could be 2026-03-04 (month first) or 2026-04-03 (day first); read as 2026-03-04 — " + HINT
    # 04/04/2026 reads the same both ways, and ISO text has no order question: no warning for them
    assert messages(checked) == {"Contacts!J2": expected, "Contacts!J5": expected}
    assert {(p.severity, p.rule, p.value, p.header) for p in checked.report.problems} == {
        ("warning", "ambiguous_date", "03/04/2026", "Last Contacted")
    }
    assert checked.report.not_computed == []  # a warning: the date is used as read
    assert str(checked.report.problems[0]) == f"Contacts!J2: {expected}"

    result = run("validate", str(path), "--as-of", "2026-11-21")
    assert result.returncode == 1 and "0 errors, 2 warnings" in result.stdout
    assert f"  warning  2 cells: Contacts!J2, J5: {expected}\n" in result.stdout  # the same warning, one line


def test_an_undecided_dotted_date_is_read_day_first_with_a_warning(tmp_path: Path) -> None:
    checked = sheetkit.check(typed_csv(tmp_path / "contacts.csv", ["04.11.2026"]), as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 11, 4)]
    assert messages(checked) == {
        "contacts!J2": "04.11.2026 could be 2026-04-11 (month first) or 2026-11-04 (day first); read as 2026-11-04 "
        "(day first, as dotted dates usually are) — " + HINT
    }


def test_a_column_of_both_orders_reads_each_unambiguous_date_its_only_way(tmp_path: Path) -> None:
    path = typed_workbook(tmp_path / "contacts.xlsx", ["27/10/2026", "10/28/2026", "03/04/2026", "13.11.2026"])
    checked = sheetkit.check(path, as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 10, 27), D(2026, 10, 28), D(2026, 3, 4), D(2026, 11, 13)]
    assert messages(checked) == {
        "Contacts!J4": "03/04/2026 could be 2026-03-04 (month first) or 2026-04-03 (day first); read as 2026-03-04 — "
        "this column has dates of both orders (27/10/2026 is day first, 10/28/2026 month first): write this one "
        "as 2026-03-04 or 2026-04-03, or " + HINT
    }


def test_a_users_schema_is_named_in_the_warning(tmp_path: Path) -> None:
    schema = schema_copy(tmp_path, "auto")
    path = typed_csv(tmp_path / "contacts.csv", ["3/4/2026"])
    result = run("validate", str(path), "--schema", str(schema), "--as-of", "2026-11-21", "--format", "json")
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["message"].endswith("read as 2026-03-04 — set day_first: true or false in mine.yaml")
    job_search = sheetkit.check(path, schema="job_search", as_of=AS_OF)
    (warning,) = job_search.report.warnings
    assert warning.message.endswith(
        "set day_first: true or false in a copy of the bundled job_search schema (used with --schema)"
    )


# ---------------------------------------------------------------------------------------------
# An explicit setting wins


@pytest.mark.parametrize(
    ("day_first", "expected"),
    [
        ("true", [D(2026, 10, 27), D(2026, 11, 4), D(2026, 4, 3), D(2026, 10, 28)]),
        ("false", [D(2026, 10, 27), D(2026, 4, 11), D(2026, 3, 4), D(2026, 10, 28)]),
    ],
)
def test_an_explicit_day_first_wins_over_the_column(tmp_path: Path, day_first: str, expected: list[D]) -> None:
    schema = schema_copy(tmp_path, day_first)
    path = typed_workbook(tmp_path / "contacts.xlsx", ["27.10.2026", "04.11.2026", "03/04/2026", "10/28/2026"])
    checked = sheetkit.check(path, schema=schema, as_of=AS_OF)
    assert read_dates(checked) == expected  # 27.10 and 10/28 can only be read one way, whatever the setting
    assert checked.report.ok  # the order was said: no warning
    order = "day first" if day_first == "true" else "month first"
    assert checked.normalized.read_as("last_contacted", "03/04/2026").endswith(
        f"({order}, as the schema's day_first says)"
    )
    result = run("validate", str(path), "--schema", str(schema), "--as-of", "2026-11-21")
    assert result.returncode == 0, result.stdout


def test_day_first_in_the_config_file_wins_too(tmp_path: Path) -> None:
    typed_workbook(tmp_path / "contacts.xlsx", ["03/04/2026", "05.06.2026"])
    config = tmp_path / "sheetkit.toml"
    config.write_text('[sheetkit]\nday_first = true\n\n[[sheetkit.sources]]\npath = "contacts.xlsx"\n')
    result = run("refresh", "--config", str(config), "--as-of", "2026-11-21")
    assert result.returncode == 0, result.stdout + result.stderr
    ws = openpyxl.load_workbook(tmp_path / "contacts.xlsx")["Contacts"]
    assert [ws[f"P{r}"].value for r in (2, 3)] == [(AS_OF - D(2026, 4, 3)).days, (AS_OF - D(2026, 6, 5)).days]
    config.write_text('[sheetkit]\nday_first = "auto"\n\n[[sheetkit.sources]]\npath = "contacts.xlsx"\n')
    schema = load_config(config).schema
    assert schema.day_first is None
    checked = sheetkit.check(tmp_path / "contacts.xlsx", schema=schema, as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 3, 4), D(2026, 6, 5)] and len(checked.report.warnings) == 2


# ---------------------------------------------------------------------------------------------
# Ordinals, relative words, no year


def test_ordinals_are_read(tmp_path: Path) -> None:
    typed = ["23rd November 2025", "November 3rd, 2026", "4th March 2026", "1st Jan 2026", "the 2nd of May 2026"]
    checked = sheetkit.check(typed_workbook(tmp_path / "contacts.xlsx", typed), as_of=AS_OF)
    assert read_dates(checked) == [D(2025, 11, 23), D(2026, 11, 3), D(2026, 3, 4), D(2026, 1, 1), D(2026, 5, 2)]
    assert checked.report.ok


def test_relative_words_and_dates_without_a_year_are_errors_that_say_what_to_write(tmp_path: Path) -> None:
    typed = ["next tuesday", "yesterday", "in 2 days", "last week", "ASAP", "tbd", "23rd November", "Nov 23"]
    path = typed_workbook(tmp_path / "contacts.xlsx", typed)
    checked = sheetkit.check(path, as_of=AS_OF)  # 2026-11-21, a Saturday
    assert read_dates(checked) == [None] * len(typed)  # none of them is read as a date
    assert messages(checked) == {
        "Contacts!J2": "'next tuesday' is a relative date; write the date itself, e.g. 2026-11-24",
        "Contacts!J3": "'yesterday' is a relative date; write the date itself, e.g. 2026-11-20",
        "Contacts!J4": "'in 2 days' is a relative date; write the date itself, e.g. 2026-11-23",
        "Contacts!J5": "'last week' is a relative date; write the date itself, e.g. 2026-11-14",
        "Contacts!J6": "'ASAP' is not a date; write the date itself, e.g. 2026-11-21, "
        "or leave the cell blank until there is one",
        "Contacts!J7": "'tbd' is not a date; write the date itself, e.g. 2026-11-21, "
        "or leave the cell blank until there is one",
        "Contacts!J8": "'23rd November' has no year, so it is not read as a date; write the year too, "
        "e.g. 23rd November 2026",
        "Contacts!J9": "'Nov 23' has no year, so it is not read as a date; write the year too, e.g. Nov 23, 2026",
    }
    assert all(p.severity == "error" and p.rule == "type" for p in checked.report.problems)
    assert checked.report.not_computed == list(range(2, 10))
    result = run("validate", str(path), "--as-of", "2026-11-21")
    assert result.returncode == 1 and "'next tuesday' is a relative date; write the date itself, e.g. 2026-11-24" in (
        result.stdout
    )


# ---------------------------------------------------------------------------------------------
# Messages say how a typed date was read


def test_a_date_after_the_as_of_date_says_how_it_was_read(tmp_path: Path) -> None:
    path = typed_workbook(tmp_path / "contacts.xlsx", ["12.08.2026", "08/13/2026", "2026-12-08", "27.12.2026"])
    messages_by_cell = messages(sheetkit.check(path, as_of=AS_OF))
    # the column says nothing settled (27.12 is day first, 08/13 month first): 12.08.2026 is a guess
    assert messages_by_cell["Contacts!J2"].startswith("12.08.2026 could be 2026-12-08 (month first) or 2026-08-12")

    path = typed_workbook(tmp_path / "us.xlsx", ["12.08.2026", "08/13/2026", "2026-12-08", "12/27/2026"])
    checked = sheetkit.check(path, as_of=AS_OF)
    assert messages(checked) == {
        "Contacts!J2": "12.08.2026, read as 2026-12-08 (month first, like 08/13/2026 in this column), is after the "
        "as-of date 2026-11-21; a contact date cannot be in the future",
        # ISO text and a date with only one reading need no "read as"
        "Contacts!J4": "2026-12-08 is after the as-of date 2026-11-21; a contact date cannot be in the future",
        "Contacts!J5": "12/27/2026 is after the as-of date 2026-11-21; a contact date cannot be in the future",
    }
    result = run("validate", str(path), "--as-of", "2026-11-21")
    assert "12.08.2026, read as 2026-12-08 (month first, like 08/13/2026 in this column), is after" in result.stdout


def test_a_real_date_cell_needs_no_reading(tmp_path: Path) -> None:
    path = typed_workbook(tmp_path / "contacts.xlsx", [dt.datetime(2026, 12, 8), "27.10.2026"])
    (problem,) = sheetkit.check(path, as_of=AS_OF).report.problems
    assert problem.message == "2026-12-08 is after the as-of date 2026-11-21; a contact date cannot be in the future"


def test_the_example_workbooks_typed_date_is_a_warning() -> None:
    example = Path(__file__).parent.parent / "examples" / "recruiter_contacts.xlsx"
    warnings = {p.cell: p.message for p in sheetkit.validate(example, as_of=AS_OF).warnings}
    assert warnings["Contacts!J64"] == (
        "3/4/2026 could be 2026-03-04 (month first) or 2026-04-03 (day first); read as 2026-03-04 — " + HINT
    )


# ---------------------------------------------------------------------------------------------
# A column's inference never changes an unambiguous value


def _forms(day: dt.date) -> list[str]:
    """Ways to type ``day`` that are unambiguous on their own."""
    month = day.strftime("%b")
    forms = [day.isoformat(), f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}"]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(day.day, "th")
    forms.append(f"{day.day}{suffix} {day.strftime('%B')} {day.year}")
    if day.day > 12:  # the day cannot be a month: the numeric forms have one reading
        forms += [f"{day.day}/{day.month}/{day.year}", f"{day.day:02d}.{day.month:02d}.{day.year}"]
        forms += [f"{day.month}/{day.day}/{day.year}", f"{day.month:02d}-{day.day:02d}-{day.year}"]
    if day.day == day.month:
        forms += [f"{day.day:02d}/{day.month:02d}/{day.year}", f"{day.day}.{day.month}.{day.year}"]
    return forms


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2060, 12, 31))
unambiguous = dates.flatmap(lambda day: st.sampled_from(_forms(day)).map(lambda text: (text, day)))
ambiguous = st.builds(
    lambda year, a, b, sep: f"{a:02d}{sep}{b:02d}{sep}{year}",
    st.integers(1950, 2060),
    st.integers(1, 12),
    st.integers(1, 12),
    st.sampled_from(["/", ".", "-"]),
)
SCHEMA: Schema = load_schema()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(unambiguous, ambiguous.map(lambda text: (text, None))), min_size=1, max_size=25),
    st.sampled_from([None, True, False]),
)
def test_the_column_never_changes_an_unambiguous_reading(
    column: list[tuple[str, dt.date | None]], day_first: bool | None
) -> None:
    import dataclasses

    schema = dataclasses.replace(SCHEMA, day_first=day_first)
    frame = pd.DataFrame({"First Name": "A", "Status": "Contacted", "Last Contacted": [text for text, _ in column]})
    normalized = normalize(table_from_frame(frame), schema, AS_OF)
    read = [v.date() for v in normalized.frame["last_contacted"]]
    warned = {p.row for p in normalized.problems if p.rule == "ambiguous_date"}
    for row, ((text, day), got) in enumerate(zip(column, read, strict=True), start=2):
        reading = read_date_text(text)
        assert reading is not None
        if day is not None or not reading.ambiguous:  # one reading: the column has no say
            assert got == (day or reading.month_first), text
            assert row not in warned and normalized.read_as("last_contacted", text) == ""
        else:  # one of its two readings; warned about exactly when nothing said which
            assert got in (reading.month_first, reading.day_first), text
            assert (row in warned) == (day_first is None and not _column_decides(column)), text
            if day_first is not None:
                assert got == (reading.day_first if day_first else reading.month_first), text
            elif _column_decides(column):
                assert got == (reading.day_first if _proofs(column) == {"day"} else reading.month_first), text


def _proofs(column: list[tuple[str, dt.date | None]]) -> set[str]:
    """The orders the column's values prove ("day" for 27/10/2026, "month" for 10/27/2026)."""
    return {proof for text, _ in column if (r := read_date_text(text)) is not None and (proof := r.proves)}


def _column_decides(column: list[tuple[str, dt.date | None]]) -> bool:
    """Whether the column proves one order and not the other."""
    return len(_proofs(column)) == 1


# ---------------------------------------------------------------------------------------------
# Another program wrote the file


@pytest.mark.interop
def test_a_workbook_resaved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    from soffice import resave_with_libreoffice

    typed = ["27.10.2026", "04.11.2026", "03/04/2026", "23rd November 2025", "next tuesday"]
    original = typed_workbook(tmp_path / "contacts.xlsx", typed)
    resaved = resave_with_libreoffice(original, tmp_path / "libreoffice")
    ws = openpyxl.load_workbook(resaved)["Contacts"]
    assert [ws[f"J{r}"].value for r in range(2, 7)] == typed and ws["J2"].data_type == "s"  # still text
    with zipfile.ZipFile(resaved) as package:
        assert b"LibreOffice" in package.read("docProps/app.xml")  # another program wrote this file
    checked = sheetkit.check(resaved, as_of=AS_OF)
    assert read_dates(checked) == [D(2026, 10, 27), D(2026, 11, 4), D(2026, 4, 3), D(2025, 11, 23), None]
    assert messages(checked) == {
        "Contacts!J6": "'next tuesday' is a relative date; write the date itself, e.g. 2026-11-24",
    }  # 03/04/2026 is day first like 27.10.2026: no warning
    result = run("refresh", str(resaved), "--as-of", "2026-11-21")
    assert result.returncode == 1 and "1 error, 0 warnings" in result.stdout, result.stdout + result.stderr
    ws = openpyxl.load_workbook(resaved)["Contacts"]
    assert ws["P3"].value == 17 and ws["R3"].value.date() == D(2026, 11, 7)
