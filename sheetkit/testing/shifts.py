"""Where things go when rows or columns are inserted, deleted or moved: ranges and formula references.

Google keeps every reference pointing at the same cells: ``=A1*2`` in B1 becomes ``=A2*2`` when a
row is inserted above, ``=#REF!*2`` when row 1 is deleted; a range grows when rows are inserted
inside it and shrinks when some of its rows are deleted. Named and protected ranges, filters,
conditional formats, bandings, groups and metadata on rows move the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheetkit.testing import a1


@dataclass(frozen=True)
class IndexMap:
    """How row (or column) indexes move: ``cell`` is None for a deleted one; ``start``/``end`` bound ranges."""

    cell: Callable[[int], int | None]
    start: Callable[[int], int]
    end: Callable[[int], int]


def inserted(at: int, n: int) -> IndexMap:
    return IndexMap(
        cell=lambda i: i + n if i >= at else i,
        start=lambda i: i + n if i >= at else i,
        end=lambda i: i + n if i > at else i,
    )


def deleted(lo: int, hi: int) -> IndexMap:
    n = hi - lo
    return IndexMap(
        cell=lambda i: i if i < lo else (None if i < hi else i - n),
        start=lambda i: i if i < lo else (lo if i < hi else i - n),
        end=lambda i: i if i <= lo else (lo if i <= hi else i - n),
    )


def moved(lo: int, hi: int, dest: int) -> IndexMap:
    """moveDimension: [lo, hi) goes before index dest (counted before the move)."""
    n = hi - lo

    def cell(i: int) -> int:
        if lo <= i < hi:
            return i - lo + (dest if dest < lo else dest - n)
        if dest <= i < lo:
            return i + n
        if hi <= i < dest:
            return i - n
        return i

    return IndexMap(cell=cell, start=cell, end=lambda i: cell(i - 1) + 1 if i > 0 else 0)


def shift_grid_range(rng: dict[str, Any], axis: int, imap: IndexMap) -> None:
    """Move a GridRange's bounds on one axis (0 rows, 1 columns) in place."""
    lo, hi = ("startRowIndex", "endRowIndex") if axis == 0 else ("startColumnIndex", "endColumnIndex")
    if lo in rng:
        rng[lo] = imap.start(int(rng[lo]))
    if hi in rng:
        rng[hi] = imap.end(int(rng[hi]))


def shift_dimension_range(rng: dict[str, Any], imap: IndexMap) -> None:
    """Move a DimensionRange (startIndex/endIndex) in place."""
    if "startIndex" in rng:
        rng["startIndex"] = imap.start(int(rng["startIndex"]))
    if "endIndex" in rng:
        rng["endIndex"] = imap.end(int(rng["endIndex"]))


# --------------------------------------------------------------------------- formula references

_REF_RE = re.compile(
    r"""(?<![\w.$'!])
    (?P<sheet>(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
    (?:
        (?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?
      | (?P<cc1>\$?[A-Za-z]{1,3}):(?P<cc2>\$?[A-Za-z]{1,3})
      | (?P<rr1>\$?\d+):(?P<rr2>\$?\d+)
    )
    (?![\w(!])""",
    re.VERBOSE,
)
_STRING_RE = re.compile(r'"(?:[^"]|"")*"')


def _sheet_of(prefix: str | None, own: str) -> str:
    if not prefix:
        return own
    name = prefix[:-1]
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


def shift_formula(formula: str, own_sheet: str, target_sheet: str, axis: int, imap: IndexMap) -> str:
    """The formula with its references to target_sheet moved; a reference to deleted cells is #REF!."""
    if target_sheet.casefold() != own_sheet.casefold() and target_sheet.casefold() not in formula.casefold():
        return formula  # no reference to the changed sheet can be in it

    def fix(m: re.Match[str]) -> str:
        if _sheet_of(m.group("sheet"), own_sheet).casefold() != target_sheet.casefold():
            return m.group(0)
        prefix = m.group("sheet") or ""
        if m.group("c1"):
            c1, r1 = m.group("c1"), m.group("r1")
            c2, r2 = m.group("c2"), m.group("r2")
            if axis == 0:
                new = _move_pair(r1, r2, imap, _row_index, _row_text)
            else:
                new = _move_pair(c1, c2, imap, _col_index, _col_text)
            if new is None:
                return "#REF!"
            first, second = new
            if axis == 0:
                return prefix + c1 + first + (f":{c2}{second}" if second is not None else "")
            return prefix + first + r1 + (f":{second}{r2}" if second is not None else "")
        if m.group("cc1"):
            if axis == 0:
                return m.group(0)
            new = _move_pair(m.group("cc1"), m.group("cc2"), imap, _col_index, _col_text)
        else:
            if axis == 1:
                return m.group(0)
            new = _move_pair(m.group("rr1"), m.group("rr2"), imap, _row_index, _row_text)
        if new is None or new[1] is None:
            return "#REF!"
        return f"{prefix}{new[0]}:{new[1]}"

    parts = []
    last = 0
    for s in _STRING_RE.finditer(formula):  # references inside string literals are text
        parts.append(_REF_RE.sub(fix, formula[last : s.start()]))
        parts.append(s.group(0))
        last = s.end()
    parts.append(_REF_RE.sub(fix, formula[last:]))
    return "".join(parts)


def _row_index(text: str) -> int:
    return int(text.lstrip("$")) - 1


def _row_text(old: str, index: int) -> str:
    return ("$" if old.startswith("$") else "") + str(index + 1)


def _col_index(text: str) -> int:
    return a1.column_index(text.lstrip("$"))


def _col_text(old: str, index: int) -> str:
    return ("$" if old.startswith("$") else "") + a1.column_letter(index)


def _move_pair(
    first: str,
    second: str | None,
    imap: IndexMap,
    index: Callable[[str], int],
    text: Callable[[str, int], str],
) -> tuple[str, str | None] | None:
    """New text of one reference's two ends on the moved axis (None: the cells are gone)."""
    if second is None:
        moved_to = imap.cell(index(first))
        return None if moved_to is None else (text(first, moved_to), None)
    lo, hi = sorted((index(first), index(second)))
    new_lo, new_hi = imap.start(lo), imap.end(hi + 1) - 1
    if new_hi < new_lo:
        return None
    return text(first, new_lo), text(second, new_hi)
