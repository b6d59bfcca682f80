"""Shared pieces of the emulator's batchUpdate request handlers: ranges, cells, masks, colours.

A batch runs on a fork of the spreadsheet that shares its stored cells with the original, so a
handler never changes a stored cell in place: ``edit_cell`` stores a private copy first.
"""

from __future__ import annotations

import functools
import itertools
import struct
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sheetkit.testing.model import Sheet, Spreadsheet, Window, bad_request
from sheetkit.testing.values import Cell, deep_copy

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
        q = int(_float32(float(val)) * 255) / 255  # a float32 on the way in: 0.972549 is 248/255, not 247/255
        out[key] = 1 if q == 1 else float32_json(q)
    return out


def float32_json(value: float) -> float:
    """A float as Google prints a proto float: the shortest decimal that reads back as the same float32
    (2/255 prints 0.007843138, not 0.0078431373)."""
    single = _float32(value)
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if _float32(float(text)) == single:
            return float(text)
    return single


def _float32(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def normalize_format(fmt: dict[str, Any]) -> dict[str, Any]:
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
def field_paths(fields: str) -> tuple[tuple[str, ...], ...]:
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
    for path in field_paths(fields):
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


def grid_sheet(book: Spreadsheet, sheet_id: Any, where: str) -> Sheet:
    sheet = book.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise bad_request(f"Invalid {where}: No grid with id: {sheet_id or 0}")
    return sheet


def grid_window(book: Spreadsheet, rng: dict[str, Any], where: str, *, clip: bool = False) -> Window:
    """The GridRange's window; past the grid's edge is a 400, or with ``clip`` (a range that starts
    inside the grid, as sortRange takes it) cut at the edge."""
    sheet = grid_sheet(book, rng.get("sheetId", 0), where)
    win = sheet.window(rng)
    if clip and win.r1 < sheet.row_count and win.c1 < sheet.col_count:
        win.r2, win.c2 = min(win.r2, sheet.row_count), min(win.c2, sheet.col_count)
    if win.r2 > sheet.row_count or win.c2 > sheet.col_count or win.r1 < 0 or win.c1 < 0:
        raise bad_request(
            f"Invalid {where}: Range ({win.a1()}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    return win


def edit_cell(sheet: Sheet, r: int, c: int) -> Cell:
    """The cell at (r, c) to edit: a private copy is stored first, since the stored one may be shared
    with the spreadsheet a failing batch falls back to (``Spreadsheet.fork``)."""
    cell = sheet.cells.get((r, c))
    cell = sheet.cells[(r, c)] = Cell() if cell is None else cell.copy()
    return cell


def positions(win: Window) -> Iterator[tuple[int, int]]:
    return itertools.product(range(win.r1, win.r2), range(win.c1, win.c2))


def apply_cell_data(cell: Cell, data: dict[str, Any], fields: str) -> None:
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
    cell.fmt = normalize_format(current.get("userEnteredFormat") or {})
    cell.note = current.get("note") or None
    cell.validation = current.get("dataValidation")


def sweep(sheet: Sheet, keys: Iterable[tuple[int, int]]) -> None:
    """Drop the blank cells among keys, the cells a request touched (Google stores no empty cells).

    No stored cell is blank before a request, so the rest of the sheet needs no scan: sweeping the
    whole of a 100,000-row sheet after each of 1,000 requests took half an hour.
    """
    cells = sheet.cells
    for key in keys:
        cell = cells.get(key)
        if cell is not None and cell.is_blank():
            del cells[key]
