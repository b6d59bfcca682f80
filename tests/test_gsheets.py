"""Google Sheets through the real gspread client over HTTP to the loopback emulator."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import AS_OF

import sheetkit
from sheetkit.errors import CredentialsError, GoogleAPIError, HeaderError, SheetNotFoundError, SourceError, UsageError
from sheetkit.google.client import RequestStats, connect
from sheetkit.google.sheets import SheetRef, parse_sheet_ref

HEADER = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Channels Tried", "Notes"]
ROWS = [
    ["Ana", "ana@example.com", "Contacted", dt.date(2026, 11, 1), 1, "email", '=HYPERLINK("x")'],
    ["Bo", "bo@example.com", "Ghosted", dt.date(2026, 5, 1), 4, "email, phone", "+1 617 555 0100"],
    ["Cy", "cy@example.com", "DNC", dt.date(2026, 10, 1), 0, "", "007"],
    ["Di", "di@example", "New", "", 0, "", ""],
]
COMPUTED = ["Days Since Contact", "Non-Responsive", "Next Check-In"]


def url(spreadsheet_id: str, gid: int | None = None) -> str:
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit" + (f"#gid={gid}" if gid is not None else "")


def seed(emulator: Any, rows: list[list[Any]] | None = None, **sheets: list[list[Any]]) -> str:
    layout = {"Contacts": [HEADER, *(ROWS if rows is None else rows)], **sheets}
    return emulator.create_spreadsheet("Pipeline", layout)


def writes(emulator: Any) -> list[Any]:
    return [r for r in emulator.requests if r.method != "GET"]


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


# -- sources ------------------------------------------------------------------------------------


def test_parse_urls_and_ids() -> None:
    key = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"
    assert parse_sheet_ref(url(key)) == SheetRef(key)
    assert parse_sheet_ref(url(key, 123)) == SheetRef(key, gid=123)
    assert parse_sheet_ref(f"https://docs.google.com/spreadsheets/u/1/d/{key}/edit?gid=7#gid=7") == SheetRef(key, gid=7)
    assert parse_sheet_ref(key, "Contacts") == SheetRef(key, "Contacts")
    with pytest.raises(UsageError, match="is not a Google Sheets URL"):
        parse_sheet_ref("https://docs.google.com/document/d/abc/edit")


def test_validate_by_url_gid_id_and_worksheet(google_env: Any) -> None:
    key = seed(google_env, Other=[["First Name", "Status", "Last Contacted"], ["Zoe", "New", ""]])
    other_gid = next(
        s["properties"]["sheetId"] for s in google_env.spreadsheet(key)["sheets"] if s["properties"]["title"] == "Other"
    )
    by_url = sheetkit.validate(url(key), as_of=AS_OF)
    assert by_url.sheet == "Contacts" and by_url.rows == 4
    assert [(p.cell, p.rule) for p in by_url.problems] == [("Contacts!B5", "email")]
    assert sheetkit.validate(url(key, other_gid), as_of=AS_OF).sheet == "Other"
    assert sheetkit.validate(key, sheet="Other", as_of=AS_OF).rows == 1


def test_worksheet_and_client_from_python(gspread_client: Any, sheets_emulator: Any) -> None:
    key = seed(sheets_emulator)
    worksheet = gspread_client.open_by_key(key).worksheet("Contacts")
    frame = sheetkit.enrich(worksheet, as_of=AS_OF)
    assert frame["Days Since Contact"].tolist()[:3] == [20, 204, 51]
    assert sheetkit.validate(url(key), client=gspread_client, as_of=AS_OF).rows == 4


def test_a_callers_gspread_objects_are_wrapped_never_changed(gspread_client: Any, sheets_emulator: Any) -> None:
    from sheetkit.google.client import SheetsClient, sheets_client

    key = seed(sheets_emulator)
    worksheet = gspread_client.open_by_key(key).worksheet("Contacts")
    before = (dict(vars(gspread_client)), dict(vars(worksheet)), dict(vars(gspread_client.http_client)))
    result = sheetkit.refresh(worksheet, as_of=AS_OF)
    assert result.cells_changed > 0 and result.requests == 0  # gspread's own HTTPClient counts nothing
    assert sheetkit.refresh(url(key), client=gspread_client, as_of=AS_OF).cells_changed == 0
    assert (dict(vars(gspread_client)), dict(vars(worksheet)), dict(vars(gspread_client.http_client))) == before
    wrapped = sheets_client(gspread_client)
    assert wrapped.client is gspread_client and wrapped.http is gspread_client.http_client
    assert sheets_client(wrapped) is wrapped
    from_worksheet = sheets_client(worksheet.client)  # a Worksheet knows only its HTTPClient
    assert isinstance(from_worksheet, SheetsClient) and from_worksheet.http is worksheet.client
    assert from_worksheet.client is None


def test_values_arrive_typed_in_one_batch_get(google_env: Any) -> None:
    key = seed(
        google_env,
        rows=[
            ["Ana", "a@example.com", "Contacted", 46327, 2, "", ""],
            ["Bo", "b@example.com", "Contacted", "3/4/2026", "2", "", ""],
        ],
    )
    google_env.clear_requests()
    frame = sheetkit.enrich(url(key), as_of=AS_OF)
    assert frame["Days Since Contact"].tolist() == [
        (AS_OF - dt.date(2026, 11, 1)).days,
        (AS_OF - dt.date(2026, 3, 4)).days,
    ]
    gets = [r for r in google_env.requests]
    assert len(gets) == 2 and "values:batchGet" in gets[1].path
    assert gets[1].params["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert gets[1].params["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


# -- refresh ------------------------------------------------------------------------------------


def test_refresh_writes_only_computed_cells_raw_then_nothing(google_env: Any) -> None:
    key = seed(google_env)
    google_env.clear_requests()
    result = sheetkit.refresh(url(key), as_of=AS_OF)
    assert result.engine == "sheets-api" and result.cells_changed == 13  # 3 headers + 12 cells - 2 blanks
    posts = writes(google_env)
    kinds = [r.path.rsplit("/", 1)[-1] for r in posts]
    assert kinds == [f"{key}:batchUpdate", "values:batchUpdate"]  # grid/format, then the values
    body = posts[1].json()
    assert body["valueInputOption"] == "RAW"
    values = google_env.get_values(key, "Contacts!H1:J5")
    assert values == [COMPUTED, [20, False, 46330], [204, True, 46323], [51, False], ["", False, 46347]]
    assert google_env.cell(key, "J2").number_format["type"] == "DATE"
    assert google_env.cell(key, "G2").value == '=HYPERLINK("x")'  # user cells untouched
    google_env.clear_requests()
    again = sheetkit.refresh(url(key), as_of=AS_OF)
    assert again.cells_changed == 0 and writes(google_env) == []
    assert again.requests == 2


def test_refresh_of_a_changed_day_is_one_values_batch_update(google_env: Any) -> None:
    key = seed(google_env)
    sheetkit.refresh(url(key), as_of=AS_OF)
    google_env.clear_requests()
    later = sheetkit.refresh(url(key), as_of=AS_OF + dt.timedelta(days=1))
    assert later.cells_changed == 4  # three Days Since Contact, and Di's due date moves
    assert [r.path.rsplit("/", 1)[-1] for r in writes(google_env)] == ["values:batchUpdate"]
    assert later.requests == 3


def test_dry_run_sends_no_write(google_env: Any) -> None:
    key = seed(google_env)
    google_env.clear_requests()
    result = sheetkit.refresh(url(key), as_of=AS_OF, dry_run=True)
    assert result.cells_changed > 0 and writes(google_env) == []


# -- pull and push --------------------------------------------------------------------------------


def test_push_keeps_text_as_text_and_is_minimal(google_env: Any, make_workbook: Any, tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "local.xlsx"
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Contacts"
    for row in [HEADER, *ROWS]:
        ws.append(row)
    ws["D2"].number_format = "yyyy-mm-dd"
    ws["G2"].data_type = "s"  # a note that starts with "=" is text in the user's workbook
    workbook.save(book)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [["old"], ["x"], ["y"], ["z"], ["w"], ["v"], ["u"]]})
    result = sheetkit_push(book, url(key))
    assert result.rows_removed == 2
    stored = google_env.get_values(key, "Contacts")
    assert stored[1][6] == '=HYPERLINK("x")' and google_env.cell(key, "G2").formula is None
    assert stored[2][6] == "+1 617 555 0100" and stored[3][6] == "007"
    assert stored[1][3] == 46327 and google_env.cell(key, "D2").number_format["type"] == "DATE"
    assert len(stored) == 5
    google_env.clear_requests()
    ws["A2"] = "Anna"
    workbook.save(book)
    again = sheetkit_push(book, url(key))
    assert again.cells_changed == 1
    posts = writes(google_env)
    assert len(posts) == 1 and posts[0].json()["data"] == [
        {"range": "Contacts!A2:A2", "majorDimension": "ROWS", "values": [["Anna"]]}
    ]


def sheetkit_push(path: Path, target: str) -> Any:
    from sheetkit.transfer import push

    return push(path, target)


def test_pull_new_and_existing_workbook_typed(google_env: Any, tmp_path: Path) -> None:
    import openpyxl

    from sheetkit.transfer import pull

    key = seed(google_env)
    out = tmp_path / "pulled.xlsx"
    first = pull(url(key), out)
    assert first.written
    ws = openpyxl.load_workbook(out)["Contacts"]
    assert [c.value for c in ws[1]] == HEADER
    assert ws["D2"].value == dt.datetime(2026, 11, 1) and ws["D2"].is_date
    assert ws["E3"].value == 4 and ws["G4"].value == "007" and ws["G2"].value == '=HYPERLINK("x")'
    assert ws["G2"].data_type == "s"  # text, not a formula
    google_env.clear_requests()
    unchanged = pull(url(key), out)
    assert unchanged.cells_changed == 0 and not unchanged.written
    sheetkit.refresh(url(key), as_of=AS_OF)
    updated = pull(url(key), out)
    assert updated.cells_changed == 13 and updated.backup is not None
    assert openpyxl.load_workbook(out)["Contacts"]["J2"].value == dt.datetime(2026, 11, 4)


# -- faults and quotas ------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [429, 500, 503, "drop"])
def test_transient_faults_are_retried(google_env: Any, fault: Any) -> None:
    key = seed(google_env)
    stats = RequestStats()
    client = connect(stats, sleep=lambda seconds: None)
    google_env.fail_at(2, fault)  # the values:batchGet
    report = sheetkit.validate(url(key), client=client, as_of=AS_OF)
    assert report.rows == 4 and stats.retries == 1 and stats.requests == 3


def test_retries_are_bounded(google_env: Any) -> None:
    key = seed(google_env)
    client = connect(RequestStats(), sleep=lambda seconds: None)
    for n in range(1, 10):
        google_env.fail_at(n, 429)
    with pytest.raises(GoogleAPIError, match="quota exceeded .* even after retries"):
        sheetkit.validate(url(key), client=client, as_of=AS_OF)


def test_row_inserting_batch_update_is_not_repeated_after_a_drop(google_env: Any) -> None:
    from sheetkit.core.cells import CellUpdate
    from sheetkit.google.sheets import read_google_grid, write_updates

    key = seed(google_env)
    client = connect(RequestStats(), sleep=lambda seconds: None)
    grid = read_google_grid(url(key), client=client)
    google_env.fail_next("drop", method="POST", path=r":batchUpdate$")
    with pytest.raises(GoogleAPIError, match="cannot reach the Google Sheets API"):
        write_updates(grid.sheet, [CellUpdate(2000, 1, "far below")])
    assert google_env.request_count(method="POST") == 1


def test_large_writes_are_chunked_under_2mb(google_env: Any) -> None:
    from sheetkit.core.cells import CellUpdate
    from sheetkit.google import sheets as gsheets

    key = google_env.create_spreadsheet("Big", {"Contacts": [["Notes"]]}, rows=3000)
    grid = gsheets.read_google_grid(url(key), client=connect(RequestStats()))
    updates = [CellUpdate(row, column, "x" * 500) for row in range(2, 3000, 2) for column in (1, 2, 3)]
    google_env.clear_requests()
    gsheets.write_updates(grid.sheet, updates)
    bodies = [r for r in writes(google_env) if "values:batchUpdate" in r.path]
    assert len(bodies) >= 2 and all(len(r.body) < 2_000_000 for r in bodies)
    assert google_env.get_values(key, "Contacts!A2998:C2998") == [["x" * 500] * 3]


# -- bad input: clear messages, exit code 2, nothing written ---------------------------------------


def test_bad_google_inputs(google_env: Any) -> None:
    key = seed(google_env)
    with pytest.raises(SourceError, match="was not found"):
        sheetkit.validate("1NoSuchSpreadsheetIdAbCdEfGhIjKlMnOpQr", as_of=AS_OF)
    with pytest.raises(SheetNotFoundError) as missing:
        sheetkit.validate(url(key), sheet="Nope", as_of=AS_OF)
    title = google_env.spreadsheet(key)["properties"]["title"]
    assert str(missing.value) == (
        f"spreadsheet {title!r} (id {key}) has no worksheet 'Nope'; its worksheets are: 'Contacts'"
    )
    google_env.deny(key)
    with pytest.raises(SourceError, match="no permission to open .* share the sheet"):
        sheetkit.validate(url(key), as_of=AS_OF)


def test_empty_headers_only_and_ragged_sheets(google_env: Any) -> None:
    empty = google_env.create_spreadsheet("Empty", {"Contacts": []})
    with pytest.raises(HeaderError, match="is empty"):
        sheetkit.validate(url(empty), as_of=AS_OF)
    headers_only = google_env.create_spreadsheet("Headers", {"Contacts": [HEADER]})
    report = sheetkit.validate(url(headers_only), as_of=AS_OF)
    assert report.rows == 0 and report.ok
    ragged = google_env.create_spreadsheet("Ragged", {"Contacts": [HEADER, ["Ana", "a@example.com", "New"], ["Bo"]]})
    frame = sheetkit.enrich(url(ragged), as_of=AS_OF)
    assert frame["First Name"].tolist() == ["Ana", "Bo"]


def test_more_than_ten_million_cells(google_env: Any) -> None:
    from sheetkit.core.cells import CellUpdate
    from sheetkit.errors import WriteError
    from sheetkit.google.sheets import read_google_grid, write_updates

    key = seed(google_env)
    grid = read_google_grid(url(key), client=connect(RequestStats()))
    google_env.clear_requests()
    with pytest.raises(WriteError, match="would need 10,400,000 cells, more than Google's limit of 10,000,000"):
        write_updates(grid.sheet, [CellUpdate(400_000, 26, "too far")])
    assert google_env.requests == []


def test_cli_google_errors_exit_2_without_traceback(google_env: Any, tmp_path: Path) -> None:
    env = {"SHEETKIT_SHEETS_API_URL": google_env.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    key = seed(google_env)
    cases = [
        (["validate", "https://example.com/sheet"], "is not a Google Sheets URL"),
        (["validate", url("1NoSuchSpreadsheetIdAbCdEfGhIjKlMnOpQr")], "was not found"),
        (["refresh", url(key), "--sheet", "Nope"], "has no worksheet 'Nope'"),
    ]
    for args, message in cases:
        result = run_cli(*args, env=env)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert message in result.stderr
    assert writes(google_env) == []


def test_cli_refresh_reports_requests(google_env: Any, tmp_path: Path) -> None:
    env = {"SHEETKIT_SHEETS_API_URL": google_env.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    key = seed(google_env)
    result = run_cli("refresh", url(key), "--as-of", "2026-11-21", "--format", "json", "--verbose", env=env)
    assert result.returncode == 1  # Di's email is a problem; the work was done
    data = json.loads(result.stdout)
    assert data["requests"] == 4 and data["cells_changed"] == 13
    assert "4 Google API requests" in result.stderr


# -- credentials --------------------------------------------------------------------------------------


def test_missing_credentials_say_what_to_do(tmp_path: Path) -> None:
    env = {"GSPREAD_CONFIG_DIR": str(tmp_path), "SHEETKIT_SHEETS_API_URL": "", "SHEETKIT_CREDENTIALS": ""}
    result = run_cli("validate", url("1AbCdEfGhIjKlMnOpQrStUvWxYz012345"), env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no Google credentials found: save a service-account key as" in result.stderr
    assert "SHEETKIT_CREDENTIALS" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read the credentials file"),
        ('{"installed": {"client_id": "x"}}', "is an OAuth client file, not a login"),
        ('{"type": "service_account"}', "is incomplete"),
        ('{"type": "something"}', "is not a Google service-account key"),
    ],
)
def test_unusable_credentials_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    path = tmp_path / "key.json"
    path.write_text(content)
    monkeypatch.setenv("SHEETKIT_CREDENTIALS", str(path))
    with pytest.raises(CredentialsError, match=message):
        connect()


def test_expired_and_revoked_credentials(google_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = seed(google_env)
    login = {
        "type": "authorized_user",
        "client_id": "id.apps.googleusercontent.com",
        "client_secret": "s",
        "refresh_token": "r",
        "token": "live-token",
        "token_uri": f"{google_env.url}/token",
        "expiry": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    path = tmp_path / "authorized_user.json"
    path.write_text(json.dumps(login))
    monkeypatch.setenv("SHEETKIT_CREDENTIALS", str(path))
    assert sheetkit.validate(url(key), as_of=AS_OF).rows == 4  # the token is sent and accepted
    google_env.revoke_token("live-token")
    with pytest.raises(CredentialsError, match="Google rejected the credentials") as caught:
        sheetkit.validate(url(key), as_of=AS_OF)
    assert "live-token" not in str(caught.value)
    login["expiry"] = "2020-01-01T00:00:00Z"  # expired: google-auth tries to refresh and is refused
    path.write_text(json.dumps(login))
    with pytest.raises(CredentialsError, match="expired or revoked"):
        sheetkit.validate(url(key), as_of=AS_OF)


def test_cli_pull_and_push(google_env: Any, tmp_path: Path) -> None:
    import openpyxl

    env = {"SHEETKIT_SHEETS_API_URL": google_env.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    key = seed(google_env)
    out = tmp_path / "pulled.xlsx"
    pulled = run_cli("pull", url(key), str(out), "--format", "json", env=env)
    assert pulled.returncode == 0, pulled.stderr
    assert json.loads(pulled.stdout)["written"] is True
    book = openpyxl.load_workbook(out)
    book["Contacts"]["A2"] = "Anna"
    book.save(out)
    dry = run_cli("push", str(out), url(key), "--dry-run", env=env)
    assert dry.returncode == 0 and "would change 1 cell in" in dry.stdout and "1 cells" not in dry.stdout
    assert google_env.get_values(key, "Contacts!A2") == [["Ana"]]
    pushed = run_cli("push", str(out), url(key), env=env)
    assert pushed.returncode == 0 and "changed 1 cell in" in pushed.stdout
    assert google_env.get_values(key, "Contacts!A2") == [["Anna"]]
    missing = run_cli("push", str(tmp_path / "nope.xlsx"), url(key), env=env)
    assert missing.returncode == 2 and "file not found" in missing.stderr and "Traceback" not in missing.stderr


def test_push_with_new_rows_and_dates_is_one_atomic_write(google_env: Any, tmp_path: Path) -> None:
    import openpyxl

    from sheetkit.transfer import push

    book = tmp_path / "local.xlsx"
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Contacts"
    for row in [HEADER, *ROWS]:
        ws.append(row)
    ws["G2"].data_type = "s"
    workbook.save(book)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, ROWS[0]]}, rows=2)  # a full, small grid
    google_env.clear_requests()
    result = push(book, url(key))
    assert result.rows_added == 3 and result.requests == 3
    posts = writes(google_env)
    assert len(posts) == 1 and posts[0].path.endswith(":batchUpdate")
    kinds = {k for r in posts[0].json()["requests"] for k in r}
    assert kinds == {"appendDimension", "updateCells"}
    assert google_env.cell(key, "D3").number_format["type"] == "DATE"
    assert google_env.get_values(key, "Contacts!G2:G4") == [['=HYPERLINK("x")'], ["+1 617 555 0100"], ["007"]]
    assert google_env.cell(key, "G2").formula is None  # text stayed text
