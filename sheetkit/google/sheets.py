"""Google Sheets as a source and a target, through the real gspread client.

Reading costs two requests: the spreadsheet's sheet list, then every value of the worksheet in
one values:batchGet with UNFORMATTED_VALUE and SERIAL_NUMBER dates, so numbers, booleans and
dates arrive typed. Writing sends only the cells that change, in one values:batchUpdate with
valueInputOption RAW (a cell text "=IMPORTXML(...)" stays text), preceded by at most one
spreadsheets:batchUpdate when the grid must grow or new date cells need a date format.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sheetkit.core.cells import CellUpdate, quote_sheet
from sheetkit.core.dates import EPOCH_1900
from sheetkit.core.schema import Schema
from sheetkit.core.table import GoogleOrigin, MergedRange, Table, build_table, locate_header
from sheetkit.errors import (
    CredentialsError,
    GoogleAPIError,
    HeaderError,
    SheetNotFoundError,
    SourceError,
    UsageError,
    WriteError,
)
from sheetkit.google import bodies
from sheetkit.google.client import RequestStats, SheetsClient, sheets_client

if TYPE_CHECKING:
    from gspread.http_client import HTTPClient

MAX_CELLS = 10_000_000  # Google's limit per spreadsheet
_URL = re.compile(r"^https?://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/(?P<id>[A-Za-z0-9_-]+)")
_GID = re.compile(r"[#&?]gid=(?P<gid>\d+)")
_ID = re.compile(r"^[A-Za-z0-9_-]{25,}$")


@dataclass(frozen=True)
class SheetRef:
    """Which Google worksheet: a spreadsheet id plus a worksheet title or gid (default: the first)."""

    spreadsheet_id: str
    worksheet: str | None = None
    gid: int | None = None

    def __str__(self) -> str:
        which = f" {self.worksheet!r}" if self.worksheet else (f" gid={self.gid}" if self.gid is not None else "")
        return f"spreadsheet {self.spreadsheet_id}{which}"


@dataclass(frozen=True)
class GoogleSheet(GoogleOrigin):
    """An opened worksheet: what writing back needs to know about it, and the client to write with."""

    client: SheetsClient

    @property
    def http(self) -> HTTPClient:
        """gspread's HTTPClient, which sends the requests."""
        return self.client.http

    @property
    def stats(self) -> RequestStats:
        """The requests this worksheet's client has sent so far."""
        return self.client.stats


def is_sheet_ref(source: object) -> bool:
    """Whether a CLI argument names a Google Sheet rather than a local file."""
    if not isinstance(source, str):
        return False
    if source.startswith(("http://", "https://")):
        return True
    from pathlib import Path

    return bool(_ID.match(source)) and not Path(source).exists()


def parse_sheet_ref(source: str, worksheet: str | None = None) -> SheetRef:
    """A SheetRef from a Sheets URL (with or without #gid=) or a bare spreadsheet id.

    Raises:
        UsageError: the text is a URL but not a Google Sheets URL.
    """
    text = source.strip()
    match = _URL.match(text)
    if match:
        gid_match = _GID.search(text)
        gid = int(gid_match["gid"]) if gid_match and worksheet is None else None
        return SheetRef(match["id"], worksheet, gid)
    if text.startswith(("http://", "https://")):
        raise UsageError(
            f"{text} is not a Google Sheets URL; expected https://docs.google.com/spreadsheets/d/<id>/edit"
        )
    if _ID.match(text):
        return SheetRef(text, worksheet)
    raise UsageError(f"{text!r} is neither a file nor a Google Sheets URL or spreadsheet id")


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class GoogleGrid:
    """Every value of one Google worksheet (ragged rows padded), and the handle to write it."""

    sheet: GoogleSheet
    rows: list[list[Any]]
    spreadsheet_title: str
    merges: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return f"{self.spreadsheet_title} (Google Sheets)"


