"""The Sheets emulator driven by the real gspread client over real HTTP (no mocks)."""

# The fixtures are imported from the plugin module (pytest_plugins may only be declared in the
# root conftest), so their names are "redefined" as test parameters on purpose.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from gspread.utils import ValueInputOption, ValueRenderOption

from sheetkit.google.transport import redirect_session
from sheetkit.testing import AnonymousCredentials, SheetsEmulator, emulator_session
from sheetkit.testing.a1 import A1Error, column_index, column_letter, parse_cells, quote_title, split_sheet
from sheetkit.testing.pytest_plugin import gspread_client, sheets_emulator  # noqa: F401
from sheetkit.testing.values import general_format, parse_user_entered

Client = gspread.Client


def test_starts_fast_on_a_free_port() -> None:
    started = time.perf_counter()
    with SheetsEmulator() as emu:
        elapsed = time.perf_counter() - started
        assert emu.port > 0
        assert requests.get(emu.url + "/__emulator__/requests", timeout=5).json() == {"requests": []}
    assert elapsed < 0.1


def test_create_open_and_delete(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sh = gspread_client.create("Contacts")
    assert sh.title == "Contacts"
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1"]
    assert gspread_client.open("Contacts").id == sh.id
    assert gspread_client.open_by_key(sh.id).sheet1.row_count == 1000
    assert [s.id for s in gspread_client.openall()] == [sh.id]
    gspread_client.del_spreadsheet(sh.id)
    with pytest.raises(gspread.SpreadsheetNotFound):
        gspread_client.open("Contacts")


def test_raw_keeps_text_exactly(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    ws = gspread_client.create("raw").sheet1
    ws.update([["=SUM(A1)", "007", "1,5", "TRUE", "'quoted"]], "A1", value_input_option=ValueInputOption.raw)
    assert ws.get("A1:E1", value_render_option=ValueRenderOption.unformatted) == [
        ["=SUM(A1)", "007", "1,5", "TRUE", "'quoted"]
    ]
    cell = sheets_emulator.cell(ws.spreadsheet_id, "A1")
    assert (cell.value, cell.formula) == ("=SUM(A1)", None)


def test_user_entered_parses_like_google(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    ws = gspread_client.create("typed").sheet1
    row = ["007", "1,234.5", "12%", "TRUE", "2020-01-01", "1/2/2020", "=1+2", "'=not a formula", "hello"]
    ws.update([row], "A1", value_input_option=ValueInputOption.user_entered)
    assert ws.get("A1:I1", value_render_option=ValueRenderOption.unformatted) == [
        [7, 1234.5, 0.12, True, 43831, 43832, 3, "=not a formula", "hello"]
    ]
    assert ws.get("A1:I1") == [
        ["7", "1,234.50", "12%", "TRUE", "2020-01-01", "1/2/2020", "3", "=not a formula", "hello"]
    ]
    assert ws.get("G1", value_render_option=ValueRenderOption.formula) == [["=1+2"]]
    date_cell = sheets_emulator.cell(ws.spreadsheet_id, "E1")
    assert date_cell.number_format == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert sheets_emulator.get_values(ws.spreadsheet_id, "Sheet1!G1") == [[3]]


def test_date_time_render_options(gspread_client: Client) -> None:
    ws = gspread_client.create("dates").sheet1
    ws.update([["2024-02-29", "=A1+1"]], "A1", value_input_option=ValueInputOption.user_entered)
    assert ws.get("A1", value_render_option=ValueRenderOption.unformatted) == [[45351]]
    assert ws.get(
        "A1", value_render_option=ValueRenderOption.unformatted, date_time_render_option="FORMATTED_STRING"
    ) == [["2024-02-29"]]
    assert ws.get("B1", value_render_option=ValueRenderOption.unformatted) == [[45352]]


def test_response_shape_omits_trailing_empties_and_normalizes_range(gspread_client: Client) -> None:
    sh = gspread_client.create("shape")
    ws = sh.add_worksheet("My Sheet", rows=10, cols=5)
    ws.update([["a", "", ""], ["", "", ""], ["b", "c", ""]], "A1")
    reply = sh.values_get("'My Sheet'!A1:E10")
    assert reply == {
        "range": "'My Sheet'!A1:E10",
        "majorDimension": "ROWS",
        "values": [["a"], [], ["b", "c"]],
    }
    empty = sh.values_get("'My Sheet'!D1:E2")
    assert "values" not in empty
    columns = sh.values_get("'My Sheet'!A1:B3", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a", "", "b"], ["", "", "c"]]
    assert sh.values_get("'My Sheet'")["range"] == "'My Sheet'!A1:E10"


def test_batch_update_append_clear(gspread_client: Client) -> None:
    ws = gspread_client.create("batch").sheet1
    ws.batch_update([{"range": "A1:B1", "values": [["h1", "h2"]]}, {"range": "A2", "values": [[1]]}])
    ws.append_row(["x", "y"])
    ws.append_rows([["p", "q"], ["r", "s"]])
    assert ws.get_all_values()[:5] == [["h1", "h2"], ["1", ""], ["x", "y"], ["p", "q"], ["r", "s"]]
    ws.batch_clear(["A1:B1"])
    ws.spreadsheet.values_clear("Sheet1!A5:B5")
    assert ws.get("A1:B5") == [[], ["1"], ["x", "y"], ["p", "q"]]
    ws.clear()
    assert "values" not in ws.spreadsheet.values_get("Sheet1")


def test_append_grows_the_grid(gspread_client: Client) -> None:
    sh = gspread_client.create("grow")
    ws = sh.add_worksheet("small", rows=2, cols=2)
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.append_row(["e", "f", "g"])
    ws = sh.worksheet("small")
    assert (ws.row_count, ws.col_count) == (3, 3)
    assert ws.get_all_values()[-1] == ["e", "f", "g"]


def test_worksheets_rows_and_dimensions(gspread_client: Client) -> None:
    sh = gspread_client.create("dims")
    ws = sh.add_worksheet("data", rows=5, cols=3)
    ws.update([["1"], ["2"], ["3"]], "A1")
    ws.insert_row(["new"], index=2)
    assert ws.col_values(1) == ["1", "new", "2", "3"]
    ws.delete_rows(1)
    assert ws.col_values(1) == ["new", "2", "3"]
    ws.resize(rows=20, cols=4)
    ws.add_cols(2)
    ws.freeze(rows=1)
    props = sh.fetch_sheet_metadata()["sheets"][1]["properties"]
    assert props["gridProperties"] == {"rowCount": 20, "columnCount": 6, "frozenRowCount": 1}
    sh.del_worksheet(ws)
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]


def test_number_format_for_dates(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    ws = gspread_client.create("fmt").sheet1
    ws.update([[45351, 0.256]], "A1")
    ws.format("A1", {"numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}})
    ws.format("B1", {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}})
    assert ws.get("A1:B1") == [["29/02/2024", "25.6%"]]
    assert sheets_emulator.cell(ws.spreadsheet_id, "A1").number_format == {
        "type": "DATE",
        "pattern": "dd/mm/yyyy",
    }


def test_named_ranges_and_merges(gspread_client: Client) -> None:
    ws = gspread_client.create("named").sheet1
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.define_named_range("A1:B2", "block")
    assert ws.spreadsheet.values_get("block")["values"] == [["a", "b"], ["c", "d"]]
    ws.merge_cells("A1:B1")
    assert ws.get("A1:B2") == [["a"], ["c", "d"]]


def test_errors_look_like_google(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    with pytest.raises(gspread.SpreadsheetNotFound):
        gspread_client.open_by_key("no-such-id")
    sh = gspread_client.create("errors")
    with pytest.raises(gspread.exceptions.APIError) as bad_range:
        sh.values_get("Nope!A1")
    assert bad_range.value.response.status_code == 400
    assert bad_range.value.response.json()["error"] == {
        "code": 400,
        "message": "Unable to parse range: Nope!A1",
        "status": "INVALID_ARGUMENT",
    }
    with pytest.raises(gspread.exceptions.APIError) as outside:
        sh.sheet1.update([["x"]], "A1001")
    assert "exceeds grid limits" in outside.value.response.json()["error"]["message"]
    sheets_emulator.deny(sh.id)
    with pytest.raises(PermissionError) as denied:  # gspread turns Google's 403 into PermissionError
        gspread_client.open_by_key(sh.id)
    cause = denied.value.__cause__
    assert isinstance(cause, gspread.exceptions.APIError)
    assert cause.response.json()["error"] == {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }


def test_cell_limit(sheets_emulator: SheetsEmulator, gspread_client: Client) -> None:
    sh = gspread_client.create("big")
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.add_worksheet("huge", rows=400_000, cols=26)
    assert "above the limit of 10000000 cells" in err.value.response.json()["error"]["message"]


def test_revoked_token_gets_401(sheets_emulator: SheetsEmulator) -> None:
    client = gspread.Client(auth=None, session=emulator_session(sheets_emulator.url, token="old"))  # type: ignore[arg-type]
    sid = sheets_emulator.create_spreadsheet("t")
    sheets_emulator.revoke_token("old")
    with pytest.raises(gspread.exceptions.APIError) as err:
        client.open_by_key(sid)
    assert err.value.response.status_code == 401
    assert err.value.response.json()["error"]["status"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("kind", [429, 500, 503])
def test_fault_then_success(gspread_client: Client, sheets_emulator: SheetsEmulator, kind: int) -> None:
    sid = sheets_emulator.create_spreadsheet("f", {"Sheet1": [["ok"]]})
    ws = gspread_client.open_by_key(sid).sheet1
    sheets_emulator.fail_at(1, kind)
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.acell("A1")
    assert err.value.response.status_code == kind
    assert ws.acell("A1").value == "ok"


def test_dropped_connection_then_recovery(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("d", {"Sheet1": [["ok"]]})
    ws = gspread_client.open_by_key(sid).sheet1
    sheets_emulator.fail_next("drop", method="GET", path=r"/values/")
    with pytest.raises(requests.ConnectionError):
        ws.acell("A1")
    assert ws.acell("A1").value == "ok"


def test_request_log_counts(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("log", {"Sheet1": [["a"]]})
    sheets_emulator.clear_requests()
    ws = gspread_client.open_by_key(sid).sheet1
    ws.update([["b"]], "B1")
    assert sheets_emulator.request_count("PUT", r"/values/") == 1
    put = next(r for r in sheets_emulator.requests if r.method == "PUT")
    assert put.params["valueInputOption"] == ["RAW"]
    assert put.json()["values"] == [["b"]]
    assert put.status == 200
    sheets_emulator.clear_requests()
    assert sheets_emulator.request_count() == 0


def test_seeding_and_reading_back(sheets_emulator: SheetsEmulator, gspread_client: Client) -> None:
    sid = sheets_emulator.create_spreadsheet(
        "seed", {"People": [["Name", "Since"], ["Ana", dt.date(2026, 11, 1)]], "Other": []}
    )
    ws = gspread_client.open_by_key(sid).worksheet("People")
    assert ws.get_all_records() == [{"Name": "Ana", "Since": "2026-11-01"}]
    assert sheets_emulator.get_values(sid, "People!B2") == [[46327]]


def test_keep_alive_reuses_one_connection(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("ka")
    ws = gspread_client.open_by_key(sid).sheet1
    ports = set()
    for _ in range(5):
        ws.acell("A1")
        ports.add(sheets_emulator.requests[-1].headers.get("Host"))
    assert len(ports) == 1


def test_thread_safe_parallel_writes(sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("par")

    def worker(i: int) -> None:
        client = gspread.Client(auth=None, session=emulator_session(sheets_emulator.url))  # type: ignore[arg-type]
        client.open_by_key(sid).sheet1.update([[i]], f"A{i + 1}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sheets_emulator.get_values(sid, "Sheet1!A1:A8") == [[i] for i in range(8)]


def test_redirect_session_with_credentials_object(sheets_emulator: SheetsEmulator) -> None:
    from google.auth.transport.requests import AuthorizedSession

    session = redirect_session(AuthorizedSession(AnonymousCredentials()), sheets_emulator.url)  # type: ignore[arg-type]
    client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    sh = client.create("authorized")
    assert sh.title == "authorized"
    assert sheets_emulator.requests[0].headers.get("authorization") == "Bearer emulator-token"


def test_http_control_path(sheets_emulator: SheetsEmulator) -> None:
    base = sheets_emulator.url + "/__emulator__"
    sid = requests.post(base + "/spreadsheets", json={"title": "x", "sheets": {"S": [[1]]}}, timeout=5).json()
    requests.post(base + "/faults", json={"at": 1, "kind": 503}, timeout=5)
    url = f"{sheets_emulator.url}/v4/spreadsheets/{sid['spreadsheetId']}/values/S!A1"
    assert requests.get(url, timeout=5).status_code == 503
    assert requests.get(url, timeout=5).json()["values"] == [["1"]]
    assert len(requests.get(base + "/requests", timeout=5).json()["requests"]) == 2


def test_module_entry_point_prints_url_and_variable(tmp_path: Path) -> None:
    """``python -m sheetkit.testing.emulator`` starts with no RuntimeWarning, says what to set, seeds books."""
    book = tmp_path / "book.json"
    book.write_text(json.dumps({"title": "Jo pipeline", "sheets": {"Pipeline": [["Name"], ["Ana"]]}}))
    proc = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", "sheetkit.testing.emulator", "--port", "0", "--seed", str(book)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert proc.stdout.readline().strip() == f"export SHEETKIT_SHEETS_API_URL={url}"
        seeded = proc.stdout.readline().strip()
        assert seeded.startswith("spreadsheet 'Jo pipeline': id ")
        sid = seeded.rsplit(" ", 1)[1]
        client = gspread.Client(auth=None, session=emulator_session(url))  # type: ignore[arg-type]
        assert client.open_by_key(sid).worksheet("Pipeline").get_all_values() == [["Name"], ["Ana"]]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=5)
    assert "Warning" not in err


def test_module_help_says_how_to_seed_and_connect() -> None:
    out = subprocess.run(
        [sys.executable, "-W", "error", "-m", "sheetkit.testing.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stderr == ""
    for needed in ("--seed", "/__emulator__/spreadsheets", "gspread.Client(", "emulator_session(", "SHEETKIT_SHEETS_API_URL"):
        assert needed in out.stdout


def test_emulator_errors_name_the_spreadsheet_by_title_and_id(sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("Jo pipeline", {"Contacts": [["x"]]})
    with pytest.raises(KeyError) as missing_tab:
        sheets_emulator.get_values(sid, "Pipeline!A1")
    assert str(missing_tab.value) == (
        f"spreadsheet 'Jo pipeline' (id {sid}) has no worksheet 'Pipeline' (it has 'Contacts')"
    )
    with pytest.raises(KeyError) as missing_book:
        sheets_emulator.cell("nope", "A1")
    assert str(missing_book.value) == (
        f"the emulator has no spreadsheet with id 'nope' (it has: 'Jo pipeline' (id {sid}))"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1", (0, 1, 0, 1)),
        ("B2:A1", (0, 2, 0, 2)),
        ("A:C", (None, None, 0, 3)),
        ("2:5", (1, 5, None, None)),
        ("A1:C", (0, None, 0, 3)),
        ("A1:1", (0, 1, 0, None)),
    ],
)
def test_a1_parsing(text: str, expected: tuple[Any, ...]) -> None:
    span = parse_cells(text)
    assert (span.start_row, span.end_row, span.start_col, span.end_col) == expected


def test_a1_helpers() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert column_index("AAA") == 702
    assert split_sheet("'It''s'!A1") == ("It's", "A1")
    assert (
        quote_title("Sheet1") == "Sheet1"
        and quote_title("D3") == "'D3'"
        and quote_title("My Sheet") == "'My Sheet'"
    )
    with pytest.raises(A1Error):
        parse_cells("A1:B2:C3")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0042", 42.0),
        ("-3.5", -3.5),
        ("1e3", 1000.0),
        ("50%", 0.5),
        ("$1,234.50", 1234.5),
        ("FALSE", False),
        ("10:30", 0.4375),
        ("3/4/2021", 44259.0),
        ("12 apples", "12 apples"),
        ("", None),
    ],
)
def test_user_entered_values(typed: str, value: Any) -> None:
    assert parse_user_entered(typed).value == value


def test_general_number_format() -> None:
    assert [general_format(v) for v in (2.0, 0.0009765625, 1.5, 0.0)] == ["2", "0.0009765625", "1.5", "0"]
