"""One engine: every command names the same cells and counts the same rows.

Random sheets the way people make them (title rows above the header, blank rows inside the
table, cells a person typed wrong) go through the commands as a user runs them: validate,
refresh --dry-run, due, report and sync (against the emulator, after a push made the Google
copy). Each must name the same problem cells, list the same rows without computed values, and
count the same rows; due and report must agree on who is due.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from conftest import AS_OF, contact
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetkit.cli import main

# What a person puts in a row: a good row, nothing at all, or one cell typed wrong.
MISTAKES: dict[str, dict[str, Any]] = {
    "good": {},
    "blank": {},
    "bad date": {"Last Contacted": "next tuesday"},
    "bad email": {"Email": "ana at example"},
    "unknown status": {"Status": "Ghosted maybe"},
    "bad count": {"Follow-ups": "many"},
    "blank status": {"Status": None},
}

sheets = st.tuples(
    st.lists(st.sampled_from(["Candidates 2026", "owner: Sam", ""]), max_size=3),
    st.lists(st.sampled_from(sorted(MISTAKES)), min_size=1, max_size=8),
)


def _rows(kinds: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, kind in enumerate(kinds):
        if kind == "blank":
            rows.append({})  # every cell empty: a blank row inside the table
            continue
        person = contact(**{"First Name": f"P{i}", "Email": f"p{i}@example.com", **MISTAKES[kind]})
        rows.append(person)
    if all(kind == "blank" for kind in kinds):
        rows.append(contact())
    return rows


def _run(*args: str) -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*args, "--format", "json"])
    return code, json.loads(out.getvalue())


def _cells(report: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((p["cell"], p["rule"]) for p in report["problems"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=sheets)
def test_every_command_names_the_same_cells(
    google_env: Any, make_workbook: Any, tmp_path_factory: Any, sheet: tuple[list[str], list[str]]
) -> None:
    titles, kinds = sheet
    folder: Path = tmp_path_factory.mktemp("sheet")
    path = make_workbook(_rows(kinds), title_rows=[[t] if t else [] for t in titles], name="book.xlsx")
    path = path.replace(folder / "book.xlsx")
    as_of = ["--as-of", AS_OF.isoformat()]

    _, validated = _run("validate", str(path), *as_of)
    _, refreshed = _run("refresh", str(path), "--dry-run", *as_of)
    _, due = _run("due", str(path), "--within", "7", *as_of)
    _, report = _run("report", str(path), *as_of)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [["placeholder"]]})
    pushed, _ = _run("push", str(path), key)
    assert pushed == 0
    _, synced = _run("sync", str(path), key, *as_of)

    expected = _cells(validated)
    assert validated["rows"] == sum(kind != "blank" for kind in kinds) or set(kinds) == {"blank"}
    assert _cells(refreshed["report"]) == expected
    assert _cells(synced["report"]) == expected
    for other in (refreshed["report"], synced["report"]):
        assert other["rows"] == validated["rows"]
        assert other["rows_not_computed"] == validated["rows_not_computed"]
        assert (other["errors"], other["warnings"]) == (validated["errors"], validated["warnings"])
    assert (report["counts"]["errors"], report["counts"]["warnings"]) == (validated["errors"], validated["warnings"])
    assert report["counts"]["rows"] == validated["rows"]
    # The report's due table (within 7 days) and `sheetkit due --within 7` list the same people.
    assert [r["Row"] for r in report["due"]] == [r["row"] for r in due["rows"]]
    assert not set(validated["rows_not_computed"]) & {r["row"] for r in due["rows"]}
    # Every problem names a cell in the sheet's own numbering: at or below the real header row.
    header_row = len(titles) + 1
    assert all(int("".join(filter(str.isdigit, cell))) > header_row for cell, _ in expected if "!" in cell)
