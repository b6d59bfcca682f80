"""The Sheets API v4 methods of the emulator: routing by the discovery document's method table.

Each request is matched to its method (``sheets.spreadsheets.values.get`` ...), then checked the way
Google checks it before doing anything (query parameters, request body, ``fields`` mask, see
discovery.py), then answered. The emulator's HTTP surface and test hooks are in emulator.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import unquote

from sheetkit.testing import datafilter, discovery
from sheetkit.testing.batch import batch_update
from sheetkit.testing.meta import spreadsheet_json
from sheetkit.testing.model import ApiError, Sheet, Spreadsheet, bad_request, new_spreadsheet_id
from sheetkit.testing.wire import (
    DATE_RENDER,
    VALUE_RENDER,
    enum,
    flag,
    json_reply,
    mask,
    norm,
    one,
    parse_body,
    render_options,
)

Reply = tuple[int, dict[str, str], bytes]
Params = dict[str, list[str]]
Args = list[str]
Body = dict[str, Any]


class Host(Protocol):
    """What the routes need from the emulator."""

    books: dict[str, Spreadsheet]
    lock: threading.RLock
    user_email: str

    def _readable(self, spreadsheet_id: str, drive_style: bool = False) -> Spreadsheet: ...


# (HTTP method, path after /v4/spreadsheets/{id}, method id); the first match wins.
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), i)
    for m, p, i in [
        ("GET", r"^$", "get"),
        ("POST", r"^:batchUpdate$", "batchUpdate"),
        ("POST", r"^:getByDataFilter$", "getByDataFilter"),
        ("GET", r"^/developerMetadata/(-?\d+)$", "developerMetadata.get"),
        ("POST", r"^/developerMetadata:search$", "developerMetadata.search"),
        ("POST", r"^/sheets/(-?\d+):copyTo$", "sheets.copyTo"),
        ("GET", r"^/values:batchGet$", "values.batchGet"),
        ("POST", r"^/values:batchUpdate$", "values.batchUpdate"),
        ("POST", r"^/values:batchClear$", "values.batchClear"),
        ("POST", r"^/values:batchGetByDataFilter$", "values.batchGetByDataFilter"),
        ("POST", r"^/values:batchUpdateByDataFilter$", "values.batchUpdateByDataFilter"),
        ("POST", r"^/values:batchClearByDataFilter$", "values.batchClearByDataFilter"),
        ("POST", r"^/values/(.+):append$", "values.append"),
        ("POST", r"^/values/(.+):clear$", "values.clear"),
        ("GET", r"^/values/(.+)$", "values.get"),
        ("PUT", r"^/values/(.+)$", "values.update"),
    ]
]
# Bodies bound to one field of the request message: Google's locations start with its name.
_BODY_FIELD = {"values.update": "data", "values.append": "data"}


def _checked(method_id: str, params: Params, data: dict[str, Any]) -> dict[str, Any]:
    """Google's checks before a method runs: query parameters, request body, response mask."""
    full = f"sheets.spreadsheets.{method_id}"
    discovery.check_query(full, params)
    method = discovery.table()["methods"][full]
    if method["request"]:
        discovery.check_body(method["request"], data, _BODY_FIELD.get(method_id, ""))
    discovery.check_response_mask(method["response"], one(params, "fields"))
    return method


def sheets(host: Host, method: str, sid: str | None, rest: str, params: Params, body: bytes) -> Reply:
    """Answer one request under /v4/spreadsheets."""
    data = parse_body(body)
    if sid is None:
        if method == "POST" and rest in ("", "/"):
            _checked("create", params, data)
            return json_reply(mask(_create(host, data), params))
        raise ApiError(404, "Method not found.")
    sid = unquote(sid)
    for verb, pattern, method_id in _ROUTES:
        m = pattern.match(rest)
        if m and verb == method:
            _checked(method_id, params, data)
            with host.lock:
                book = host._readable(sid)
                reply = _HANDLERS[method_id](host, book, [unquote(g) for g in m.groups()], params, data)
            return json_reply(mask(reply, params))
    raise ApiError(404, "Method not found.")


Handler = Callable[[Host, Spreadsheet, list[str], Params, dict[str, Any]], dict[str, Any]]


