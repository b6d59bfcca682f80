"""Emulator batches: all-or-nothing like Google, blank cells swept, shared cells never edited in place.

A batch runs on a fork of the spreadsheet that shares its cells with the original (see
``Spreadsheet.fork``), so these tests check that a failing batch of any request kind leaves
everything as it was, that copies made by Drive and sheets.copyTo stay independent, and that
blank cells are swept from the cells a request touched as they were from the whole sheet.
"""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from sheetkit.testing import SheetsEmulator
from sheetkit.testing.batch import HANDLERS

Client = gspread.Client
DATA = 0  # sheetId of the first tab, as the emulator creates it
NAMED_ID = "nr1"
PROTECTED_ID = 77
BANDING_ID = 78
VIEW_ID = 79
TABLE_ID = "80"
METADATA_ID = 81
FAILING = {"deleteSheet": {"sheetId": 999}}  # "No grid with id: 999"


def _grid(r1: int, r2: int, c1: int, c2: int, sheet_id: int = DATA) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r1, "endRowIndex": r2, "startColumnIndex": c1, "endColumnIndex": c2}


def _rich_spreadsheet(client: Client, emulator: SheetsEmulator) -> tuple[gspread.Spreadsheet, int]:
    """A spreadsheet holding one of everything a batch can change; returns it and its second sheet's id."""
    sid = emulator.create_spreadsheet(
        "atomic",
        {
            "Data": [["name", "n", "when"], ["Ana", 1, "2024-01-02"], ["Bo", 2, "x"], ["Cy", 3, "=B2+B3"]],
            "Other": [["o1", "o2"]],
        },
        value_input="USER_ENTERED",
        rows=20,
        columns=8,
    )
    sh = client.open_by_key(sid)
    other = sh.worksheet("Other").id
    bold = {"userEnteredFormat": {"textFormat": {"bold": True}}}
    sh.batch_update(
        {
            "requests": [
                {"repeatCell": {"range": _grid(0, 1, 0, 3), "cell": bold, "fields": "userEnteredFormat.textFormat"}},
                {
                    "updateCells": {
                        "start": {"sheetId": DATA, "rowIndex": 1, "columnIndex": 0},
                        "rows": [{"values": [{"note": "first"}]}],
                        "fields": "note",
                    }
                },
                {"setDataValidation": {"range": _grid(1, 4, 1, 2), "rule": {"condition": {"type": "BOOLEAN"}}}},
                {"mergeCells": {"range": _grid(0, 2, 4, 6), "mergeType": "MERGE_ALL"}},
                {
                    "addNamedRange": {
                        "namedRange": {"namedRangeId": NAMED_ID, "name": "people", "range": _grid(0, 4, 0, 3)}
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {"protectedRangeId": PROTECTED_ID, "range": _grid(0, 4, 0, 1)}
                    }
                },
                {"setBasicFilter": {"filter": {"range": _grid(0, 4, 0, 3)}}},
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": DATA, "dimension": "ROWS", "startIndex": 0, "endIndex": 2},
                        "properties": {"pixelSize": 30},
                        "fields": "pixelSize",
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": DATA,
                            "gridProperties": {"frozenRowCount": 1},
                            "tabColor": {"red": 0.5},
                        },
                        "fields": "gridProperties.frozenRowCount,tabColor",
                    }
                },
                {
                    "repeatCell": {
                        "range": _grid(6, 7, 6, 7),
                        "cell": {"userEnteredFormat": {"backgroundColor": {"green": 1}}},
                        "fields": "userEnteredFormat.backgroundColor",
                    }
                },
                {"addBanding": {"bandedRange": {"bandedRangeId": BANDING_ID, "range": _grid(10, 12, 0, 3)}}},
                {
                    "addConditionalFormatRule": {
                        "rule": {
                            "ranges": [_grid(0, 4, 1, 2)],
                            "booleanRule": {
                                "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "1"}]}
                            },
                        }
                    }
                },
                {
                    "addDimensionGroup": {
                        "range": {"sheetId": DATA, "dimension": "ROWS", "startIndex": 5, "endIndex": 8}
                    }
                },
                {"addFilterView": {"filter": {"filterViewId": VIEW_ID, "title": "mine", "range": _grid(0, 4, 0, 3)}}},
                {"addTable": {"table": {"tableId": TABLE_ID, "name": "seeded", "range": _grid(12, 15, 0, 3)}}},
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataId": METADATA_ID,
                            "metadataKey": "k",
                            "metadataValue": "v",
                            "location": {"spreadsheet": True},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
                {
                    "updateCells": {
                        "range": _grid(1, 4, 3, 4),
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": " a-b "}}]}] * 3,
                        "fields": "userEnteredValue",
                    }
                },
            ]
        }
    )
    return sh, other


