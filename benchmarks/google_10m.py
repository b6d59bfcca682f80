"""Google's limit: one worksheet of 10,000,000 cells, read the way a user reads it (`--google-10m`).

The emulator (served from the suite's parent process) is seeded straight through its model with
one worksheet "Contacts" whose grid is exactly 400,000 rows x 25 columns: the title row, a blank
row and the header on row 3, as in the generated workbooks, then 399,997 contacts. The header is
the 18 columns of `benchmarks.generate` (the example's, the schema's computed ones) plus 7 more: the
schema's "Check-in every" and six a recruiter keeps beside them (company, title, source, years,
salary, first contacted). Values are text, emails, phone numbers, URLs, dates as serial numbers with
a date format, whole numbers and booleans, some cells blank, the generator's messy rows included.

A fresh child process then reads it as a user would: `sheetkit.google.sheets.read_google_grid(url)`
and `sheetkit.check(url)`. Each is measured once: the call's time in the child, the emulator's
time (subtracted, as for the other Google rows), the child's peak RSS (VmHWM), and from the
emulator's log every request: count, URL length as sent to Google, body bytes, and each answer's
size. Every request is held against Google's request-size limits (see LIMITS): the table says
whether all of them stay under.

Google's limits on one request (searched 2026; none is a documented hard limit on URL length):

* Sheets API usage limits (https://developers.google.com/workspace/sheets/api/limits): "While
  Sheets API has no hard size limits for an API request, users might experience limits from
  different processing components not controlled by Google Sheets. To speed up requests, we
  recommend a 2 MB maximum payload." The same page: a request processed for more than 180 seconds
  returns a timeout error.
* The hard payload limit met in practice: 400 INVALID_ARGUMENT "Request payload size exceeds the
  limit: 10485760 bytes." (github.com/SCRT-HQ/PSGSuite/issues/62, github.com/jlolling/
  talendcomp_tGoogleSheet/issues/1); a Google developer advocate: the limit is "not publicly
  documented, and is subject to change" (github.com/googleworkspace/dotnet-samples/issues/23).
* URL length: Google's own client libraries send a GET whose URL is longer than 2,048 characters
  as a POST with X-HTTP-Method-Override: GET (google-api-python-client googleapiclient/http.py
  MAX_URI_LENGTH = 2048; google-api-java-client MethodOverride.MAX_URL_LENGTH = 2048). Long
  values:batchGet URLs do fail: github.com/dust-tt/dust/pull/4042 (~20,000 characters of ranges).
  gspread sends every GET as is, so 2,048 characters is the bound a sheetkit URL must keep.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Iterator
from typing import Any

from benchmarks.measured import find

GRID_ROWS = 400_000
GRID_COLUMNS = 25
GOOGLE_API = "https://sheets.googleapis.com"  # what the emulator's paths stand for
URL_LIMIT = 2_048  # characters: Google's client libraries switch a longer GET to POST
PAYLOAD_LIMIT = 2_000_000  # bytes: the Sheets API's recommended maximum payload ("2 MB")
HARD_PAYLOAD_LIMIT = 10_485_760  # bytes: "Request payload size exceeds the limit: 10485760 bytes."
LIMITS = (
    f"URL <= {URL_LIMIT:,} chars (googleapiclient MAX_URI_LENGTH), body <= {PAYLOAD_LIMIT:,} B "
    "(Sheets API usage limits: 2 MB recommended maximum payload)"
)
READ = "google read_google_grid (10M cells)"
CHECK = "google check (10M cells)"
OPERATIONS = (READ, CHECK)

EXTRA_HEADERS = [
    "Check-in every", "Company", "Current Title", "Source", "Years Experience", "Salary Expectation",
    "First Contacted",
]  # fmt: skip
_CADENCES = ["30 days", "2 weeks", "monthly", "quarterly", "6 months"]
_COMPANIES = [
    "Northwind Analytics", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella Health", "Hooli",
    "Stark Logistics", "Wayne Fintech", "Acme Retail", "Tyrell Bio", "Cyberdyne", "Vandelay Imports",
    "Soylent Foods", "Pied Piper", "Massive Dynamic", "Aperture Labs", "Blue Sun", "Oscorp", "Wonka",
]  # fmt: skip
_SOURCES = ["LinkedIn", "Referral", "Meetup", "Conference", "Inbound", "GitHub", "Job board"]


def header() -> list[str]:
    from benchmarks.generate import headers

    names = [*headers(), *EXTRA_HEADERS]
    assert len(names) == GRID_COLUMNS, names
    return names


def sheet_rows(rows: int, seed: int = 20261127) -> Iterator[list[Any]]:
    """The worksheet's rows, ``rows`` in all: title, blank, header, then ``rows - 3`` contacts."""
    from benchmarks.generate import HEADER_ROW, contact_grid, example

    base = contact_grid(rows - HEADER_ROW, seed=seed)
    names = header()
    contacted = names.index("Last Contacted")
    titles = example().TITLES
    rng = random.Random(seed + 2)
    yield base[0]
    yield []
    yield names
    for values in base[HEADER_ROW:]:
        last = values[contacted]
        first = last - dt.timedelta(days=rng.randint(0, 120)) if isinstance(last, dt.date) else None
        yield [
            *values,
            rng.choice(_CADENCES) if rng.random() < 0.1 else None,
            rng.choice(_COMPANIES) if rng.random() < 0.85 else None,
            rng.choice(titles) if rng.random() < 0.7 else None,
            rng.choice(_SOURCES),
            rng.randint(0, 25) if rng.random() < 0.6 else None,
            rng.randrange(80_000, 250_001, 5_000) if rng.random() < 0.3 else None,
            first,
        ]


