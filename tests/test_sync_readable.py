"""A sync plan a person can read: people by name (or email), columns by header, cells on each side."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_sync import AS_OF, HEADER, ROWS, edit_local, gsheet, workbook

from sheetkit.core.schema_file import load_schema, parse_schema
from sheetkit.syncing.engine import sync


def cli(emulator: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETKIT_SHEETS_API_URL": emulator.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "sheetkit", "sync", *args, "--as-of", AS_OF.isoformat()]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_the_first_sync_says_it_adds_the_id_column_and_where(google_env: Any, tmp_path: Path) -> None:
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    result = cli(google_env, tmp_path, str(path), key)
    assert result.returncode == 0, result.stderr
    assert "To the workbook ('Contacts'):\n  adds the 'Sheetkit ID' column (column G)" in result.stdout
    assert "To the Google Sheet ('Contacts'):\n  adds the 'Sheetkit ID' column (column G)" in result.stdout
    assert "no changes" not in result.stdout.split("To the Google Sheet")[0]


def test_changes_name_people_and_the_changed_columns(google_env: Any, tmp_path: Path) -> None:
    path = workbook(tmp_path / "contacts.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    sync(path, key, as_of=AS_OF)
    edit_local(path, F3="call after 5pm", C3="Contacted")  # Bo: Notes and Status, in the workbook
    gsheet(google_env, key).append_row(["Eve", "eve@example.com", "New"], value_input_option="RAW")
    text = cli(google_env, tmp_path, str(path), key, "--dry-run").stdout
    assert "To the Google Sheet ('Contacts'):\n  rows changed (1):\n    Bo <bo@example.com> (row 3): Status, Notes" in text
    assert "To the workbook ('Contacts'):\n  rows added (1):\n    Eve <eve@example.com> (row 6)" in text
    data = json.loads(cli(google_env, tmp_path, str(path), key, "--dry-run", "--format", "json").stdout)
    changed = data["plan"]["to_google_sheet"]["cells_changed"]
    assert {(c["name"], c["header"], c["field"], c["cell"], c["to"]) for c in changed} == {
        ("Bo <bo@example.com>", "Status", "status", "Contacts!C3", "Contacted"),
        ("Bo <bo@example.com>", "Notes", "notes", "Contacts!F3", "call after 5pm"),
    }
    added = data["plan"]["to_workbook"]["rows_added"][0]
    assert (added["name"], added["row"], added["values"]["Email"]) == ("Eve <eve@example.com>", 6, "eve@example.com")


def test_a_sheet_without_names_names_people_by_email_and_key_problems_by_cell(
    google_env: Any, tmp_path: Path
) -> None:
    text = Path(load_schema().path).read_text(encoding="utf-8").replace("  key: null", "  key: email")
    schema = tmp_path / "keyed.yaml"
    schema.write_text(text, encoding="utf-8")
    parse_schema(text)  # the edit made a valid schema
    header = ["Email", "Status", "Last Contacted", "Notes"]
    rows = [[r[1], r[2], r[3], r[5]] for r in ROWS] + [["ana@example.com", "New", None, "again"]]
    path = workbook(tmp_path / "contacts.xlsx", rows=rows, header=header)
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [header, *rows[:4]]})
    result = cli(google_env, tmp_path, str(path), key, "--schema", str(schema), "--dry-run")
    assert "ana@example.com, workbook Contacts!A2: the key (Email) 'ana@example.com' is used by more than one row" in (
        result.stdout
    )
    assert "rows added" not in result.stdout  # the Ana on Google is not copied back as a third Ana
    assert "deleted" not in result.stdout and "emptied" not in result.stdout
    cli(google_env, tmp_path, str(path), key, "--schema", str(schema))  # synced once (Ana left alone)
    assert cli(google_env, tmp_path, str(path), key, "--schema", str(schema), "--dry-run").stdout.count("no changes") == 2
    edit_local(path, D3="changed")
    text = cli(google_env, tmp_path, str(path), key, "--schema", str(schema), "--dry-run").stdout
    assert "bo@example.com (row 3): Notes" in text