def _state(sh: gspread.Spreadsheet) -> dict[str, Any]:
    """Everything the API shows of a spreadsheet: properties, every cell with formats, notes and
    validation, row and column sizes, merges, named and protected ranges, filters."""
    return sh.fetch_sheet_metadata(params={"includeGridData": "true"})


def _requests(other: int) -> dict[str, dict[str, Any]]:
    """One request of every kind the emulator supports, each valid on the rich spreadsheet."""
    rows = {"sheetId": DATA, "dimension": "ROWS"}
    return {
        "addSheet": {"properties": {"title": "Added"}},
        "deleteSheet": {"sheetId": other},
        "updateSheetProperties": {
            "properties": {"sheetId": DATA, "title": "Renamed", "gridProperties": {"rowCount": 3}},
            "fields": "title,gridProperties.rowCount",
        },
        "updateSpreadsheetProperties": {"properties": {"title": "Retitled"}, "fields": "title"},
        "appendDimension": {"sheetId": DATA, "dimension": "ROWS", "length": 5},
        "insertDimension": {"range": {**rows, "startIndex": 1, "endIndex": 3}},
        "deleteDimension": {"range": {**rows, "startIndex": 1, "endIndex": 2}},
        "updateDimensionProperties": {
            "range": {"sheetId": DATA, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2},
            "properties": {"pixelSize": 150},
            "fields": "pixelSize",
        },
        "autoResizeDimensions": {"dimensions": {**rows, "startIndex": 0, "endIndex": 2}},
        "repeatCell": {
            "range": _grid(0, 4, 0, 3),
            "cell": {"userEnteredValue": {"stringValue": "x"}, "userEnteredFormat": {"textFormat": {"italic": True}}},
            "fields": "userEnteredValue,userEnteredFormat.textFormat.italic",
        },
        "updateCells": {
            "range": _grid(0, 3, 0, 3),
            "rows": [{"values": [{"userEnteredValue": {"numberValue": 9}, "note": "new"}]}],
            "fields": "userEnteredValue,note",
        },
        "mergeCells": {"range": _grid(1, 3, 0, 2), "mergeType": "MERGE_ALL"},
        "unmergeCells": {"range": _grid(0, 2, 4, 6)},
        "addNamedRange": {"namedRange": {"name": "more", "range": _grid(5, 6, 0, 1)}},
        "updateNamedRange": {"namedRange": {"namedRangeId": NAMED_ID, "range": _grid(0, 2, 0, 2)}, "fields": "range"},
        "deleteNamedRange": {"namedRangeId": NAMED_ID},
        "addProtectedRange": {"protectedRange": {"range": _grid(5, 6, 0, 1), "description": "more"}},
        "deleteProtectedRange": {"protectedRangeId": PROTECTED_ID},
        "setBasicFilter": {"filter": {"range": _grid(0, 2, 0, 2)}},
        "clearBasicFilter": {"sheetId": DATA},
        "setDataValidation": {"range": _grid(1, 4, 0, 1), "rule": {"condition": {"type": "BOOLEAN"}}},
        "sortRange": {"range": _grid(1, 4, 0, 3), "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}]},
        "copyPaste": {"source": _grid(0, 2, 0, 3), "destination": _grid(10, 12, 0, 3), "pasteType": "PASTE_NORMAL"},
        "cutPaste": {"source": _grid(1, 3, 0, 3), "destination": {"sheetId": DATA, "rowIndex": 12, "columnIndex": 2}},
        "findReplace": {"find": "Ana", "replacement": "Ann", "allSheets": True},
        "updateBorders": {"range": _grid(0, 1, 0, 1), "top": {"style": "SOLID"}},
        "addConditionalFormatRule": {"rule": {"ranges": [_grid(0, 1, 0, 1)]}, "index": 0},
        "addBanding": {"bandedRange": {"range": _grid(0, 4, 0, 3)}},
        "updateBanding": {"bandedRange": {"bandedRangeId": BANDING_ID, "range": _grid(0, 2, 0, 2)}, "fields": "range"},
        "deleteBanding": {"bandedRangeId": BANDING_ID},
        "updateConditionalFormatRule": {
            "sheetId": DATA,
            "index": 0,
            "rule": {"ranges": [_grid(0, 2, 0, 2)], "booleanRule": {"condition": {"type": "BLANK"}}},
        },
        "deleteConditionalFormatRule": {"sheetId": DATA, "index": 0},
        "duplicateSheet": {"sourceSheetId": DATA, "newSheetName": "Twin"},
        "moveDimension": {"source": {**rows, "startIndex": 1, "endIndex": 2}, "destinationIndex": 4},
        "addDimensionGroup": {"range": {**rows, "startIndex": 1, "endIndex": 3}},
        "deleteDimensionGroup": {"range": {**rows, "startIndex": 5, "endIndex": 8}},
        "updateDimensionGroup": {
            "dimensionGroup": {"range": {**rows, "startIndex": 5, "endIndex": 8}, "collapsed": True},
            "fields": "collapsed",
        },
        "appendCells": {
            "sheetId": DATA,
            "rows": [{"values": [{"userEnteredValue": {"stringValue": "new"}}]}],
            "fields": "*",
        },
        "insertRange": {"range": _grid(1, 2, 0, 2), "shiftDimension": "ROWS"},
        "deleteRange": {"range": _grid(1, 2, 0, 2), "shiftDimension": "COLUMNS"},
        "pasteData": {
            "coordinate": {"sheetId": DATA, "rowIndex": 8, "columnIndex": 0},
            "data": "a,b",
            "delimiter": ",",
        },
        "textToColumns": {"source": _grid(1, 4, 2, 3), "delimiterType": "CUSTOM", "delimiter": "-"},
        "trimWhitespace": {"range": _grid(0, 4, 0, 4)},
        "deleteDuplicates": {"range": _grid(0, 4, 3, 4)},
        "randomizeRange": {"range": _grid(0, 4, 0, 3)},
        "updateProtectedRange": {
            "protectedRange": {"protectedRangeId": PROTECTED_ID, "description": "changed"},
            "fields": "description",
        },
        "addFilterView": {"filter": {"title": "view", "range": _grid(0, 4, 0, 3)}},
        "updateFilterView": {"filter": {"filterViewId": VIEW_ID, "title": "renamed"}, "fields": "title"},
        "deleteFilterView": {"filterId": VIEW_ID},
        "duplicateFilterView": {"filterId": VIEW_ID},
        "addTable": {"table": {"name": "people", "range": _grid(5, 8, 0, 3)}},
        "updateTable": {"table": {"tableId": TABLE_ID, "name": "renamed"}, "fields": "name"},
        "deleteTable": {"tableId": TABLE_ID},
        "createDeveloperMetadata": {
            "developerMetadata": {"metadataKey": "k2", "location": {"sheetId": DATA}, "visibility": "DOCUMENT"}
        },
        "updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {"metadataId": METADATA_ID}}],
            "developerMetadata": {"metadataValue": "changed"},
            "fields": "metadataValue",
        },
        "deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": METADATA_ID}}},
    }


