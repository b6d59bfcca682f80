"""push and pull compare whole rows and columns first: the cells they change must be exactly those the
plain cell-by-cell comparison changes, above all where two cells differ only in type."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetkit.core.cells import CellUpdate
from sheetkit.core.values import google_value, normal, shows, values_equal
from sheetkit.transfer import (
    _candidate_rows,
    _pull_changes,
    _pull_rules,
    _push_changes,
    _push_rules,
    pull,
    push,
)


def url(spreadsheet_id: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"


def writes(emulator: Any) -> list[Any]:
    return [r for r in emulator.requests if r.method != "GET"]


def save_workbook(path: Path, rows: list[list[Any]], sheet: str = "Contacts") -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    workbook.save(path)
    return path


# -- the cell-by-cell comparisons push and pull made before (the reference) ---------------------------


def reference_push(local_rows: list[list[Any]], remote_rows: list[list[Any]]) -> tuple[int, list[Any], list[Any]]:
    local_values = [[google_value(v) for v in row] for row in local_rows]
    while local_values and not any(v != "" for v in local_values[-1]):
        local_values.pop()
    height = max(len(local_values), len(remote_rows))
    width = max([len(r) for r in local_values] + [len(r) for r in remote_rows] + [0])
    updates, new_dates = [], []
    for i in range(min(height, len(local_values))):
        local_row = local_values[i]
        remote_row = remote_rows[i] if i < len(remote_rows) else []
        for j in range(width):
            new = local_row[j] if j < len(local_row) else ""
            old = remote_row[j] if j < len(remote_row) else ""
            if not values_equal(old, new):
                value = local_rows[i][j] if j < len(local_rows[i]) else None
                update = CellUpdate(i + 1, j + 1, normal(value))
                updates.append(update)
                held_number = isinstance(old, (int, float)) and not isinstance(old, bool)
                if isinstance(update.value, dt.date) and not held_number:
                    new_dates.append(update)
    return len(local_values), updates, new_dates


def _pulled(value: Any, is_date: bool) -> Any:
    """A Google cell as pull writes it: normal() in a date column, else only blanks made None."""
    if is_date:
        return normal(value, is_date=True)
    return None if value == "" or value is None else value


def reference_pull(local_rows: list[list[Any]], remote_rows: list[list[Any]], date_cols: set[int]) -> list[Any]:
    values = [[_pulled(v, j in date_cols) for j, v in enumerate(row)] for row in remote_rows]
    height = max(len(values), len(local_rows))
    width = max([len(r) for r in values] + [len(r) for r in local_rows] + [0])
    updates = []
    for i in range(height):
        new_row = values[i] if i < len(values) else []
        old_row = local_rows[i] if i < len(local_rows) else []
        for j in range(width):
            new = new_row[j] if j < len(new_row) else None
            old = old_row[j] if j < len(old_row) else ""
            if not shows(old, new):
                updates.append(CellUpdate(i + 1, j + 1, new))
    return updates


def typed(updates: list[CellUpdate]) -> list[tuple[int, int, str, str]]:
    """Updates with their values' types: 1 and 1.0 and True are different updates here."""
    return [(u.row, u.column, type(u.value).__name__, repr(u.value)) for u in updates]


# Cells chosen to collide: 1, 1.0, True, "1", "TRUE", a date and its serial, blanks of every kind.
DAY = dt.date(2026, 11, 1)
SERIAL = 46327
SHARED = [
    "",
    " ",
    "5",
    "1",
    "TRUE",
    "FALSE",
    "2026-11-01",
    "x",
    0,
    1,
    5,
    SERIAL,
    0.0,
    1.0,
    1.5,
    46327.5,
    float("nan"),
    True,
    False,
]
LOCAL_ONLY = [
    None,
    DAY,
    dt.date(1899, 12, 31),
    dt.datetime(2026, 11, 1),
    dt.datetime(2026, 11, 1, 12),
    dt.timedelta(hours=12),
    dt.timedelta(days=1),
]
local_cell = st.sampled_from(SHARED + LOCAL_ONLY)
remote_cell = st.sampled_from(SHARED)


