"""batchUpdate requests on sheets and their rows and columns: add, delete, duplicate, properties,
insert, delete, move, resize, group. Rows and columns that move take with them everything that
points at them (see ``Spreadsheet._moved``).
"""

from __future__ import annotations

import copy
from typing import Any

from sheetkit.testing.datafilter import sheet_deleted
from sheetkit.testing.edits import field_paths, grid_sheet, masked_update, quantize_color
from sheetkit.testing.model import Sheet, Spreadsheet, bad_request
from sheetkit.testing.values import Cell


def add_sheet(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    props = req.get("properties") or {}
    title = props.get("title")
    if not title:
        n = len(book.sheets) + 1
        while book.sheet_by_title(f"Sheet{n}") is not None:
            n += 1
        title = f"Sheet{n}"
    if book.sheet_by_title(title) is not None:
        raise bad_request(
            f'Invalid {where}: A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = book.new_sheet_id()
    elif book.sheet_by_id(int(sheet_id)) is not None:
        raise bad_request(f"Invalid {where}: Sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    sheet = Sheet(int(sheet_id), title, int(grid.get("rowCount", 1000)), int(grid.get("columnCount", 26)))
    sheet.frozen_rows = int(grid.get("frozenRowCount", 0))
    sheet.frozen_cols = int(grid.get("frozenColumnCount", 0))
    sheet.hide_gridlines = bool(grid.get("hideGridlines", False))
    sheet.group_control_after = {d for d in ("ROWS", "COLUMNS") if grid.get(f"{d[:-1].lower()}GroupControlAfter")}
    sheet.hidden = bool(props.get("hidden", False))
    color = (props.get("tabColorStyle") or {}).get("rgbColor") or props.get("tabColor")
    sheet.tab_color = quantize_color(color) if color else None
    book.check_cell_limit(sheet.row_count * sheet.col_count)
    index = int(props.get("index", len(book.sheets)))
    book.sheets.insert(min(index, len(book.sheets)), sheet)
    return {"addSheet": {"properties": sheet.properties(book.sheets.index(sheet))}}


def delete_sheet(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet = grid_sheet(book, req.get("sheetId"), where)
    if len(book.sheets) == 1:
        raise bad_request(f"Invalid {where}: You can't remove all the sheets in a document.")
    if all(s.hidden for s in book.sheets if s is not sheet):
        raise bad_request(f"Invalid {where}: You can't delete all the visible sheets in a document.")
    book.sheets.remove(sheet)
    for key in [k for k, v in book.named_ranges.items() if v["range"].get("sheetId", 0) == sheet.sheet_id]:
        del book.named_ranges[key]
    sheet_deleted(book, sheet.sheet_id)
    return None


def update_sheet_properties(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    props = req.get("properties") or {}
    sheet = grid_sheet(book, props.get("sheetId"), where)
    fields = req.get("fields")
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated, but none was specified.")
    current = sheet.properties(book.sheets.index(sheet))
    masked_update(current, props, fields)
    title = current.get("title") or sheet.title
    other = book.sheet_by_title(title)
    if other is not None and other is not sheet and other.title == title:
        raise bad_request(
            f'Invalid {where}: A sheet with the name "{title}" already exists. Please enter another name.'
        )
    hidden = bool(current.get("hidden", False))
    if hidden and all(s.hidden or s is sheet for s in book.sheets):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")
    grid = current.get("gridProperties") or {}
    rows, cols = int(grid.get("rowCount", sheet.row_count)), int(grid.get("columnCount", sheet.col_count))
    if rows < 1 or cols < 1:
        raise bad_request(f"Invalid {where}: You can't delete all the rows on the sheet.")
    book.check_cell_limit(rows * cols - sheet.row_count * sheet.col_count)
    if rows < sheet.row_count:
        book.delete_dimension(sheet, "ROWS", rows, sheet.row_count)
    if cols < sheet.col_count:
        book.delete_dimension(sheet, "COLUMNS", cols, sheet.col_count)
    sheet.title = title
    sheet.row_count, sheet.col_count = rows, cols
    sheet.frozen_rows = int(grid.get("frozenRowCount", 0))
    sheet.frozen_cols = int(grid.get("frozenColumnCount", 0))
    sheet.hide_gridlines = bool(grid.get("hideGridlines", False))
    sheet.group_control_after = {d for d in ("ROWS", "COLUMNS") if grid.get(f"{d[:-1].lower()}GroupControlAfter")}
    sheet.hidden = hidden
    sheet.right_to_left = bool(current.get("rightToLeft", False))
    color = (current.get("tabColorStyle") or {}).get("rgbColor") if "tabColorStyle" in _flat(fields) else None
    if "tabColorStyle" in _flat(fields):
        sheet.tab_color = quantize_color(color) if color else None
    elif "tabColor" in _flat(fields):
        sheet.tab_color = quantize_color(current.get("tabColor")) if current.get("tabColor") else None
    if "index" in _flat(fields):
        book.sheets.remove(sheet)
        book.sheets.insert(min(int(current.get("index", 0)), len(book.sheets)), sheet)
    return None


def _flat(fields: str) -> set[str]:
    return {p[0] for p in field_paths(fields)} | (
        {"tabColorStyle", "tabColor", "index"} if fields.strip() == "*" else set()
    )


def update_spreadsheet_properties(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    props = req.get("properties") or {}
    current: dict[str, Any] = {
        "title": book.title,
        "locale": book.locale,
        "timeZone": book.time_zone,
        "autoRecalc": book.auto_recalc,
        "defaultFormat": book.default_format,
    }
    masked_update(current, props, req.get("fields") or "")
    book.title = current.get("title") or book.title
    book.locale = current.get("locale") or book.locale
    book.time_zone = current.get("timeZone") or book.time_zone
    book.auto_recalc = current.get("autoRecalc") or book.auto_recalc
    book.default_format = current.get("defaultFormat") or {}
    return None


def append_dimension(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet = grid_sheet(book, req.get("sheetId"), where)
    length = int(req.get("length", 0))
    if req.get("dimension") == "COLUMNS":
        book.check_cell_limit(length * sheet.row_count)
        sheet.col_count += length
    else:
        book.check_cell_limit(length * sheet.col_count)
        sheet.row_count += length
    return None


def _dimension_range(book: Spreadsheet, req: dict[str, Any], where: str) -> tuple[Sheet, str, int, int]:
    rng = req.get("range") or req
    sheet = grid_sheet(book, rng.get("sheetId"), where)
    dim = rng.get("dimension", "ROWS")
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    start = int(rng.get("startIndex", 0))
    end = int(rng.get("endIndex", limit))
    if start < 0 or end <= start:
        raise bad_request(f"Invalid {where}: Invalid dimension range: startIndex {start}, endIndex {end}")
    return sheet, dim, start, end


def insert_dimension(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dimension_range(book, req, where)
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    if start > limit:
        raise bad_request(f"Invalid {where}: range.startIndex must be less than or equal to the sheet size")
    book.insert_dimension(sheet, dim, start, end, bool(req.get("inheritFromBefore")))
    return None


def delete_dimension(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dimension_range(book, req, where)
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    end = min(end, limit)
    if start == 0 and end >= limit:
        what = "rows" if dim == "ROWS" else "columns"
        raise bad_request(f"Invalid {where}: You can't delete all the {what} on the sheet.")
    book.delete_dimension(sheet, dim, start, end)
    return None


def update_dimension_properties(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dimension_range(book, req, where)
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        current = meta.setdefault(i, {})
        masked_update(current, req.get("properties") or {}, req.get("fields") or "")
    return None


def auto_resize_dimensions(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Approximation: 7 px per character of the longest formatted value (Google measures fonts)."""
    sheet, dim, start, end = _dimension_range(book, req.get("dimensions") or {}, where)
    meta = sheet.col_meta if dim == "COLUMNS" else sheet.row_meta
    by_column: dict[int, list[Cell]] = {}  # one pass over the cells, not one per column
    if dim == "COLUMNS":
        for (_, cc), cell in sheet.cells.items():
            if start <= cc < end:
                by_column.setdefault(cc, []).append(cell)
    for i in range(start, end):
        if dim == "COLUMNS":
            texts = [str(book.render(c, "FORMATTED_VALUE", "SERIAL_NUMBER")) for c in by_column.get(i, [])]
            longest = max((len(line) for t in texts for line in t.split("\n")), default=0)
            meta.setdefault(i, {})["pixelSize"] = max(100, 7 * longest + 10) if longest else 100
        else:
            meta.setdefault(i, {})["pixelSize"] = 21
    return None


def duplicate_sheet(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    source = grid_sheet(book, req.get("sourceSheetId"), where)
    title = req.get("newSheetName") or f"Copy of {source.title}"
    if book.sheet_by_title(title) is not None:
        raise bad_request(
            f'Invalid {where}: A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sheet_id = req.get("newSheetId")
    if sheet_id is None:
        sheet_id = book.new_sheet_id()
    elif book.sheet_by_id(int(sheet_id)) is not None:
        raise bad_request(f"Invalid {where}: Sheet with id {sheet_id} already exists.")
    clone = source.fork()
    clone.sheet_id, clone.title = int(sheet_id), title
    book.check_cell_limit(clone.row_count * clone.col_count)
    for ranges in (
        [p["range"] for p in clone.protected_ranges],
        [r for rule in clone.conditional_formats for r in rule.get("ranges", [])],
        [b["range"] for b in clone.bandings],
        [v["range"] for v in clone.filter_views],
        [t["range"] for t in clone.tables],
        [clone.basic_filter["range"]] if clone.basic_filter else [],
        [g["range"] for gs in clone.groups.values() for g in gs],
    ):
        for rng in ranges:
            rng.pop("sheetId", None)
            if clone.sheet_id:
                rng["sheetId"] = clone.sheet_id
    for banded in clone.bandings:
        banded["bandedRangeId"] = book.new_sheet_id()
    clone.tables = []  # table names are unique in a spreadsheet: Google renames them; the emulator drops them
    index = int(req.get("insertSheetIndex", book.sheets.index(source) + 1))
    book.sheets.insert(min(index, len(book.sheets)), clone)
    return {"duplicateSheet": {"properties": clone.properties(book.sheets.index(clone))}}


def move_dimension(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dimension_range(book, req.get("source") or {}, where)
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    dest = int(req.get("destinationIndex", 0))
    if end > limit or not 0 <= dest <= limit:
        raise bad_request(f"Invalid {where}: destinationIndex must be within the sheet's bounds")
    if start <= dest <= end:
        return None  # moving rows next to themselves changes nothing
    book.move_dimension(sheet, dim, start, end, dest)
    return None


def _groups(book: Spreadsheet, sheet: Sheet, dim: str) -> list[dict[str, Any]]:
    """The sheet's groups on one dimension with their depths recomputed (a group inside another is deeper)."""
    groups = sheet.groups.setdefault(dim, [])
    groups.sort(key=lambda g: (g["range"]["startIndex"], -g["range"]["endIndex"]))
    for g in groups:
        lo, hi = g["range"]["startIndex"], g["range"]["endIndex"]
        g["depth"] = 1 + sum(
            1
            for o in groups
            if o is not g
            and o["range"]["startIndex"] <= lo
            and hi <= o["range"]["endIndex"]
            and (o["range"]["startIndex"], o["range"]["endIndex"]) != (lo, hi)
        )
    return groups


def _group_json(sheet: Sheet, dim: str) -> list[dict[str, Any]]:
    return copy.deepcopy(sheet.groups.get(dim, []))


def add_dimension_group(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, dim, start, end = _dimension_range(book, req.get("range") or {}, where)
    groups = sheet.groups.setdefault(dim, [])
    if any((g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end) for g in groups):
        # Google deepens an existing group of the same span by adding one inside it; the emulator keeps one.
        raise bad_request(f"Invalid {where}: A group with this range already exists.")
    rng: dict[str, Any] = {"dimension": dim, "startIndex": start, "endIndex": end}
    if sheet.sheet_id:
        rng = {"sheetId": sheet.sheet_id, **rng}
    groups.append({"range": rng, "depth": 1})
    _groups(book, sheet, dim)
    sheet.group_control_after.add(dim)  # Google turns the +/- control to "after" with the first group
    return {"addDimensionGroup": {"dimensionGroups": _group_json(sheet, dim)}}


def delete_dimension_group(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, dim, start, end = _dimension_range(book, req.get("range") or {}, where)
    groups = sheet.groups.setdefault(dim, [])
    hit = next((g for g in groups if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end)), None)
    if hit is None:
        raise bad_request(f"Invalid {where}: No dimension group with the specified range exists.")
    groups.remove(hit)
    _groups(book, sheet, dim)
    left = _group_json(sheet, dim)
    return {"deleteDimensionGroup": {"dimensionGroups": left} if left else {}}  # an empty list is omitted


def update_dimension_group(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    group = req.get("dimensionGroup") or {}
    sheet, dim, start, end = _dimension_range(book, group.get("range") or {}, where)
    hit = next(
        (g for g in sheet.groups.get(dim, []) if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end)),
        None,
    )
    if hit is None:
        raise bad_request(f"Invalid {where}: No dimension group with the specified range exists.")
    masked_update(hit, {k: v for k, v in group.items() if k != "range"}, req.get("fields") or "")
    return None
