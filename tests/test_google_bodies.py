"""Every Sheets API request body sheetkit builds, checked against what Google accepted.

The reference is real recorded traffic (gspread's cassettes, MIT): requests Google answered 200 to,
and the resources it sent back (a ValueRange, a cell's CellData). For each body sheetkit builds,
every key path (list positions ignored) must be one Google accepted in a recorded body of the same
kind, with a value of the same JSON type. Where the API uses one type in several requests (a
GridCoordinate, a DimensionRange's sheetId and dimension, SheetProperties, CellData, a ValueRange),
``SAME_TYPE`` says where a recording of that type is found. Paths no recording holds are listed in
``UNRECORDED`` with the API type they belong to: the test fails on any other.

The bodies are also checked as sheetkit really sends them: push, sync, refresh and the "Due" sheet
run against the emulator, and every POST body must pass the same check.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF
from test_sync import ROWS, workbook

from sheetkit.core.cells import CellUpdate
from sheetkit.google import bodies

CASSETTES = Path(
    os.environ.get("SHEETKIT_GSPREAD_CASSETTES", Path(__file__).resolve().parents[2] / "shared" / "gspread-cassettes")
)
Path_ = tuple[str, ...]

# (path prefix in sheetkit's body, where a recording of the same API type is found)
SAME_TYPE: list[tuple[Path_, Path_]] = [
    (("appendDimension",), ("insertDimension", "range")),  # sheetId, dimension: as in a DimensionRange
    (("updateCells", "start"), ("cutPaste", "destination")),  # GridCoordinate
    (("updateCells", "rows", "[]", "values", "[]"), ("CellData",)),
    (("repeatCell", "cell"), ("CellData",)),
    (("CellData", "userEnteredFormat"), ("repeatCell", "cell", "userEnteredFormat")),  # CellFormat
    (("addSheet", "properties"), ("updateSheetProperties", "properties")),  # SheetProperties
    (("values:batchUpdate", "data", "[]"), ("ValueRange",)),
]

# The spreadsheets:batchUpdate requests sheetkit sends (appendDimension is in no recording).
SENT_KINDS = {
    "appendDimension",
    "insertDimension",
    "deleteDimension",
    "repeatCell",
    "updateCells",
    "addSheet",
    "updateSheetProperties",
}

# Paths no recorded request or response holds, with the Sheets API v4 type they belong to.
UNRECORDED: dict[Path_, str] = {
    ("appendDimension", "length"): "AppendDimensionRequest.length (int32)",
    ("repeatCell", "cell", "userEnteredFormat", "numberFormat", "type"): "CellFormat.numberFormat: NumberFormat.type",
    ("repeatCell", "cell", "userEnteredFormat", "numberFormat", "pattern"): "NumberFormat.pattern",
    ("updateCells", "rows", "[]", "values", "[]", "userEnteredValue", "numberValue"): "ExtendedValue.numberValue",
    ("updateCells", "rows", "[]", "values", "[]", "userEnteredValue", "stringValue"): "ExtendedValue.stringValue",
    ("updateCells", "rows", "[]", "values", "[]", "userEnteredValue", "boolValue"): "ExtendedValue.boolValue",
    ("updateCells", "rows", "[]", "values", "[]", "userEnteredFormat", "numberFormat", "type"): "NumberFormat.type",
    ("updateCells", "rows", "[]", "values", "[]", "userEnteredFormat", "numberFormat", "pattern"): (
        "NumberFormat.pattern"
    ),
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", dict: "object", list: "array", type(None): "null"}[type(value)]


def _paths(value: Any, prefix: Path_ = (), *, leaves: bool = False) -> Iterator[tuple[Path_, str]]:
    """Every key path of a JSON value with the type found there ("[]" stands for any list position).

    With ``leaves``, only the paths that end the value: scalars and empty objects or lists.
    """
    if not leaves or not value or not isinstance(value, (dict, list)):
        yield prefix, _json_type(value)
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key), leaves=leaves)
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, (*prefix, "[]"), leaves=leaves)


def _interactions() -> Iterator[tuple[str, str, Any, Any]]:
    """(method, uri, request JSON, response JSON) of each recorded exchange Google answered 200 to."""
    for cassette in sorted(CASSETTES.glob("*.json")):
        for exchange in json.loads(cassette.read_text(encoding="utf-8"))["interactions"]:
            if exchange["response"]["status"]["code"] != 200:
                continue
            request, response = exchange["request"], exchange["response"]["body"].get("string") or ""
            try:
                sent = json.loads(request["body"]) if request.get("body") else None
                answer = json.loads(response) if response.strip().startswith("{") else None
            except json.JSONDecodeError:
                continue
            yield request["method"], request["uri"], sent, answer


@cache
def recorded() -> dict[Path_, set[str]]:
    """Every path Google accepted, keyed as sheetkit's bodies are: a request's kind first."""
    found: dict[Path_, set[str]] = {}

    def add(value: Any, prefix: Path_) -> None:
        for path, kind in _paths(value, prefix):
            found.setdefault(path, set()).add(kind)

    for method, uri, sent, answer in _interactions():
        if isinstance(sent, dict) and method == "POST" and uri.split("?")[0].endswith(":batchUpdate"):
            if "/values:batchUpdate" in uri:
                add(sent, ("values:batchUpdate",))
            else:
                for request in sent.get("requests", []):
                    add(request, ())
        if isinstance(answer, dict):
            for value_range in answer.get("valueRanges", []):
                add(value_range, ("ValueRange",))
            if "range" in answer and "majorDimension" in answer:  # GET .../values/<range>
                add(answer, ("ValueRange",))
            for sheet in answer.get("sheets", []):
                for data in sheet.get("data", []):
                    for row in data.get("rowData", []):
                        for cell in row.get("values", []):
                            add(cell, ("CellData",))
    return found


def _accepted(path: Path_, kind: str, seen: frozenset[Path_] = frozenset()) -> bool:
    known = recorded().get(path)
    if known is not None and (kind in known or kind in ("object", "array") or path[-1:] == ("[]",)):
        return True
    for ours, theirs in SAME_TYPE:
        mapped = (*theirs, *path[len(ours) :])
        if path[: len(ours)] == ours and theirs not in seen and _accepted(mapped, kind, seen | {theirs}):
            return True
    return False


def unaccepted(body: Any, prefix: Path_ = ()) -> set[Path_]:
    """The paths of ``body`` (under ``prefix``) that no recording backs, UNRECORDED ones included."""
    return {path for path, kind in _paths(body, prefix, leaves=True) if path and not _accepted(path, kind)}


def assert_like_google(body: Any, prefix: Path_ = ()) -> None:
    missing = unaccepted(body, prefix) - set(UNRECORDED)
    assert not missing, f"not in any recorded Google request: {sorted(missing)}"


def assert_request_like_google(request: dict[str, Any]) -> None:
    """One request of a spreadsheets:batchUpdate."""
    assert len(request) == 1, request
    assert_like_google(request)


pytestmark = pytest.mark.skipif(not CASSETTES.is_dir(), reason=f"no recorded Google traffic at {CASSETTES}")


# -- the checker itself -------------------------------------------------------------------------------


def test_the_recordings_hold_each_kind_sheetkit_sends() -> None:
    kinds = {path[0] for path in recorded() if path}
    assert kinds >= (SENT_KINDS - {"appendDimension"}) | {"cutPaste", "values:batchUpdate", "ValueRange", "CellData"}


def test_the_checker_catches_a_misspelt_or_misplaced_field() -> None:
    assert unaccepted({"insertDimension": {"range": {"sheetId": 0, "startIndex": 1, "endIdx": 2}}}) == {
        ("insertDimension", "range", "endIdx")
    }
    assert unaccepted({"deleteDimension": {"sheetId": 0, "dimension": "ROWS"}}) == {
        ("deleteDimension", "sheetId"),
        ("deleteDimension", "dimension"),
    }
    assert unaccepted({"insertDimension": {"range": {"sheetId": "0"}}}) == {("insertDimension", "range", "sheetId")}


def test_every_unrecorded_path_is_still_used() -> None:
    cells = [bodies.update_cell(0, 1, 1, value, "yyyy-mm-dd") for value in (1, "x", True, dt.date(2026, 1, 2))]
    built = [bodies.append_dimension(0, "ROWS", 1), bodies.date_format(0, 1, 2, 1, "yyyy-mm-dd"), *cells]
    used = set().union(*(unaccepted(body) for body in built))
    assert used == set(UNRECORDED)


# -- each body ------------------------------------------------------------------------------------------


def test_batch() -> None:
    assert bodies.batch(({"deleteSheet": {"sheetId": 1}},)) == {"requests": [{"deleteSheet": {"sheetId": 1}}]}


def test_append_dimension_and_grow() -> None:
    assert bodies.append_dimension(7, "COLUMNS", 3) == {
        "appendDimension": {"sheetId": 7, "dimension": "COLUMNS", "length": 3}
    }
    grown = bodies.grow(7, rows=2, columns=1)
    assert grown == [bodies.append_dimension(7, "ROWS", 2), bodies.append_dimension(7, "COLUMNS", 1)]
    assert bodies.grow(7, rows=0, columns=-4) == []
    for request in grown:
        assert_request_like_google(request)


def test_insert_and_delete_rows_count_from_one() -> None:
    inserted = bodies.insert_rows(5, 4)  # a new row 4: rows 4 and below move down
    assert inserted == {
        "insertDimension": {"range": {"sheetId": 5, "dimension": "ROWS", "startIndex": 3, "endIndex": 4}}
    }
    deleted = bodies.delete_rows(5, 10, 12)
    assert deleted == {
        "deleteDimension": {"range": {"sheetId": 5, "dimension": "ROWS", "startIndex": 9, "endIndex": 12}}
    }
    assert bodies.insert_rows(5, 2, count=3)["insertDimension"]["range"]["endIndex"] == 4
    assert_request_like_google(inserted)
    assert_request_like_google(deleted)


def test_date_formats_cover_runs_of_rows_per_column() -> None:
    cells = [CellUpdate(r, c, None) for r, c in [(2, 3), (3, 3), (4, 3), (9, 3), (5, 1)]]
    requests = bodies.date_formats(4, cells, "dd.mm.yyyy")
    ranges = [r["repeatCell"]["range"] for r in requests]
    assert ranges == [
        {"sheetId": 4, "startRowIndex": 4, "endRowIndex": 5, "startColumnIndex": 0, "endColumnIndex": 1},
        {"sheetId": 4, "startRowIndex": 1, "endRowIndex": 4, "startColumnIndex": 2, "endColumnIndex": 3},
        {"sheetId": 4, "startRowIndex": 8, "endRowIndex": 9, "startColumnIndex": 2, "endColumnIndex": 3},
    ]
    assert requests[0]["repeatCell"]["cell"] == {
        "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "dd.mm.yyyy"}}
    }
    assert requests[0]["repeatCell"]["fields"] == "userEnteredFormat.numberFormat"
    assert bodies.date_formats(4, [], "yyyy") == []
    for request in requests:
        assert_request_like_google(request)


def test_bold_header() -> None:
    request = bodies.bold(3, 1, 1, 5)
    assert request["repeatCell"]["range"] == {
        "sheetId": 3,
        "startRowIndex": 0,
        "endRowIndex": 1,
        "startColumnIndex": 0,
        "endColumnIndex": 5,
    }
    assert request["repeatCell"]["cell"] == {"userEnteredFormat": {"textFormat": {"bold": True}}}
    assert_request_like_google(request)


@pytest.mark.parametrize(
    ("value", "cell", "fields"),
    [
        ('=IMPORTXML("x")', {"userEnteredValue": {"stringValue": '=IMPORTXML("x")'}}, "userEnteredValue"),
        ("007", {"userEnteredValue": {"stringValue": "007"}}, "userEnteredValue"),
        (True, {"userEnteredValue": {"boolValue": True}}, "userEnteredValue"),
        (3, {"userEnteredValue": {"numberValue": 3}}, "userEnteredValue"),
        (2.5, {"userEnteredValue": {"numberValue": 2.5}}, "userEnteredValue"),
        (None, {}, "userEnteredValue"),
        (
            dt.date(2026, 11, 21),
            {
                "userEnteredValue": {"numberValue": 46347},
                "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
            },
            "userEnteredValue,userEnteredFormat.numberFormat",
        ),
        (
            dt.datetime(2026, 11, 21, 18),
            {
                "userEnteredValue": {"numberValue": 46347.75},
                "userEnteredFormat": {"numberFormat": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}},
            },
            "userEnteredValue,userEnteredFormat.numberFormat",
        ),
    ],
)
def test_update_cell_is_typed_and_never_a_formula(value: Any, cell: dict[str, Any], fields: str) -> None:
    request = bodies.update_cell(9, 4, 2, value, "yyyy-mm-dd")
    assert request == {
        "updateCells": {
            "start": {"sheetId": 9, "rowIndex": 3, "columnIndex": 1},
            "rows": [{"values": [cell]}],
            "fields": fields,
        }
    }
    assert "formulaValue" not in json.dumps(request)
    assert_request_like_google(request)


def test_add_sheet_set_grid_and_clear_sheet() -> None:
    added = bodies.add_sheet(12, "Due", rows=100, columns=26, frozen_rows=1)
    assert added == {
        "addSheet": {
            "properties": {
                "sheetId": 12,
                "title": "Due",
                "gridProperties": {"rowCount": 100, "columnCount": 26, "frozenRowCount": 1},
            }
        }
    }
    resized = bodies.set_grid(12, rows=200, columns=30, frozen_rows=1)
    assert resized["updateSheetProperties"]["properties"] == {
        "sheetId": 12,
        "gridProperties": {"rowCount": 200, "columnCount": 30, "frozenRowCount": 1},
    }
    assert set(resized["updateSheetProperties"]["fields"].split(",")) == {
        "gridProperties.rowCount",
        "gridProperties.columnCount",
        "gridProperties.frozenRowCount",
    }
    cleared = bodies.clear_sheet(12)
    assert cleared == {"updateCells": {"range": {"sheetId": 12}, "fields": "userEnteredValue,userEnteredFormat"}}
    for request in (added, resized, cleared):
        assert_request_like_google(request)


def test_value_ranges_runs_and_blocks() -> None:
    updates = [
        CellUpdate(3, 2, "b3"),
        CellUpdate(2, 2, dt.date(2026, 11, 21)),
        CellUpdate(5, 2, None),
        CellUpdate(2, 28, 1.0),
    ]
    assert bodies.column_runs("My Sheet", updates) == [
        {"range": "'My Sheet'!B2:B3", "majorDimension": "ROWS", "values": [[46347], ["b3"]]},
        {"range": "'My Sheet'!B5:B5", "majorDimension": "ROWS", "values": [[""]]},
        {"range": "'My Sheet'!AB2:AB2", "majorDimension": "ROWS", "values": [[1]]},
    ]
    blocks = bodies.row_blocks("Due", [[i, "x"] for i in range(2500)])
    assert [b["range"] for b in blocks] == ["Due!A1", "Due!A1001", "Due!A2001"]
    assert [len(b["values"]) for b in blocks] == [1000, 1000, 500]
    for body in bodies.raw_values(blocks):
        assert body["valueInputOption"] == "RAW"
        assert_like_google(body, ("values:batchUpdate",))


def test_raw_values_stay_under_the_request_limit() -> None:
    big = [bodies.value_range(f"A{i}:A{i}", [["x" * 400_000]]) for i in range(1, 11)]
    split = list(bodies.raw_values(big))
    assert len(split) >= 3 and [r for body in split for r in body["data"]] == big
    assert all(bodies.encoded_size(body) < 2_000_000 for body in split)
    alone = bodies.value_range("A1", [["y" * 2_000_000]])
    assert [body["data"] for body in bodies.raw_values([alone, big[0]])] == [[alone], [big[0]]]
    assert list(bodies.raw_values([])) == []


def test_encoded_size_counts_bytes_of_compact_json() -> None:
    assert bodies.encoded_size({"a": [1, "é"]}) == len('{"a":[1,"\\u00e9"]}')


# -- as sheetkit sends them --------------------------------------------------------------------------


def _sent(env: Any) -> list[tuple[str, Any]]:
    return [(r.path, r.json()) for r in env.requests if r.method == "POST"]


def assert_sent_like_google(env: Any) -> set[str]:
    """Check every POST body the emulator saw; returns the kinds of batchUpdate requests among them."""
    kinds: set[str] = set()
    for path, body in _sent(env):
        if path.endswith("values:batchUpdate"):
            assert_like_google(body, ("values:batchUpdate",))
        else:
            assert path.endswith(":batchUpdate"), path
            for request in body["requests"]:
                assert_request_like_google(request)
                kinds.update(request)
    return kinds


def test_push_refresh_sync_and_due_send_bodies_google_accepts(google_env: Any, tmp_path: Path) -> None:
    import openpyxl

    import sheetkit
    from sheetkit.api import check
    from sheetkit.lists.due import due, write_due_sheet
    from sheetkit.syncing.engine import sync
    from sheetkit.transfer import push

    kinds: set[str] = set()
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [["First Name"], ROWS[0][:1]]}, rows=2)
    google_env.clear_requests()
    push(workbook(tmp_path / "push.xlsx"), key)  # grows the grid, dates into text cells
    kinds |= assert_sent_like_google(google_env)

    google_env.clear_requests()
    sheetkit.refresh(key, as_of=AS_OF)  # computed columns: new columns, date formats, RAW values
    kinds |= assert_sent_like_google(google_env)

    book = workbook(tmp_path / "sync.xlsx")
    sync(book, key, as_of=AS_OF)
    opened = openpyxl.load_workbook(book)
    ws = opened["Contacts"]
    ws.delete_rows(3)  # Bo deleted locally
    ws.append(["Fay", "fay@example.com", "New", dt.date(2026, 11, 20), 0, "new"])
    ws.append(["Gus", "gus@example.com", "New", None, 0, ""])
    opened.save(book)
    google_env.clear_requests()
    sync(book, key, as_of=AS_OF)  # deletes and inserts a row, typed cells
    kinds |= assert_sent_like_google(google_env)

    checked = check(key, as_of=AS_OF)
    for _ in range(2):  # added, then cleared and rewritten
        google_env.clear_requests()
        write_due_sheet(checked, due(checked))
        kinds |= assert_sent_like_google(google_env)
    assert kinds == SENT_KINDS
