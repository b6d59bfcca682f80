"""In-memory spreadsheets for the Sheets emulator, and the values API on top of them.

Cells are stored sparsely (a ``Grid``: a mapping (row, column) -> Cell kept row by row), so a
1000x26 sheet costs nothing until written and the 10-million-cell limit is about grid size, as in
Google.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sheetkit.testing import a1, shifts
from sheetkit.testing.formula import evaluate_with_format
from sheetkit.testing.grid import Grid
from sheetkit.testing.values import (
    DEFAULT_PATTERNS,
    Cell,
    Scalar,
    deep_copy,
    format_number,
    format_scalar,
    is_date_like,
    json_number,
    parse_raw,
    parse_user_entered,
)

CELL_LIMIT = 10_000_000
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


class ApiError(Exception):
    """An error answered in Google's shape: {"error": {"code", "message", "status"}}."""

    STATUS: ClassVar[dict[int, str]] = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ALREADY_EXISTS",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[Any] | None = None,
        raw: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or self.STATUS.get(code, "UNKNOWN")
        self.details = details
        self.raw = raw  # a complete body for APIs with another error shape (Drive v3)

    def body(self) -> dict[str, Any]:
        if self.raw is not None:
            return self.raw
        err: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            err["details"] = self.details
        return {"error": err}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def now_rfc3339() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_spreadsheet_id() -> str:
    """44 URL-safe characters, like Google's ids."""
    return "1" + secrets.token_urlsafe(33)[:43]


@dataclass
class Window:
    """A bounded block of one sheet: rows [r1, r2) and columns [c1, c2)."""

    sheet: Sheet
    r1: int
    r2: int
    c1: int
    c2: int

    def a1(self) -> str:
        return a1.format_range(self.sheet.title, self.r1, self.r2, self.c1, self.c2)

    def grid_range(self) -> dict[str, Any]:
        return self.sheet.grid_range(self.r1, self.r2, self.c1, self.c2)


@dataclass
class Sheet:
    """One tab: properties, sparse cells, merges and other per-sheet objects."""

    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROWS
    col_count: int = DEFAULT_COLUMNS
    frozen_rows: int = 0
    frozen_cols: int = 0
    hidden: bool = False
    hide_gridlines: bool = False
    tab_color: dict[str, Any] | None = None
    right_to_left: bool = False
    cells: Grid = field(default_factory=Grid)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    row_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    col_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "ROWS"/"COLUMNS" -> DimensionGroups
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    bandings: list[dict[str, Any]] = field(default_factory=list)
    filter_views: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    group_control_after: set[str] = field(default_factory=set)  # "ROWS"/"COLUMNS": set once a group is added

    def grid_range(self, r1: int | None, r2: int | None, c1: int | None, c2: int | None) -> dict[str, Any]:
        """GridRange JSON the way Google prints it (sheetId 0 is omitted, like any proto3 default)."""
        out: dict[str, Any] = {}
        if self.sheet_id:
            out["sheetId"] = self.sheet_id
        for key, val in (
            ("startRowIndex", r1),
            ("endRowIndex", r2),
            ("startColumnIndex", c1),
            ("endColumnIndex", c2),
        ):
            if val is not None:
                out[key] = val
        return out

    def window(self, rng: dict[str, Any]) -> Window:
        """GridRange JSON -> bounded window (missing bounds mean the whole grid)."""
        return Window(
            self,
            rng.get("startRowIndex", 0),
            rng.get("endRowIndex", self.row_count),
            rng.get("startColumnIndex", 0),
            rng.get("endColumnIndex", self.col_count),
        )

    def used_cells(self, win: Window) -> list[tuple[int, int, Cell]]:
        """(row, column, cell) of the stored cells inside win, read row by row."""
        return self.cells.window(win.r1, win.r2, win.c1, win.c2)

    def fork(self) -> Sheet:
        """A copy to change, for a batch that must leave the original as it was if a request fails.

        Cells are shared (a stored Cell is never changed in place; the Grid copies a row when either
        side writes to it), the rest is copied: for a 100,000-row sheet one list copy instead of the
        1.8 million cell copies of a deepcopy (30 seconds).
        """
        clone = copy.copy(self)
        for key, value in vars(self).items():
            if key == "cells":
                clone.cells = self.cells.copy()
            elif key in ("row_meta", "col_meta"):
                setattr(clone, key, {i: deep_copy(meta) for i, meta in value.items()})
            else:
                setattr(clone, key, copy.deepcopy(value))
        return clone

    def properties(self, index: int) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.row_count, "columnCount": self.col_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_cols:
            grid["frozenColumnCount"] = self.frozen_cols
        if self.hide_gridlines:
            grid["hideGridlines"] = True
        for dim in sorted(self.group_control_after, reverse=True):
            grid[f"{dim[:-1].lower()}GroupControlAfter"] = True
        props: dict[str, Any] = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        if self.tab_color:
            props["tabColor"] = self.tab_color
            props["tabColorStyle"] = {"rgbColor": self.tab_color}
        if self.right_to_left:
            props["rightToLeft"] = True
        return props


