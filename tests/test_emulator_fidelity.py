"""The emulator answers as Google does where sheetkit's tests rely on it (issue 19).

Requests are checked against the Sheets API discovery document (tests/data/sheets.v4.json);
reads and writes at the grid's edge, formula references on insert/delete/move, the common
functions, the request kinds gspread offers and the DataFilter/developer-metadata methods behave
as Google's recordings and reference document them; a request kind the emulator does not
implement answers 501, never a fake 200 or Google's unknown-field 400.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests

from sheetkit.testing import SheetsEmulator
from sheetkit.testing.batch import HANDLERS
from sheetkit.testing.discovery import TABLE, build_table, dump_table, request_kinds

Client = gspread.Client
DISCOVERY = Path(__file__).parent / "data" / "sheets.v4.json"


def _grid(r1: int, r2: int, c1: int, c2: int, sheet_id: int = 0) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r1, "endRowIndex": r2, "startColumnIndex": c1, "endColumnIndex": c2}


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(gspread.exceptions.APIError) as err:
        call()
    body: dict[str, Any] = err.value.response.json()["error"]
    body["http"] = err.value.response.status_code
    return body


# --------------------------------------------------------------------------- the discovery document


def test_the_table_is_generated_from_the_shipped_discovery_document() -> None:
    """sheets_v4.json is what `python -m sheetkit.testing.discovery tests/data/sheets.v4.json` writes."""
    doc = json.loads(DISCOVERY.read_text(encoding="utf-8"))
    assert TABLE.read_text(encoding="utf-8") == dump_table(build_table(doc))
    assert (DISCOVERY.parent / "sheets.v4.LICENSE.txt").read_text().startswith("\n") or True
    assert "Apache License" in (DISCOVERY.parent / "sheets.v4.LICENSE.txt").read_text()
    assert len(request_kinds()) == len(doc["schemas"]["Request"]["properties"])


def test_every_request_kind_is_done_or_answers_501(gspread_client: Client) -> None:
    sh = gspread_client.create("kinds")
    missing = [k for k in request_kinds() if k not in HANDLERS]
    assert set(HANDLERS) <= set(request_kinds())
    assert len(HANDLERS) >= 56, "the kinds gspread and its companions send are implemented"
    for kind in missing:
        err = _error(lambda kind=kind: sh.batch_update({"requests": [{kind: {}}]}))
        assert (err["http"], err["status"]) == (501, "UNIMPLEMENTED"), kind
        assert f"requests[0].{kind}" in err["message"]
    typo = _error(lambda: sh.batch_update({"requests": [{"addSheets": {}}]}))
    assert typo["message"] == (
        "Invalid JSON payload received. Unknown name \"addSheets\" at 'requests[0]': Cannot find field."
    )


# --------------------------------------------------------------------------- validation


def test_misspelt_names_in_request_bodies_are_400(gspread_client: Client) -> None:
    sh = gspread_client.create("typos")
    err = _error(
        lambda: sh.batch_update(
            {
                "requests": [
                    {
                        "repeatCell": {
                            "range": _grid(0, 1, 0, 1),
                            "cell": {"userEnteredFormat": {"numberFormatt": {"type": "DATE"}}},
                            "fields": "userEnteredFormat",
                        }
                    }
                ]
            }
        )
    )
    message = (
        'Invalid JSON payload received. Unknown name "numberFormatt" at '
        "'requests[0].repeat_cell.cell.user_entered_format': Cannot find field."
    )
    assert (err["http"], err["status"], err["message"]) == (400, "INVALID_ARGUMENT", message)
    assert err["details"][0]["fieldViolations"] == [
        {"field": "requests[0].repeat_cell.cell.user_entered_format", "description": message}
    ]
    grid = _error(
        lambda: sh.batch_update(
            {
                "requests": [
                    {
                        "updateSheetProperties": {
                            "properties": {"sheetId": 0, "gridProperties": {"rowCont": 5}},
                            "fields": "gridProperties.rowCount",
                        }
                    }
                ]
            }
        )
    )
    assert '"rowCont"' in grid["message"] and "update_sheet_properties.properties.grid_properties" in grid["message"]
    enum = _error(
        lambda: sh.batch_update(
            {"requests": [{"insertDimension": {"range": {"sheetId": 0, "dimension": "ROW", "startIndex": 0}}}]}
        )
    )
    assert enum["message"] == (
        "Invalid value at 'requests[0].insert_dimension.range.dimension' "
        '(type.googleapis.com/google.apps.sheets.v4.Dimension), "ROW"'
    )
    typed = _error(lambda: sh.values_update("Sheet1!A1", params={"valueInputOption": "RAW"}, body={"value": [[1]]}))
    assert typed["message"] == "Invalid JSON payload received. Unknown name \"value\" at 'data': Cannot find field."
    number = _error(
        lambda: sh.batch_update({"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": "x"}}]})
    )
    assert number["message"] == "Invalid value at 'requests[0].append_dimension.length' (TYPE_INT32), \"x\""
    # Google's own spelling, proto names and nulls are all accepted.
    sh.batch_update({"requests": [{"append_dimension": {"sheet_id": 0, "dimension": "ROWS", "length": 1}}]})
    sh.values_update("Sheet1!A1", params={"valueInputOption": "RAW"}, body={"values": [[1]], "majorDimension": None})


def test_bad_query_parameters_and_field_masks_are_400(gspread_client: Client) -> None:
    sh = gspread_client.create("masks")
    err = _error(
        lambda: sh.values_append("Sheet1!A1", {"valueInputOption": "RAW", "insertDataOption": "FOO"}, {"values": [[1]]})
    )
    assert err["message"] == (
        "Invalid value at 'insert_data_option' (type.googleapis.com/google.apps.sheets.v4.InsertDataOption), \"FOO\""
    )
    err = _error(lambda: sh.values_get("Sheet1!A1", params={"valueRenderOption": "FORMATED_VALUE"}))
    assert "value_render_option" in err["message"] and "ValueRenderOption" in err["message"]
    err = _error(lambda: sh.values_get("Sheet1!A1", params={"majorDimensions": "ROWS"}))
    assert err["message"] == (
        'Invalid JSON payload received. Unknown name "majorDimensions": Cannot bind query parameter. '
        "Field 'majorDimensions' could not be found in request message."
    )
    err = _error(lambda: sh.fetch_sheet_metadata(params={"fields": "properties(titel)"}))
    assert (err["http"], err["message"]) == (400, "Invalid field selection titel")
    assert sh.fetch_sheet_metadata(params={"fields": "properties(title),sheets.properties.gridProperties"})
    err = _error(
        lambda: sh.batch_update(
            {
                "requests": [
                    {
                        "repeatCell": {
                            "range": _grid(0, 1, 0, 1),
                            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                            "fields": "userEnteredFormat.textFormatt",
                        }
                    }
                ]
            }
        )
    )
    assert err["message"] == ("Invalid requests[0].repeatCell: Invalid field mask path: userEnteredFormat.textFormatt")


# --------------------------------------------------------------------------- the grid's edge


def test_reads_past_the_edge_are_clipped_and_writes_grow_the_grid(gspread_client: Client) -> None:
    sh = gspread_client.create("edge")
    ws = sh.sheet1
    ws.resize(rows=4, cols=3)
    ws.update([["a", "b", "c"]], "A1")
    read = sh.values_get("Sheet1!A1:C1000")
    assert read["range"] == "Sheet1!A1:C4"
    assert read["values"] == [["a", "b", "c"]]
    reply = ws.update([[1, 2, 3, 4]] * 3, "B3")
    assert reply["updatedRange"] == "Sheet1!B3:E5"
    props = sh.fetch_sheet_metadata()["sheets"][0]["properties"]["gridProperties"]
    assert (props["rowCount"], props["columnCount"]) == (5, 5)
    outside = _error(lambda: sh.values_get("Sheet1!A7:B8"))
    assert (
        outside["message"].startswith("Range ('Sheet1'!A7:B8) exceeds grid limits")
        or "exceeds grid limits" in (outside["message"])
    )
    assert "exceeds grid limits" in _error(lambda: ws.update([["x"]], "A9"))["message"]


def test_a_sheet_qualified_named_range_reads(gspread_client: Client) -> None:
    sh = gspread_client.create("named")
    ws = sh.sheet1
    ws.update([["x", "y"]], "A1")
    ws.define_named_range("A1:B1", "Pair")
    assert sh.values_get("'Sheet1'!Pair")["values"] == [["x", "y"]]
    assert sh.values_get("Pair")["values"] == [["x", "y"]]
    other = sh.add_worksheet("Other", 5, 5)
    assert "Unable to parse range" in _error(lambda: sh.values_get(f"{other.title}!Pair"))["message"]


# --------------------------------------------------------------------------- formulas


def test_formula_references_follow_inserted_deleted_and_moved_rows(gspread_client: Client) -> None:
    sh = gspread_client.create("refs")
    ws = sh.sheet1
    ws.update([[2, "=A1*2", "=SUM(A1:A3)"], [3], [4]], "A1", value_input_option="USER_ENTERED")
    ws.insert_rows([["new"]], 1)  # a row above everything
    assert ws.get("B2:C2", value_render_option="FORMULA") == [["=A2*2", "=SUM(A2:A4)"]]
    assert ws.get("B2:C2", value_render_option="UNFORMATTED_VALUE") == [[4, 9]]
    ws.delete_rows(3)  # the 3 goes: the sum shrinks
    assert ws.get("C2", value_render_option="FORMULA") == [["=SUM(A2:A3)"]]
    ws.delete_rows(2)  # the row the formulas sat on goes with them; a formula pointing at it gets #REF!
    ws.update([["=A2+1"]], "D1", value_input_option="USER_ENTERED")
    ws.delete_rows(2)
    assert ws.acell("D1", value_render_option="FORMULA").value == "=#REF!+1"
    assert ws.acell("D1").value == "#REF!"
    ws.update([[1], [2], [3], ["=A5&A6&A7"]], "A5", value_input_option="USER_ENTERED")
    sh.batch_update(
        {
            "requests": [
                {
                    "moveDimension": {
                        "source": {"sheetId": 0, "dimension": "ROWS", "startIndex": 4, "endIndex": 5},
                        "destinationIndex": 7,
                    }
                }
            ]
        }
    )
    assert ws.get("A5:A8", value_render_option="FORMULA") == [[2], [3], [1], ["=A7&A5&A6"]]
    assert ws.acell("A8").value == "123"
    ws.insert_cols([["c"]], 1)
    assert ws.acell("B8", value_render_option="FORMULA").value == "=B7&B5&B6"


@pytest.mark.parametrize(
    ("formula", "shown"),
    [
        ("=DATE(2024,5,1)", "5/1/2024"),
        ("=DATE(2024,5,1)+30", "5/31/2024"),
        ("=EDATE(B1,1)", "2/29/2024"),
        ('=VLOOKUP("Bo",A1:C2,3,FALSE)', "7"),
        ('=COUNTIF(C1:C2,">5")', "1"),
        ('=SUMIF(A1:A2,"A*",C1:C2)', "3"),
        ("=CONCAT(A1,A2)", "AnaBo"),
        ('=TEXTJOIN(", ",TRUE,A1:A2)', "Ana, Bo"),
        ('=IFERROR(1/0,"none")', "none"),
        ("=INDEX(A1:C2,2,1)", "Bo"),
        ('=MATCH("Bo",A1:A2,0)', "2"),
        ("=YEAR(B1)", "2024"),
        ('=DATEDIF(B1,B2,"D")', "15"),
        ("=B2-B1", "15"),
        ("=LEFT(A1,2)&UPPER(RIGHT(A2,1))", "AnO"),
        ("=ROUND(2.5)+ROUNDUP(1.01,1)", "4.1"),
        ('=IF(AND(C1>1,C2>1),"both","no")', "both"),
        ("=NOSUCH(1)", "#NAME?"),
        ("=1/0", "#DIV/0!"),
    ],
)
def test_common_functions(formula: str, shown: str, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet(
        "f", {"S": [["Ana", "2024-01-31", 3], ["Bo", "2024-02-15", 7], [formula]]}, value_input="USER_ENTERED"
    )
    assert sheets_emulator.cell(sid, "S!A3").formatted == shown


def test_today_is_a_date(sheets_emulator: SheetsEmulator) -> None:
    import datetime as dt

    sid = sheets_emulator.create_spreadsheet("f", {"S": [["=TODAY()"]]}, value_input="USER_ENTERED")
    cell = sheets_emulator.cell(sid, "S!A1")
    today = dt.datetime.now(dt.UTC).date()
    assert cell.formatted == f"{today.month}/{today.day}/{today.year}"


# --------------------------------------------------------------------------- request kinds


def test_request_kinds_gspread_offers(gspread_client: Client) -> None:
    sh = gspread_client.create("kinds")
    ws = sh.sheet1
    ws.update([["a", "1"], ["b", "2"], ["c", "3"]], "A1")
    twin = ws.duplicate(new_sheet_name="Twin")
    assert twin.get_all_values()[:3] == [["a", "1"], ["b", "2"], ["c", "3"]]
    ws.insert_cols([["x"]], 1)
    sh.batch_update({"requests": [{"insertRange": {"range": _grid(0, 1, 0, 2), "shiftDimension": "ROWS"}}]})
    assert ws.get("A1:C4") == [["", "", "1"], ["x", "a", "2"], ["", "b", "3"], ["", "c"]]
    sh.batch_update({"requests": [{"deleteRange": {"range": _grid(0, 1, 0, 2), "shiftDimension": "ROWS"}}]})
    assert ws.get("A1:C3") == [["x", "a", "1"], ["", "b", "2"], ["", "c", "3"]]
    sh.batch_update(
        {
            "requests": [
                {
                    "appendCells": {
                        "sheetId": 0,
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": "end"}}]}],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        }
    )
    assert ws.acell("A4").value == "end"
    ws.add_dimension_group_rows(1, 3)
    groups = sh.fetch_sheet_metadata()["sheets"][0]["rowGroups"]
    assert groups == [{"range": {"dimension": "ROWS", "startIndex": 1, "endIndex": 3}, "depth": 1}]
    ws.delete_dimension_group_rows(1, 3)
    assert "rowGroups" not in sh.fetch_sheet_metadata()["sheets"][0]
    protected = ws.add_protected_range("A1:A2", editor_users_emails=[])
    pid = protected["replies"][0]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    sh.batch_update(
        {
            "requests": [
                {
                    "updateProtectedRange": {
                        "protectedRange": {"protectedRangeId": pid, "description": "keep"},
                        "fields": "description",
                    }
                }
            ]
        }
    )
    assert sh.fetch_sheet_metadata()["sheets"][0]["protectedRanges"][0]["description"] == "keep"
    banding = sh.batch_update(
        {
            "requests": [
                {
                    "addBanding": {
                        "bandedRange": {
                            "range": _grid(0, 3, 0, 3),
                            "rowProperties": {"firstBandColor": {"red": 1}, "secondBandColor": {"blue": 0.5}},
                        }
                    }
                }
            ]
        }
    )
    banded = banding["replies"][0]["addBanding"]["bandedRange"]
    assert banded["bandedRangeId"] > 0
    assert banded["rowProperties"]["secondBandColor"] == {"blue": 0.49803922}
    assert sh.fetch_sheet_metadata()["sheets"][0]["bandedRanges"] == [banded]
    ws.format("A1:B2", {"borders": {"top": {"style": "SOLID_THICK"}}})
    sh.batch_update({"requests": [{"updateBorders": {"range": _grid(0, 2, 0, 2), "bottom": {"style": "DASHED"}}}]})
    fmt = sh.fetch_sheet_metadata(params={"ranges": "Sheet1!A2", "includeGridData": "true"})
    borders = fmt["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]["borders"]
    assert borders["bottom"]["style"] == "DASHED" and borders["bottom"]["width"] == 1


def test_conditional_formats_tables_text_to_columns(gspread_client: Client) -> None:
    sh = gspread_client.create("more")
    ws = sh.sheet1
    ws.update([["a-1"], ["b-2"]], "A1")
    rule = {"ranges": [_grid(0, 2, 0, 1)], "booleanRule": {"condition": {"type": "NOT_BLANK"}, "format": {}}}
    sh.batch_update({"requests": [{"addConditionalFormatRule": {"rule": rule, "index": 0}}]})
    assert sh.fetch_sheet_metadata()["sheets"][0]["conditionalFormats"][0]["booleanRule"]["condition"]["type"] == (
        "NOT_BLANK"
    )
    reply = sh.batch_update({"requests": [{"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}}]})
    assert reply["replies"][0]["deleteConditionalFormatRule"]["rule"]["ranges"] == [
        {"startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 1}
    ]
    sh.batch_update(
        {"requests": [{"textToColumns": {"source": _grid(0, 2, 0, 1), "delimiterType": "CUSTOM", "delimiter": "-"}}]}
    )
    assert ws.get("A1:B2", value_render_option="UNFORMATTED_VALUE") == [["a", 1], ["b", 2]]
    added = sh.batch_update({"requests": [{"addTable": {"table": {"name": "People", "range": _grid(0, 2, 0, 2)}}}]})
    table = added["replies"][0]["addTable"]["table"]
    sh.batch_update(
        {"requests": [{"updateTable": {"table": {"tableId": table["tableId"], "name": "Staff"}, "fields": "name"}}]}
    )
    assert sh.fetch_sheet_metadata()["sheets"][0]["tables"][0]["name"] == "Staff"


# --------------------------------------------------------------------------- formats, filters, metadata, Drive


def test_effective_format_is_returned(gspread_client: Client) -> None:
    sh = gspread_client.create("effective")
    ws = sh.sheet1
    ws.update([["text", 12, "=DATE(2024,1,2)"]], "A1", value_input_option="USER_ENTERED")
    ws.format("A1", {"textFormat": {"bold": True}})
    cells = sh.fetch_sheet_metadata(params={"ranges": "Sheet1!A1:C1", "includeGridData": "true"})["sheets"][0]
    values = cells["data"][0]["rowData"][0]["values"]
    assert values[0]["effectiveFormat"]["textFormat"]["bold"] is True
    assert values[0]["effectiveFormat"]["horizontalAlignment"] == "LEFT"
    assert values[1]["effectiveFormat"]["horizontalAlignment"] == "RIGHT"
    assert values[2]["effectiveFormat"]["numberFormat"]["type"] == "DATE"
    assert values[2]["formattedValue"] == "1/2/2024"


def test_data_filter_methods_and_developer_metadata(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sh = gspread_client.create("filters")
    sh.sheet1.update([["a", "b"], ["c", "d"]], "A1")
    meta = {
        "metadataKey": "row-owner",
        "metadataValue": "ana",
        "location": {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}},
        "visibility": "DOCUMENT",
    }
    made = sh.batch_update({"requests": [{"createDeveloperMetadata": {"developerMetadata": meta}}]})
    metadata_id = made["replies"][0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"]
    base = f"{sheets_emulator.url}/v4/spreadsheets/{sh.id}"
    got = requests.get(f"{base}/developerMetadata/{metadata_id}", timeout=5).json()
    assert got["location"]["locationType"] == "ROW" and got["metadataValue"] == "ana"
    lookup = {"developerMetadataLookup": {"metadataKey": "row-owner"}}
    found = requests.post(f"{base}/developerMetadata:search", json={"dataFilters": [lookup]}, timeout=5).json()
    assert found["matchedDeveloperMetadata"][0]["developerMetadata"]["metadataId"] == metadata_id
    values = requests.post(f"{base}/values:batchGetByDataFilter", json={"dataFilters": [lookup]}, timeout=5).json()
    assert values["valueRanges"][0]["valueRange"]["values"] == [["c", "d"]]
    sh.sheet1.insert_rows([["new"]], 1)  # metadata on a row moves with it
    moved = requests.post(f"{base}/values:batchGetByDataFilter", json={"dataFilters": [lookup]}, timeout=5).json()
    assert moved["valueRanges"][0]["valueRange"]["values"] == [["c", "d"]]
    update = {"valueInputOption": "RAW", "data": [{"dataFilter": {"a1Range": "Sheet1!A1"}, "values": [["top"]]}]}
    assert requests.post(f"{base}/values:batchUpdateByDataFilter", json=update, timeout=5).status_code == 200
    cleared = requests.post(
        f"{base}/values:batchClearByDataFilter", json={"dataFilters": [{"gridRange": _grid(2, 3, 0, 2)}]}, timeout=5
    ).json()
    assert cleared["clearedRanges"] == ["Sheet1!A3:B3"]
    whole = requests.post(
        f"{base}:getByDataFilter",
        json={"dataFilters": [{"a1Range": "Sheet1!A1:A2"}], "includeGridData": True},
        timeout=5,
    )
    rows = whole.json()["sheets"][0]["data"][0]["rowData"]
    assert [r["values"][0]["formattedValue"] for r in rows] == ["top", "a"]
    assert requests.get(f"{base}/developerMetadata/999", timeout=5).status_code == 404


def test_drive_about_and_root(sheets_emulator: SheetsEmulator) -> None:
    about = requests.get(f"{sheets_emulator.url}/drive/v3/about", params={"fields": "user"}, timeout=5).json()
    assert about == {
        "user": {
            "kind": "drive#user",
            "displayName": "emulator",
            "me": True,
            "permissionId": "00000000000000000000",
            "emailAddress": "emulator@sheetkit.invalid",
        }
    }
    root = requests.get(f"{sheets_emulator.url}/drive/v3/files/root", params={"fields": "name,id"}, timeout=5).json()
    assert root["name"] == "My Drive" and root["id"]
    assert requests.get(f"{sheets_emulator.url}/drive/v3/about", timeout=5).status_code == 400
