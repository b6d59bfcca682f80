"""batchUpdate requests on cells: values and formats, merges, validation, sorting, pasting, borders,
ranges inserted or deleted, text split into columns, whitespace and duplicates.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from sheetkit.testing.edits import (
    apply_cell_data,
    edit_cell,
    grid_sheet,
    grid_window,
    positions,
    quantize_color,
    sweep,
)
from sheetkit.testing.model import Sheet, Spreadsheet, Window, bad_request
from sheetkit.testing.values import Cell, deep_copy, parse_user_entered


def repeat_cell(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = grid_window(book, req.get("range") or {}, where)
    data = req.get("cell") or {}
    fields = req.get("fields") or ""
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated, but none was specified.")
    for r, c in positions(win):
        apply_cell_data(edit_cell(win.sheet, r, c), data, fields)
    sweep(win.sheet, positions(win))
    return None


def update_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rows = req.get("rows") or []
    fields = req.get("fields") or ""
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated, but none was specified.")
    if "start" in req:
        start = req["start"]
        sheet = grid_sheet(book, start.get("sheetId", 0), where)
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        win = None
    else:
        win = grid_window(book, req.get("range") or {}, where)
        sheet, r0, c0 = win.sheet, win.r1, win.c1
    touched: list[tuple[int, int]] = []
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            r, c = r0 + i, c0 + j
            if win is not None and not (r < win.r2 and c < win.c2):
                continue
            if r >= sheet.row_count or c >= sheet.col_count:
                raise bad_request(
                    f"Invalid {where}: Range exceeds grid limits. "
                    f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
                )
            apply_cell_data(edit_cell(sheet, r, c), data, fields)
            touched.append((r, c))
    if win is not None:
        # Stored cells of the range that the rows do not cover are cleared for the masked fields.
        for r, c, _ in sheet.used_cells(win):
            i, j = r - r0, c - c0
            if i >= len(rows) or j >= len(rows[i].get("values") or []):
                apply_cell_data(edit_cell(sheet, r, c), {}, fields)
                touched.append((r, c))
    sweep(sheet, touched)
    return None


def merge_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = grid_window(book, req.get("range") or {}, where)
    kind = req.get("mergeType", "MERGE_ALL")
    sheet = win.sheet
    if kind == "MERGE_ROWS":
        boxes = [(r, r + 1, win.c1, win.c2) for r in range(win.r1, win.r2)]
    elif kind == "MERGE_COLUMNS":
        boxes = [(win.r1, win.r2, c, c + 1) for c in range(win.c1, win.c2)]
    else:
        boxes = [(win.r1, win.r2, win.c1, win.c2)]
    # Google replaces merges that overlap the new ones.
    sheet.merges = [
        m for m in sheet.merges if not any(m[0] < b[1] and b[0] < m[1] and m[2] < b[3] and b[2] < m[3] for b in boxes)
    ]
    touched: list[tuple[int, int]] = []
    for box in boxes:
        if (box[1] - box[0]) * (box[3] - box[2]) < 2:
            continue
        # Google keeps only the top-left value of a merge.
        for r, c, _ in sheet.used_cells(Window(sheet, *box)):
            if (r, c) != (box[0], box[2]):
                cell = edit_cell(sheet, r, c)
                cell.value = cell.formula = None
                touched.append((r, c))
        sheet.merges.append(box)
    sweep(sheet, touched)
    return None


def unmerge_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = grid_window(book, req.get("range") or {}, where)
    win.sheet.merges = [
        m for m in win.sheet.merges if not (win.r1 <= m[0] and m[1] <= win.r2 and win.c1 <= m[2] and m[3] <= win.c2)
    ]
    return None


def set_data_validation(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = grid_window(book, req.get("range") or {}, where)
    rule = req.get("rule")
    for r, c in positions(win):
        edit_cell(win.sheet, r, c).validation = deep_copy(rule) if rule else None
    sweep(win.sheet, positions(win))
    return None


def _sort_key(value: Any) -> tuple[int, Any]:
    # Google orders numbers < text < booleans, blanks last.
    if value is None or value == "":
        return (3, 0)
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, float):
        return (0, value)
    return (1, str(value).casefold())


def sort_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    # Google sorts a range that runs past the grid's edge (gspread sends A1:Z1000 on a 6x3 sheet) as clipped.
    win = grid_window(book, req.get("range") or {}, where, clip=True)
    sheet = win.sheet
    rows = [[sheet.cells.pop((r, c), None) for c in range(win.c1, win.c2)] for r in range(win.r1, win.r2)]
    for spec in reversed(req.get("sortSpecs") or []):
        col = int(spec.get("dimensionIndex", 0)) - win.c1
        desc = spec.get("sortOrder") == "DESCENDING"

        def key(row: list[Cell | None], col: int = col) -> tuple[int, Any]:
            cell = row[col] if 0 <= col < len(row) else None
            return _sort_key(book.computed(cell) if cell is not None else None)

        blanks = [r for r in rows if key(r)[0] == 3]
        filled = sorted((r for r in rows if key(r)[0] != 3), key=key, reverse=desc)
        rows = filled + blanks
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is not None:
                sheet.cells[(win.r1 + i, win.c1 + j)] = cell
    return None


def copy_paste(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    src = grid_window(book, req.get("source") or {}, where)
    dst = grid_window(book, req.get("destination") or {}, where)
    paste = req.get("pasteType", "PASTE_NORMAL")
    height, width = src.r2 - src.r1, src.c2 - src.c1
    snapshot = {(r - src.r1, c - src.c1): cell for r, c, cell in src.sheet.used_cells(src)}
    touched: list[tuple[int, int]] = []
    for r in range(dst.r1, max(dst.r2, dst.r1 + height)):
        for c in range(dst.c1, max(dst.c2, dst.c1 + width)):
            if r >= dst.sheet.row_count or c >= dst.sheet.col_count:
                continue
            source = snapshot.get(((r - dst.r1) % height, (c - dst.c1) % width)) or Cell()
            _paste(dst.sheet, r, c, source, paste)
            touched.append((r, c))
    sweep(dst.sheet, touched)
    return None


def _paste(sheet: Sheet, r: int, c: int, source: Cell, paste: str) -> None:
    target = edit_cell(sheet, r, c)
    if paste in ("PASTE_NORMAL", "PASTE_VALUES"):
        target.value, target.formula = source.value, source.formula
    if paste in ("PASTE_NORMAL", "PASTE_FORMAT"):
        target.fmt = copy.deepcopy(source.fmt)
    if paste == "PASTE_NORMAL":
        target.note = source.note
        target.validation = copy.deepcopy(source.validation)
    if paste == "PASTE_DATA_VALIDATION":
        target.validation = copy.deepcopy(source.validation)


def cut_paste(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    src = grid_window(book, req.get("source") or {}, where)
    dest = req.get("destination") or {}
    dst_sheet = grid_sheet(book, dest.get("sheetId", 0), where)
    r0, c0 = int(dest.get("rowIndex", 0)), int(dest.get("columnIndex", 0))
    moved = {(r - src.r1, c - src.c1): src.sheet.cells.pop((r, c)) for r, c, _ in src.sheet.used_cells(src)}
    touched: list[tuple[int, int]] = []
    for (i, j), cell in moved.items():
        if r0 + i < dst_sheet.row_count and c0 + j < dst_sheet.col_count:
            _paste(dst_sheet, r0 + i, c0 + j, cell, req.get("pasteType", "PASTE_NORMAL"))
            touched.append((r0 + i, c0 + j))
    sweep(dst_sheet, touched)
    return None


def find_replace(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    find, repl = req.get("find", ""), req.get("replacement", "")
    sheets = book.sheets if req.get("allSheets") else [grid_sheet(book, req.get("sheetId", 0), where)]
    changed = 0
    for sheet in sheets:
        hits = [(k, v) for k, v in sheet.cells.items() if isinstance(v.value, str) and find and find in v.value]
        for key, found in hits:
            edited = sheet.cells[key] = found.copy()  # stored cells are never edited in place
            edited.value = str(found.value).replace(find, repl)
            changed += 1
    return {
        "findReplace": {
            "valuesChanged": changed,
            "rowsChanged": changed,
            "occurrencesChanged": changed,
            "sheetsChanged": len(sheets),
        }
        if changed
        else {}
    }


def append_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Rows go below the sheet's last row holding anything; the grid grows to fit them."""
    sheet = grid_sheet(book, req.get("sheetId"), where)
    fields = req.get("fields") or ""
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated, but none was specified.")
    rows = req.get("rows") or []
    r0 = max((r + 1 for (r, _c) in sheet.cells if r >= 0), default=0)
    width = max((len(row.get("values") or []) for row in rows), default=0)
    grow_rows, grow_cols = max(0, r0 + len(rows) - sheet.row_count), max(0, width - sheet.col_count)
    book.check_cell_limit(grow_rows * (sheet.col_count + grow_cols) + grow_cols * sheet.row_count)
    sheet.row_count += grow_rows
    sheet.col_count += grow_cols
    touched = []
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            apply_cell_data(edit_cell(sheet, r0 + i, j), data, fields)
            touched.append((r0 + i, j))
    sweep(sheet, touched)
    return None