def _get(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    return spreadsheet_json(
        book, include_grid=flag(params, "includeGridData"), ranges=params.get("ranges"), fields=one(params, "fields")
    )


def _get_by_data_filter(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    windows = [w for f in data.get("dataFilters") or [] for w in datafilter.windows(book, f)]
    return spreadsheet_json(
        book,
        include_grid=bool(data.get("includeGridData")),
        windows=windows if data.get("dataFilters") else None,
        fields=one(params, "fields"),
    )


def _batch_update(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    new, reply = batch_update(book, data)
    host.books[book.spreadsheet_id] = new
    return reply


def _copy_to(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    sheet_id = int(args[0])
    sheet = book.sheet_by_id(sheet_id)
    if sheet is None:
        raise bad_request(f"No grid with id: {sheet_id}")
    target = host._readable(str(data.get("destinationSpreadsheetId", "")))
    clone = sheet.fork()
    clone.sheet_id = target.new_sheet_id()
    title, n = f"Copy of {sheet.title}", 2
    while target.sheet_by_title(title) is not None:
        title, n = f"Copy {n} of {sheet.title}", n + 1
    clone.title = title
    target.check_cell_limit(clone.row_count * clone.col_count)
    target.sheets.append(clone)
    target.touch()
    return clone.properties(len(target.sheets) - 1)


def _create(host: Host, data: dict[str, Any]) -> dict[str, Any]:
    props = data.get("properties") or {}
    book = Spreadsheet(
        new_spreadsheet_id(),
        props.get("title") or "Untitled spreadsheet",
        locale=props.get("locale") or "en_US",
        time_zone=props.get("timeZone") or "Etc/GMT",
        owner=host.user_email,
    )
    for index, spec in enumerate(data.get("sheets") or [{}]):
        sp = spec.get("properties") or {}
        grid = sp.get("gridProperties") or {}
        sheet = Sheet(
            int(sp.get("sheetId", 0 if index == 0 else book.new_sheet_id())),
            sp.get("title") or f"Sheet{index + 1}",
            int(grid.get("rowCount", 1000)),
            int(grid.get("columnCount", 26)),
        )
        book.sheets.append(sheet)
    book.check_cell_limit()
    with host.lock:
        host.books[book.spreadsheet_id] = book
    return spreadsheet_json(book)


# --------------------------------------------------------------------------- values


def _values_get(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    major, vro, dro = render_options(params)
    return book.value_range(book.resolve(args[0]), major, vro, dro)


def _batch_get(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    major, vro, dro = render_options(params)
    ranges = params.get("ranges") or []
    return {
        "spreadsheetId": book.spreadsheet_id,
        "valueRanges": [book.value_range(book.resolve(r), major, vro, dro) for r in ranges],
    }


def _values_clear(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    win = book.resolve(args[0])
    book.clear(win)
    return {"spreadsheetId": book.spreadsheet_id, "clearedRange": win.a1()}


def _batch_clear(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    wins = [book.resolve(r) for r in data.get("ranges") or []]
    for win in wins:
        book.clear(win)
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": [w.a1() for w in wins]}


def _response_options(params: Params) -> tuple[bool, str, str]:
    return (
        flag(params, "includeValuesInResponse"),
        enum(params, "responseValueRenderOption", VALUE_RENDER, "response_value_render_option"),
        enum(params, "responseDateTimeRenderOption", DATE_RENDER, "response_date_time_render_option"),
    )


def _values_update(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    rng = args[0]
    include, rvro, rdro = _response_options(params)
    if data.get("range") and norm(data["range"], book) != norm(rng, book):
        raise bad_request(f"Requested writing within range [{data['range']}], but tried writing to [{rng}]")
    return book.write(
        rng,
        data.get("values"),
        data.get("majorDimension") or "ROWS",
        one(params, "valueInputOption") or "",
        include_values=include,
        value_render=rvro,
        date_render=rdro,
    )


def _values_append(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    include, rvro, rdro = _response_options(params)
    option = one(params, "valueInputOption") or ""
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    insert = (one(params, "insertDataOption") or "OVERWRITE") == "INSERT_ROWS"
    body_major = data.get("majorDimension") or "ROWS"
    return book.append(args[0], data.get("values"), body_major, option, insert, include, rvro, rdro)


def _values_batch_update(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    return _write_all(host, book, data, [(item.get("range", ""), item) for item in data.get("data") or []])


def _write_all(
    host: Host, book: Spreadsheet, data: dict[str, Any], items: list[tuple[Any, dict[str, Any]]]
) -> dict[str, Any]:
    """values:batchUpdate and its ByDataFilter twin: every write or none (Google applies it all-or-nothing)."""
    option = data.get("valueInputOption") or ""
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("'valueInputOption' is required but not specified")
    work = book.fork()
    responses = []
    touched: set[tuple[int, str, int]] = set()
    for target, item in items:
        # A data filter is resolved on the copy being written, never on the spreadsheet itself.
        windows = [None] if isinstance(target, str) else datafilter.windows(work, target)
        for win in windows:
            reply = work.write(
                target if isinstance(target, str) else "",
                item.get("values"),
                item.get("majorDimension") or "ROWS",
                option,
                include_values=bool(data.get("includeValuesInResponse")),
                value_render=data.get("responseValueRenderOption") or "FORMATTED_VALUE",
                date_render=data.get("responseDateTimeRenderOption") or "SERIAL_NUMBER",
                window=win,
                touched=touched,
            )
            if not isinstance(target, str):
                reply["dataFilter"] = target
            responses.append(reply)
    host.books[book.spreadsheet_id] = work
    out: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    updated = [r for r in responses if "updatedCells" in r]
    if updated:
        # Google counts distinct rows and columns across the batch, not the sum of the parts.
        out["totalUpdatedRows"] = sum(1 for t in touched if t[1] == "r")
        out["totalUpdatedColumns"] = sum(1 for t in touched if t[1] == "c")
        out["totalUpdatedCells"] = sum(r["updatedCells"] for r in updated)
        out["totalUpdatedSheets"] = len({t[0] for t in touched})
    out["responses"] = responses
    return out


# --------------------------------------------------------------------------- by data filter


def _batch_get_by_filter(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    major = data.get("majorDimension") or "ROWS"
    vro = data.get("valueRenderOption") or "FORMATTED_VALUE"
    dro = data.get("dateTimeRenderOption") or "SERIAL_NUMBER"
    out = []
    for flt in data.get("dataFilters") or []:
        for win in datafilter.windows(book, flt):
            out.append({"valueRange": book.value_range(win, major, vro, dro), "dataFilters": [flt]})
    return {"spreadsheetId": book.spreadsheet_id, "valueRanges": out}


def _batch_update_by_filter(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    items = [(item.get("dataFilter") or {}, item) for item in data.get("data") or []]
    return _write_all(host, book, data, items)


def _batch_clear_by_filter(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    wins = [w for f in data.get("dataFilters") or [] for w in datafilter.windows(book, f)]
    for win in wins:
        book.clear(win)
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": [w.a1() for w in wins]}


def _metadata_get(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    found = book.developer_metadata.get(int(args[0]))
    if found is None:
        raise ApiError(404, f"No developer metadata with ID: {args[0]}")
    return datafilter.metadata_json(book, found)


def _metadata_search(host: Host, book: Spreadsheet, args: Args, params: Params, data: Body) -> Body:
    hits = []
    for flt in data.get("dataFilters") or []:
        for found in datafilter.matching_metadata(book, flt):
            hits.append({"developerMetadata": datafilter.metadata_json(book, found), "dataFilters": [flt]})
    return {"matchedDeveloperMetadata": hits} if hits else {}


_HANDLERS: dict[str, Handler] = {
    "get": _get,
    "batchUpdate": _batch_update,
    "getByDataFilter": _get_by_data_filter,
    "developerMetadata.get": _metadata_get,
    "developerMetadata.search": _metadata_search,
    "sheets.copyTo": _copy_to,
    "values.batchGet": _batch_get,
    "values.batchUpdate": _values_batch_update,
    "values.batchClear": _batch_clear,
    "values.batchGetByDataFilter": _batch_get_by_filter,
    "values.batchUpdateByDataFilter": _batch_update_by_filter,
    "values.batchClearByDataFilter": _batch_clear_by_filter,
    "values.append": _values_append,
    "values.clear": _values_clear,
    "values.get": _values_get,
    "values.update": _values_update,
}
