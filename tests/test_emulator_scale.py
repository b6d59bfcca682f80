"""The emulator's fast paths for 100,000-row sheets answer exactly as the simple ones did.

Cells live in a row list (``Grid``) so row inserts splice a list and batches fork by copy on
write; reads, appends and grid data visit only the rows and cells a window holds; replies are
printed by a faster writer. Each is checked here against the straightforward version.
"""

from __future__ import annotations

import json
from typing import Any

import gspread
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetkit.testing import SheetsEmulator
from sheetkit.testing.grid import Grid
from sheetkit.testing.model import Sheet, Spreadsheet, Window
from sheetkit.testing.values import Cell
from sheetkit.testing.wire import dumps

Client = gspread.Client
Key = tuple[int, int]

# --------------------------------------------------------------------------- the row list


def _shifted(cells: dict[Key, Cell], axis: int, start: int, n: int, gone: range = range(0)) -> dict[Key, Cell]:
    """The former flat-dict way to insert (n > 0) or delete (keys on gone dropped) rows or columns."""
    out: dict[Key, Cell] = {}
    for key, cell in cells.items():
        if key[axis] in gone:
            continue
        moved = key[axis] + n if key[axis] >= start else key[axis]
        out[(moved, key[1]) if axis == 0 else (key[0], moved)] = cell
    return out


