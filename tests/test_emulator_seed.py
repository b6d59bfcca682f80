"""Seeding the emulator from a Spreadsheet resource, and the behaviours the wider replay found (issue 19).

``import_spreadsheet`` builds a spreadsheet through the emulator's own model from what
GET /v4/spreadsheets/{id} answers: the replay seeds the spreadsheets a recording assumes (made by
other runs) with it, and people can start a test from a dump of a real spreadsheet. The rest are
behaviours gspread's recordings showed: tables (their columns, colours, banding and frozen header),
the group control flag, colours stored as 8-bit channels printed as float32, quota errors that
name the read or write quota.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests

from sheetkit.testing import SheetsEmulator, emulator_session

Client = gspread.Client
SHEETS_MIME = "application/vnd.google-apps.spreadsheet"


def _client(emulator: SheetsEmulator) -> Client:
    return gspread.Client(auth=None, session=emulator_session(emulator.url))  # type: ignore[arg-type]


def _grid(r1: int, r2: int, c1: int, c2: int, sheet_id: int = 0) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r1, "endRowIndex": r2, "startColumnIndex": c1, "endColumnIndex": c2}


# --------------------------------------------------------------------------- import_spreadsheet


def test_a_dumped_spreadsheet_imports_into_another_emulator_unchanged(gspread_client: Client) -> None:
    """Everything GET shows with grid data (layout, cells, formats, notes, merges, names) survives a round trip."""
    sh = gspread_client.create("Jo pipeline")
    ws = sh.sheet1
    ws.update_title("Pipeline")
    ws.update([["Name", "Due", "Score", "Twice"], ["Ana", "2024-05-01", 3, "=C2*2"]], "A1", raw=False)
    ws.format("A1:D1", {"textFormat": {"bold": True}, "backgroundColor": {"red": 0.5}})
    ws.freeze(rows=1)
    ws.merge_cells("A4:B4")
    ws.update_note("A2", "met at the fair")
    sh.add_worksheet("Notes", rows=40, cols=5).update([["x"]], "B3")
    sh.batch_update({"requests": [{"addNamedRange": {"namedRange": {"name": "People", "range": _grid(1, 2, 0, 1)}}}]})
    sh.batch_update(
        {
            "requests": [
                {
                    "addDimensionGroup": {
                        "range": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}
                    }
                }
            ]
        }
    )
    dump = sh.fetch_sheet_metadata({"includeGridData": "true"})

    with SheetsEmulator() as other:
        assert other.import_spreadsheet(dump) == sh.id
        copy = _client(other).open_by_key(sh.id)
        assert copy.fetch_sheet_metadata({"includeGridData": "true"}) == dump
        assert copy.worksheet("Pipeline").get_all_values() == [
            ["Name", "Due", "Score", "Twice"],
            ["Ana", "2024-05-01", "3", "6"],
        ]
        assert other.cell(sh.id, "Pipeline!D2").formula == "=C2*2"


def test_import_types_values_in_and_keeps_drive_times(sheets_emulator: SheetsEmulator, gspread_client: Client) -> None:
    resource = {
        "spreadsheetId": "1SeededBookFromARecording0000000000000000000",
        "properties": {"title": "Held before", "timeZone": "Europe/Paris"},
        "sheets": [{"properties": {"sheetId": 7, "title": "Tab", "gridProperties": {"rowCount": 5, "columnCount": 3}}}],
    }
    sid = sheets_emulator.import_spreadsheet(
        resource,
        values=[{"range": "Tab!A1:B2", "values": [["when", "n"], ["2024-05-01", "=1+1"]]}],
        created="2023-08-17T10:52:58.348Z",
        modified="2023-08-17T10:52:59.436Z",
    )
    assert sid == resource["spreadsheetId"]
    with pytest.raises(ValueError, match="already has a spreadsheet with id"):
        sheets_emulator.import_spreadsheet(resource)
    sh = gspread_client.open_by_key(sid)
    ws = sh.worksheet("Tab")
    assert (ws.id, ws.row_count, ws.col_count) == (7, 5, 3)
    assert sh.timezone == "Europe/Paris"
    assert ws.get("A2:B2", value_render_option="UNFORMATTED_VALUE") == [[45413, 2]]
    assert sheets_emulator.cell(sid, "Tab!A2").number_format == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    listed = gspread_client.list_spreadsheet_files()
    assert listed == [
        {
            "id": sid,
            "name": "Held before",
            "createdTime": "2023-08-17T10:52:58.348Z",
            "modifiedTime": "2023-08-17T10:52:59.436Z",
        }
    ]


def test_a_spreadsheet_made_later_is_listed_first(sheets_emulator: SheetsEmulator, gspread_client: Client) -> None:
    """Drive lists newest first: a seeded file keeps its recorded time, a new one is newer."""
    old = sheets_emulator.import_spreadsheet(
        {"properties": {"title": "old"}}, modified=dt.datetime(2023, 1, 1).isoformat() + "Z"
    )
    new = gspread_client.create("new").id
    assert [f["id"] for f in gspread_client.list_spreadsheet_files()] == [new, old]


# --------------------------------------------------------------------------- tables


def test_a_table_names_its_columns_from_the_header_and_gets_googles_colours(gspread_client: Client) -> None:
    sh = gspread_client.create("tables")
    ws = sh.sheet1
    ws.update([["Name", 25], ["Ana", 30]], "A1")
    reply = sh.batch_update({"requests": [{"addTable": {"table": {"range": _grid(0, 2, 0, 3), "name": "People"}}}]})
    table = reply["replies"][0]["addTable"]["table"]
    assert table["columnProperties"] == [
        {"columnName": "Name"},
        {"columnIndex": 1, "columnName": "25"},
        {"columnIndex": 2, "columnName": "Column 3"},
    ]
    header = table["rowsProperties"]["headerColorStyle"]["rgbColor"]
    assert header == {"red": 0.20784314, "green": 0.40784314, "blue": 0.32941177}
    sheet = sh.fetch_sheet_metadata()["sheets"][0]
    assert sheet["properties"]["gridProperties"]["frozenRowCount"] == 1
    (banding,) = sheet["bandedRanges"]
    assert banding["bandedRangeId"] == int(table["tableId"])
    assert banding["bandedRangeReference"] == table["tableId"]
    assert banding["rowProperties"]["headerColor"] == header

    grown = {"tableId": table["tableId"], "range": _grid(0, 5, 0, 3)}
    sh.batch_update({"requests": [{"updateTable": {"table": grown, "fields": "range"}}]})
    (banding,) = sh.fetch_sheet_metadata()["sheets"][0]["bandedRanges"]
    assert banding["range"]["endRowIndex"] == 5
    sh.batch_update({"requests": [{"deleteTable": {"tableId": table["tableId"]}}]})
    assert "bandedRanges" not in sh.fetch_sheet_metadata()["sheets"][0]


# --------------------------------------------------------------------------- groups, colours, quotas


def test_the_group_control_moves_after_with_the_first_group_and_stays(gspread_client: Client) -> None:
    sh = gspread_client.create("groups")
    rng = {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}
    sh.batch_update({"requests": [{"addDimensionGroup": {"range": rng}}]})
    assert sh.fetch_sheet_metadata()["sheets"][0]["properties"]["gridProperties"]["columnGroupControlAfter"] is True
    reply = sh.batch_update({"requests": [{"deleteDimensionGroup": {"range": rng}}]})
    assert reply["replies"] == [{"deleteDimensionGroup": {}}]  # no groups left: the empty list is omitted
    grid = sh.fetch_sheet_metadata()["sheets"][0]["properties"]["gridProperties"]
    assert grid["columnGroupControlAfter"] is True and "rowGroupControlAfter" not in grid


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({"red": 0.99, "green": 0.24, "blue": 0.01}, {"red": 0.9882353, "green": 0.23921569, "blue": 0.007843138}),
        ({"red": 0.9647059, "green": 0.972549, "blue": 0.5}, {"red": 0.9647059, "green": 0.972549, "blue": 0.49803922}),
    ],
)
def test_colours_are_8_bit_channels_printed_as_float32(
    gspread_client: Client, given: dict[str, float], stored: dict[str, float]
) -> None:
    sh = gspread_client.create("colours")
    props = {"sheetId": 0, "tabColorStyle": {"rgbColor": given}}
    sh.batch_update({"requests": [{"updateSheetProperties": {"properties": props, "fields": "tabColorStyle"}}]})
    got = sh.fetch_sheet_metadata({"fields": "sheets.properties.tabColorStyle"})
    assert got == {"sheets": [{"properties": {"tabColorStyle": {"rgbColor": stored}}}]}


def test_a_quota_error_names_the_read_or_write_quota_and_the_project() -> None:
    with SheetsEmulator(project_number="1234") as emulator:
        sid = emulator.create_spreadsheet("q")
        base = f"{emulator.url}/v4/spreadsheets/{sid}"
        emulator.fail_next(429)
        read = requests.get(base, timeout=10)
        emulator.fail_next(429)
        write = requests.post(f"{base}/values/A1:clear", timeout=10)
    assert (read.status_code, write.status_code) == (429, 429)
    read_error: dict[str, Any] = read.json()["error"]
    assert read_error["status"] == "RESOURCE_EXHAUSTED"
    assert "quota metric 'Read requests'" in read_error["message"] and "project_number:1234" in read_error["message"]
    assert read_error["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"
    assert "quota metric 'Write requests'" in write.json()["error"]["message"]


# --------------------------------------------------------------------------- the emulator as a program


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-W", "error", "-m", "sheetkit.testing.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_dump_seeds_the_program_and_ctrl_c_stops_it_quietly(tmp_path: Path, gspread_client: Client) -> None:
    sh = gspread_client.create("Jo pipeline")
    sh.sheet1.update([["Name", "Since"], ["Ana", "2024-05-01"]], "A1", raw=False)
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(sh.fetch_sheet_metadata({"includeGridData": "true"})))
    proc = _start("--seed", str(dump))
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    proc.stdout.readline()
    assert proc.stdout.readline().strip() == f"spreadsheet 'Jo pipeline': id {sh.id}"
    copy = gspread.Client(auth=None, session=emulator_session(url)).open_by_key(sh.id)  # type: ignore[arg-type]
    assert copy.sheet1.get("B2", value_render_option="UNFORMATTED_VALUE") == [[45413]]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert (proc.returncode, out, err) == (0, "", "")


def test_ctrl_c_stops_it_when_started_in_the_background(sheets_emulator: SheetsEmulator) -> None:
    """A script's `... &` leaves SIGINT ignored; the program is still stopped by Ctrl-C."""
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", "sheetkit.testing.emulator"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # what the shell does for `&`
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("http://127.0.0.1:")
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert (proc.returncode, err) == (0, "")


