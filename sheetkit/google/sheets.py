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
    SheetkitError,
    SheetNotFoundError,
    SourceError,
    UsageError,
    WriteError,
)
from sheetkit.google import bodies
from sheetkit.google.client import RequestStats, SheetsClient, load_credentials, share_with, sheets_client, unreachable

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
    """All values of a Google worksheet in two requests (sheet list, then values:batchGet; more for a huge one).

    ``client``: a SheetsClient, an authorised gspread Client, or None to connect with the
    credentials found; a gspread Worksheet ``source`` brings its own.
    """
    ref, sheets = _resolve(source, sheet, client)
    with google_errors(ref, sheets):
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
        values = fetch_values(sheets, ref.spreadsheet_id, title, rows_n, cols_n)
    width = max((len(r) for r in values), default=0)
    rows = [list(r) + [""] * (width - len(r)) for r in values]  # Google omits trailing blanks
    merges = next(s for s in metadata["sheets"] if s["properties"]["title"] == title).get("merges", [])
    handle = GoogleSheet(ref.spreadsheet_id, int(properties["sheetId"]), title, rows_n, cols_n, client=sheets)
    return GoogleGrid(handle, rows, metadata.get("properties", {}).get("title", ref.spreadsheet_id), merges)


READ_CHUNK_CELLS = 2_000_000  # cells per values:batchGet: a 10-million-cell sheet is read in 5 parts


def fetch_values(
    client: SheetsClient, spreadsheet_id: str, title: str, rows: int = 0, columns: int = 0
) -> list[list[Any]]:
    """Every value of a worksheet, typed: numbers, booleans, dates as serials.

    One values:batchGet when the grid (``rows`` x ``columns``, from the sheet's properties) holds
    up to :data:`READ_CHUNK_CELLS` cells, else one per block of whole rows, so that no answer
    grows with the sheet (Google's 10 million cells would be one ~300 MB response). Rows come
    as Google sends them: trailing empty cells and rows left out.
    """
    params: dict[str, Any] = {
        "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER",
        "majorDimension": "ROWS",
    }
    sheet = quote_sheet(title)
    blocks = read_blocks(rows, columns)
    values: list[list[Any]] = []
    for first, last in blocks:
        reference = sheet if len(blocks) == 1 else f"{sheet}!{first}:{last}"
        response = client.http.values_batch_get(spreadsheet_id, [reference], params=params)
        part: list[list[Any]] = response.get("valueRanges", [{}])[0].get("values", [])
        if part:
            values.extend([] for _ in range(first - 1 - len(values)))  # rows Google left out above
            values.extend(part)
    return values


def read_blocks(rows: int, columns: int, chunk_cells: int | None = None) -> list[tuple[int, int]]:
    """The (first, last) rows of each read: blocks of whole rows, each at most ``chunk_cells`` cells.

    A grid of up to twice that is one read: 100,000 rows of Google's default 26 columns (2.6
    million cells, most of them empty columns) stay one request, as a sync's budget of 4 needs.
    """
    limit = chunk_cells or READ_CHUNK_CELLS
    if rows * columns <= 2 * limit:
        return [(1, max(rows, 1))]
    per_block = max(1, limit // max(columns, 1))
    return [(start, min(start + per_block - 1, rows)) for start in range(1, rows + 1, per_block)]


DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files/"


def modified_time(source: Any, client: Any = None) -> str | None:
    """When the spreadsheet last changed (Drive's ``modifiedTime``), in one small request.

    An idle scheduled run compares it with the last run's instead of reading the sheet. None when
    Drive will not say (a token with only the ``drive.file`` scope may not see a file another
    account shared): the caller then reads the sheet as usual.
    """
    ref, sheets = _resolve(source, None, client)
    try:
        with google_errors(ref):
            response = sheets.http.request(
                "get",
                DRIVE_FILES_URL + ref.spreadsheet_id,
                params={"fields": "modifiedTime", "supportsAllDrives": True},
            )
    except (SourceError, GoogleAPIError):
        return None
    value = response.json().get("modifiedTime")
    return value if isinstance(value, str) else None


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
def google_errors(ref: SheetRef | str, client: SheetsClient | None = None) -> Iterator[None]:
    """Turn gspread/HTTP failures into sheetkit errors that say what to do.

    ``client``: what the requests went through; a 403 names its service account's client_email
    (without it, that of the credentials sheetkit finds).
    """
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
            raise _forbidden(ref, detail, client) from None
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
        if status == 400 and "not supported for this document" in detail:
            raise SourceError(
                f"{ref} is a file in Google Drive but not a Google Sheet (an uploaded .xlsx?): open it in Google "
                "Sheets, choose File > Save as Google Sheets and use the new URL, or download it and use the file"
            ) from None
        raise GoogleAPIError(f"Google Sheets answered {status} for {ref}: {detail}", status=status) from None
    except requests.ConnectionError as exc:
        raise GoogleAPIError(unreachable(f"for {ref}", exc)) from None
    except requests.Timeout:
        raise GoogleAPIError(f"the Google Sheets API timed out for {ref}; nothing was written") from None
    except Exception as exc:
        if type(exc).__name__ == "RefreshError":  # google.auth: expired or revoked credentials
            raise CredentialsError(
                "Google rejected the credentials while refreshing the access token (expired or revoked); "
                "create a new key or log in again"
            ) from None
        if type(exc).__name__ == "TransportError":  # google.auth could not reach the token endpoint
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
            raise GoogleAPIError(unreachable("to refresh the credentials", cause)) from None
        raise


def _forbidden(ref: SheetRef | str, detail: str, client: SheetsClient | None) -> SheetkitError:
    """A 403 in words, naming the account to share with (or whose project needs the API)."""
    if client is not None:
        account = share_with(client.credentials)
    else:
        try:
            account = share_with(load_credentials(required=False))
        except CredentialsError:
            account = share_with(None)
    if "has not been used in project" in detail or "is disabled" in detail:
        return GoogleAPIError(
            f"the Google Sheets API is not enabled for the Google Cloud project of {account} ({detail})", status=403
        )
    return SourceError(f"no permission to open {ref} ({detail}); share the sheet with {account} (as Editor to write)")


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
    with google_errors(f"spreadsheet {target.spreadsheet_id} {target.title!r}", target.client):
        if structure:
            target.http.batch_update(target.spreadsheet_id, bodies.batch(structure))
        for body in bodies.raw_values(bodies.value_runs(target.title, updates)):
            target.http.values_batch_update(target.spreadsheet_id, body)
    return replace(
        target, row_count=max(target.row_count, needed_rows), column_count=max(target.column_count, needed_columns)
    )
