"""POST /v4/spreadsheets/{id}:batchUpdate for the Sheets emulator.

Requests run in order against a fork of the spreadsheet (``Spreadsheet.fork``: its cells are
shared, everything else copied); if one fails, the fork is dropped and the spreadsheet is
unchanged, as Google applies a batch atomically. Handlers therefore never change a stored cell in
place: ``_cell`` stores a private copy first. Supported request kinds are
the keys of ``HANDLERS``; others answer 400 the way Google answers an unknown field.
"""

from __future__ import annotations

import copy
import functools
import itertools
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sheetkit.testing.model import ApiError, Sheet, Spreadsheet, Window, bad_request
from sheetkit.testing.values import Cell, deep_copy, parse_user_entered

Handler = Callable[[Spreadsheet, dict[str, Any], str], dict[str, Any] | None]


# --------------------------------------------------------------------------- helpers


def quantize_color(color: dict[str, Any] | None) -> dict[str, Any]:
    """Google stores colours as 8-bit channels: 0.5 reads back as 0.49803922; zeros are omitted."""
    out: dict[str, Any] = {}
    for key in ("red", "green", "blue", "alpha"):
        val = (color or {}).get(key)
        if val is None or val == 0:
            continue
        if key == "alpha":
            out[key] = val
            continue
        q = int(float(val) * 255) / 255
        out[key] = 1 if q == 1 else float(f"{q:.8g}")
    return out


def _normalize_format(fmt: dict[str, Any]) -> dict[str, Any]:
    """Mirror colour fields into their *Style twins like Google does, quantizing both."""
    fmt = deep_copy(fmt)
    for plain, style in (("backgroundColor", "backgroundColorStyle"),):
        if plain in fmt:
            fmt[plain] = quantize_color(fmt[plain])
            fmt[style] = {"rgbColor": fmt[plain]}
        elif style in fmt and "rgbColor" in fmt[style]:
            fmt[style] = {"rgbColor": quantize_color(fmt[style]["rgbColor"])}
            fmt[plain] = fmt[style]["rgbColor"]
    text = fmt.get("textFormat")
    if isinstance(text, dict):
        if "foregroundColor" in text:
            text["foregroundColor"] = quantize_color(text["foregroundColor"])
            text["foregroundColorStyle"] = {"rgbColor": text["foregroundColor"]}
        elif "rgbColor" in text.get("foregroundColorStyle", {}):
            text["foregroundColorStyle"] = {"rgbColor": quantize_color(text["foregroundColorStyle"]["rgbColor"])}
            text["foregroundColor"] = text["foregroundColorStyle"]["rgbColor"]
    return fmt


@functools.lru_cache(maxsize=256)
def _paths(fields: str) -> tuple[tuple[str, ...], ...]:
    """``a(b,c),d.e`` / ``gridProperties/rowCount`` -> (("a","b"),("a","c"),("d","e")).

    Cached: a repeatCell over a 100,000-row column applies the same mask to every cell.
    """
    from sheetkit.testing.meta import parse_mask

    out: list[tuple[str, ...]] = []

    def walk(tree: dict[str, Any], prefix: tuple[str, ...]) -> None:
        for key, sub in tree.items():
            if sub:
                walk(sub, (*prefix, key))
            else:
                out.append((*prefix, key))

    walk(parse_mask(fields), ())
    return tuple(out)


def masked_update(target: dict[str, Any], source: dict[str, Any], fields: str) -> None:
    """Copy the masked paths from source into target; a masked path missing in source is cleared."""
    for path in _paths(fields):
        if path == ("*",):
            target.clear()
            target.update(deep_copy(source))
            continue
        src: Any = source
        for part in path:
            src = src.get(part) if isinstance(src, dict) else None
        node = target
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if src is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = deep_copy(src)


def _sheet(book: Spreadsheet, sheet_id: Any, where: str) -> Sheet:
    sheet = book.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise bad_request(f"Invalid {where}: No grid with id: {sheet_id or 0}")
    return sheet


