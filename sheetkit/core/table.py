"""A Table: a sheet's values plus where each one came from.

Every value keeps its place (sheet, row, column), so every problem and every write can name a
cell ("Contacts!I7"). Readers for each backend produce a Table; everything after works on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sheetkit.core.cells import a1, column_letter
from sheetkit.core.dates import EPOCH_1900
from sheetkit.core.schema import Schema, header_key


@dataclass(frozen=True)
class MergedRange:
    """A merged block of cells (1-based, inclusive)."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def ref(self) -> str:
        start = f"{column_letter(self.first_column)}{self.first_row}"
        return f"{start}:{column_letter(self.last_column)}{self.last_row}"


@dataclass(frozen=True)
class FileOrigin:
    """Where a Table read from a file (a workbook or a CSV) is written back: the file's path.

    The Table's ``source`` names only the file, for messages; this is the path as it was given.
    """

    path: Path


@dataclass(frozen=True)
class GoogleOrigin:
    """Which Google worksheet a Table was read from, and its grid size then.

    ``google.sheets.GoogleSheet`` extends it with the client to write with (core never imports
    the Google layer). Row and column counts are the grid's, not the used range's.
    """

    spreadsheet_id: str
    sheet_id: int
    title: str
    row_count: int
    column_count: int

    @property
    def url(self) -> str:
        """The worksheet in a browser."""
        return sheet_url(self.spreadsheet_id, self.sheet_id)


def sheet_url(spreadsheet_id: str, sheet_id: int) -> str:
    """A Google worksheet's address in a browser."""
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit#gid={sheet_id}"


@dataclass(frozen=True)
class Footer:
    """A row under the data that sums up the table rather than being a person (a "Total" row)."""

    row: int
    why: str  # "it starts with 'Total'", "its numbers are the column's sum" ...


@dataclass
class Table:
    """Raw values of one sheet's table, with provenance.

    Attributes:
        source: what the table was read from, for messages (a file name, a URL, "DataFrame").
        sheet: the worksheet's name.
        header_row: 1-based sheet row of the header (0 when the source had no sheet rows).
        headers: header text as the user wrote it, one per table column.
        columns: 1-based sheet column of each table column.
        values: the data cells, object dtype, one DataFrame column per table column (0..n-1).
        rows: 1-based sheet row of each data row.
        merged: merged ranges that touch the header row.
        epoch: the date system's day zero, for serial numbers in date columns.
        last_column: the sheet's last used column, for appending computed columns to its right.
        kind: "xlsx", "csv", "gsheet", "frame": which writer can write it back.
        origin: where to write back, set by the reader: a FileOrigin for a file, a GoogleOrigin
            (a GoogleSheet) for "gsheet", None for a DataFrame.
    """

    source: str
    sheet: str
    header_row: int
    headers: list[str]
    columns: list[int]
    values: pd.DataFrame
    rows: np.ndarray
    merged: list[MergedRange] = field(default_factory=list)
    epoch: dt.date = EPOCH_1900
    last_column: int = 0
    kind: str = "xlsx"
    origin: FileOrigin | GoogleOrigin | None = None
    footer: tuple[Footer, ...] = ()  # totals rows under the data, set aside (see set_aside_footer)
    grid: np.ndarray | None = field(default=None, repr=False, compare=False)
    """The object array ``values`` was made on (build_table), so repeated texts can share one str."""

    def __len__(self) -> int:
        return len(self.rows)

    def share_repeated_text(self, position: int, codes: np.ndarray, uniques: list[Any]) -> None:
        """Let the cells of column ``position`` that hold the same text hold one str object.

        ``codes`` and ``uniques`` are the column's factorization (normalize makes it anyway).
        calamine gives one str per cell, even where a column repeats a dozen words: at Excel's
        row limit that is hundreds of MB. Only str cells are replaced (by an equal str), so every
        value stays exactly what was read; nothing happens unless ``values`` is ``grid``'s view.
        """
        grid = self.grid
        if grid is None or grid.shape[0] != len(codes) or len(uniques) * 2 > len(codes):
            return
        column = grid[:, position]
        if not np.shares_memory(column, self.values[position].to_numpy()):
            return
        shared = np.empty(len(uniques) + 1, dtype=object)
        shared[:-1] = uniques
        text = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
        take = np.append(text, False)[codes]  # code -1 (None, NaN) is never text
        column[take] = shared[codes[take]]

    def __repr__(self) -> str:
        return f"<Table {self.source} {self.sheet!r}: {len(self)} rows x {len(self.headers)} columns>"

    def cell(self, position: int, row: int) -> str:
        """The A1 reference of table column ``position`` at sheet row ``row``."""
        return a1(self.sheet, self.columns[position], row)

    def header_cell(self, position: int) -> str:
        return self.cell(position, self.header_row)


