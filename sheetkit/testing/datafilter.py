"""DataFilters and developer metadata for the Sheets emulator.

A DataFilter picks ranges by A1 text, by GridRange or by the developer metadata attached to a
spreadsheet, a sheet, or rows or columns; the ``...ByDataFilter`` methods and
``developerMetadata.search`` take them. Metadata is kept in ``Spreadsheet.developer_metadata``
by id; a location on rows or columns moves with inserts and deletes like a named range does.
"""

from __future__ import annotations

import copy
from typing import Any

from sheetkit.testing.model import Spreadsheet, Window, bad_request


def location_window(book: Spreadsheet, location: dict[str, Any]) -> Window | None:
    """The cells a metadata location covers (None for the spreadsheet itself)."""
    if "sheetId" in location:
        sheet = book.sheet_by_id(int(location["sheetId"]))
        return Window(sheet, 0, sheet.row_count, 0, sheet.col_count) if sheet else None
    rng = location.get("dimensionRange")
    if rng:
        sheet = book.sheet_by_id(int(rng.get("sheetId", 0)))
        if sheet is None:
            return None
        start = int(rng.get("startIndex", 0))
        if rng.get("dimension") == "COLUMNS":
            return Window(sheet, 0, sheet.row_count, start, int(rng.get("endIndex", sheet.col_count)))
        return Window(sheet, start, int(rng.get("endIndex", sheet.row_count)), 0, sheet.col_count)
    return None


def location_type(location: dict[str, Any]) -> str:
    if location.get("spreadsheet"):
        return "SPREADSHEET"
    if "sheetId" in location:
        return "SHEET"
    return "COLUMN" if (location.get("dimensionRange") or {}).get("dimension") == "COLUMNS" else "ROW"


def metadata_json(book: Spreadsheet, stored: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(stored)
    out["location"]["locationType"] = location_type(stored["location"])
    return out


def _lookup_matches(book: Spreadsheet, stored: dict[str, Any], lookup: dict[str, Any]) -> bool:
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if key in lookup and lookup[key] is not None and stored.get(key) != lookup[key]:
            return False
    if lookup.get("locationType") and location_type(stored["location"]) != lookup["locationType"]:
        return False
    where = lookup.get("metadataLocation")
    if where:
        if where.get("spreadsheet"):
            return bool(stored["location"].get("spreadsheet"))
        if "sheetId" in where:
            mine = location_window(book, stored["location"])
            return mine is not None and mine.sheet.sheet_id == int(where["sheetId"])
        wanted = location_window(book, where)
        mine = location_window(book, stored["location"])
        if wanted is None or mine is None or wanted.sheet is not mine.sheet:
            return False
        if lookup.get("locationMatchingStrategy") == "INTERSECTING_LOCATION":
            return _overlap(mine, wanted)
        return (mine.r1, mine.r2, mine.c1, mine.c2) == (wanted.r1, wanted.r2, wanted.c1, wanted.c2)
    return True


def _overlap(a: Window, b: Window) -> bool:
    return a.r1 < b.r2 and b.r1 < a.r2 and a.c1 < b.c2 and b.c1 < a.c2


def matching_metadata(book: Spreadsheet, flt: dict[str, Any]) -> list[dict[str, Any]]:
    """Developer metadata a DataFilter selects (by lookup, or located in its range)."""
    lookup = flt.get("developerMetadataLookup")
    if lookup is not None:
        return [m for m in book.developer_metadata.values() if _lookup_matches(book, m, lookup)]
    found = []
    for win in windows(book, flt):
        for stored in book.developer_metadata.values():
            mine = location_window(book, stored["location"])
            if mine is not None and mine.sheet is win.sheet and _overlap(mine, win):
                found.append(stored)
    return found


def windows(book: Spreadsheet, flt: dict[str, Any]) -> list[Window]:
    """The ranges a DataFilter selects."""
    if flt.get("a1Range") is not None:
        return [book.resolve(flt["a1Range"])]
    if flt.get("gridRange") is not None:
        rng = flt["gridRange"]
        sheet = book.sheet_by_id(int(rng.get("sheetId", 0)))
        if sheet is None:
            raise bad_request(f"No grid with id: {rng.get('sheetId', 0)}")
        return [sheet.window(rng)]
    if flt.get("developerMetadataLookup") is not None:
        out = []
        for stored in matching_metadata(book, flt):
            win = location_window(book, stored["location"])
            if win is not None:
                out.append(win)
        return out
    raise bad_request(
        "Invalid dataFilter: A data filter must have exactly one of a1Range, gridRange or developerMetadataLookup."
    )


def sheet_deleted(book: Spreadsheet, sheet_id: int) -> None:
    for key, stored in list(book.developer_metadata.items()):
        loc = stored["location"]
        on_sheet = loc.get("sheetId") == sheet_id or (loc.get("dimensionRange") or {}).get("sheetId", 0) == sheet_id
        if on_sheet and not loc.get("spreadsheet"):
            del book.developer_metadata[key]
