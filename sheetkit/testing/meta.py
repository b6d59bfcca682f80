"""Spreadsheet resource JSON for the Sheets emulator: GET /v4/spreadsheets/{id} and field masks.

Google answers ``fields=sheets.properties.tabColorStyle`` with only that path (``{"sheets":
[{"properties": {}}]}`` when it is unset), so the emulator builds the full resource and then
applies the mask. Grid data (``includeGridData`` or a ``sheets.data`` mask) is built only when
asked for, for the requested ranges.
"""

from __future__ import annotations

import copy
from typing import Any

from sheetkit.testing.datafilter import metadata_json
from sheetkit.testing.model import Sheet, Spreadsheet, Window
from sheetkit.testing.values import Cell, deep_copy, json_number

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

_THEME_COLORS = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [{"colorType": t, "color": {"rgbColor": c}} for t, c in _THEME_COLORS],
}


# --------------------------------------------------------------------------- field masks


def parse_mask(text: str) -> dict[str, Any]:
    """``a.b,c(d,e/f)`` -> {"a": {"b": {}}, "c": {"d": {}, "e": {"f": {}}}}; {} leaf = everything."""
    pos = 0

    def parse_list(end: str | None) -> dict[str, Any]:
        nonlocal pos
        tree: dict[str, Any] = {}
        while pos < len(text):
            if end and text[pos] == end:
                pos += 1
                return tree
            if text[pos] in ", ":
                pos += 1
                continue
            path: list[str] = []
            name = ""
            sub: dict[str, Any] = {}
            while pos < len(text) and text[pos] not in ",()" + (end or ""):
                if text[pos] in "./":
                    path.append(name)
                    name = ""
                else:
                    name += text[pos]
                pos += 1
            path.append(name)
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(")")
            node = tree
            for part in path[:-1]:
                node = node.setdefault(part.strip(), {})
            leaf = node.setdefault(path[-1].strip(), {})
            _merge_tree(leaf, sub)
        return tree

    return parse_list(None)


def _merge_tree(into: dict[str, Any], other: dict[str, Any]) -> None:
    for k, v in other.items():
        _merge_tree(into.setdefault(k, {}), v)


def apply_mask(obj: Any, tree: dict[str, Any]) -> Any:
    """Keep only the masked paths; lists are masked element by element, as in Google."""
    if not tree or "*" in tree:
        return obj
    if isinstance(obj, list):
        return [apply_mask(x, tree) for x in obj]
    if not isinstance(obj, dict):
        return obj
    return {k: apply_mask(obj[k], sub) for k, sub in tree.items() if k in obj}


def mask_wants(tree: dict[str, Any], *path: str) -> bool:
    """True when the mask selects something at or below path (empty mask = all)."""
    node = tree
    if not node:
        return True
    for part in path:
        if not node or "*" in node:
            return True
        if part not in node:
            return False
        node = node[part]
    return True


# --------------------------------------------------------------------------- resource


def cell_data(book: Spreadsheet, cell: Cell) -> dict[str, Any]:
    """CellData JSON: userEnteredValue, effectiveValue, formattedValue, userEnteredFormat, note."""
    out: dict[str, Any] = {}
    if cell.has_value():
        if cell.formula is not None:
            out["userEnteredValue"] = {"formulaValue": cell.formula}
        else:
            out["userEnteredValue"] = _typed(cell.value)
        value = book.computed(cell)
        if value is not None:
            if isinstance(value, str) and value.startswith("#") and cell.formula is not None:
                out["effectiveValue"] = {"errorValue": {"type": "ERROR", "message": value}}
            else:
                out["effectiveValue"] = _typed(value)
            out["formattedValue"] = book.render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER")
    if cell.fmt:
        out["userEnteredFormat"] = deep_copy(cell.fmt)
    if cell.has_value() or cell.fmt:
        out["effectiveFormat"] = effective_format(book, cell)
    if cell.note:
        out["note"] = cell.note
    if cell.validation:
        out["dataValidation"] = deep_copy(cell.validation)
    return out


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = deep_copy(base)
    for key, value in over.items():
        out[key] = (
            _deep_merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else deep_copy(value)
        )
    return out


def effective_format(book: Spreadsheet, cell: Cell) -> dict[str, Any]:
    """CellFormat as the cell shows: the spreadsheet's default under the cell's own format, the number
    format Google infers for a formula, and the alignment its value type gets (numbers right, text left)."""
    fmt = _deep_merge(book.default_format or DEFAULT_FORMAT, cell.fmt)
    fmt["textFormat"]["fontFamily"] = cell.fmt.get("textFormat", {}).get("fontFamily") or "Arial"
    number_format = book.effective_number_format(cell)
    if number_format:
        fmt["numberFormat"] = deep_copy(number_format)
    if "horizontalAlignment" not in fmt and cell.has_value():
        value = book.computed(cell)
        fmt["horizontalAlignment"] = (
            "CENTER" if isinstance(value, bool) else "RIGHT" if isinstance(value, float) else "LEFT"
        )
    fmt.setdefault("hyperlinkDisplayType", "PLAIN_TEXT")
    return fmt


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float | int):
        return {"numberValue": json_number(float(value))}
    return {"stringValue": value}


