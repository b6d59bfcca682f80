"""batchUpdate requests on the objects a spreadsheet holds beside its cells: named and protected
ranges, filters and filter views, conditional format rules, bandings, tables, developer metadata.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from sheetkit.testing import datafilter
from sheetkit.testing.edits import grid_sheet, grid_window, masked_update, quantize_color
from sheetkit.testing.model import Sheet, Spreadsheet, Window, bad_request


def _new_id() -> int:
    return secrets.randbelow(2**31 - 2) + 1


def _named_json(book: Spreadsheet, named: dict[str, Any], where: str) -> dict[str, Any]:
    win = grid_window(book, named.get("range") or {}, where)
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
    win = grid_window(book, pr.get("range") or {}, where)
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
    stored["editors"] = {"users": [book.owner]}
    win.sheet.protected_ranges.append(stored)
    return {"addProtectedRange": {"protectedRange": reply}}


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
    win = grid_window(book, flt.get("range") or {}, where)
    flt["range"] = win.grid_range()
    win.sheet.basic_filter = flt
    return None


def clear_basic_filter(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    grid_sheet(book, req.get("sheetId"), where).basic_filter = None
    return None


def update_protected_range(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    pr = req.get("protectedRange") or {}
    target = int(pr.get("protectedRangeId", -1))
    for sheet in book.sheets:
        for stored in sheet.protected_ranges:
            if stored["protectedRangeId"] == target:
                masked_update(stored, pr, req.get("fields") or "")
                stored["protectedRangeId"] = target
                stored["range"] = grid_window(book, stored.get("range") or {}, where).grid_range()
                return None
    raise bad_request(f"Invalid {where}: No protected range with id: {target}")


# --------------------------------------------------------------------------- conditional formats


def _rules(book: Spreadsheet, req: dict[str, Any], where: str) -> tuple[Sheet, list[dict[str, Any]]]:
    sheet = grid_sheet(book, req.get("sheetId"), where)
    return sheet, sheet.conditional_formats


def _stored_rule(book: Spreadsheet, rule: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(rule)
    out["ranges"] = [grid_window(book, r, where).grid_range() for r in rule.get("ranges") or []]
    if not out["ranges"]:
        raise bad_request(f"Invalid {where}: A conditional format rule must have at least one range.")
    return out


def add_conditional_format_rule(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rule = _stored_rule(book, req.get("rule") or {}, where)
    sheet = grid_sheet(book, rule["ranges"][0].get("sheetId", 0), where)
    index = int(req.get("index", 0))
    sheet.conditional_formats.insert(min(index, len(sheet.conditional_formats)), rule)
    return None


def update_conditional_format_rule(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, rules = _rules(book, req, where)
    index = int(req.get("index", 0))
    if not 0 <= index < len(rules):
        raise bad_request(f"Invalid {where}: No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    old = rules[index]
    if "newIndex" in req:
        rules.pop(index)
        new_index = min(int(req["newIndex"]), len(rules))
        rules.insert(new_index, old)
        return {"updateConditionalFormatRule": {"newRule": old, "oldIndex": index, "newIndex": new_index}}
    rules[index] = _stored_rule(book, req.get("rule") or {}, where)
    return {
        "updateConditionalFormatRule": {"newRule": rules[index], "oldRule": old, "oldIndex": index, "newIndex": index}
    }


def delete_conditional_format_rule(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, rules = _rules(book, req, where)
    index = int(req.get("index", 0))
    if not 0 <= index < len(rules):
        raise bad_request(f"Invalid {where}: No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    return {"deleteConditionalFormatRule": {"rule": rules.pop(index)}}


# --------------------------------------------------------------------------- bandings


def _band_colors(props: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(props)
    for name in ("headerColor", "firstBandColor", "secondBandColor", "footerColor"):
        style = f"{name}Style"
        color = (out.get(style) or {}).get("rgbColor") or out.get(name)
        if color is not None:
            out[name] = quantize_color(color)
            out[style] = {"rgbColor": out[name]}
    return out


def _stored_banding(book: Spreadsheet, banded: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(banded)
    win = grid_window(book, banded.get("range") or {}, where)
    out["range"] = win.grid_range()
    for key in ("rowProperties", "columnProperties"):
        if key in out:
            out[key] = _band_colors(out[key])
    if win.sheet.bandings and any(_overlaps(win.grid_range(), b["range"]) for b in win.sheet.bandings):
        raise bad_request(
            f"Invalid {where}: You cannot add alternating background colors to a range that already has them."
        )
    return out


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    big = 10**9
    return (
        a.get("startRowIndex", 0) < b.get("endRowIndex", big)
        and b.get("startRowIndex", 0) < a.get("endRowIndex", big)
        and a.get("startColumnIndex", 0) < b.get("endColumnIndex", big)
        and b.get("startColumnIndex", 0) < a.get("endColumnIndex", big)
    )


def add_banding(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    stored = _stored_banding(book, req.get("bandedRange") or {}, where)
    stored["bandedRangeId"] = int(stored.get("bandedRangeId") or _new_id())
    stored = {"bandedRangeId": stored.pop("bandedRangeId"), **stored}
    grid_sheet(book, stored["range"].get("sheetId", 0), where).bandings.append(stored)
    return {"addBanding": {"bandedRange": copy.deepcopy(stored)}}


def _find(book: Spreadsheet, attr: str, key: str, wanted: Any, where: str, what: str) -> tuple[Sheet, dict[str, Any]]:
    for sheet in book.sheets:
        for item in getattr(sheet, attr):
            if str(item.get(key)) == str(wanted):
                return sheet, item
    raise bad_request(f"Invalid {where}: No {what} with id: {wanted}")


def update_banding(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    banded = req.get("bandedRange") or {}
    _, stored = _find(book, "bandings", "bandedRangeId", banded.get("bandedRangeId"), where, "banded range")
    masked_update(stored, banded, req.get("fields") or "")
    for key in ("rowProperties", "columnProperties"):
        if key in stored:
            stored[key] = _band_colors(stored[key])
    return None


def delete_banding(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, stored = _find(book, "bandings", "bandedRangeId", req.get("bandedRangeId"), where, "banded range")
    sheet.bandings.remove(stored)
    return None


# --------------------------------------------------------------------------- filter views


def add_filter_view(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    view = copy.deepcopy(req.get("filter") or {})
    win = grid_window(book, view.get("range") or {}, where)
    view["range"] = win.grid_range()
    view["filterViewId"] = int(view.get("filterViewId") or _new_id())
    win.sheet.filter_views.append(view)
    return {"addFilterView": {"filter": copy.deepcopy(view)}}


def update_filter_view(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    view = req.get("filter") or {}
    _, stored = _find(book, "filter_views", "filterViewId", view.get("filterViewId"), where, "filter view")
    masked_update(stored, view, req.get("fields") or "")
    return None


def delete_filter_view(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, stored = _find(book, "filter_views", "filterViewId", req.get("filterId"), where, "filter view")
    sheet.filter_views.remove(stored)
    return None


def duplicate_filter_view(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, stored = _find(book, "filter_views", "filterViewId", req.get("filterId"), where, "filter view")
    view = copy.deepcopy(stored)
    view["filterViewId"] = _new_id()
    if view.get("title"):
        view["title"] = f"Filter {len(sheet.filter_views) + 1}"
    sheet.filter_views.append(view)
    return {"duplicateFilterView": {"filter": copy.deepcopy(view)}}


# --------------------------------------------------------------------------- tables


# Google's default table colours: a green header over white and light grey bands.
_TABLE_COLORS = {
    "headerColorStyle": {"rgbColor": {"red": 0.20784314, "green": 0.40784314, "blue": 0.32941177}},
    "firstBandColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
    "secondBandColorStyle": {"rgbColor": {"red": 0.9647059, "green": 0.972549, "blue": 0.9764706}},
}


def _column_properties(book: Spreadsheet, win: Window, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per column, named by the header row's text unless the request names it (index 0 omitted)."""
    named = {int(c.get("columnIndex", 0)): c for c in given}
    header = book.read(
        Window(win.sheet, win.r1, win.r1 + 1, win.c1, win.c2), "ROWS", "FORMATTED_VALUE", "SERIAL_NUMBER"
    )
    texts = header[0] if header else []
    out = []
    for i in range(win.c2 - win.c1):
        column = copy.deepcopy(named.get(i, {}))
        column.pop("columnIndex", None)
        column.setdefault("columnName", str(texts[i]) if i < len(texts) and texts[i] != "" else f"Column {i + 1}")
        out.append({"columnIndex": i, **column} if i else column)
    return out