def seed(emulator: Any, rows: int = GRID_ROWS) -> str:
    """A spreadsheet holding one worksheet of ``rows`` x 25 cells, put into the emulator's model; its id.

    Values are stored as a RAW write would store them (dates as DATE serials). A stored Cell is never
    changed in place (see sheetkit.testing.values.Cell), so equal values share one Cell: what a read
    renders is the same, and the emulator's 10 million cells fit in about 1 GB.
    """
    from sheetkit.testing.model import Sheet, Spreadsheet, new_spreadsheet_id
    from sheetkit.testing.values import Cell, parse_raw, to_serial

    book = Spreadsheet(new_spreadsheet_id(), "Candidate pipeline (10 million cells)", owner=emulator.user_email)
    sheet = Sheet(0, "Contacts", rows, GRID_COLUMNS)
    cells = sheet.cells
    date_format = {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}
    shared: dict[tuple[type, Any], Cell] = {}
    seeded, width = 0, 0
    for r, values in enumerate(sheet_rows(rows)):
        seeded, width = r + 1, max(width, len(values))
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            key = (type(value), value)
            cell = shared.get(key)
            if cell is None:
                if isinstance(value, dt.date):
                    cell = Cell(value=to_serial(dt.datetime(value.year, value.month, value.day)), fmt=date_format)
                else:
                    cell = parse_raw(value)
                shared[key] = cell
            cells[(r, c)] = cell
    assert (seeded, width) == (rows, GRID_COLUMNS), (seeded, width)  # the data fills the grid's rows and columns
    book.sheets.append(sheet)
    book.check_cell_limit()
    with emulator.lock:
        emulator.books.clear()
        emulator.books[book.spreadsheet_id] = book
    emulator.clear_requests()
    return book.spreadsheet_id


