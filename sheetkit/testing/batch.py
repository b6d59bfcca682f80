"""POST /v4/spreadsheets/{id}:batchUpdate for the Sheets emulator.

Requests run in order against a fork of the spreadsheet (``Spreadsheet.fork``: its cells are
shared, everything else copied); if one fails, the fork is dropped and the spreadsheet is
unchanged, as Google applies a batch atomically. Handlers therefore never change a stored cell in
place (``edits.edit_cell`` stores a private copy first). The body was checked against the
discovery document before (routes.py); here each request's ``fields`` mask is checked against
what it updates. Supported request kinds are the keys of ``HANDLERS``; a kind the API has and
the emulator does not implement answers 501 (``UNIMPLEMENTED``), so a test never mistakes it for
Google's answer.
"""

from __future__ import annotations

from typing import Any

from sheetkit.testing import batch_cells as cells
from sheetkit.testing import batch_objects as objects
from sheetkit.testing import batch_sheets as sheets
from sheetkit.testing import discovery
from sheetkit.testing.edits import Handler
from sheetkit.testing.model import ApiError, Spreadsheet, bad_request

HANDLERS: dict[str, Handler] = {
    "addSheet": sheets.add_sheet,
    "deleteSheet": sheets.delete_sheet,
    "duplicateSheet": sheets.duplicate_sheet,
    "updateSheetProperties": sheets.update_sheet_properties,
    "updateSpreadsheetProperties": sheets.update_spreadsheet_properties,
    "appendDimension": sheets.append_dimension,
    "insertDimension": sheets.insert_dimension,
    "deleteDimension": sheets.delete_dimension,
    "moveDimension": sheets.move_dimension,
    "updateDimensionProperties": sheets.update_dimension_properties,
    "autoResizeDimensions": sheets.auto_resize_dimensions,
    "addDimensionGroup": sheets.add_dimension_group,
    "deleteDimensionGroup": sheets.delete_dimension_group,
    "updateDimensionGroup": sheets.update_dimension_group,
    "repeatCell": cells.repeat_cell,
    "updateCells": cells.update_cells,
    "appendCells": cells.append_cells,
    "insertRange": cells.insert_range,
    "deleteRange": cells.delete_range,
    "mergeCells": cells.merge_cells,
    "unmergeCells": cells.unmerge_cells,
    "setDataValidation": cells.set_data_validation,
    "sortRange": cells.sort_range,
    "copyPaste": cells.copy_paste,
    "cutPaste": cells.cut_paste,
    "pasteData": cells.paste_data,
    "findReplace": cells.find_replace,
    "updateBorders": cells.update_borders,
    "textToColumns": cells.text_to_columns,
    "trimWhitespace": cells.trim_whitespace,
    "deleteDuplicates": cells.delete_duplicates,
    "randomizeRange": cells.randomize_range,
    "addNamedRange": objects.add_named_range,
    "updateNamedRange": objects.update_named_range,
    "deleteNamedRange": objects.delete_named_range,
    "addProtectedRange": objects.add_protected_range,
    "updateProtectedRange": objects.update_protected_range,
    "deleteProtectedRange": objects.delete_protected_range,
    "setBasicFilter": objects.set_basic_filter,
    "clearBasicFilter": objects.clear_basic_filter,
    "addFilterView": objects.add_filter_view,
    "updateFilterView": objects.update_filter_view,
    "deleteFilterView": objects.delete_filter_view,
    "duplicateFilterView": objects.duplicate_filter_view,
    "addConditionalFormatRule": objects.add_conditional_format_rule,
    "updateConditionalFormatRule": objects.update_conditional_format_rule,
    "deleteConditionalFormatRule": objects.delete_conditional_format_rule,
    "addBanding": objects.add_banding,
    "updateBanding": objects.update_banding,
    "deleteBanding": objects.delete_banding,
    "addTable": objects.add_table,
    "updateTable": objects.update_table,
    "deleteTable": objects.delete_table,
    "createDeveloperMetadata": objects.create_developer_metadata,
    "updateDeveloperMetadata": objects.update_developer_metadata,
    "deleteDeveloperMetadata": objects.delete_developer_metadata,
}


def not_implemented(kind: str, where: str) -> ApiError:
    """501 for a request kind Google has and the emulator does not do (never a fake 200 or Google's 400)."""
    implemented = ", ".join(sorted(HANDLERS))
    return ApiError(
        501,
        f"The Sheets emulator does not implement {where} ({kind}); Google would carry it out. "
        f"Implemented request kinds: {implemented}.",
        "UNIMPLEMENTED",
    )


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> tuple[Spreadsheet, dict[str, Any]]:
    """Run all requests on a fork; returns (new state, BatchUpdateSpreadsheetResponse)."""
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise bad_request("Must specify at least one request.")
    kinds = discovery.schema("Request")
    targets = discovery.table()["maskTargets"]
    work = book.fork()
    replies: list[dict[str, Any]] = []
    for i, request in enumerate(requests):
        if not isinstance(request, dict):
            raise bad_request(f"Invalid requests[{i}]: A request must have exactly one kind set.")
        set_kinds = [k for k, v in request.items() if v is not None]
        if len(set_kinds) != 1:
            raise bad_request(f"Invalid requests[{i}]: A request must have exactly one kind set.")
        kind = set_kinds[0]
        payload = request[kind] or {}
        where = f"requests[{i}].{kind}"
        handler = HANDLERS.get(kind)
        if handler is None:
            if kind in kinds:
                raise not_implemented(kind, where)
            raise ApiError(
                400,
                f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': Cannot find field.",
            )
        target = targets.get(kinds[kind][1])
        if target and payload.get("fields"):
            discovery.check_update_mask(target, payload["fields"], where)
        reply = handler(work, payload, where)
        replies.append(reply or {})
    work.touch()
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        from sheetkit.testing.meta import spreadsheet_json

        out["updatedSpreadsheet"] = spreadsheet_json(
            work,
            include_grid=bool(body.get("responseIncludeGridData")),
            ranges=body.get("responseRanges") or None,
        )
    return work, out