@dataclass
class Spreadsheet:
    """One spreadsheet (a Drive file too): properties, tabs, named ranges."""

    spreadsheet_id: str
    title: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    auto_recalc: str = "ON_CHANGE"
    sheets: list[Sheet] = field(default_factory=list)
    named_ranges: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: str = field(default_factory=now_rfc3339)
    modified: str = field(default_factory=now_rfc3339)
    default_format: dict[str, Any] = field(default_factory=dict)
    owner: str = "emulator@sheetkit.invalid"
    parents: list[str] = field(default_factory=list)
    developer_metadata: dict[int, dict[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------------ sheets
    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        return exact or next((s for s in self.sheets if s.title.casefold() == title.casefold()), None)

    def new_sheet_id(self) -> int:
        while True:
            candidate = secrets.randbelow(2**31 - 2) + 1
            if self.sheet_by_id(candidate) is None:
                return candidate

    def total_cells(self) -> int:
        return sum(s.row_count * s.col_count for s in self.sheets)

    def check_cell_limit(self, extra: int = 0) -> None:
        if self.total_cells() + extra > CELL_LIMIT:
            raise bad_request(
                f"This action would increase the number of cells in the workbook above the limit of {CELL_LIMIT} cells."
            )

    def touch(self) -> None:
        self.modified = now_rfc3339()

    def fork(self) -> Spreadsheet:
        """A copy a batch can change and drop if a request fails; sheets are forked, the rest is copied."""
        clone = copy.copy(self)
        for key, value in vars(self).items():
            setattr(clone, key, [s.fork() for s in self.sheets] if key == "sheets" else copy.deepcopy(value))
        return clone

    # ------------------------------------------------------------------ ranges
    def resolve(self, text: str, *, clamp: bool = True) -> Window:
        """A1 text -> bounded window; raises Google's "Unable to parse range" for nonsense."""
        try:
            sheet_part, cells = a1.split_sheet(text.strip())
        except a1.A1Error:
            raise bad_request(f"Unable to parse range: {text}") from None
        sheet: Sheet | None
        span: a1.CellSpan | None = None
        if sheet_part is None:
            if a1.looks_like_cells(cells):
                if not self.sheets:
                    raise bad_request(f"Unable to parse range: {text}")
                sheet, span = self.sheets[0], a1.parse_cells(cells)
            else:
                sheet = self.sheet_by_title(cells)
                if sheet is None:
                    named = next((n for n in self.named_ranges.values() if n["name"] == cells), None)
                    if named is None:
                        raise bad_request(f"Unable to parse range: {text}")
                    rng = named["range"]
                    sheet = self.sheet_by_id(rng.get("sheetId", 0))
                    if sheet is None:
                        raise bad_request(f"Unable to parse range: {text}")
                    return sheet.window(rng)
        else:
            sheet = self.sheet_by_title(sheet_part)
            if sheet is None:
                raise bad_request(f"Unable to parse range: {text}")
            if cells:
                try:
                    span = a1.parse_cells(cells)
                except a1.A1Error:
                    # 'Sheet1'!Name: a named range, which must lie on that sheet
                    named = next((n for n in self.named_ranges.values() if n["name"] == cells), None)
                    if named is None or named["range"].get("sheetId", 0) != sheet.sheet_id:
                        raise bad_request(f"Unable to parse range: {text}") from None
                    return sheet.window(named["range"])
        if span is None:
            return Window(sheet, 0, sheet.row_count, 0, sheet.col_count)
        win = Window(
            sheet,
            span.start_row if span.start_row is not None else 0,
            span.end_row if span.end_row is not None else max(sheet.row_count, (span.start_row or 0) + 1),
            span.start_col if span.start_col is not None else 0,
            span.end_col if span.end_col is not None else max(sheet.col_count, (span.start_col or 0) + 1),
        )
        if clamp and (win.r1 >= sheet.row_count or win.c1 >= sheet.col_count):
            raise bad_request(
                f"Range ({a1.quote_title(sheet.title)}!{a1.format_span(win.r1, win.r2, win.c1, win.c2)}) "
                "exceeds grid "
                f"limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
            )
        if clamp:  # a read that runs past the grid's edge is clipped to it, as Google does
            win.r2, win.c2 = min(win.r2, sheet.row_count), min(win.c2, sheet.col_count)
        return win

    # ------------------------------------------------------------------ computing values
    def computed(self, cell: Cell, depth: int = 0) -> Scalar | None:
        return self.computed_with_format(cell, depth)[0]

    def computed_with_format(self, cell: Cell, depth: int = 0) -> tuple[Scalar | None, str | None]:
        """A cell's value, and for a formula the number format type Google infers for its result."""
        if cell.formula is None:
            return cell.value, None
        if depth > 50:
            return "#REF!", None
        # Formula results are recomputed on every read, which is how Google's ON_CHANGE looks from outside.
        value, hint = evaluate_with_format(cell.formula, _Resolver(self, depth), self._extent)
        return (float(value) if isinstance(value, int) and not isinstance(value, bool) else value), hint

    def _extent(self, sheet_title: str | None) -> tuple[int, int]:
        target = self.sheets[0] if sheet_title is None else self.sheet_by_title(sheet_title)
        return (target.row_count, target.col_count) if target is not None else (0, 0)

    def effective_number_format(self, cell: Cell) -> dict[str, Any] | None:
        """The numberFormat a cell shows with: its own, or the one Google infers for a formula's result."""
        own = cell.fmt.get("numberFormat")
        if own or cell.formula is None:
            return own
        hint = self.computed_with_format(cell)[1]
        return {"type": hint, "pattern": DEFAULT_PATTERNS[hint]} if hint else None

    def render(self, cell: Cell | None, value_render: str, date_render: str) -> Any:
        if cell is None or not cell.has_value():
            return ""
        if value_render == "FORMULA" and cell.formula is not None:
            return cell.formula
        if cell.formula is None:  # most cells; a whole-sheet read renders 1.8M of them
            value = cell.value
        else:
            value, hint = self.computed_with_format(cell)
            if hint and not cell.fmt.get("numberFormat"):
                cell = Cell(
                    value, cell.formula, {**cell.fmt, "numberFormat": {"type": hint, "pattern": DEFAULT_PATTERNS[hint]}}
                )
        if value_render == "FORMATTED_VALUE":
            return format_scalar(value, cell)
        if isinstance(value, float):
            if date_render == "FORMATTED_STRING" and is_date_like(cell):
                return format_number(value, cell)
            return json_number(value)
        return "" if value is None else value

    def read(self, win: Window, major: str, value_render: str, date_render: str) -> list[list[Any]]:
        """Rendered values of a window with trailing empties removed, as in Google's ValueRange."""
        grid = win.sheet.cells
        # Rows and columns past the last stored cell would be trimmed anyway: they are not visited,
        # so a whole-sheet or "A:ZZ" window costs what the stored cells cost.
        rows_span = range(win.r1, min(win.r2, grid.row_end()))
        cols_span = range(win.c1, min(win.c2, grid.column_end(win.r1, win.r2)))
        lines: Iterator[list[Cell | None]]
        if major == "COLUMNS":
            lines = ([grid.row(r).get(c) for r in rows_span] for c in cols_span)
        else:
            lines = ([line.get(c) for c in cols_span] if (line := grid.row(r)) else [] for r in rows_span)
        render = self.render
        rows: list[list[Any]] = []
        for cells in lines:
            row: list[Any] = []
            last = -1
            for i, cell in enumerate(cells):
                value = "" if cell is None else render(cell, value_render, date_render)  # "" when no value
                row.append(value)
                if value != "":
                    last = i
            rows.append(row[: last + 1])
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def value_range(self, win: Window, major: str, value_render: str, date_render: str) -> dict[str, Any]:
        out: dict[str, Any] = {"range": win.a1(), "majorDimension": major}
        values = self.read(win, major, value_render, date_render)
        if values:
            out["values"] = values
        return out

    # ------------------------------------------------------------------ writing values
    def write(
        self,
        text: str,
        values: Any,
        major: str | None,
        input_option: str,
        *,
        include_values: bool = False,
        value_render: str = "FORMATTED_VALUE",
        date_render: str = "SERIAL_NUMBER",
        window: Window | None = None,
        touched: set[tuple[int, str, int]] | None = None,
    ) -> dict[str, Any]:
        """values.update semantics; returns an UpdateValuesResponse.

        ``touched`` collects (sheetId, "r"/"c", index) so values:batchUpdate can count distinct rows/columns.
        """
        if input_option not in ("RAW", "USER_ENTERED"):
            if not input_option:
                raise bad_request("'valueInputOption' is required but not specified")
            raise bad_request(f"Invalid valueInputOption: {input_option}")
        matrix = _check_matrix(values)
        if major == "COLUMNS":
            width = max((len(r) for r in matrix), default=0)
            matrix = [[col[i] if i < len(col) else None for col in matrix] for i in range(width)]
        win = window or self.resolve(text, clamp=False)
        single = win.r2 - win.r1 == 1 and win.c2 - win.c1 == 1
        n_rows = len(matrix)
        n_cols = max((len(r) for r in matrix), default=0)
        if not single and window is None:
            if n_rows > win.r2 - win.r1:
                raise bad_request(
                    f"Requested writing within range [{win.a1()}], but tried writing to row [{win.r1 + n_rows}]"
                )
            if n_cols > win.c2 - win.c1:
                raise bad_request(
                    f"Requested writing within range [{win.a1()}], but tried writing to column "
                    f"[{a1.column_letter(win.c1 + n_cols - 1)}]"
                )
        sheet = win.sheet
        if n_rows == 0 or n_cols == 0:
            return {"spreadsheetId": self.spreadsheet_id, "updatedRange": win.a1()}
        end_r, end_c = win.r1 + n_rows, win.c1 + n_cols
        if win.r1 >= sheet.row_count or win.c1 >= sheet.col_count:
            raise bad_request(
                f"Range ({a1.quote_title(sheet.title)}!{a1.format_span(win.r1, end_r, win.c1, end_c)}) exceeds grid "
                f"limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
            )
        if end_r > sheet.row_count or end_c > sheet.col_count:
            # Values that run past the grid's edge grow the grid, as Google does.
            grown_rows, grown_cols = max(end_r, sheet.row_count), max(end_c, sheet.col_count)
            self.check_cell_limit(grown_rows * grown_cols - sheet.row_count * sheet.col_count)
            sheet.row_count, sheet.col_count = grown_rows, grown_cols
        parse = parse_user_entered if input_option == "USER_ENTERED" else parse_raw
        rows_touched: set[int] = set()
        cols_touched: set[int] = set()
        count = 0
        for i, row in enumerate(matrix):
            for j, raw in enumerate(row):
                if raw is None:
                    continue
                if isinstance(raw, dict | list):
                    raise bad_request(
                        f"Invalid values[{i}][{j}]: "
                        f"{'struct_value' if isinstance(raw, dict) else 'list_value'} {{\n}}\n"
                    )
                r, c = win.r1 + i, win.c1 + j
                self._store(sheet, r, c, parse(raw))
                rows_touched.add(r)
                cols_touched.add(c)
                count += 1
        self.touch()
        if touched is not None:
            touched.update((sheet.sheet_id, "r", r) for r in rows_touched)
            touched.update((sheet.sheet_id, "c", c) for c in cols_touched)
        updated_win = Window(sheet, win.r1, end_r, win.c1, end_c)
        out: dict[str, Any] = {
            "spreadsheetId": self.spreadsheet_id,
            "updatedRange": updated_win.a1(),
            "updatedRows": len(rows_touched),
            "updatedColumns": len(cols_touched),
            "updatedCells": count,
        }
        if include_values:
            out["updatedData"] = self.value_range(updated_win, "ROWS", value_render, date_render)
        return out

    def _store(self, sheet: Sheet, r: int, c: int, new: Cell) -> None:
        old = sheet.cells.get((r, c))
        if old is not None:
            # Writing values keeps the cell's format, note and validation; a typed-in date sets a format.
            merged = old.copy()
            merged.value, merged.formula = new.value, new.formula
            if new.fmt.get("numberFormat") and not (old.fmt.get("numberFormat")):
                merged.fmt["numberFormat"] = new.fmt["numberFormat"]
            new = merged
        if new.is_blank():
            sheet.cells.pop((r, c), None)
        else:
            sheet.cells[(r, c)] = new

    def clear(self, win: Window) -> None:
        """values.clear: values go, formats and notes stay."""
        cells = win.sheet.cells
        for r, c, cell in win.sheet.used_cells(win):
            kept = Cell(None, None, cell.fmt, cell.note, cell.validation)  # stored cells are never edited
            if kept.is_blank():
                del cells[(r, c)]
            else:
                cells[(r, c)] = kept
        self.touch()

    def append(
        self,
        text: str,
        values: Any,
        major: str | None,
        input_option: str,
        insert_rows: bool,
        include_values: bool,
        value_render: str,
        date_render: str,
    ) -> dict[str, Any]:
        """values.append: find the table in the range and write below it, growing the grid if needed."""
        matrix = _check_matrix(values)
        if major == "COLUMNS":
            width = max((len(r) for r in matrix), default=0)
            matrix = [[col[i] if i < len(col) else None for col in matrix] for i in range(width)]
        win = self.resolve(text, clamp=False)
        sheet = win.sheet
        table = self._find_table(win)
        out: dict[str, Any] = {"spreadsheetId": self.spreadsheet_id}
        if table is None:
            start_r, start_c = win.r1, win.c1
        else:
            out["tableRange"] = table.a1()
            start_r, start_c = table.r2, table.c1
        n_rows = len(matrix)
        n_cols = max((len(r) for r in matrix), default=0)
        if insert_rows and n_rows:
            self.insert_dimension(sheet, "ROWS", start_r, start_r + n_rows, inherit_before=False)
        grow_rows = max(0, start_r + n_rows - sheet.row_count)
        grow_cols = max(0, start_c + n_cols - sheet.col_count)
        if grow_rows or grow_cols:
            self.check_cell_limit(
                (sheet.row_count + grow_rows) * (sheet.col_count + grow_cols) - sheet.row_count * sheet.col_count
            )
            sheet.row_count += grow_rows
            sheet.col_count += grow_cols
        target = Window(sheet, start_r, start_r + max(n_rows, 1), start_c, start_c + max(n_cols, 1))
        out["updates"] = self.write(
            "",
            matrix,
            "ROWS",
            input_option,
            include_values=include_values,
            value_render=value_render,
            date_render=date_render,
            window=target,
        )
        return out

    def _find_table(self, win: Window) -> Window | None:
        """Google's "table" detection for append: the block of data the new rows continue."""
        sheet = win.sheet
        single = win.r2 - win.r1 == 1 and win.c2 - win.c1 == 1
        if single:
            start = sheet.cells.get((win.r1, win.c1))
            if start is None or not start.has_value():
                return None
            return _region(sheet, win.r1, win.c1)
        grid = sheet.cells
        best: Window | None = None
        spanning: list[Window] = []  # regions found so far that reach the current row or below
        for r in range(max(win.r1, 0), min(win.r2, grid.row_end())):
            line = grid.row(r)
            if not line:
                continue
            spanning = [b for b in spanning if b.r2 > r]
            first, last = max(min(line), win.c1), min(max(line), win.c2 - 1)
            if any(b.c1 <= first and last < b.c2 for b in spanning):
                continue  # the row's cells all lie in regions found already (most rows of a table)
            for c in sorted(c for c, cell in line.items() if win.c1 <= c < win.c2 and cell.has_value()):
                if any(b.c1 <= c < b.c2 for b in spanning):
                    continue  # part of a region found already
                region = _region(sheet, r, c, bound=win)
                spanning.append(region)
                if best is None or (region.r2, region.c1) > (best.r2, best.c1):
                    best = region
        return best

    # ------------------------------------------------------------------ dimensions
    def insert_dimension(self, sheet: Sheet, dim: str, start: int, end: int, inherit_before: bool) -> None:
        n = end - start
        self.check_cell_limit(n * (sheet.col_count if dim == "ROWS" else sheet.row_count))
        if dim == "ROWS":
            sheet.cells.insert_rows(start, n)
            sheet.row_count += n
        else:
            sheet.cells.insert_columns(start, n)
            sheet.col_count += n
        self._moved(sheet, dim, shifts.inserted(start, n))

    def delete_dimension(self, sheet: Sheet, dim: str, start: int, end: int) -> None:
        if dim == "ROWS":
            sheet.cells.delete_rows(start, end)
            sheet.row_count -= end - start
        else:
            sheet.cells.delete_columns(start, end)
            sheet.col_count -= end - start
        self._moved(sheet, dim, shifts.deleted(start, end))

    def move_dimension(self, sheet: Sheet, dim: str, start: int, end: int, dest: int) -> None:
        """moveDimension: [start, end) goes before index dest (counted before the move)."""
        if dim == "ROWS":
            sheet.cells.move_rows(start, end, dest)
        else:
            sheet.cells.move_columns(start, end, dest)
        self._moved(sheet, dim, shifts.moved(start, end, dest))

    def _moved(self, sheet: Sheet, dim: str, imap: shifts.IndexMap) -> None:
        """After rows or columns of sheet moved: everything that points at them follows."""
        axis = 0 if dim == "ROWS" else 1
        meta = sheet.row_meta if axis == 0 else sheet.col_meta
        moved_meta = {imap.cell(i): v for i, v in meta.items()}
        meta.clear()
        meta.update({i: v for i, v in moved_meta.items() if i is not None})
        merges = []
        for box in sheet.merges:
            rng = sheet.grid_range(*box)
            rng.setdefault("sheetId", sheet.sheet_id)
            shifts.shift_grid_range(rng, axis, imap)
            box = (rng["startRowIndex"], rng["endRowIndex"], rng["startColumnIndex"], rng["endColumnIndex"])
            if (box[1] - box[0]) * (box[3] - box[2]) > 1:
                merges.append(box)
        sheet.merges = merges
        for rng in self._grid_ranges(sheet):
            shifts.shift_grid_range(rng, axis, imap)
        for group in sheet.groups.get(dim, []):
            shifts.shift_dimension_range(group["range"], imap)
        sheet.groups[dim] = [g for g in sheet.groups.get(dim, []) if g["range"]["endIndex"] > g["range"]["startIndex"]]
        for stored in self.developer_metadata.values():
            rng = stored["location"].get("dimensionRange")
            if rng and int(rng.get("sheetId", 0)) == sheet.sheet_id and rng.get("dimension", "ROWS") == dim:
                shifts.shift_dimension_range(rng, imap)
        self.developer_metadata = {
            k: m
            for k, m in self.developer_metadata.items()
            if "dimensionRange" not in m["location"]
            or m["location"]["dimensionRange"].get("endIndex", 1) > m["location"]["dimensionRange"].get("startIndex", 0)
        }
        for other in self.sheets:
            if not other.cells.may_hold_formulas():
                continue
            for (r, c), cell in list(other.cells.items()):
                if cell.formula is not None:
                    text = shifts.shift_formula(cell.formula, other.title, sheet.title, axis, imap)
                    if text != cell.formula:
                        edited = other.cells[(r, c)] = cell.copy()  # stored cells are never edited in place
                        edited.formula = text

    def _grid_ranges(self, sheet: Sheet) -> list[dict[str, Any]]:
        """Every GridRange on sheet that moves with its cells."""
        ranges = [nr["range"] for nr in self.named_ranges.values() if nr["range"].get("sheetId", 0) == sheet.sheet_id]
        ranges += [p["range"] for p in sheet.protected_ranges]
        ranges += [r for rule in sheet.conditional_formats for r in rule.get("ranges", [])]
        ranges += [b["range"] for b in sheet.bandings if "range" in b]
        ranges += [v["range"] for v in sheet.filter_views if "range" in v]
        ranges += [t["range"] for t in sheet.tables if "range" in t]
        if sheet.basic_filter and "range" in sheet.basic_filter:
            ranges.append(sheet.basic_filter["range"])
        return ranges


class _Resolver:
    """What a formula's references read: computed values of a block of cells, and a cell's format type."""

    def __init__(self, book: Spreadsheet, depth: int) -> None:
        self.book, self.depth = book, depth

    def _sheet(self, title: str | None) -> Sheet:
        from sheetkit.testing.functions import FormulaError

        target = self.book.sheets[0] if title is None else self.book.sheet_by_title(title)
        if target is None:
            raise FormulaError("#REF!")
        return target

    def __call__(self, title: str | None, r1: int, r2: int, c1: int, c2: int) -> list[list[Any]]:
        target = self._sheet(title)
        grid = target.cells
        rows = []
        for r in range(r1, min(r2, grid.row_end())):
            line = grid.row(r)
            rows.append(
                [
                    self.book.computed(cell, self.depth + 1) if (cell := line.get(c)) is not None else None
                    for c in range(c1, c2)
                ]
            )
        rows.extend([None] * (c2 - c1) for _ in range(max(0, r2 - max(r1, grid.row_end()))))
        return rows

    def format_type(self, title: str | None, r: int, c: int) -> str | None:
        cell = self._sheet(title).cells.get((r, c))
        if cell is None:
            return None
        nf = self.book.effective_number_format(cell) if self.depth < 50 else cell.fmt.get("numberFormat")
        kind = (nf or {}).get("type")
        return kind if kind in ("DATE", "TIME", "DATE_TIME") else None


def _region(sheet: Sheet, r: int, c: int, bound: Window | None = None) -> Window:
    """Grow a box from one cell while any filled cell touches it (Excel's "current region").

    Each side is pushed out while the row or column next to it (corners included) holds a value,
    so a 100,000-row table costs one walk down its rows rather than a pass over all its cells per row.
    """
    cells = sheet.cells
    lo_r, hi_r = (bound.r1, bound.r2) if bound else (0, sheet.row_count)
    lo_c, hi_c = (bound.c1, bound.c2) if bound else (0, sheet.col_count)

    def filled(rr: int, cc: int) -> bool:
        cell = cells.get((rr, cc))
        return cell is not None and cell.has_value()

    def probe(line: int, is_row: bool, a: int, b: int) -> tuple[int, bool, int]:
        """Values on a row (or column) next to the box spanning [a, b): (1 at a-1, any, 1 at b)."""
        lo, hi = (lo_c, hi_c) if is_row else (lo_r, hi_r)

        def at(i: int) -> bool:
            return filled(line, i) if is_row else filled(i, line)

        before = a > lo and at(a - 1)
        after = b < hi and at(b)
        return int(before), before or after or any(at(i) for i in range(a, b)), int(after)

    r1, r2, c1, c2 = r, r + 1, c, c + 1
    changed = True
    while changed:
        changed = False
        while r2 < hi_r and (hit := probe(r2, True, c1, c2))[1]:  # the row below
            r2, c1, c2, changed = r2 + 1, c1 - hit[0], c2 + hit[2], True
        while r1 > lo_r and (hit := probe(r1 - 1, True, c1, c2))[1]:  # the row above
            r1, c1, c2, changed = r1 - 1, c1 - hit[0], c2 + hit[2], True
        while c2 < hi_c and (hit := probe(c2, False, r1, r2))[1]:  # the column to the right
            c2, r1, r2, changed = c2 + 1, r1 - hit[0], r2 + hit[2], True
        while c1 > lo_c and (hit := probe(c1 - 1, False, r1, r2))[1]:  # the column to the left
            c1, r1, r2, changed = c1 - 1, r1 - hit[0], r2 + hit[2], True
    return Window(sheet, r1, r2, c1, c2)


def _check_matrix(values: Any) -> list[list[Any]]:
    """Google's check that "values" is a list of lists (the error text is copied from a real reply)."""
    if values is None:
        return []
    if not isinstance(values, list):
        import json

        shown = json.dumps(values, ensure_ascii=False)
        message = f"Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), {shown}"
        raise ApiError(
            400,
            message,
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": "data.values", "description": message}],
                }
            ],
        )
    rows: list[list[Any]] = []
    for i, row in enumerate(values):
        if not isinstance(row, list):
            import json

            shown = json.dumps(row, ensure_ascii=False)
            message = f"Invalid value at 'data.values[{i}]' (type.googleapis.com/google.protobuf.ListValue), {shown}"
            raise ApiError(
                400,
                message,
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [{"field": f"data.values[{i}]", "description": message}],
                    }
                ],
            )
        rows.append(row)
    return rows