def _window(book: Spreadsheet, rng: dict[str, Any], where: str) -> Window:
    sheet = _sheet(book, rng.get("sheetId", 0), where)
    win = sheet.window(rng)
    if win.r2 > sheet.row_count or win.c2 > sheet.col_count or win.r1 < 0 or win.c1 < 0:
        raise bad_request(
            f"Invalid {where}: Range ({win.a1()}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    return win


def _cell(sheet: Sheet, r: int, c: int) -> Cell:
    """The cell at (r, c) to edit: a private copy is stored first, since the stored one may be shared
    with the spreadsheet a failing batch falls back to (``Spreadsheet.fork``)."""
    cell = sheet.cells.get((r, c))
    cell = sheet.cells[(r, c)] = Cell() if cell is None else cell.copy()
    return cell


def _positions(win: Window) -> Iterator[tuple[int, int]]:
    return itertools.product(range(win.r1, win.r2), range(win.c1, win.c2))


def _apply_cell_data(cell: Cell, data: dict[str, Any], fields: str) -> None:
    """updateCells/repeatCell: apply CellData to a stored cell under a field mask."""
    current: dict[str, Any] = {}
    if cell.formula is not None:
        current["userEnteredValue"] = {"formulaValue": cell.formula}
    elif cell.value is not None:
        current["userEnteredValue"] = {"v": cell.value}
    if cell.fmt:
        current["userEnteredFormat"] = cell.fmt
    if cell.note is not None:
        current["note"] = cell.note
    if cell.validation is not None:
        current["dataValidation"] = cell.validation
    masked_update(current, data, fields)
    uev = current.get("userEnteredValue") or {}
    cell.formula = None
    cell.value = None
    if "formulaValue" in uev:
        cell.formula = uev["formulaValue"]
    elif "numberValue" in uev:
        cell.value = float(uev["numberValue"])
    elif "boolValue" in uev:
        cell.value = bool(uev["boolValue"])
    elif "stringValue" in uev:
        cell.value = uev["stringValue"] or None
    elif "v" in uev:
        cell.value = uev["v"]
    elif "errorValue" in uev:
        cell.value = "#ERROR!"
    cell.fmt = _normalize_format(current.get("userEnteredFormat") or {})
    cell.note = current.get("note") or None
    cell.validation = current.get("dataValidation")


def _sweep(sheet: Sheet, keys: Iterable[tuple[int, int]]) -> None:
    """Drop the blank cells among keys, the cells a request touched (Google stores no empty cells).

    No stored cell is blank before a request, so the rest of the sheet needs no scan: sweeping the
    whole of a 100,000-row sheet after each of 1,000 requests took half an hour.
    """
    cells = sheet.cells
    for key in keys:
        cell = cells.get(key)
        if cell is not None and cell.is_blank():
            del cells[key]


# --------------------------------------------------------------------------- handlers


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
    sheet.hidden = bool(props.get("hidden", False))
    color = (props.get("tabColorStyle") or {}).get("rgbColor") or props.get("tabColor")
    sheet.tab_color = quantize_color(color) if color else None
    book.check_cell_limit(sheet.row_count * sheet.col_count)
    index = int(props.get("index", len(book.sheets)))
    book.sheets.insert(min(index, len(book.sheets)), sheet)
    return {"addSheet": {"properties": sheet.properties(book.sheets.index(sheet))}}


def delete_sheet(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet = _sheet(book, req.get("sheetId"), where)
    if len(book.sheets) == 1:
        raise bad_request(f"Invalid {where}: You can't remove all the sheets in a document.")
    if all(s.hidden for s in book.sheets if s is not sheet):
        raise bad_request(f"Invalid {where}: You can't delete all the visible sheets in a document.")
    book.sheets.remove(sheet)
    for key in [k for k, v in book.named_ranges.items() if v["range"].get("sheetId", 0) == sheet.sheet_id]:
        del book.named_ranges[key]
    return None


def update_sheet_properties(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    props = req.get("properties") or {}
    sheet = _sheet(book, props.get("sheetId"), where)
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
    return {p[0] for p in _paths(fields)} | ({"tabColorStyle", "tabColor", "index"} if fields.strip() == "*" else set())


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
    sheet = _sheet(book, req.get("sheetId"), where)
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
    sheet = _sheet(book, rng.get("sheetId"), where)
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


def repeat_cell(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = _window(book, req.get("range") or {}, where)
    data = req.get("cell") or {}
    fields = req.get("fields") or ""
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated, but none was specified.")
    for r, c in _positions(win):
        _apply_cell_data(_cell(win.sheet, r, c), data, fields)
    _sweep(win.sheet, _positions(win))
    return None


def update_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rows = req.get("rows") or []
    fields = req.get("fields") or ""
    if not fields:
        raise bad_request(f"Invalid {where}: At least one field must be updated, but none was specified.")
    if "start" in req:
        start = req["start"]
        sheet = _sheet(book, start.get("sheetId", 0), where)
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        win = None
    else:
        win = _window(book, req.get("range") or {}, where)
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
            _apply_cell_data(_cell(sheet, r, c), data, fields)
            touched.append((r, c))
    if win is not None:
        # Stored cells of the range that the rows do not cover are cleared for the masked fields.
        for r, c, _ in sheet.used_cells(win):
            i, j = r - r0, c - c0
            if i >= len(rows) or j >= len(rows[i].get("values") or []):
                _apply_cell_data(_cell(sheet, r, c), {}, fields)
                touched.append((r, c))
    _sweep(sheet, touched)
    return None


def merge_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = _window(book, req.get("range") or {}, where)
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
                cell = _cell(sheet, r, c)
                cell.value = cell.formula = None
                touched.append((r, c))
        sheet.merges.append(box)
    _sweep(sheet, touched)
    return None


def unmerge_cells(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = _window(book, req.get("range") or {}, where)
    win.sheet.merges = [
        m for m in win.sheet.merges if not (win.r1 <= m[0] and m[1] <= win.r2 and win.c1 <= m[2] and m[3] <= win.c2)
    ]
    return None


def _named_json(book: Spreadsheet, named: dict[str, Any], where: str) -> dict[str, Any]:
    win = _window(book, named.get("range") or {}, where)
    return {"namedRangeId": named["namedRangeId"], "name": named["name"], "range": win.grid_range()}


def add_named_range(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    named = dict(req.get("namedRange") or {})
    name = named.get("name") or ""
    if not name or any(n["name"].casefold() == name.casefold() for n in book.named_ranges.values()):
        raise bad_request(f"Invalid {where}: Named range with the name {name} already exists.")
    named["namedRangeId"] = str(named.get("namedRangeId") or secrets.randbelow(2**31 - 1) + 1)
    stored = _named_json(book, named, where)
    book.named_ranges[stored["namedRangeId"]] = stored
    return {"addNamedRange": {"namedRange": copy.deepcopy(stored)}}


def update_named_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    named = req.get("namedRange") or {}
    current = book.named_ranges.get(str(named.get("namedRangeId")))
    if current is None:
        raise bad_request(f"Invalid {where}: No named range with id: {named.get('namedRangeId')}")
    masked_update(current, named, req.get("fields") or "")
    book.named_ranges[current["namedRangeId"]] = _named_json(book, current, where)
    return None


def delete_named_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    if book.named_ranges.pop(str(req.get("namedRangeId")), None) is None:
        raise bad_request(f"Invalid {where}: No named range with id: {req.get('namedRangeId')}")
    return None


def add_protected_range(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    pr = req.get("protectedRange") or {}
    win = _window(book, pr.get("range") or {}, where)
    stored: dict[str, Any] = {
        "protectedRangeId": int(pr.get("protectedRangeId") or secrets.randbelow(2**31 - 1) + 1),
        "range": win.grid_range(),
    }
    for key in ("description", "warningOnly"):
        if pr.get(key):
            stored[key] = pr[key]
    stored["requestingUserCanEdit"] = True
    reply = copy.deepcopy(stored)
    reply["editors"] = {}
    stored["editors"] = {"users": [book_owner(book)]}
    win.sheet.protected_ranges.append(stored)
    return {"addProtectedRange": {"protectedRange": reply}}


def book_owner(book: Spreadsheet) -> str:
    return book.owner


def delete_protected_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    target = int(req.get("protectedRangeId", -1))
    for sheet in book.sheets:
        for pr in sheet.protected_ranges:
            if pr["protectedRangeId"] == target:
                sheet.protected_ranges.remove(pr)
                return None
    raise bad_request(f"Invalid {where}: No protected range with id: {target}")


def set_basic_filter(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    flt = copy.deepcopy(req.get("filter") or {})
    win = _window(book, flt.get("range") or {}, where)
    flt["range"] = win.grid_range()
    win.sheet.basic_filter = flt
    return None


def clear_basic_filter(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    _sheet(book, req.get("sheetId"), where).basic_filter = None
    return None


def set_data_validation(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    win = _window(book, req.get("range") or {}, where)
    rule = req.get("rule")
    for r, c in _positions(win):
        _cell(win.sheet, r, c).validation = deep_copy(rule) if rule else None
    _sweep(win.sheet, _positions(win))
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
    win = _window(book, req.get("range") or {}, where)
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
    src = _window(book, req.get("source") or {}, where)
    dst = _window(book, req.get("destination") or {}, where)
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
    _sweep(dst.sheet, touched)
    return None


def _paste(sheet: Sheet, r: int, c: int, source: Cell, paste: str) -> None:
    target = _cell(sheet, r, c)
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
    src = _window(book, req.get("source") or {}, where)
    dest = req.get("destination") or {}
    dst_sheet = _sheet(book, dest.get("sheetId", 0), where)
    r0, c0 = int(dest.get("rowIndex", 0)), int(dest.get("columnIndex", 0))
    moved = {(r - src.r1, c - src.c1): src.sheet.cells.pop((r, c)) for r, c, _ in src.sheet.used_cells(src)}
    touched: list[tuple[int, int]] = []
    for (i, j), cell in moved.items():
        if r0 + i < dst_sheet.row_count and c0 + j < dst_sheet.col_count:
            _paste(dst_sheet, r0 + i, c0 + j, cell, req.get("pasteType", "PASTE_NORMAL"))
            touched.append((r0 + i, c0 + j))
    _sweep(dst_sheet, touched)
    return None


def _noop(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    """Accepted and ignored: formatting the emulator does not model (borders, banding, rules)."""
    return None


def find_replace(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    find, repl = req.get("find", ""), req.get("replacement", "")
    sheets = book.sheets if req.get("allSheets") else [_sheet(book, req.get("sheetId", 0), where)]
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


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "addNamedRange": add_named_range,
    "updateNamedRange": update_named_range,
    "deleteNamedRange": delete_named_range,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "setDataValidation": set_data_validation,
    "sortRange": sort_range,
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
    "findReplace": find_replace,
    "updateBorders": _noop,
    "addConditionalFormatRule": _noop,
    "addBanding": _noop,
}


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> tuple[Spreadsheet, dict[str, Any]]:
    """Run all requests on a fork; returns (new state, BatchUpdateSpreadsheetResponse)."""
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise bad_request("Must specify at least one request.")
    work = book.fork()
    replies: list[dict[str, Any]] = []
    for i, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise bad_request(f"Invalid requests[{i}]: A request must have exactly one kind set.")
        ((kind, payload),) = request.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise ApiError(
                400,
                f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': Cannot find field.",
            )
        where = f"requests[{i}].{kind}"
        reply = handler(work, payload or {}, where)
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


def user_entered_cell(raw: Any) -> Cell:
    """Exposed for the emulator's direct-creation hook."""
    return parse_user_entered(raw)
