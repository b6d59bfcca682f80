"""Sync at scale: 1% of the rows edited on each side costs a few requests and a sliver of the bytes.

Counted from the emulator's request log (the HTTP layer), against gspread_dataframe's
set_with_dataframe of the same table; 2,000 rows here (`nox -s bench -- --only google` does 100,000).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF

from sheetkit.core.cells import CellUpdate
from sheetkit.google import bodies
from sheetkit.syncing.engine import sync

ROWS = 2_000
HEADER = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Notes"]


def people(n: int) -> list[list[Any]]:
    return [
        [f"P{i}", f"p{i}@example.com", "Contacted", dt.date(2026, 10, 1) + dt.timedelta(days=i % 50), i % 3, f"n{i}"]
        for i in range(n)
    ]


def test_contiguous_cells_of_a_row_go_as_one_update_cells() -> None:
    cells = [
        CellUpdate(5, 2, "x"),
        CellUpdate(5, 3, 7),
        CellUpdate(5, 4, True),
        CellUpdate(5, 5, dt.date(2026, 1, 2)),  # a date sets its format: its own run
        CellUpdate(5, 6, dt.date(2026, 1, 3)),
        CellUpdate(5, 8, "after a gap"),
        CellUpdate(6, 2, None),
    ]
    requests = bodies.update_cells(9, cells, "yyyy-mm-dd")
    runs = [
        (
            r["updateCells"]["start"]["rowIndex"],
            r["updateCells"]["start"]["columnIndex"],
            len(r["updateCells"]["rows"][0]["values"]),
        )
        for r in requests
    ]
    assert runs == [(4, 1, 3), (4, 4, 2), (4, 7, 1), (5, 1, 1)]
    # the same cells as update_cell each, only fewer objects
    one_by_one = [bodies.update_cell(9, c.row, c.column, c.value, "yyyy-mm-dd") for c in cells]
    flat = [
        (
            r["updateCells"]["start"]["rowIndex"],
            r["updateCells"]["start"]["columnIndex"] + i,
            v,
            r["updateCells"]["fields"],
        )
        for r in requests
        for i, v in enumerate(r["updateCells"]["rows"][0]["values"])
    ]
    single = [
        (
            r["updateCells"]["start"]["rowIndex"],
            r["updateCells"]["start"]["columnIndex"],
            r["updateCells"]["rows"][0]["values"][0],
            r["updateCells"]["fields"],
        )
        for r in one_by_one
    ]
    assert flat == single
    assert bodies.encoded_size(bodies.batch(requests)) < bodies.encoded_size(bodies.batch(one_by_one))


@pytest.fixture
def big_pair(google_env: Any, tmp_path: Path) -> tuple[Path, str, Any]:
    path = tmp_path / "contacts.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Contacts"
    for row in [HEADER, *people(ROWS)]:
        ws.append(row)
    book.save(path)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *people(ROWS)]})
    assert sync(path, key, as_of=AS_OF).exit_code == 0
    return path, key, google_env


def test_one_percent_edited_on_each_side(big_pair: tuple[Path, str, Any]) -> None:
    from gspread_dataframe import set_with_dataframe

    path, key, emulator = big_pair
    rng = random.Random(18)
    rows = rng.sample(range(2, ROWS + 2), ROWS // 50)
    local, remote = sorted(rows[: ROWS // 100]), sorted(rows[ROWS // 100 :])
    book = openpyxl.load_workbook(path)
    for row in local:  # a call logged: new date, one more follow-up and a note (the computed cells follow)
        book["Contacts"].cell(row, 4).value = dt.datetime(2026, 11, 20)
        book["Contacts"].cell(row, 5).value = 5
        book["Contacts"].cell(row, 6).value = "called back"
    book.save(path)
    import gspread

    from sheetkit.testing import emulator_session

    client = gspread.Client(auth=None, session=emulator_session(emulator.url))  # type: ignore[arg-type]
    ws = client.open_by_key(key).worksheet("Contacts")
    ws.batch_update([{"range": f"F{r}", "values": [["emailed"]]} for r in remote], value_input_option="RAW")

    emulator.clear_requests()
    result = sync(path, key, as_of=AS_OF)
    assert result.exit_code == 0 and result.local_written and result.remote_written
    sent = list(emulator.requests)
    (write,) = [r for r in sent if r.method == "POST"]
    # values only (no rows inserted, every date lands on a date): one RAW values:batchUpdate, where
    # date, follow-ups and note of a row go as one range, never one request object per cell
    body = json.loads(write.body)
    assert write.path.endswith("values:batchUpdate") and body["valueInputOption"] == "RAW"
    ranges = [item["range"] for item in body["data"]]
    assert sorted(r for r in ranges if r.startswith("Contacts!D")) == sorted(f"Contacts!D{r}:F{r}" for r in local)
    assert len(ranges) < sum(len(item["values"][0]) for item in body["data"])
    sync_bytes = sum(len(r.body) for r in sent)
    emulator.clear_requests()

    import pandas as pd

    values = emulator.get_values(key, "Contacts")  # the same table as it now stands: ids and computed columns
    frame = pd.DataFrame(values[1:], columns=values[0])
    set_with_dataframe(ws, frame, include_index=False, resize=False)
    anchor_bytes = sum(len(r.body) for r in emulator.requests)
    assert sync_bytes <= 0.03 * anchor_bytes, (sync_bytes, anchor_bytes)
    # the sheet list, the values, their re-read just before the write, and the one write
    assert [r.method for r in sent] == ["GET", "GET", "GET", "POST"]
    assert len(sent) == result.requests == 4