IGNORED = {"randomizeRange"}  # may shuffle the rows back into the same order


def test_every_request_kind_has_a_rollback_case() -> None:
    assert set(_requests(1)) == set(HANDLERS)


@pytest.mark.parametrize("kind", sorted(HANDLERS))
def test_a_failing_batch_leaves_everything_as_it_was(
    kind: str, gspread_client: Client, sheets_emulator: SheetsEmulator
) -> None:
    sh, other = _rich_spreadsheet(gspread_client, sheets_emulator)
    before = _state(sh)
    request = {kind: _requests(other)[kind]}
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update({"requests": [request, FAILING]})
    assert err.value.response.json()["error"]["message"] == "Invalid requests[1].deleteSheet: No grid with id: 999"
    assert _state(sh) == before
    # The same request on its own does change the spreadsheet, so the check above is not vacuous.
    sh.batch_update({"requests": [request]})
    if kind not in IGNORED:
        assert _state(sh) != before


def test_a_failing_values_batch_update_writes_nothing(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sh, _ = _rich_spreadsheet(gspread_client, sheets_emulator)
    before = _state(sh)
    good = {"range": "Data!A1:B2", "values": [["changed", ""], ["", "=1+1"]]}
    for bad in ({"range": "Data!Z1", "values": [["outside the grid"]]}, {"range": "Data!A9", "values": [[{}]]}):
        with pytest.raises(gspread.exceptions.APIError):
            sh.values_batch_update({"valueInputOption": "USER_ENTERED", "data": [good, bad]})
        assert _state(sh) == before
    sh.values_batch_update({"valueInputOption": "USER_ENTERED", "data": [good]})
    assert sh.sheet1.get("A1:B2", value_render_option="FORMULA") == [["changed"], ["", "=1+1"]]


def test_copies_do_not_share_edits(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    """Drive copies and sheets.copyTo share stored cells with their source until edited."""
    sh, _ = _rich_spreadsheet(gspread_client, sheets_emulator)
    before = _state(sh)
    copy = gspread_client.copy(sh.id, title="copy", copy_permissions=False)
    copied_tab = sh.sheet1.copy_to(sh.id)["sheetId"]
    edits = _requests(0)
    for target, sheet_id in ((copy, DATA), (sh, copied_tab)):
        requests = [
            {kind: _on_sheet(edits[kind], sheet_id)}
            for kind in ("repeatCell", "updateCells", "mergeCells", "setDataValidation", "sortRange", "copyPaste")
        ]
        requests.append({"findReplace": {"find": "Ana", "replacement": "Ann", "sheetId": sheet_id}})
        target.batch_update({"requests": requests})
        title = next(
            s["properties"]["title"] for s in _state(target)["sheets"] if s["properties"]["sheetId"] == sheet_id
        )
        target.values_update(f"'{title}'!A5", params={"valueInputOption": "RAW"}, body={"values": [["new"]]})
        target.values_clear(f"'{title}'!A1:C3")
        assert target.values_get(f"'{title}'!A1:A5")["values"] == [[], [], [], [], ["new"]]
    after = _state(sh)
    assert len(after["sheets"]) == 3
    after["sheets"] = [s for s in after["sheets"] if s["properties"]["sheetId"] != copied_tab]
    assert after == before
    assert sh.sheet1.get("A1:A4") == [["name"], ["Ana"], ["Bo"], ["Cy"]]


def _on_sheet(request: dict[str, Any], sheet_id: int) -> dict[str, Any]:
    """request with every sheetId inside it replaced."""
    if isinstance(request, dict):
        return {k: sheet_id if k == "sheetId" else _on_sheet(v, sheet_id) for k, v in request.items()}
    return request


# --------------------------------------------------------------------------- blank cells


def _stored(emulator: SheetsEmulator, sid: str) -> set[tuple[int, int]]:
    """Positions the emulator stores a cell for (Google keeps no empty cells)."""
    return set(emulator.books[sid].sheets[0].cells)


def test_blank_cells_are_swept_after_each_kind_of_write(
    gspread_client: Client, sheets_emulator: SheetsEmulator
) -> None:
    sid = sheets_emulator.create_spreadsheet("sweep", {"S": [["a", "b", "c", "d"], ["e", "f", "g", "h"]]})
    sh = gspread_client.open_by_key(sid)
    fmt = {"userEnteredFormat": {"textFormat": {"bold": True}}}
    sh.batch_update(
        {"requests": [{"repeatCell": {"range": _grid(5, 6, 0, 4), "cell": fmt, "fields": "userEnteredFormat"}}]}
    )
    assert _stored(sheets_emulator, sid) == {(r, c) for r in (0, 1, 5) for c in range(4)}
    sh.batch_update(
        {
            "requests": [
                # Format-only cells lose their format: nothing is left of them.
                {"repeatCell": {"range": _grid(5, 6, 0, 2), "cell": {}, "fields": "userEnteredFormat"}},
                # Value-only cells lose their value; the range's cells the rows do not cover are cleared too.
                {
                    "updateCells": {
                        "range": _grid(0, 1, 0, 2),
                        "rows": [{"values": [{}]}],
                        "fields": "userEnteredValue",
                    }
                },
                {
                    "updateCells": {
                        "start": {"sheetId": DATA, "rowIndex": 5, "columnIndex": 2},
                        "rows": [{"values": [{}]}],
                        "fields": "*",
                    }
                },
                # A merge keeps the top-left value only; pasting an empty cell empties the target.
                {"mergeCells": {"range": _grid(1, 2, 0, 2), "mergeType": "MERGE_ALL"}},
                {"copyPaste": {"source": _grid(10, 11, 0, 1), "destination": _grid(0, 1, 2, 3)}},
            ]
        }
    )
    assert _stored(sheets_emulator, sid) == {(0, 3), (1, 0), (1, 2), (1, 3), (5, 3)}
    sh.values_batch_update({"valueInputOption": "RAW", "data": [{"range": "S!D1", "values": [[""]]}]})
    sh.values_update("S!C2", params={"valueInputOption": "RAW"}, body={"values": [[""]]})
    sh.values_clear("S!D2:D6")  # the value goes; the bold format of D6 stays
    assert _stored(sheets_emulator, sid) == {(1, 0), (5, 3)}
    assert sheets_emulator.cell(sid, "S!D6").user_entered_format == {"textFormat": {"bold": True}}
    fields = "sheets.data.rowData.values(userEnteredValue,effectiveValue,formattedValue,userEnteredFormat)"
    grid = sh.fetch_sheet_metadata(params={"includeGridData": "true", "fields": fields})["sheets"][0]["data"][0][
        "rowData"
    ]
    assert grid[1] == {
        "values": [
            {"userEnteredValue": {"stringValue": "e"}, "effectiveValue": {"stringValue": "e"}, "formattedValue": "e"}
        ]
    }


def test_cells_with_something_left_are_kept(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("keep", {"S": [["a", "b"]]})
    sh = gspread_client.open_by_key(sid)
    note = {"note": "kept"}
    sh.batch_update(
        {
            "requests": [
                {"repeatCell": {"range": _grid(0, 1, 0, 1), "cell": note, "fields": "note"}},
                {"repeatCell": {"range": _grid(0, 1, 0, 2), "cell": {}, "fields": "userEnteredValue"}},
                {"setDataValidation": {"range": _grid(3, 4, 0, 1), "rule": {"condition": {"type": "BOOLEAN"}}}},
            ]
        }
    )
    assert _stored(sheets_emulator, sid) == {(0, 0), (3, 0)}
    sh.batch_update({"requests": [{"setDataValidation": {"range": _grid(3, 4, 0, 1)}}]})
    assert _stored(sheets_emulator, sid) == {(0, 0)}
    assert sheets_emulator.cell(sid, "S!A1").note == "kept"
