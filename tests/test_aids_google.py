"""Sheet aids in Google Sheets (issue 16), through the real gspread client and the loopback emulator.

One spreadsheets.get with a fields mask reads what is there; one batchUpdate changes it; a second
refresh with nothing new sends no write; the user's own notes, validation and rules are untouched;
--no-aids removes sheetkit's own. The emulator is checked to store and return these like Google.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import gspread
import pytest
from conftest import AS_OF

import sheetkit
from sheetkit.google import bodies
from sheetkit.google.aids import AIDS_FIELDS

HEADER = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Channels Tried"]
ROWS = [
    ["Ana", "ana@example.com", "Contacted", dt.date(2026, 11, 1), 1, "email"],  # overdue
    ["Bo", "bo@", "Engaged", dt.date(2026, 11, 18), 0, "email"],  # due today; a bad email
    ["Cy", "cy@example.com", "Contacted", "next tuesday", 2, "email"],
    ["Di", "di@example.com", "Ghosted", dt.date(2026, 10, 1), 4, "email, phone"],  # non-responsive
]


def seed(emulator: Any) -> str:
    return emulator.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})


def url(key: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{key}/edit"


def writes(emulator: Any) -> list[Any]:
    return [r for r in emulator.requests if r.method != "GET"]


def read_aids(google_env: Any, key: str) -> dict[str, Any]:
    from sheetkit.google.client import connect

    http = connect().http
    found = http.fetch_sheet_metadata(key, params={"ranges": "Contacts", "fields": AIDS_FIELDS})
    sheet = found["sheets"][0]
    notes, validations = {}, {}
    for grid in sheet.get("data") or []:
        for i, row in enumerate(grid.get("rowData") or []):
            for j, value in enumerate(row.get("values") or []):
                ref = f"{chr(65 + j)}{i + 1}"
                if "note" in value:
                    notes[ref] = value["note"]
                if "dataValidation" in value:
                    validations[ref] = value["dataValidation"]
    return {"rules": sheet.get("conditionalFormats") or [], "notes": notes, "validations": validations}


def test_a_dry_run_reads_the_aids_and_writes_nothing(google_env: Any) -> None:
    key = seed(google_env)
    google_env.clear_requests()
    result = sheetkit.refresh(url(key), as_of=AS_OF, aids=True, dry_run=True)
    assert writes(google_env) == [] and result.written is None
    assert result.aids is not None and result.aids.changed and result.aids.dry_run
    assert "Sheet aids (dropdown, highlights, notes): would be updated." in result.summary()
    assert read_aids(google_env, key) == {"rules": [], "notes": {}, "validations": {}}


def test_refresh_adds_aids_in_one_batch_and_a_second_run_writes_nothing(google_env: Any) -> None:
    key = seed(google_env)
    google_env.clear_requests()
    result = sheetkit.refresh(url(key), as_of=AS_OF, aids=True)
    assert result.aids is not None and result.aids.changed
    batches = [r for r in writes(google_env) if r.path.endswith(":batchUpdate") and "/values" not in r.path]
    kinds = [next(iter(req)) for r in batches for req in json.loads(r.body)["requests"]]
    aid_batches = [r for r in batches if b'"note"' in r.body or b"ConditionalFormat" in r.body]
    assert len(aid_batches) == 1  # one all-or-nothing batchUpdate for the aids
    assert {"setDataValidation", "addConditionalFormatRule", "updateCells"} <= set(kinds)
    found = read_aids(google_env, key)
    # the dropdown: C2:C5, not strict, with sheetkit's input message
    assert set(found["validations"]) == {"C2", "C3", "C4", "C5"}
    rule = found["validations"]["C2"]
    assert rule["condition"]["type"] == "ONE_OF_LIST" and not rule.get("strict")
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]][:3] == ["New", "Contacted", "Engaged"]
    assert rule["inputMessage"].startswith("sheetkit: Status")
    # three highlight rules over A2:I5 (the table and its three computed columns)
    rules = found["rules"]
    assert len(rules) == 3
    grid = {"startRowIndex": 1, "endRowIndex": 5, "startColumnIndex": 0, "endColumnIndex": 9}  # sheetId 0 left out
    assert [r["ranges"] for r in rules] == [[grid]] * 3
    formulas = [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules]
    assert formulas[0] == '=AND(ISNUMBER($I2),$I2<TODAY(),N("sheetkit: overdue")=0)'
    assert formulas[2] == '=AND($H2=TRUE,N("sheetkit: non-responsive")=0)'
    # notes on the problem cells
    assert found["notes"] == {
        "B3": "sheetkit: 'bo@' is not an email address: there must be something after the @-sign (expected name@example.com)",
        "D4": found["notes"]["D4"],
    }
    assert found["notes"]["D4"].startswith("sheetkit: 'next tuesday'")
    # nothing new: one read, no write
    google_env.clear_requests()
    again = sheetkit.refresh(url(key), as_of=AS_OF, aids=True)
    assert again.aids is not None and not again.aids.changed
    assert writes(google_env) == []


def test_users_own_note_validation_and_rule_are_never_touched(google_env: Any) -> None:
    key = seed(google_env)
    from sheetkit.google.client import connect

    http = connect().http
    own_rule = bodies.formula_rule(bodies.grid_range(0, 2, 40, 5, 5), "$E2>3", "FF0000")
    own_list = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Hot"}]}, "showCustomUi": True}
    http.batch_update(
        key,
        bodies.batch(
            [
                bodies.add_rule(own_rule, 0),
                bodies.set_validation(bodies.grid_range(0, 2, 40, 3, 3), own_list),
                bodies.set_note(0, 3, 2, "check with Sam"),  # B3 has a problem: the user's note stays
                bodies.set_note(0, 2, 1, "met at the meetup"),
            ]
        ),
    )
    result = sheetkit.refresh(url(key), as_of=AS_OF, aids=True)
    assert result.aids is not None
    assert any("your own validation" in n for n in result.aids.notices)
    assert any("B3" in n and "your own note" in n for n in result.aids.notices)
    found = read_aids(google_env, key)
    assert found["notes"]["B3"] == "check with Sam" and found["notes"]["A2"] == "met at the meetup"
    assert found["notes"]["D4"].startswith("sheetkit: ")
    assert found["validations"]["C2"]["condition"]["values"] == [{"userEnteredValue": "Hot"}]
    assert len(found["rules"]) == 4
    assert found["rules"][0]["booleanRule"]["condition"]["values"][0]["userEnteredValue"] == "=$E2>3"
    # --no-aids: sheetkit's own go, the user's stay
    google_env.clear_requests()
    removed = sheetkit.refresh(url(key), as_of=AS_OF, aids=False)
    assert removed.aids is not None and removed.aids.changed
    assert len([r for r in writes(google_env) if r.path.endswith(":batchUpdate")]) == 1
    found = read_aids(google_env, key)
    assert found["notes"] == {"B3": "check with Sam", "A2": "met at the meetup"}
    assert len(found["rules"]) == 1 and "C2" in found["validations"]


def test_a_fixed_cell_loses_its_note(google_env: Any) -> None:
    key = seed(google_env)
    sheetkit.refresh(url(key), as_of=AS_OF, aids=True)
    from sheetkit.google.client import connect

    connect().http.values_update(
        key, "Contacts!B3", params={"valueInputOption": "RAW"}, body={"values": [["bo@example.com"]]}
    )
    sheetkit.refresh(url(key), as_of=AS_OF, aids=True)
    assert set(read_aids(google_env, key)["notes"]) == {"D4"}


def test_the_emulator_keeps_rules_with_indexes_like_google(google_env: Any) -> None:
    """add at an index, update in place, move, delete; returned under conditionalFormats with the fields mask."""
    key = seed(google_env)
    from sheetkit.google.client import connect

    http = connect().http
    rule = [bodies.formula_rule(bodies.grid_range(0, 2, 5, 1, 3), f"$A2={n}", "FF0000") for n in range(3)]
    http.batch_update(
        key, bodies.batch([bodies.add_rule(rule[0], 0), bodies.add_rule(rule[1], 0), bodies.add_rule(rule[2], 1)])
    )

    def formulas() -> list[str]:
        got = http.fetch_sheet_metadata(key, params={"fields": "sheets(conditionalFormats)"})
        assert set(got) == {"sheets"} and set(got["sheets"][0]) == {"conditionalFormats"}
        return [
            r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
            for r in got["sheets"][0]["conditionalFormats"]
        ]

    assert formulas() == ["=$A2=1", "=$A2=2", "=$A2=0"]
    http.batch_update(key, {"requests": [{"updateConditionalFormatRule": {"sheetId": 0, "index": 2, "newIndex": 0}}]})
    assert formulas() == ["=$A2=0", "=$A2=1", "=$A2=2"]
    http.batch_update(key, bodies.batch([bodies.delete_rule(0, 1)]))
    assert formulas() == ["=$A2=0", "=$A2=2"]
    with pytest.raises(gspread.exceptions.APIError, match="No conditional format"):
        http.batch_update(key, bodies.batch([bodies.delete_rule(0, 5)]))
    assert formulas() == ["=$A2=0", "=$A2=2"]  # all or nothing


def test_the_emulator_refuses_misspelled_aid_requests_like_google(google_env: Any) -> None:
    """Request bodies are checked against the discovery document: a wrong field name is a 400, nothing applied."""
    key = seed(google_env)
    from sheetkit.google.client import connect

    http = connect().http
    rule = bodies.formula_rule(bodies.grid_range(0, 2, 5, 1, 3), "$A2=1", "FF0000")
    rule["booleanRule"]["format"] = {"backgroundColour": rule["booleanRule"]["format"]["backgroundColor"]}
    with pytest.raises(gspread.exceptions.APIError, match="backgroundColour"):
        http.batch_update(key, bodies.batch([bodies.set_note(0, 2, 1, "kept?"), bodies.add_rule(rule, 0)]))
    with pytest.raises(gspread.exceptions.APIError):
        http.fetch_sheet_metadata(key, params={"fields": "sheets(conditionalFormat)"})
    assert read_aids(google_env, key) == {"rules": [], "notes": {}, "validations": {}}


def test_cli_aids_on_a_google_sheet(google_env: Any, tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    key = seed(google_env)
    env = {**os.environ, "SHEETKIT_SHEETS_API_URL": google_env.url, "GSPREAD_CONFIG_DIR": str(tmp_path)}
    env.pop("SHEETKIT_CREDENTIALS", None)

    def run(*args: str) -> dict[str, Any]:
        command = [sys.executable, "-m", "sheetkit", "refresh", url(key), "--as-of", "2026-11-21", "--format", "json"]
        done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        return json.loads(done.stdout)

    assert run("--aids")["aids"]["changed"] is True
    quiet = run("--aids")
    assert quiet["aids"]["changed"] is False and quiet["written"] is None
    assert run("--no-aids")["aids"]["changed"] is True
    assert read_aids(google_env, key) == {"rules": [], "notes": {}, "validations": {}}