def test_a_port_in_use_is_one_line_not_a_traceback(sheets_emulator: SheetsEmulator) -> None:
    proc = _start("--port", str(sheets_emulator.port))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and out == ""
    assert err.strip().splitlines() == [
        f"python -m sheetkit.testing.emulator: cannot listen on 127.0.0.1:{sheets_emulator.port}: Address already in use"
    ]


def test_the_control_endpoint_seeds_like_the_seed_option(sheets_emulator: SheetsEmulator) -> None:
    """POST /__emulator__/spreadsheets takes the --seed forms: values typed in as a person would, or a dump."""
    short = {"title": "Jo pipeline", "sheets": {"Pipeline": [["Since"], ["2024-05-01"]]}}
    sid = requests.post(f"{sheets_emulator.url}/__emulator__/spreadsheets", json=short, timeout=10).json()[
        "spreadsheetId"
    ]
    assert sheets_emulator.get_values(sid, "Pipeline!A2") == [[45413]]
    dump = sheets_emulator.spreadsheet(sid) | {"spreadsheetId": "1AnotherIdForTheSameLayout00000000000000000"}
    answer = requests.post(f"{sheets_emulator.url}/__emulator__/spreadsheets", json=dump, timeout=10).json()
    assert answer == {"spreadsheetId": "1AnotherIdForTheSameLayout00000000000000000"}
    assert sheets_emulator.spreadsheet(answer["spreadsheetId"])["sheets"] == sheets_emulator.spreadsheet(sid)["sheets"]