def locate_header(rows: list[list[Any]], schema: Schema, search_rows: int | None = None) -> int | None:
    """The 0-based index of the row that best looks like the schema's header, or None.

    A row scores one point per cell that matches a field or computed-column spelling. The best
    row must match at least two headers, or one if it is the first non-empty row (a tiny sheet).
    """
    known = schema.known_header_keys
    limit = min(len(rows), search_rows or schema.header_search_rows)
    best, best_score, first_nonempty = None, 0, None
    for index in range(limit):
        cells = [c for c in rows[index] if _filled(c)]
        if not cells:
            continue
        if first_nonempty is None:
            first_nonempty = index
        score = sum(1 for c in cells if isinstance(c, str) and header_key(c) in known)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        return None
    if best_score >= 2 or (best_score == 1 and best == first_nonempty):
        return best
    return None


def build_table(
    rows: list[list[Any]],
    header_index: int,
    *,
    source: str,
    sheet: str,
    first_row: int = 1,
    first_column: int = 1,
    merged: list[MergedRange] | None = None,
    epoch: dt.date = EPOCH_1900,
    kind: str = "xlsx",
    origin: FileOrigin | GoogleOrigin | None = None,
) -> Table:
    """Cut the table out of a sheet's rows, given which row is the header.

    ``rows[i][j]`` is the cell at sheet row ``first_row + i``, column ``first_column + j``.
    Table columns are the header row's filled cells plus any unheaded column that holds data;
    data rows are the rows below the header that have a value in some table column (blank rows,
    including trailing ones, are not data).
    """
    header_cells = rows[header_index]
    width = max(map(len, rows[header_index:]), default=0)
    used = [j for j in range(width) if j < len(header_cells) and _filled(header_cells[j])]
    body = rows[header_index + 1 :]
    if used:
        # Unheaded columns inside the header's span, or just right of it, that hold data.
        span_end = max(used)
        candidates = [j for j in range(width) if j not in set(used)]
        data_columns = [j for j in candidates if any(j < len(r) and _filled(r[j]) for r in body)]
        keep = sorted(set(used) | {j for j in data_columns if j < span_end or j == span_end + 1})
    else:
        keep = []
    first_data_row = first_row + header_index + 1
    if keep == list(range(width)):
        # The common case, every column kept: compare whole rows with a blank row in C loops
        # (map, numpy): at 100,000 rows the Python-level loops cost ~0.2 s.
        # (A row of only spaces passes as data here; normalize then finds it empty and skips it.)
        blank = [""] * width
        data = np.fromiter(map(blank.__ne__, body), dtype=bool, count=len(body))
        short = np.flatnonzero(np.fromiter(map(len, body), dtype=np.int64, count=len(body)) != width).tolist()
        for i in short:
            data[i] = body[i] != blank[: len(body[i])]  # a short row (CSV): blank if all it has is ""
        filled = np.flatnonzero(data)
        data_rows = body if len(filled) == len(body) else [body[i] for i in filled.tolist()]
        if short:
            data_rows = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in data_rows]
        sheet_rows: np.ndarray | list[int] = filled + first_data_row
    else:
        data_rows, sheet_rows = [], []
        for i, r in enumerate(body):
            cells = [r[j] if j < len(r) else "" for j in keep]
            if any(_filled(c) for c in cells):
                data_rows.append(cells)
                sheet_rows.append(first_data_row + i)
    frame, grid = _object_frame(data_rows, len(keep))
    headers = [_header_text(header_cells[j]) if j < len(header_cells) else "" for j in keep]
    return Table(
        source=source,
        sheet=sheet,
        header_row=first_row + header_index,
        headers=headers,
        columns=[first_column + j for j in keep],
        values=frame,
        rows=np.asarray(sheet_rows, dtype=np.int64),
        merged=merged or [],
        epoch=epoch,
        last_column=first_column + width - 1,
        kind=kind,
        origin=origin,
        grid=grid,
    )