def _shift_cells(sheet: Sheet, win: Window, dim: str, n: int) -> None:
    """Move the cells beside a range along dim by n (n > 0 away from it, n < 0 into it)."""
    if dim == "ROWS":
        stay = [(r, c, cell) for r, c, cell in sheet.used_cells(Window(sheet, win.r1, sheet.row_count, win.c1, win.c2))]
        for r, c, _ in stay:
            del sheet.cells[(r, c)]
        for r, c, cell in stay:
            if n > 0 or r >= win.r2:
                sheet.cells[(r + n, c)] = cell
    else:
        stay = [(r, c, cell) for r, c, cell in sheet.used_cells(Window(sheet, win.r1, win.r2, win.c1, sheet.col_count))]
        for r, c, _ in stay:
            del sheet.cells[(r, c)]
        for r, c, cell in stay:
            if n > 0 or c >= win.c2:
                sheet.cells[(r, c + n)] = cell


def insert_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Cells in and after the range move down (ROWS) or right (COLUMNS); the grid grows by the range's size."""
    win = grid_window(book, req.get("range") or {}, where)
    dim = req.get("shiftDimension") or "ROWS"
    sheet = win.sheet
    if dim == "ROWS":
        n = win.r2 - win.r1
        book.check_cell_limit(n * sheet.col_count)
        sheet.row_count += n
    else:
        n = win.c2 - win.c1
        book.check_cell_limit(n * sheet.row_count)
        sheet.col_count += n
    _shift_cells(sheet, win, dim, n)
    return None