def read_google_grid(source: Any, *, sheet: str | None = None, client: Any = None) -> GoogleGrid:
    """All values of a Google worksheet in two requests (sheet list, then one values:batchGet).

    ``client``: a SheetsClient, an authorised gspread Client, or None to connect with the
    credentials found; a gspread Worksheet ``source`` brings its own.
    """
    ref, sheets = _resolve(source, sheet, client)
    with google_errors(ref):
        metadata = sheets.http.fetch_sheet_metadata(
            ref.spreadsheet_id, params={"fields": "properties(title),sheets(properties,merges)"}
        )
        properties = _pick_sheet(metadata, ref)
        title = properties["title"]
        grid = properties.get("gridProperties", {})
        rows_n, cols_n = int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))
        if rows_n * cols_n > MAX_CELLS:
            raise SourceError(
                f"{ref}: the worksheet {title!r} has {rows_n * cols_n:,} cells, more than Google's limit of "
                f"{MAX_CELLS:,}; sheetkit will not request it"
            )
        values = fetch_values(sheets, ref.spreadsheet_id, title)
    width = max((len(r) for r in values), default=0)
    rows = [list(r) + [""] * (width - len(r)) for r in values]  # Google omits trailing blanks
    merges = next(s for s in metadata["sheets"] if s["properties"]["title"] == title).get("merges", [])
    handle = GoogleSheet(ref.spreadsheet_id, int(properties["sheetId"]), title, rows_n, cols_n, client=sheets)
    return GoogleGrid(handle, rows, metadata.get("properties", {}).get("title", ref.spreadsheet_id), merges)


def fetch_values(client: SheetsClient, spreadsheet_id: str, title: str) -> list[list[Any]]:
    """Every value of a worksheet in one values:batchGet, typed: numbers, booleans, dates as serials.

    Rows come as Google sends them: trailing empty cells and rows left out.
    """
    response = client.http.values_batch_get(
        spreadsheet_id,
        [quote_sheet(title)],
        params={
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        },
    )
    values: list[list[Any]] = response.get("valueRanges", [{}])[0].get("values", [])
    return values


def read_google_sheet(source: Any, schema: Schema, *, sheet: str | None = None, client: Any = None) -> Table:
    """Read a Google worksheet (URL, id, SheetRef or gspread Worksheet) into a Table.

    The Table's ``origin`` is a :class:`GoogleSheet`, which :func:`write_updates` uses.
    """
    return table_from_grid(read_google_grid(source, sheet=sheet, client=client), schema)


def table_from_grid(grid: GoogleGrid, schema: Schema) -> Table:
    """The schema's table in a worksheet's values (the header row found below any title rows)."""
    rows, title, name = grid.rows, grid.sheet.title, grid.name
    if not any(any(_filled(c) for c in row) for row in rows):
        raise HeaderError(f"{name}, sheet {title!r} is empty; expected a header row", sheet=title)
    header_index = locate_header(rows, schema)
    if header_index is None:
        raise HeaderError(
            f"{name}, sheet {title!r}: no header row found in the first {schema.header_search_rows} rows",
            sheet=title,
        )
    merged = []
    for merge in grid.merges:
        first_row, last_row = merge.get("startRowIndex", 0) + 1, merge.get("endRowIndex", 0)
        if first_row <= header_index + 1 <= last_row:
            merged.append(
                MergedRange(first_row, merge.get("startColumnIndex", 0) + 1, last_row, merge["endColumnIndex"])
            )
    return build_table(
        rows, header_index, source=name, sheet=title, merged=merged, epoch=EPOCH_1900, kind="gsheet", origin=grid.sheet
    )


def google_sheet(table: Table) -> GoogleSheet:
    """The Google worksheet a Table was read from.

    Raises:
        UsageError: the Table was not read from Google Sheets.
    """
    if not isinstance(table.origin, GoogleSheet):
        raise UsageError(f"{table.source} was not read from Google Sheets")
    return table.origin


def _resolve(source: Any, sheet: str | None, client: Any) -> tuple[SheetRef, SheetsClient]:
    """A SheetRef and the client to read it with, for any accepted kind of source."""
    worksheet_type = _gspread_type("Worksheet")
    if worksheet_type is not None and isinstance(source, worksheet_type):
        return SheetRef(source.spreadsheet_id, source.title), sheets_client(source.client)
    if isinstance(source, SheetRef):
        ref = source if sheet is None else SheetRef(source.spreadsheet_id, sheet)
    else:
        ref = parse_sheet_ref(str(source), sheet)
    return ref, sheets_client(client)


def _gspread_type(name: str) -> Any:
    try:
        import gspread
    except ImportError:  # pragma: no cover - gspread is a dependency
        return None
    return getattr(gspread, name, None)