def _object_frame(rows: list[list[Any]], width: int) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Rows of equal length as a DataFrame of plain objects (no type inference: cells stay as read),
    and the object array it is a view of (None when it could not be one).

    Filled into one object block directly: a third faster than DataFrame(rows) at 100,000 rows.
    """
    grid = np.empty((len(rows), width), dtype=object)
    if rows and width:
        try:
            grid[:] = rows
        except ValueError:  # a cell that is itself a sequence (a DataFrame source may hold lists)
            return pd.DataFrame(rows, columns=pd.RangeIndex(width), dtype=object), None
    return pd.DataFrame(grid, columns=pd.RangeIndex(width), dtype=object, copy=False), grid


def _filled(value: Any) -> bool:
    """True for a cell that holds something (calamine and CSV give '' for empty cells)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    return not (isinstance(value, float) and value != value)  # NaN is empty


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if _filled(value) else ""


def table_from_frame(frame: pd.DataFrame, *, name: str = "DataFrame") -> Table:
    """A DataFrame as a Table: its columns are the headers, row 1 is the header row."""
    headers = [str(c) for c in frame.columns]
    rows: list[list[Any]] = [list(headers)]
    values = frame.astype(object).where(frame.notna(), "")
    rows.extend(values.values.tolist())
    return build_table(rows, 0, source=name, sheet=name, kind="frame")


_FOOTER_LABEL = re.compile(
    r"^\s*(grand\s+|sub\s*-?\s*)?(totals?|sum|average|avg|mean|count|summary)\b\s*:?", re.IGNORECASE
)


def set_aside_footer(table: Table, schema: Schema) -> Table:
    """The table without the totals rows at its end, which are recorded in ``table.footer``.

    A trailing row is a footer when its first text starts with Total, Totals, Subtotal, Grand
    total, Sum, Average, Count or Summary, or when it names nobody (no name or email field) and
    every number in it is its column's sum or count above it (a row of =SUM / =COUNTA formulas:
    python-calamine gives their values). Such a row is not a person: no check, no computed cells,
    never due. ``footer_rows: false`` in the schema keeps every row as data.
    """
    if not schema.footer_rows or len(table) < 2:
        return table
    footer: list[Footer] = []
    end = len(table)
    while end > 1 and len(footer) < 3:
        why = _footer_reason(table, schema, end - 1)
        if why is None:
            break
        footer.append(Footer(int(table.rows[end - 1]), why))
        end -= 1
    if not footer:
        return table
    return dataclasses.replace(
        table, values=table.values.iloc[:end].reset_index(drop=True), rows=table.rows[:end], footer=tuple(footer[::-1])
    )


def _footer_reason(table: Table, schema: Schema, index: int) -> str | None:
    cells = table.values.iloc[index].tolist()
    texts = [(j, c) for j, c in enumerate(cells) if isinstance(c, str) and c.strip()]
    if texts and _FOOTER_LABEL.match(texts[0][1]) and not _names_someone(table, schema, cells, texts[0][0]):
        return f"it starts with {texts[0][1].strip()!r}"
    numbers = [(j, c) for j, c in enumerate(cells) if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if texts or not numbers:
        return None
    above = table.values.iloc[:index]
    for j, value in numbers:
        column = above[j]
        filled = column[column.map(_filled)]
        total = sum(v for v in filled if isinstance(v, (int, float)) and not isinstance(v, bool))
        if value not in (total, len(filled)) or len(filled) < 2:
            return None
    return "its numbers are the sums or counts of the columns above it"


def _names_someone(table: Table, schema: Schema, cells: list[Any], label: int) -> bool:
    """Whether the row has text, besides its label, under a header that says who a person is.

    A number under Email or Name is a count (=COUNTA), not a person.
    """
    people = [schema.fields[name] for name in ("first_name", "last_name", "name", "email") if name in schema.fields]
    who = {key for spec in people for key in spec.header_keys}
    return any(
        j != label and header_key(h) in who and isinstance(c, str) and c.strip()
        for j, (h, c) in enumerate(zip(table.headers, cells, strict=False))
    )
