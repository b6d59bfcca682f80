"""A spreadsheet built from a Spreadsheet resource (what GET /v4/spreadsheets/{id} answers).

Seeding from a resource lets a test start from a real spreadsheet's layout, a dump of one
(``includeGridData=true`` brings its cells) or a recording: the recorded answers say what an
account held before a recording began, and the replay of gspread's cassettes seeds those
spreadsheets so that it measures the emulator's behaviour, not a missing fixture. Everything goes
through the emulator's own model (sheets, cells, merges, groups...), so what a client reads back
is the emulator's rendering, never the resource that was fed in.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sheetkit.testing.edits import apply_cell_data, quantize_color
from sheetkit.testing.meta import DEFAULT_FORMAT
from sheetkit.testing.model import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet, Spreadsheet, new_spreadsheet_id
from sheetkit.testing.values import Cell

_CELL_FIELDS = "userEnteredValue,userEnteredFormat,note,dataValidation"
# Per-sheet objects kept as Google printed them: (resource key, Sheet attribute).
_SHEET_OBJECTS = (
    ("protectedRanges", "protected_ranges"),
    ("conditionalFormats", "conditional_formats"),
    ("bandedRanges", "bandings"),
    ("filterViews", "filter_views"),
    ("tables", "tables"),
)


def book_from_resource(
    resource: Mapping[str, Any],
    *,
    owner: str,
    spreadsheet_id: str | None = None,
    created: str | None = None,
    modified: str | None = None,
) -> Spreadsheet:
    """The Spreadsheet a resource describes; parts it leaves out get Google's defaults."""
    props = resource.get("properties") or {}
    book = Spreadsheet(
        spreadsheet_id or str(resource.get("spreadsheetId") or "") or new_spreadsheet_id(),
        str(props.get("title") or "Untitled spreadsheet"),
        locale=str(props.get("locale") or "en_US"),
        time_zone=str(props.get("timeZone") or "Etc/GMT"),
        auto_recalc=str(props.get("autoRecalc") or "ON_CHANGE"),
        owner=owner,
    )
    if props.get("defaultFormat") and props["defaultFormat"] != DEFAULT_FORMAT:
        book.default_format = copy.deepcopy(props["defaultFormat"])
    if created:
        book.created = created
    if modified or created:
        book.modified = modified or book.created
    entries = sorted(resource.get("sheets") or [], key=lambda s: (s.get("properties") or {}).get("index", 0))
    for number, entry in enumerate(entries):
        book.sheets.append(_sheet(entry, number))
    for named in resource.get("namedRanges") or []:
        if named.get("namedRangeId") and named.get("name"):
            book.named_ranges[str(named["namedRangeId"])] = copy.deepcopy(dict(named))
    if not book.sheets:
        book.sheets.append(Sheet(0, "Sheet1"))
    book.check_cell_limit()
    return book


def _sheet(entry: Mapping[str, Any], number: int) -> Sheet:
    props = entry.get("properties") or {}
    grid = props.get("gridProperties") or {}
    sheet = Sheet(
        int(props.get("sheetId", 0)),
        str(props.get("title") or f"Sheet{number + 1}"),
        int(grid.get("rowCount", DEFAULT_ROWS)),
        int(grid.get("columnCount", DEFAULT_COLUMNS)),
        frozen_rows=int(grid.get("frozenRowCount", 0)),
        frozen_cols=int(grid.get("frozenColumnCount", 0)),
        hidden=bool(props.get("hidden", False)),
        hide_gridlines=bool(grid.get("hideGridlines", False)),
        right_to_left=bool(props.get("rightToLeft", False)),
    )
    tab = (props.get("tabColorStyle") or {}).get("rgbColor") or props.get("tabColor")
    if tab:
        sheet.tab_color = quantize_color(tab)
    for dim in ("ROWS", "COLUMNS"):
        if grid.get(f"{dim[:-1].lower()}GroupControlAfter"):
            sheet.group_control_after.add(dim)
    for data in entry.get("data") or []:
        _grid_data(sheet, data)
    for merge in entry.get("merges") or []:
        sheet.merges.append(
            (
                int(merge.get("startRowIndex", 0)),
                int(merge.get("endRowIndex", sheet.row_count)),
                int(merge.get("startColumnIndex", 0)),
                int(merge.get("endColumnIndex", sheet.col_count)),
            )
        )
    for key, attr in _SHEET_OBJECTS:
        setattr(sheet, attr, copy.deepcopy(list(entry.get(key) or [])))
    if entry.get("basicFilter"):
        sheet.basic_filter = copy.deepcopy(dict(entry["basicFilter"]))
    for key, dim in (("rowGroups", "ROWS"), ("columnGroups", "COLUMNS")):
        if entry.get(key):
            sheet.groups[dim] = copy.deepcopy(list(entry[key]))
    return sheet


def _grid_data(sheet: Sheet, data: Mapping[str, Any]) -> None:
    """GridData's cells (their entered values, formats, notes) and row/column sizes into the sheet."""
    top, left = int(data.get("startRow", 0)), int(data.get("startColumn", 0))
    for i, row in enumerate(data.get("rowData") or []):
        for j, cell_data in enumerate(row.get("values") or []):
            cell = Cell()
            apply_cell_data(cell, cell_data, _CELL_FIELDS)
            if not cell.is_blank():
                sheet.cells[(top + i, left + j)] = cell
    for key, meta, default in (("rowMetadata", sheet.row_meta, 21), ("columnMetadata", sheet.col_meta, 100)):
        first = top if key == "rowMetadata" else left
        for i, dim in enumerate(data.get(key) or []):
            kept = {k: v for k, v in dim.items() if not (k == "pixelSize" and v == default) and v not in (False, None)}
            if kept:
                meta[first + i] = copy.deepcopy(kept)