# --------------------------------------------------------------------------- what older gspread sends


def test_a_sort_past_the_grid_edge_sorts_what_is_there(gspread_client: Client) -> None:
    """gspread's sort() sends A1:Z1000 whatever the size; Google sorts the grid it has (a 2021 recording)."""
    sh = gspread_client.create("sort")
    ws = sh.sheet1
    ws.resize(3, 2)
    ws.update([["b", 2], ["c", 1], ["a", 3]], "A1")
    sh.batch_update(
        {"requests": [{"sortRange": {"range": _grid(0, 1000, 0, 26), "sortSpecs": [{"dimensionIndex": 1}]}}]}
    )
    assert ws.get_all_values() == [["c", "1"], ["b", "2"], ["a", "3"]]
    starts_outside = {"sortRange": {"range": _grid(5, 1000, 0, 26), "sortSpecs": [{"dimensionIndex": 1}]}}
    with pytest.raises(gspread.exceptions.APIError, match="exceeds grid limits"):
        sh.batch_update({"requests": [starts_outside]})


def test_drive_v2_creates_copies_and_deletes(sheets_emulator: SheetsEmulator) -> None:
    """gspread before 5.2 used Drive v2 (a name is a "title" there; a copy without one is "Copy of ...")."""
    v2 = f"{sheets_emulator.url}/drive/v2/files"
    made = requests.post(v2, json={"title": "Original", "mimeType": SHEETS_MIME}, timeout=10).json()
    assert made["kind"] == "drive#file" and made["title"] == "Original"
    put = f"{sheets_emulator.url}/v4/spreadsheets/{made['id']}/values/Sheet1!A1?valueInputOption=RAW"
    assert requests.put(put, json={"values": [["x"]]}, timeout=10).status_code == 200
    copy = requests.post(f"{v2}/{made['id']}/copy", json={"title": None, "mimeType": SHEETS_MIME}, timeout=10).json()
    assert copy["title"] == "Copy of Original" and copy["id"] != made["id"]
    assert sheets_emulator.get_values(copy["id"], "Sheet1!A1") == [["x"]]
    assert requests.delete(f"{v2}/{made['id']}", timeout=10).status_code == 204
    assert requests.get(f"{v2}/{made['id']}", timeout=10).status_code == 404
