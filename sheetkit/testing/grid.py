"""The stored cells of one emulated sheet: a mapping (row, column) -> Cell kept as a list of rows.

A flat dict keyed by (row, column) had to re-key every cell to insert or delete one row: a second
per insertDimension on a 100,000-row sheet, so a batch inserting 1,000 rows took a quarter of an hour.
Here rows are list slots holding {column: Cell} dicts, so a row insert is one list splice and a
window is read row by row. A copy shares the row dicts until one side writes to a row (copy on
write), so the fork every batch works on costs one list copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from sheetkit.testing.values import Cell

Key = tuple[int, int]
_EMPTY: dict[int, Cell] = {}  # what row() gives for a row that stores nothing; never written to
_MISSING: Any = object()


class Grid(MutableMapping[Key, Cell]):
    """Cells by (row, column), row-major. Iteration goes row by row; order carries no meaning.

    Negative rows cannot be list slots: the odd cell a request puts there (updateCells with a
    negative start) is kept in a side dict, unmoved by row inserts as before.
    """

    __slots__ = ("_above", "_formulas", "_own", "_rows", "_size")

    def __init__(self, cells: Mapping[Key, Cell] | Iterable[tuple[Key, Cell]] = ()) -> None:
        self._rows: list[dict[int, Cell] | None] = []
        self._own = bytearray()  # _own[r] == 1: _rows[r] is this grid's alone, 0: shared with a copy
        self._above: dict[Key, Cell] = {}
        self._size = 0
        self._formulas = False  # set once a formula is stored: only then can row moves need formula fixes
        self.update(cells)

    def _writable(self, r: int) -> dict[int, Cell]:
        """Row r as a dict this grid alone holds (copied first if shared, created if absent)."""
        rows = self._rows
        if r >= len(rows):
            rows.extend([None] * (r + 1 - len(rows)))
            self._own.extend(bytes(r + 1 - len(self._own)))
        row = rows[r]
        if row is None or not self._own[r]:
            row = rows[r] = {} if row is None else dict(row)
            self._own[r] = 1
        return row

    # ------------------------------------------------------------------ mapping protocol
    def __len__(self) -> int:
        return self._size + len(self._above)

    def __iter__(self) -> Iterator[Key]:
        yield from self._above
        for r, row in enumerate(self._rows):
            if row:
                for c in row:
                    yield r, c

    def __contains__(self, key: object) -> bool:
        try:
            return self.get(key) is not None  # type: ignore[arg-type]
        except (TypeError, ValueError):  # not a (row, column) pair
            return False

    def get(self, key: Key, default: Any = None) -> Any:
        r, c = key
        if 0 <= r < len(self._rows):
            row = self._rows[r]
            if row is not None:
                return row.get(c, default)
        elif r < 0:
            return self._above.get(key, default)
        return default

    def __getitem__(self, key: Key) -> Cell:
        cell = self.get(key)
        if cell is None:
            raise KeyError(key)
        return cell

    def __setitem__(self, key: Key, cell: Cell) -> None:
        r, c = key
        if cell.formula is not None:
            self._formulas = True
        if r < 0:
            self._above[(r, c)] = cell
            return
        row = self._writable(r)
        if c not in row:
            self._size += 1
        row[c] = cell

    def __delitem__(self, key: Key) -> None:
        if self.pop(key, None) is None:
            raise KeyError(key)

    def pop(self, key: Key, default: Any = _MISSING) -> Any:
        r, c = key
        if r < 0:
            return self._above.pop(key) if default is _MISSING else self._above.pop(key, default)
        row = self._rows[r] if r < len(self._rows) else None
        if row is None or c not in row:
            if default is _MISSING:
                raise KeyError(key)
            return default
        row = self._writable(r)
        cell = row.pop(c)
        self._size -= 1
        if not row:
            self._rows[r] = None
        return cell

    def items(self) -> Iterator[tuple[Key, Cell]]:  # type: ignore[override]
        yield from self._above.items()
        for r, row in enumerate(self._rows):
            if row:
                for c, cell in row.items():
                    yield (r, c), cell

    def values(self) -> Iterator[Cell]:  # type: ignore[override]
        yield from self._above.values()
        for row in self._rows:
            if row:
                yield from row.values()

    def __repr__(self) -> str:
        return f"Grid({dict(self.items())!r})"

    # ------------------------------------------------------------------ fast paths
    def copy(self) -> Grid:
        """An independent grid holding the same Cell objects (stored cells are never edited in place).

        Row dicts are shared until either grid writes to a row, so both now treat every row as shared.
        """
        clone = Grid()
        clone._rows = list(self._rows)
        clone._own = bytearray(len(self._rows))
        self._own = bytearray(len(self._rows))
        clone._above = dict(self._above)
        clone._size = self._size
        clone._formulas = self._formulas
        return clone

    __copy__ = copy  # copy.copy must not share the row list

    def row(self, r: int) -> Mapping[int, Cell]:
        """Row r as {column: Cell}; read only."""
        row = self._rows[r] if 0 <= r < len(self._rows) else None
        return row or _EMPTY

    def may_hold_formulas(self) -> bool:
        """False when no formula was ever stored here (so no reference needs moving)."""
        return self._formulas

    def row_end(self) -> int:
        """One past the last row that may hold a cell."""
        return len(self._rows)

    def column_end(self, r1: int, r2: int) -> int:
        """One past the last column holding a cell in rows [r1, r2)."""
        return max((max(row) + 1 for row in self._rows[max(r1, 0) : max(r2, 0)] if row), default=0)

    def window(self, r1: int, r2: int, c1: int, c2: int) -> list[tuple[int, int, Cell]]:
        """(row, column, cell) of the stored cells in rows [r1, r2) and columns [c1, c2), row by row."""
        found = [(r, c, cell) for (r, c), cell in self._above.items() if r1 <= r < r2 and c1 <= c < c2]
        rows = self._rows
        for r in range(max(r1, 0), min(r2, len(rows))):
            row = rows[r]
            if not row:
                continue
            if c2 - c1 < len(row):
                for c in range(c1, c2):
                    cell = row.get(c)
                    if cell is not None:
                        found.append((r, c, cell))
            else:
                found.extend((r, c, cell) for c, cell in row.items() if c1 <= c < c2)
        return found

    # ------------------------------------------------------------------ inserting and deleting
    def insert_rows(self, start: int, n: int) -> None:
        """Rows at start and below move down by n."""
        if start < len(self._rows):
            self._rows[start:start] = [None] * n
            self._own[start:start] = bytes(n)

    def delete_rows(self, start: int, end: int) -> None:
        """Rows [start, end) go; rows below move up."""
        gone = self._rows[start:end]
        self._size -= sum(len(row) for row in gone if row)
        del self._rows[start:end]
        del self._own[start:end]

    def insert_columns(self, start: int, n: int) -> None:
        """Columns at start and to the right move right by n."""
        for r, row in enumerate(self._rows):
            if row and max(row) >= start:
                self._rows[r] = {(c + n if c >= start else c): cell for c, cell in row.items()}
                self._own[r] = 1
        self._above = {((r, c + n) if c >= start else (r, c)): cell for (r, c), cell in self._above.items()}

    def delete_columns(self, start: int, end: int) -> None:
        """Columns [start, end) go; columns to the right move left."""
        n = end - start
        for r, row in enumerate(self._rows):
            if row and max(row) >= start:
                kept = {(c - n if c >= end else c): cell for c, cell in row.items() if not start <= c < end}
                self._size -= len(row) - len(kept)
                self._rows[r] = kept or None
                self._own[r] = 1
        self._above = {
            ((r, c - n) if c >= end else (r, c)): cell for (r, c), cell in self._above.items() if not start <= c < end
        }

    def move_rows(self, start: int, end: int, dest: int) -> None:
        """Rows [start, end) go before row dest (counted before the move), as moveDimension does."""
        length = max(len(self._rows), dest, end)
        self._rows.extend([None] * (length - len(self._rows)))
        self._own.extend(bytes(length - len(self._own)))
        block, owned = self._rows[start:end], self._own[start:end]
        del self._rows[start:end]
        del self._own[start:end]
        at = dest if dest <= start else dest - (end - start)
        self._rows[at:at] = block
        self._own[at:at] = owned

    def move_columns(self, start: int, end: int, dest: int) -> None:
        """Columns [start, end) go before column dest (counted before the move)."""
        n = end - start

        def moved(c: int) -> int:
            if start <= c < end:
                return c - start + (dest if dest < start else dest - n)
            if dest <= c < start:
                return c + n
            if end <= c < dest:
                return c - n
            return c

        for r, row in enumerate(self._rows):
            if row:
                self._rows[r] = {moved(c): cell for c, cell in row.items()}
                self._own[r] = 1
        self._above = {(r, moved(c)): cell for (r, c), cell in self._above.items()}