def _pick_sheet(metadata: Mapping[str, Any], ref: SheetRef) -> dict[str, Any]:
    sheets = [s["properties"] for s in metadata.get("sheets", [])]
    if ref.worksheet is not None:
        found = [p for p in sheets if p["title"] == ref.worksheet]
    elif ref.gid is not None:
        found = [p for p in sheets if int(p["sheetId"]) == ref.gid]
    else:
        found = sorted(sheets, key=lambda p: p.get("index", 0))[:1]
    if not found:
        titles = ", ".join(repr(p["title"]) for p in sheets)
        wanted = repr(ref.worksheet) if ref.worksheet is not None else f"with gid {ref.gid}"
        book = (metadata.get("properties") or {}).get("title")
        named = f"spreadsheet {book!r} (id {ref.spreadsheet_id})" if book else str(ref)
        raise SheetNotFoundError(
            f"{named} has no worksheet {wanted}; its worksheets are: {titles}", sheet=ref.worksheet or ""
        )
    return found[0]


def _filled(value: Any) -> bool:
    return value is not None and value != ""


@contextlib.contextmanager
def google_errors(ref: SheetRef | str) -> Iterator[None]:
    """Turn gspread/HTTP failures into sheetkit errors that say what to do."""
    import requests
    from gspread.exceptions import APIError

    try:
        yield
    except APIError as exc:
        status = exc.response.status_code
        detail = _error_message(exc.response)
        if status == 404:
            raise SourceError(f"{ref} was not found ({detail}); check the URL or id") from None
        if status == 403:
            raise SourceError(
                f"no permission to open {ref} ({detail}); share the sheet with the account sheetkit uses "
                "(a service account's client_email)"
            ) from None
        if status == 401:
            raise CredentialsError(
                f"Google rejected the credentials ({detail}); they may have expired or been revoked: "
                "create a new key or log in again"
            ) from None
        if status == 429:
            raise GoogleAPIError(
                f"Google Sheets quota exceeded for {ref} even after retries ({detail}); wait a minute and run again",
                status=status,
            ) from None
        if status == 400 and "parse range" in detail:
            raise SheetNotFoundError(f"{ref}: {detail}") from None
        raise GoogleAPIError(f"Google Sheets answered {status} for {ref}: {detail}", status=status) from None
    except requests.ConnectionError as exc:
        raise GoogleAPIError(
            f"cannot reach the Google Sheets API for {ref} ({type(exc).__name__}); nothing was written"
        ) from None
    except requests.Timeout:
        raise GoogleAPIError(f"the Google Sheets API timed out for {ref}; nothing was written") from None
    except Exception as exc:
        if type(exc).__name__ == "RefreshError":  # google.auth: expired or revoked credentials
            raise CredentialsError(
                "Google rejected the credentials while refreshing the access token (expired or revoked); "
                "create a new key or log in again"
            ) from None
        if type(exc).__name__ == "TransportError":  # google.auth could not reach the token endpoint
            raise GoogleAPIError("cannot reach Google to refresh the credentials; check the network") from None
        raise


def _error_message(response: Any) -> str:
    try:
        return str(response.json()["error"]["message"])
    except Exception:
        return f"HTTP {getattr(response, 'status_code', '?')}"


# ---------------------------------------------------------------------------------------------
# Writing


def write_updates(
    target: GoogleSheet,
    updates: Sequence[CellUpdate],
    *,
    new_columns: Sequence[int] = (),
    date_pattern: str = "yyyy-mm-dd",
    format_dates: Sequence[CellUpdate] = (),
) -> GoogleSheet:
    """Write cell updates to a worksheet: values as RAW, dates as serials with a date format.

    At most one spreadsheets:batchUpdate (grow the grid, date formats), then the values. Nothing
    is sent when there is nothing to change. Returns the worksheet as it is after the write (its
    grid grown where the cells needed it); ``target`` is left as it was read.
    """
    if not updates:
        return target
    needed_columns = max(u.column for u in updates)
    needed_rows = max(u.row for u in updates)
    grid_cells = max(needed_rows, target.row_count) * max(needed_columns, target.column_count)
    if grid_cells > MAX_CELLS:
        raise WriteError(
            f"writing to {target.title!r} would need {grid_cells:,} cells, more than Google's limit of "
            f"{MAX_CELLS:,} per spreadsheet; nothing was written"
        )
    structure = bodies.grow(
        target.sheet_id, rows=needed_rows - target.row_count, columns=needed_columns - target.column_count
    )
    structure.extend(bodies.date_formats(target.sheet_id, format_dates, date_pattern))
    with google_errors(f"spreadsheet {target.spreadsheet_id} {target.title!r}"):
        if structure:
            target.http.batch_update(target.spreadsheet_id, bodies.batch(structure))
        for body in bodies.raw_values(bodies.column_runs(target.title, updates)):
            target.http.values_batch_update(target.spreadsheet_id, body)
    return replace(
        target, row_count=max(target.row_count, needed_rows), column_count=max(target.column_count, needed_columns)
    )