def grid(cell: st.SearchStrategy[Any]) -> st.SearchStrategy[list[list[Any]]]:
    """Small ragged grids; columns drawn from a few values, so many columns hold one kind only."""

    def rows(palette: list[Any]) -> st.SearchStrategy[list[list[Any]]]:
        return st.lists(st.lists(st.sampled_from(palette), max_size=5), max_size=7)

    return st.lists(cell, min_size=1, max_size=4).flatmap(rows)


@settings(max_examples=400, deadline=None)
@given(local=grid(local_cell), remote=grid(remote_cell))
def test_push_changes_the_cells_the_cell_by_cell_comparison_changes(
    local: list[list[Any]], remote: list[list[Any]]
) -> None:
    height, updates, new_dates = _push_changes(local, remote)
    expected_height, expected, expected_dates = reference_push(local, remote)
    assert height == expected_height
    assert typed(updates) == typed(expected)
    assert typed(new_dates) == typed(expected_dates)


@settings(max_examples=400, deadline=None)
@given(local=grid(local_cell), remote=grid(remote_cell), date_cols=st.sets(st.integers(0, 4), max_size=3))
def test_pull_changes_the_cells_the_cell_by_cell_comparison_changes(
    local: list[list[Any]], remote: list[list[Any]], date_cols: set[int]
) -> None:
    assert typed(_pull_changes(local, remote, date_cols)) == typed(reference_pull(local, remote, date_cols))


