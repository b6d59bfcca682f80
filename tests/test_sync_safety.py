"""Sync loses nothing: the wrong tab, edits racing the write, a hand-edited state, who may read the state."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_sync import AS_OF, HEADER, ROWS, edit_local, gsheet, local_rows, same_content, workbook

from sheetkit.errors import SyncStateError, WriteError
from sheetkit.syncing import engine
from sheetkit.syncing.engine import sync
from sheetkit.syncing.state import state_path

ARCHIVE = [HEADER, *([f"Old{i}", f"old{i}@example.com", "Placed", None, 0, ""] for i in range(20))]


def gid(emulator: Any, key: str, title: str) -> int:
    sheets = emulator.spreadsheet(key)["sheets"]
    return int(next(s["properties"]["sheetId"] for s in sheets if s["properties"]["title"] == title))


@pytest.fixture
def two_tabs(google_env: Any, tmp_path: Path) -> tuple[Path, str, Any]:
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS], "Archive": ARCHIVE})
    assert sync(path, key, as_of=AS_OF).exit_code == 0
    return path, key, google_env


def test_a_sync_with_another_tab_stops_and_changes_nothing(two_tabs: tuple[Path, str, Any], tmp_path: Path) -> None:
    path, key, emulator = two_tabs
    book, state = path.read_bytes(), state_path(path).read_bytes()
    archive_before = emulator.get_values(key, "Archive")
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={gid(emulator, key, 'Archive')}"
    env = {**os.environ, "SHEETKIT_SHEETS_API_URL": emulator.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "sheetkit", "sync", str(path), url, "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "was made for contacts.xlsx sheet 'Contacts' with Google spreadsheet" in result.stderr
    assert "tab 'Archive'" in result.stderr and "--rebase" in result.stderr
    assert path.read_bytes() == book and state_path(path).read_bytes() == state  # no row emptied
    assert emulator.get_values(key, "Archive") == archive_before


def test_rebase_starts_over_with_the_new_pair_without_deleting(two_tabs: tuple[Path, str, Any]) -> None:
    path, key, emulator = two_tabs
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={gid(emulator, key, 'Archive')}"
    result = sync(path, url, as_of=AS_OF, rebase=True, prefer="local")
    assert not result.plan.local.delete_rows and not result.plan.remote.delete_rows
    assert {row[0] for row in local_rows(path)[1:]} >= {"Ana", "Bo", "Cy", "Di", "Old0", "Old19"}  # nothing emptied
    assert sync(path, url, as_of=AS_OF).plan.is_empty  # the state is now bound to the new pair


def test_another_spreadsheet_stops_too(two_tabs: tuple[Path, str, Any]) -> None:
    path, _, emulator = two_tabs
    other = emulator.create_spreadsheet("Other", {"Contacts": [HEADER]})
    with pytest.raises(SyncStateError, match="this sync is between contacts.xlsx sheet 'Contacts' with Google"):
        sync(path, other, as_of=AS_OF)


def test_a_renamed_tab_is_the_same_tab(two_tabs: tuple[Path, str, Any]) -> None:
    path, key, _ = two_tabs
    gsheet_ = gsheet(two_tabs[2], key)
    gsheet_.update_title("Pipeline 2026")
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={gsheet_.id}"
    assert sync(path, url, as_of=AS_OF).plan.is_empty


def test_an_edit_google_applies_after_the_write_is_the_newer_edit_next_time(
    pair_: tuple[Path, str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, key, emulator = pair_
    edit_local(path, F2="from the workbook")  # sync will write Ana's note to Google
    real_send = engine._send

    def write_then_teammate_types(side: Any, sent: Any) -> None:  # the moment just after Google applied it
        real_send(side, sent)
        gsheet(emulator, key).update([["typed at that moment"]], "F2", value_input_option="RAW")

    monkeypatch.setattr(engine, "_send", write_then_teammate_types)
    first = sync(path, key, as_of=AS_OF)
    assert first.remote_written and first.requests == 4  # no read-back after the write
    monkeypatch.setattr(engine, "_send", real_send)
    second = sync(path, key, as_of=AS_OF)
    assert not second.plan.conflicts and second.exit_code == 0
    content = same_content(path, emulator, key)  # the later edit wins on both sides, as in Google itself
    assert content["Ana"]["Notes"] == "typed at that moment"


def test_an_edit_to_another_cell_just_before_the_write_is_kept(
    pair_: tuple[Path, str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, key, emulator = pair_
    edit_local(path, F2="from the workbook")

    def teammate_types(side: Any) -> None:  # after the re-read, before the write
        gsheet(emulator, key).update([["call after 5pm"]], "F3", value_input_option="RAW")

    monkeypatch.setattr(engine, "_before_send", teammate_types)
    sync(path, key, as_of=AS_OF)
    monkeypatch.setattr(engine, "_before_send", engine._nothing)
    sync(path, key, as_of=AS_OF)
    content = same_content(path, emulator, key)
    assert content["Bo"]["Notes"] == "call after 5pm" and content["Ana"]["Notes"] == "from the workbook"


def test_a_hand_edited_state_is_refused(pair_: tuple[Path, str, Any]) -> None:
    path, key, _ = pair_
    data = json.loads(state_path(path).read_text())
    data["base"]["rows"][0]["values"]["notes"] = "forged"  # a base that would make sync overwrite edits
    state_path(path).write_text(json.dumps(data))
    with pytest.raises(SyncStateError, match="checksum does not match its content: it was changed by hand or damaged"):
        sync(path, key, as_of=AS_OF)


def test_the_state_file_is_as_private_as_the_workbook(google_env: Any, tmp_path: Path) -> None:
    path = workbook(tmp_path / "contacts.xlsx")
    path.chmod(0o600)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    old = os.umask(0o022)
    try:
        sync(path, key, as_of=AS_OF)
    finally:
        os.umask(old)
    assert stat.S_IMODE(state_path(path).stat().st_mode) == 0o600


@pytest.fixture
def pair_(google_env: Any, tmp_path: Path) -> tuple[Path, str, Any]:
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    assert sync(path, key, as_of=AS_OF).exit_code == 0
    return path, key, google_env


def test_a_save_of_the_workbook_during_a_sync_is_not_overwritten(
    pair_: tuple[Path, str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, key, emulator = pair_
    edit_local(path, F2="from the workbook")
    gsheet(emulator, key).update([["from Google"]], "F3", value_input_option="RAW")  # to be written locally

    def excel_saves(side: Any) -> None:  # after sync read the workbook, before it writes it back
        edit_local(path, F4="saved in Excel meanwhile")

    monkeypatch.setattr(engine, "_before_send", excel_saves)
    with pytest.raises(WriteError, match="contacts.xlsx changed since sheetkit read it"):
        sync(path, key, as_of=AS_OF)
    monkeypatch.setattr(engine, "_before_send", engine._nothing)
    assert by_first_name(local_rows(path))["Cy"][5] == "saved in Excel meanwhile"  # the save survives
    sync(path, key, as_of=AS_OF)  # and the next sync takes it everywhere
    content = same_content(path, emulator, key)
    assert content["Cy"]["Notes"] == "saved in Excel meanwhile" and content["Ana"]["Notes"] == "from the workbook"
    assert content["Bo"]["Notes"] == "from Google"


def by_first_name(rows: list[list[Any]]) -> dict[str, list[Any]]:
    return {row[0]: row for row in rows[1:]}