ops = st.lists(
    st.tuples(
        st.sampled_from(["set", "set", "pop", "insert", "delete", "copy"]),
        st.integers(-2, 9),
        st.integers(-2, 9),
        st.integers(0, 1),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(ops)
def test_grid_behaves_like_a_dict_and_copies_stay_apart(steps: list[tuple[str, int, int, int]]) -> None:
    grid: Grid = Grid()
    model: dict[Key, Cell] = {}
    frozen: list[tuple[Grid, dict[Key, Cell]]] = []  # copies left alone: they must not change
    for i, (op, a, b, flag) in enumerate(steps):
        if op == "set":
            grid[(a, b)] = model[(a, b)] = Cell(value=float(i))
        elif op == "pop":
            assert grid.pop((a, b), None) is model.pop((a, b), None)
        elif op in ("insert", "delete"):
            start, n = abs(a), b % 3 + 1
            if op == "insert":
                model = _shifted(model, flag, start, n)
                (grid.insert_rows if flag == 0 else grid.insert_columns)(start, n)
            else:
                model = _shifted(model, flag, start + n, -n, range(start, start + n))
                (grid.delete_rows if flag == 0 else grid.delete_columns)(start, start + n)
        else:  # go on with the copy and leave the original alone, or the other way round
            clone = grid.copy()
            left, grid = (grid, clone) if flag else (clone, grid)
            frozen.append((left, dict(model)))
        assert dict(grid.items()) == model
        assert len(grid) == len(model) and set(grid) == set(model)
        assert all(grid.get(key) is cell and key in grid for key, cell in model.items())
    for left, expected in frozen:
        assert dict(left.items()) == expected


positions = st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30)
windows = st.tuples(st.integers(0, 7), st.integers(0, 8), st.integers(0, 7), st.integers(0, 8))


def _sheet_with(cells: set[Key], rows: int = 8, cols: int = 8) -> tuple[Spreadsheet, Sheet]:
    sheet = Sheet(0, "S", rows, cols)
    sheet.cells = Grid((key, Cell(value=f"{key}")) for key in sorted(cells))
    book = Spreadsheet("id", "t")
    book.sheets.append(sheet)
    return book, sheet


@settings(max_examples=300, deadline=None)
@given(positions, windows)
def test_used_cells_are_the_stored_cells_inside_the_window(cells: set[Key], box: tuple[int, int, int, int]) -> None:
    _, sheet = _sheet_with(cells)
    found = sheet.used_cells(Window(sheet, *box))
    assert sorted((r, c) for r, c, _ in found) == sorted(
        (r, c) for r, c in cells if box[0] <= r < box[1] and box[2] <= c < box[3]
    )
    assert all(cell is sheet.cells[(r, c)] for r, c, cell in found)


def test_a_batch_of_single_row_inserts_and_deletes(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    """What a sync sends: one insertDimension or deleteDimension per row, all in one batch."""
    sid = sheets_emulator.create_spreadsheet("rows", {"S": [[f"r{i}", i] for i in range(30)]})
    sh = gspread_client.open_by_key(sid)
    expected: list[list[Any]] = [[f"r{i}", i] for i in range(30)]
    requests = []
    for kind, at in [("delete", 25), ("delete", 7), ("delete", 3), ("insert", 1), ("insert", 5), ("insert", 27)]:
        rng = {"sheetId": 0, "dimension": "ROWS", "startIndex": at, "endIndex": at + 1}
        requests.append({f"{kind}Dimension": {"range": rng}})
        if kind == "delete":
            del expected[at]
        else:
            expected.insert(at, [])
    sh.batch_update({"requests": requests})
    assert sh.values_get("S!A1:B40", params={"valueRenderOption": "UNFORMATTED_VALUE"})["values"] == expected
    assert sh.sheet1.row_count == 1000


# --------------------------------------------------------------------------- reads


def test_reads_of_windows_wider_than_the_data(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("wide", {"S": [["a", "", "b"], [], ["", "c"]]}, rows=5, columns=30)
    sh = gspread_client.open_by_key(sid)
    assert sh.values_get("S!A:AD")["values"] == [["a", "", "b"], [], ["", "c"]]
    assert sh.values_get("S!B1:AD5", params={"majorDimension": "COLUMNS"})["values"] == [["", "", "c"], ["b"]]
    assert sh.values_get("S!D1:AD5") == {"range": "S!D1:AD5", "majorDimension": "ROWS"}
    assert sh.values_get("S!A4:C5") == {"range": "S!A4:C5", "majorDimension": "ROWS"}


def test_grid_data_of_a_sparse_range(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    sid = sheets_emulator.create_spreadsheet("sparse", {"S": [["", "a"], [], [], ["", "", "b"], ["c"]]})
    sheet = gspread_client.open_by_key(sid).fetch_sheet_metadata(
        params={"includeGridData": "true", "ranges": "S!B1:C4", "fields": "sheets.data.rowData.values.formattedValue"}
    )["sheets"][0]
    assert sheet["data"][0]["rowData"] == [
        {"values": [{"formattedValue": "a"}]},
        {},
        {},
        {"values": [{}, {"formattedValue": "b"}]},
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text() | st.integers() | st.floats() | st.booleans() | st.none(), inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_replies_are_printed_as_json_dumps_prints_them(value: Any) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


# --------------------------------------------------------------------------- append's table detection


def _region_by_scans(filled: set[Key], r: int, c: int, bound: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The emulator's former "current region": rescan every filled cell until the box stops growing."""
    r1, r2, c1, c2 = r, r + 1, c, c + 1
    changed = True
    while changed:
        changed = False
        for rr, cc in filled:
            if not (bound[0] <= rr < bound[1] and bound[2] <= cc < bound[3]):
                continue
            if r1 - 1 <= rr <= r2 and c1 - 1 <= cc <= c2 and not (r1 <= rr < r2 and c1 <= cc < c2):
                r1, r2, c1, c2 = min(r1, rr), max(r2, rr + 1), min(c1, cc), max(c2, cc + 1)
                changed = True
    return r1, r2, c1, c2


def _table_by_scans(filled: set[Key], box: tuple[int, int, int, int]) -> tuple[int, ...] | None:
    """The emulator's former table detection for values.append, kept as the reference."""
    if box[1] - box[0] == 1 and box[3] - box[2] == 1:
        return _region_by_scans(filled, box[0], box[2], (0, 8, 0, 8)) if (box[0], box[2]) in filled else None
    inside = sorted(p for p in filled if box[0] <= p[0] < box[1] and box[2] <= p[1] < box[3])
    best: tuple[int, int, int, int] | None = None
    seen: set[Key] = set()
    for r, c in inside:
        if (r, c) in seen:
            continue
        region = _region_by_scans(filled, r, c, box)
        seen.update(p for p in inside if region[0] <= p[0] < region[1] and region[2] <= p[1] < region[3])
        if best is None or (region[1], region[2]) > (best[1], best[2]):
            best = region
    return best


@settings(max_examples=500, deadline=None)
@given(positions, windows)
def test_append_finds_the_same_table_as_a_full_rescan(cells: set[Key], box: tuple[int, int, int, int]) -> None:
    book, sheet = _sheet_with(cells)
    table = book._find_table(Window(sheet, *box))
    found = None if table is None else (table.r1, table.r2, table.c1, table.c2)
    assert found == _table_by_scans(cells, box)


def test_append_continues_the_lowest_table(gspread_client: Client, sheets_emulator: SheetsEmulator) -> None:
    rows = [["a", "b"], ["c", ""], [], ["", "", "", "d"], ["", "", "e", ""]]
    sid = sheets_emulator.create_spreadsheet("tables", {"S": rows})
    reply = gspread_client.open_by_key(sid).values_append(
        "S", params={"valueInputOption": "RAW"}, body={"values": [["x"]]}
    )
    assert reply["tableRange"] == "S!C4:D5"  # d and e touch diagonally: one table
    assert reply["updates"]["updatedRange"] == "S!C6"