def _table_banding(table: dict[str, Any]) -> dict[str, Any]:
    """The banded range Google keeps for a table's colours (same id, bandedRangeReference = tableId)."""
    colors = {k: v for k, v in (table.get("rowsProperties") or {}).items() if k.endswith("ColorStyle")}
    return {
        "bandedRangeId": int(table["tableId"]),
        "range": copy.deepcopy(table["range"]),
        "rowProperties": _band_colors(colors),
        "bandedRangeReference": table["tableId"],
    }


def _sync_table_banding(sheet: Sheet, table: dict[str, Any]) -> None:
    sheet.bandings = [b for b in sheet.bandings if b.get("bandedRangeReference") != table["tableId"]]
    sheet.bandings.append(_table_banding(table))


def add_table(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    given = copy.deepcopy(req.get("table") or {})
    win = grid_window(book, given.get("range") or {}, where)
    name = given.get("name") or f"Table{sum(len(s.tables) for s in book.sheets) + 1}"
    if any(t.get("name") == name for s in book.sheets for t in s.tables):
        raise bad_request(f"Invalid {where}: A table with the name {name} already exists.")
    rows = {**copy.deepcopy(_TABLE_COLORS), **(given.get("rowsProperties") or {})}
    table = {
        "tableId": str(given.get("tableId") or _new_id()),
        "name": name,
        "range": win.grid_range(),
        "rowsProperties": rows,
        "columnProperties": _column_properties(book, win, given.get("columnProperties") or []),
    }
    table.update({k: v for k, v in given.items() if k not in table})
    win.sheet.tables.append(table)
    _sync_table_banding(win.sheet, table)
    if win.r1 == 0 and not win.sheet.frozen_rows:
        win.sheet.frozen_rows = 1  # the header row stays in view
    return {"addTable": {"table": copy.deepcopy(table)}}


def update_table(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    table = req.get("table") or {}
    sheet, stored = _find(book, "tables", "tableId", table.get("tableId"), where, "table")
    masked_update(stored, table, req.get("fields") or "")
    stored["range"] = grid_window(book, stored.get("range") or {}, where).grid_range()
    stored["columnProperties"] = [
        {k: v for k, v in c.items() if not (k == "columnIndex" and v == 0)}
        for c in stored.get("columnProperties") or []
    ]
    _sync_table_banding(sheet, stored)
    return None


def delete_table(book: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, stored = _find(book, "tables", "tableId", req.get("tableId"), where, "table")
    sheet.tables.remove(stored)
    sheet.bandings = [b for b in sheet.bandings if b.get("bandedRangeReference") != stored["tableId"]]
    return None


# --------------------------------------------------------------------------- developer metadata


def create_developer_metadata(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    meta = copy.deepcopy(req.get("developerMetadata") or {})
    location = meta.get("location") or {}
    if not (location.get("spreadsheet") or "sheetId" in location or "dimensionRange" in location):
        raise bad_request(f"Invalid {where}: A location must be specified for developer metadata.")
    if not meta.get("visibility"):
        raise bad_request(f"Invalid {where}: Developer metadata visibility must be specified.")
    on_grid = "sheetId" in location or "dimensionRange" in location
    if on_grid and datafilter.location_window(book, location) is None:
        raise bad_request(f"Invalid {where}: No grid with id: {location.get('sheetId', 0)}")
    meta_id = int(meta.get("metadataId") or _new_id())
    if meta_id in book.developer_metadata:
        raise bad_request(f"Invalid {where}: Developer metadata with ID {meta_id} already exists.")
    location.pop("locationType", None)
    meta["location"] = location
    meta = {"metadataId": meta_id, **{k: v for k, v in meta.items() if k != "metadataId"}}
    book.developer_metadata[meta_id] = meta
    return {"createDeveloperMetadata": {"developerMetadata": datafilter.metadata_json(book, meta)}}


def update_developer_metadata(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    found = {id(m): m for f in req.get("dataFilters") or [] for m in datafilter.matching_metadata(book, f)}
    new = req.get("developerMetadata") or {}
    for stored in found.values():
        masked_update(stored, new, req.get("fields") or "")
        stored["location"].pop("locationType", None)
    return {
        "updateDeveloperMetadata": {"developerMetadata": [datafilter.metadata_json(book, m) for m in found.values()]}
    }


def delete_developer_metadata(book: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    found = datafilter.matching_metadata(book, req.get("dataFilter") or {})
    for stored in found:
        book.developer_metadata.pop(int(stored["metadataId"]), None)
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": [datafilter.metadata_json(book, m) for m in found]}}