def request_sizes(requests: list[Any], kinds: list[str], answers: list[tuple[int, float]]) -> dict[str, Any]:
    """Per-request sizes from the emulator's log, and whether each stays under Google's limits.

    ``answers``: (body bytes, emulator seconds) of each answer, in the order the requests came.
    """
    urls = [len(GOOGLE_API) + len(r.path) + (len(r.query) + 1 if r.query else 0) for r in requests]
    bodies = [len(r.body) for r in requests]
    sizes = [size for size, _ in answers]
    paired = len(answers) == len(requests)
    return {
        "max_url_chars": max(urls, default=0),
        "max_request_body_bytes": max(bodies, default=0),
        "max_response_bytes": max(sizes, default=0),
        "response_bytes": sum(sizes),
        "max_emulator_request_s": max((s for _, s in answers), default=0.0),
        "urls_within_limit": all(n <= URL_LIMIT for n in urls),
        "bodies_within_limit": all(n <= PAYLOAD_LIMIT for n in bodies),
        "within_limits": all(n <= URL_LIMIT for n in urls) and all(n <= PAYLOAD_LIMIT for n in bodies),
        "statuses": sorted({r.status for r in requests}),
        "requests_detail": [
            {
                "kind": kind,
                "ranges": r.params.get("ranges"),
                "url_chars": url,
                "body_bytes": body,
                "response_bytes": answers[i][0] if paired else None,
                "emulator_s": answers[i][1] if paired else None,
            }
            for i, (r, kind, url, body) in enumerate(zip(requests, kinds, urls, bodies, strict=True))
        ],
    }


def gzip_size(payload: bytes) -> int:
    """What a gzip-encoded answer would weigh on the wire (Google compresses for Accept-Encoding: gzip)."""
    return len(zlib.compress(payload, 6))


def rows(results: list[Any]) -> list[dict[str, Any]]:
    out = []
    for name in OPERATIONS:
        m = find(results, name)
        if m is None:
            continue
        run = m.runs[0]
        extra = run.extra
        out.append(
            {
                "operation": name, "grid": f"{extra.get('grid_rows', 0):,} x {extra.get('grid_columns', 0)}",
                "cells": extra.get("grid_cells"), "http_requests": extra["http_requests"],
                "request_kinds": extra["request_kinds"], "max_url_chars": extra["max_url_chars"],
                "max_request_body_bytes": extra["max_request_body_bytes"],
                "max_response_bytes": extra["max_response_bytes"],
                "max_response_gzip_bytes": extra.get("max_response_gzip_bytes"),
                "response_bytes": extra["response_bytes"], "within_limits": extra["within_limits"],
                "raw_s": extra["raw_s"], "emulator_s": extra["emulator_s"], "client_s": run.seconds,
                "process_wall_s": run.wall_s, "import_s": extra.get("import_s"), "peak_mb": run.peak_mb,
                "base_mb": extra.get("base_mb"), "result": {k: extra.get(k) for k in ("rows", "columns", "problems")},
            }
        )  # fmt: skip
    return out


def markdown(measured: list[dict[str, Any]]) -> str:
    if not measured:
        return ""
    lines = [
        f"Google Sheets at 10 million cells (one run each; limits: {LIMITS}):",
        "",
        "| operation | grid | requests | largest URL (chars) | largest request body (B) | largest answer (B) "
        "| its gzip (B) | answers in all (B) | within limits? | call s | emulator s | client s | process wall s "
        "| peak MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in measured:
        lines.append(
            f"| {row['operation']} | {row['grid']} | {row['http_requests']} | {row['max_url_chars']:,} "
            f"| {row['max_request_body_bytes']:,} | {row['max_response_bytes']:,} "
            f"| {row['max_response_gzip_bytes'] or 0:,} | {row['response_bytes']:,} "
            f"| {'yes' if row['within_limits'] else '**NO**'} | {row['raw_s']:.1f} | {row['emulator_s']:.1f} "
            f"| {row['client_s']:.1f} | {row['process_wall_s']:.1f} | {row['peak_mb']:,.0f} |"
        )
    return "\n".join(lines)


def summary(measured: list[dict[str, Any]]) -> list[str]:
    if not measured:
        return []
    verdict = "met" if all(r["within_limits"] for r in measured) else "NOT met"
    return [f"google 10M cells: every request under Google's request-size limits: {verdict}"]