def grid_data(book: Spreadsheet, win: Window) -> dict[str, Any]:
    """GridData for a window: rowData with trailing empties trimmed, plus row/column metadata."""
    sheet = win.sheet
    out: dict[str, Any] = {}
    if win.r1:
        out["startRow"] = win.r1
    if win.c1:
        out["startColumn"] = win.c1
    present = {(r, c): cell for r, c, cell in sheet.used_cells(win) if not cell.is_blank()}
    if present:
        row_end: dict[int, int] = {}  # row -> one past its last present column, found in one pass
        for r, c in present:
            row_end[r] = max(row_end.get(r, 0), c + 1)
        rows: list[dict[str, Any]] = []
        for r in range(win.r1, max(row_end) + 1):
            if r not in row_end:
                rows.append({})
                continue
            values = [cell_data(book, present[(r, c)]) if (r, c) in present else {} for c in range(win.c1, row_end[r])]
            rows.append({"values": values})
        out["rowData"] = rows
    out["rowMetadata"] = [_dim_meta(sheet.row_meta.get(i), 21) for i in range(win.r1, win.r2)]
    out["columnMetadata"] = [_dim_meta(sheet.col_meta.get(i), 100) for i in range(win.c1, win.c2)]
    return out


def _dim_meta(meta: dict[str, Any] | None, default_size: int) -> dict[str, Any]:
    out: dict[str, Any] = {"pixelSize": default_size}
    if meta:
        out.update({k: v for k, v in meta.items() if v not in (False, None)})
    return out


def sheet_json(book: Spreadsheet, sheet: Sheet, index: int, windows: list[Window] | None) -> dict[str, Any]:
    """One Sheet resource, its parts in Google's order, empty ones left out."""
    out: dict[str, Any] = {"properties": sheet.properties(index)}
    if windows is not None:
        out["data"] = [grid_data(book, w) for w in windows]
    parts: list[tuple[str, Any]] = [
        ("merges", [sheet.grid_range(*m) for m in sheet.merges]),
        ("conditionalFormats", sheet.conditional_formats),
        ("filterViews", sheet.filter_views),
        ("protectedRanges", sheet.protected_ranges),
        ("basicFilter", sheet.basic_filter),
        ("bandedRanges", sheet.bandings),
        (
            "developerMetadata",
            [m for m in book.developer_metadata.values() if m["location"].get("sheetId") == sheet.sheet_id],
        ),
        ("rowGroups", sheet.groups.get("ROWS")),
        ("columnGroups", sheet.groups.get("COLUMNS")),
        ("tables", sheet.tables),
    ]
    for key, value in parts:
        if value:
            out[key] = [metadata_json(book, m) for m in value] if key == "developerMetadata" else copy.deepcopy(value)
    return out


def spreadsheet_json(
    book: Spreadsheet,
    *,
    include_grid: bool = False,
    ranges: list[str] | None = None,
    fields: str | None = None,
    windows: list[Window] | None = None,
) -> dict[str, Any]:
    """The Spreadsheet resource as Google returns it, masked by ``fields``.

    ``ranges`` (A1 text) or ``windows`` (from data filters) limit the sheets and grid data returned.
    """
    tree = parse_mask(fields) if fields else {}
    want_data = include_grid or (
        bool(tree) and mask_wants(tree, "sheets", "data") and "sheets" in tree and "data" in tree["sheets"]
    )
    by_sheet: dict[int, list[Window]] = {}
    picked = [book.resolve(text) for text in ranges or []] + list(windows or [])
    for win in picked:
        by_sheet.setdefault(win.sheet.sheet_id, []).append(win)
    limited = bool(ranges) or windows is not None
    sheets_out = []
    for index, sheet in enumerate(book.sheets):
        if limited and sheet.sheet_id not in by_sheet:
            continue
        grids = None
        if want_data:
            grids = by_sheet.get(sheet.sheet_id) or [Window(sheet, 0, sheet.row_count, 0, sheet.col_count)]
        sheets_out.append(sheet_json(book, sheet, index, grids))
    props: dict[str, Any] = {
        "title": book.title,
        "locale": book.locale,
        "autoRecalc": book.auto_recalc,
        "timeZone": book.time_zone,
        "defaultFormat": copy.deepcopy(book.default_format or DEFAULT_FORMAT),
        "spreadsheetTheme": copy.deepcopy(THEME),
    }
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "properties": props, "sheets": sheets_out}
    if book.named_ranges:
        out["namedRanges"] = copy.deepcopy(list(book.named_ranges.values()))
    at_top = [m for m in book.developer_metadata.values() if m["location"].get("spreadsheet")]
    if at_top:
        out["developerMetadata"] = [metadata_json(book, m) for m in at_top]
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit"
    return apply_mask(out, tree) if tree else out