def delete_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """The range's cells go; the cells after it move up (ROWS) or left (COLUMNS)."""
    win = grid_window(book, req.get("range") or {}, where)
    dim = req.get("shiftDimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise bad_request(f"Invalid {where}: shiftDimension must be ROWS or COLUMNS.")
    _shift_cells(win.sheet, win, dim, -(win.r2 - win.r1) if dim == "ROWS" else -(win.c2 - win.c1))
    return None


_DELIMITERS = {"COMMA": ",", "SEMICOLON": ";", "PERIOD": ".", "SPACE": " "}


def text_to_columns(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Split each cell of a one-column range at the delimiter into the cells to its right."""
    win = grid_window(book, req.get("source") or {}, where)
    if win.c2 - win.c1 != 1:
        raise bad_request(f"Invalid {where}: The source range must be a single column.")
    kind = req.get("delimiterType") or "DETECT"
    sheet = win.sheet
    touched = []
    for r, c, cell in sheet.used_cells(win):
        text = book.render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER")
        if kind == "CUSTOM":
            delimiter = req.get("delimiter") or ","
        elif kind in _DELIMITERS:
            delimiter = _DELIMITERS[kind]
        else:  # DETECT / AUTODETECT: the first of these that the text holds
            delimiter = next((d for d in (",", ";", ".", " ") if d in str(text)), ",")
        parts = str(text).split(delimiter)
        if c + len(parts) > sheet.col_count:
            sheet.col_count = c + len(parts)
        for j, part in enumerate(parts):
            target = edit_cell(sheet, r, c + j)
            parsed = parse_user_entered(part)
            target.value, target.formula = parsed.value, parsed.formula
            touched.append((r, c + j))
    sweep(sheet, touched)
    return None


_BORDER_WIDTH = {"DOTTED": 1, "DASHED": 1, "SOLID": 1, "SOLID_MEDIUM": 2, "SOLID_THICK": 3, "DOUBLE": 3}


def _border(spec: dict[str, Any]) -> dict[str, Any] | None:
    """A Border as Google stores it: width from the style, colour quantized and mirrored into colorStyle."""
    style = spec.get("style") or "SOLID"
    if style == "NONE":
        return None
    color = (spec.get("colorStyle") or {}).get("rgbColor") or spec.get("color") or {}
    out: dict[str, Any] = {"style": style, "width": _BORDER_WIDTH.get(style, 1), "color": quantize_color(color)}
    out["colorStyle"] = {"rgbColor": out["color"]}
    return out


def update_borders(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Borders on the range's outer edges (top, bottom, left, right) and between its cells (inner*)."""
    win = grid_window(book, req.get("range") or {}, where)
    sheet = win.sheet
    touched = []
    for r, c in positions(win):
        edges: dict[str, dict[str, Any] | None] = {
            "top": req.get("top") if r == win.r1 else req.get("innerHorizontal"),
            "bottom": req.get("bottom") if r == win.r2 - 1 else req.get("innerHorizontal"),
            "left": req.get("left") if c == win.c1 else req.get("innerVertical"),
            "right": req.get("right") if c == win.c2 - 1 else req.get("innerVertical"),
        }
        sides = {k: v for k, v in edges.items() if v is not None}
        if not sides:
            continue
        cell = edit_cell(sheet, r, c)
        borders = dict(cell.fmt.get("borders") or {})
        for side, spec in sides.items():
            made = _border(spec)
            if made is None:
                borders.pop(side, None)
            else:
                borders[side] = made
        if borders:
            cell.fmt["borders"] = borders
        else:
            cell.fmt.pop("borders", None)
        touched.append((r, c))
    sweep(sheet, touched)
    return None


def trim_whitespace(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    win = grid_window(book, req.get("range") or {}, where)
    changed = 0
    for r, c, cell in win.sheet.used_cells(win):
        if isinstance(cell.value, str) and cell.formula is None:
            trimmed = " ".join(cell.value.split())
            if trimmed != cell.value:
                edit_cell(win.sheet, r, c).value = trimmed or None
                changed += 1
    sweep(win.sheet, [(r, c) for r, c, _ in win.sheet.used_cells(win)])
    return {"trimWhitespace": {"cellsChangedCount": changed} if changed else {}}


def delete_duplicates(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    """Rows of the range equal (in the compared columns) to an earlier one are removed; rows below move up."""
    win = grid_window(book, req.get("range") or {}, where)
    sheet = win.sheet
    columns = [int(d.get("startIndex", 0)) for d in req.get("comparisonColumns") or []] or list(range(win.c1, win.c2))
    seen: set[tuple[Any, ...]] = set()
    kept: list[list[Cell | None]] = []
    removed = 0
    for r in range(win.r1, win.r2):
        key = tuple(book.computed(sheet.cells[(r, c)]) if (r, c) in sheet.cells else None for c in columns)
        if key in seen:
            removed += 1
            continue
        seen.add(key)
        kept.append([sheet.cells.get((r, c)) for c in range(win.c1, win.c2)])
    for r, c, _ in sheet.used_cells(win):
        del sheet.cells[(r, c)]
    for i, row in enumerate(kept):
        for j, cell in enumerate(row):
            if cell is not None:
                sheet.cells[(win.r1 + i, win.c1 + j)] = cell
    return {"deleteDuplicates": {"duplicatesRemovedCount": removed} if removed else {}}


def randomize_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = grid_window(book, req.get("range") or {}, where)
    sheet = win.sheet
    rows = [[sheet.cells.pop((r, c), None) for c in range(win.c1, win.c2)] for r in range(win.r1, win.r2)]
    random.shuffle(rows)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is not None:
                sheet.cells[(win.r1 + i, win.c1 + j)] = cell
    return None


def paste_data(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Delimited text (or, with html, its table cells as text) pasted from the coordinate on."""
    coordinate = req.get("coordinate") or {}
    sheet = grid_sheet(book, coordinate.get("sheetId", 0), where)
    r0, c0 = int(coordinate.get("rowIndex", 0)), int(coordinate.get("columnIndex", 0))
    delimiter = req.get("delimiter") or ","
    lines = str(req.get("data") or "").splitlines()
    touched = []
    for i, line in enumerate(lines):
        parts = line.split(delimiter)
        sheet.row_count = max(sheet.row_count, r0 + i + 1)
        sheet.col_count = max(sheet.col_count, c0 + len(parts))
        for j, part in enumerate(parts):
            parsed = parse_user_entered(part)
            target = edit_cell(sheet, r0 + i, c0 + j)
            if req.get("type") in (None, "PASTE_NORMAL", "PASTE_VALUES"):
                target.value, target.formula = parsed.value, parsed.formula
            touched.append((r0 + i, c0 + j))
    sweep(sheet, touched)
    return None