def google_form(value: Any) -> Any:
    """The cell Google gives back for a local value pushed earlier (a number that is whole is an int)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return google_value(value)


def mostly_same(rows: list[list[Any]], form: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[list[list[Any]]]:
    """``rows`` as the other side holds them after a sync, but for some changed cells and cut row ends."""
    cell = st.integers(0, 5).flatmap(lambda n: other if n == 0 else st.just(None))

    def copy(picks: list[list[Any]]) -> list[list[Any]]:
        return [
            [form(v) if pick is None else pick for v, pick in zip(row, row_picks, strict=True)]
            for row, row_picks in zip(rows, picks, strict=True)
        ]

    picks = st.tuples(*(st.lists(cell, min_size=len(r), max_size=len(r)) for r in rows)).map(list)
    trims = st.tuples(st.integers(0, 1), st.integers(0, 2))
    return st.tuples(picks, trims).map(lambda t: [r[: len(r) - t[1][1]] if t[1][0] else r for r in copy(t[0])])


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_push_of_a_sheet_in_sync_but_for_a_few_cells(data: st.DataObject) -> None:
    local = data.draw(grid(local_cell))
    remote = data.draw(mostly_same(local, google_form, remote_cell))
    height, updates, new_dates = _push_changes(local, remote)
    expected_height, expected, expected_dates = reference_push(local, remote)
    assert (height, typed(updates), typed(new_dates)) == (expected_height, typed(expected), typed(expected_dates))


@settings(max_examples=400, deadline=None)
@given(st.data(), st.sets(st.integers(0, 4), max_size=3))
def test_pull_into_a_workbook_in_sync_but_for_a_few_cells(data: st.DataObject, date_cols: set[int]) -> None:
    remote = data.draw(grid(remote_cell))

    def local_form(value: Any) -> Any:  # calamine's reading of what pull wrote (dates in every column here)
        pulled = normal(value, is_date=True)
        return "" if pulled is None else pulled

    local = data.draw(mostly_same(remote, local_form, local_cell))
    assert typed(_pull_changes(local, remote, date_cols)) == typed(reference_pull(local, remote, date_cols))


def test_rows_that_are_equal_as_lists_still_differ_by_type() -> None:
    """[True] == [1] and [1.0] == [1] in Python; only the second pair is the same cell for push."""
    local = [["a", True, 1.0, 0], ["b", 1, 2.0, False]]
    remote = [["a", 1, 1, False], ["b", True, 2, 0]]
    assert local == remote
    _, updates, _ = _push_changes(local, remote)
    assert typed(updates) == [
        (1, 2, "bool", "True"),
        (1, 4, "int", "0"),
        (2, 2, "int", "1"),
        (2, 4, "bool", "False"),
    ]
    pulled = _pull_changes(local, remote, set())
    assert typed(pulled) == [(1, 2, "int", "1"), (1, 4, "bool", "False"), (2, 2, "bool", "True"), (2, 4, "int", "0")]


def test_a_big_in_sync_sheet_has_one_candidate_row_the_edited_one() -> None:
    row = ["Ana", "ana@example.com", DAY, 2.0, True, "", dt.datetime(2026, 11, 1, 9, 30)]
    google = ["Ana", "ana@example.com", SERIAL, 2, True, "", 46327.395833333336]
    local = [list(row) for _ in range(5000)]
    remote = [list(google) for _ in range(5000)]
    local[4321][1] = "ana@example.org"
    assert _candidate_rows(local, remote, len(local), _push_rules) == [4321]
    _, updates, _ = _push_changes(local, remote)
    assert typed(updates) == [(4322, 2, "str", "'ana@example.org'")]
    local, remote = [r[:6] for r in local], [r[:6] for r in remote]  # pull keeps no time of day
    assert _candidate_rows(local, remote, len(local), _pull_rules({2})) == [4321]
    assert typed(_pull_changes(local, remote, {2})) == [(4322, 2, "str", "'ana@example.com'")]


# -- through the emulator --------------------------------------------------------------------------

CASES: list[tuple[str, Any, Any, Any]] = [
    # (case, local cell, Google cell, what Google holds after the push: None = unchanged)
    ("number vs its text", 5, "5", 5),
    ("text vs its number", "5", 5, "5"),
    ("date vs its serial", DAY, SERIAL, None),
    ("true vs TRUE text", True, "TRUE", True),
    ("1.0 vs 1", 1.0, 1, None),
    ("datetime vs its serial", dt.datetime(2026, 11, 1, 12), 46327.5, None),
    ("true vs 1", True, 1, True),
    ("1 vs true", 1, True, 1),
    ("false vs 0", False, 0, False),
    ("0 vs false", 0, False, 0),
    ("true vs true", True, True, None),
    ("text vs text", "x", "x", None),
    ("1.5 vs 1.5", 1.5, 1.5, None),
    ("blank vs blank", "", "", None),
]


def test_push_treats_cells_that_differ_only_in_type_as_different(google_env: Any, tmp_path: Path) -> None:
    header = ["Case", "Value"]
    book = save_workbook(tmp_path / "local.xlsx", [header, *([case, mine] for case, mine, _, _ in CASES)])
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [header, *([case, g] for case, _, g, _ in CASES)]})
    google_env.clear_requests()
    result = push(book, url(key))
    changed = [(i + 2, after) for i, (_, _, _, after) in enumerate(CASES) if after is not None]
    assert [(u.row, u.column, u.value) for u in result.updates] == [(row, 2, after) for row, after in changed]
    assert [type(u.value) for u in result.updates] == [type(after) for _, after in changed]
    assert result.requests == 3  # the sheet list, one values:batchGet, one write
    posts = writes(google_env)
    assert len(posts) == 1 and posts[0].path.endswith("values:batchUpdate")
    assert posts[0].json()["valueInputOption"] == "RAW"
    stored = google_env.get_values(key, "Contacts")
    for row, after in changed:
        assert stored[row - 1][1] == after and type(stored[row - 1][1]) is type(after)
    google_env.clear_requests()
    again = push(book, url(key))
    assert again.cells_changed == 0 and writes(google_env) == []


def test_push_of_a_date_over_its_text_sets_a_date_format(google_env: Any, tmp_path: Path) -> None:
    header = ["Case", "Value"]
    book = save_workbook(tmp_path / "local.xlsx", [header, ["date vs text", DAY], ["date vs serial", DAY]])
    key = google_env.create_spreadsheet(
        "Pipeline", {"Contacts": [header, ["date vs text", "2026-11-01"], ["date vs serial", SERIAL]]}
    )
    google_env.clear_requests()
    result = push(book, url(key))
    assert [(u.row, u.column, u.value) for u in result.updates] == [(2, 2, DAY)]
    posts = writes(google_env)
    assert len(posts) == 1 and posts[0].path.endswith(":batchUpdate")
    assert [list(r) for r in posts[0].json()["requests"]] == [["updateCells"]]
    assert google_env.get_values(key, "Contacts!B2:B3") == [[SERIAL], [SERIAL]]
    assert google_env.cell(key, "B2").number_format["type"] == "DATE"


PULL_HEADER = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Channels Tried", "Notes"]
PULL_CASES: list[tuple[str, Any, Any, bool]] = [
    # (case, local Notes cell, Google Notes cell, whether pull rewrites it)
    ("text vs its number", "5", 5, False),  # the sheet already shows 5
    ("number vs its text", 5, "5", True),
    ("TRUE text vs true", "TRUE", True, False),
    ("true vs TRUE text", True, "TRUE", True),
    ("true vs 1", True, 1, True),
    ("1 vs true", 1, True, True),
    ("1.0 vs 1", 1.0, 1, False),
    ("blank vs blank", None, "", False),
    ("text vs text", "x", "x", False),
]


def test_pull_treats_cells_that_differ_only_in_type_as_today(google_env: Any, tmp_path: Path) -> None:
    def row(case: str, day: Any, note: Any) -> list[Any]:
        return [case, "a@example.com", "New", day, 1, "email", note]

    local = [PULL_HEADER, *(row(case, DAY, mine) for case, mine, _, _ in PULL_CASES)]
    local.append(row("datetime at midnight vs serial", dt.datetime(2026, 11, 1), "x"))
    google = [PULL_HEADER, *(row(case, SERIAL, theirs) for case, _, theirs, _ in PULL_CASES)]
    google.append(row("datetime at midnight vs serial", SERIAL, "x"))
    book = save_workbook(tmp_path / "local.xlsx", local)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": google})
    result = pull(url(key), book, backup=False)
    rewritten = [theirs for _, _, theirs, changes in PULL_CASES if changes]
    assert result.cells_changed == len(rewritten) and result.written
    ws = openpyxl.load_workbook(book)["Contacts"]
    for i, (_, mine, theirs, changes) in enumerate(PULL_CASES, start=2):
        cell = ws.cell(i, 7).value
        if changes:
            assert cell == theirs and type(cell) is type(theirs)
        else:
            assert cell == mine  # left as it was (openpyxl reads a whole float back as an int)
        assert ws.cell(i, 4).value == dt.datetime(2026, 11, 1)  # the dates were the same: untouched
    assert pull(url(key), book, backup=False).cells_changed == 0


def test_nan_is_a_blank_cell_and_never_sent() -> None:
    """NaN (what pandas hands over for an empty cell) is blank, as in sync: never a value to send
    (the Sheets API cannot take NaN in JSON)."""
    nan = float("nan")
    assert _push_changes([["a", nan]], [["a", ""]])[1] == []
    _, updates, _ = _push_changes([["a", nan]], [["a", "x"]])
    assert [(u.row, u.column, u.value) for u in updates] == [(1, 2, None)]


def test_results_are_complete_values(google_env: Any, tmp_path: Path) -> None:
    book = save_workbook(tmp_path / "local.xlsx", [PULL_HEADER, ["Ana", "a@example.com", "New", DAY, 1, "", ""]])
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [PULL_HEADER]})
    dry = push(book, url(key), dry_run=True)
    assert (dry.cells_changed, dry.rows_added, dry.written, dry.dry_run, dry.requests) == (5, 1, False, True, 2)
    pushed = push(book, url(key))
    assert pushed.written and pushed.requests == 3 and pushed.to_dict()["written"] is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        pushed.written = False  # type: ignore[misc]
    fresh = pull(url(key), tmp_path / "new.xlsx")
    assert (fresh.cells_changed, fresh.rows_added, fresh.written, fresh.backup) == (12, 2, True, None)
    edited = openpyxl.load_workbook(book)
    edited["Contacts"]["G2"] = "typed locally"
    edited.save(book)
    into = pull(url(key), book)
    assert into.backup is not None and into.backup.exists()
    assert into.to_dict() == {
        "direction": "pull",
        "source": "Pipeline (Google Sheets)",
        "target": "local.xlsx",
        "cells_changed": 1,
        "rows_added": 0,
        "rows_removed": 0,
        "requests": 2,
        "written": True,
        "dry_run": False,
        "backup": str(into.backup),
    }
    assert pull(url(key), book, dry_run=True).to_dict()["written"] is False
