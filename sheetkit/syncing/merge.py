"""Three-way merge of the two copies of a contact sheet against their last synced state.

``sheetkit sync`` keeps a local workbook and a Google Sheet in step the way Unison keeps two
folders: it remembers what both copies held after the last sync (the *base*) and asks, cell by
cell, who changed what since. A change on one side is copied to the other; different changes
on both sides are a conflict, left alone on both sides and reported (unless ``prefer`` picks a
side). Nothing here reads or writes: the caller reads both copies into :class:`Snapshot`
objects, calls :func:`merge`, writes each :class:`SideChanges`, then stores
:attr:`SyncPlan.next_base` as the base of the next sync.

How an open conflict survives a sync: for a conflicting cell the next base keeps the value the
cell had in the old base, or *no value at all* (the cell is left out of its row dict) when there
was none, never one side's value. The next merge therefore sees two different changes again and
reports the conflict again, until the copies agree, or one side goes back to the base value
(then the other side's value is copied, as in any three-way merge).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sheetkit.core.cells import CellValue
from sheetkit.core.values import is_blank, values_equal
from sheetkit.errors import MassDeleteError, UsageError
from sheetkit.syncing.plan import (
    CellChange,
    ColumnChange,
    Conflict,
    RowAdd,
    RowConflict,
    Side,
    SideChanges,
    Snapshot,
    SyncPlan,
    other_side,
)

_SIDES: tuple[Side, Side] = ("local", "remote")


def apply(snapshot: Snapshot, changes: SideChanges) -> Snapshot:
    """The snapshot after ``changes`` (pure); raises ValueError when they do not fit it."""
    columns = snapshot.columns + changes.add_columns
    if len(set(columns)) != len(columns):
        raise ValueError(f"cannot add columns {list(changes.add_columns)}: some already exist")
    rows = {key: dict(row) for key, row in snapshot.rows.items()}
    for key in changes.delete_rows:
        if rows.pop(key, None) is None:
            raise ValueError(f"cannot delete row {key!r}: no such row")
    known = set(columns)
    for change in changes.update_cells:
        if change.key not in rows or change.column not in known:
            raise ValueError(f"cannot set ({change.key!r}, {change.column!r}): no such row or column")
        rows[change.key][change.column] = change.value
    order = list(rows)
    for add in changes.add_rows:
        if add.key in rows:
            raise ValueError(f"cannot add row {add.key!r}: it already exists")
        if not set(add.values) <= known:
            raise ValueError(f"cannot add row {add.key!r}: no columns {sorted(set(add.values) - known)}")
        if add.after is not None and add.after not in rows:
            raise ValueError(f"cannot add row {add.key!r} after {add.after!r}: no such row")
        rows[add.key] = {c: add.values.get(c) for c in columns}
        order.insert(order.index(add.after) + 1 if add.after is not None else len(order), add.key)
    return Snapshot(columns, {key: rows[key] for key in order})


class _Target:
    """Changes being collected for one copy."""

    def __init__(self, snapshot: Snapshot, add_columns: list[str]) -> None:
        self.snapshot = snapshot
        self.add_columns = add_columns
        self.deletes: list[str] = []
        self.updates: list[CellChange] = []
        self.adds: dict[str, dict[str, CellValue]] = {}

    def changes(self, source: Snapshot) -> SideChanges:
        """Freeze, in the copy's own order; added rows go after their predecessor in ``source``."""
        row_pos = {key: i for i, key in enumerate(self.snapshot.rows)}
        col_pos = {c: i for i, c in enumerate(self.snapshot.columns + tuple(self.add_columns))}
        updates = sorted(self.updates, key=lambda c: (row_pos[c.key], col_pos[c.column]))
        deleted = set(self.deletes)
        present = {key for key in self.snapshot.rows if key not in deleted} | set(self.adds)
        adds: list[RowAdd] = []
        last: str | None = None
        for key in source.rows:
            if key in self.adds:
                adds.append(RowAdd(key, last, self.adds[key]))
            if key in present:
                last = key
        deletes = tuple(key for key in self.snapshot.rows if key in deleted)
        return SideChanges(tuple(self.add_columns), deletes, tuple(updates), tuple(adds))


@dataclass(frozen=True)
class _Columns:
    shared: tuple[str, ...]  # merged cell by cell
    added_to: dict[Side, tuple[str, ...]]  # new on the other side, to add to this one
    kept: tuple[str, ...]  # in the base, deleted on one side only: reported, kept in the base
    changes: tuple[ColumnChange, ...]


def _merge_columns(base: Snapshot, copies: Mapping[Side, Snapshot], ignore: frozenset[str]) -> _Columns:
    visible = {side: [c for c in copies[side].columns if c not in ignore] for side in _SIDES}
    in_base = {c for c in base.columns if c not in ignore}
    remote_set = set(visible["remote"])
    shared = tuple(c for c in visible["local"] if c in remote_set)
    added_to: dict[Side, tuple[str, ...]] = {}
    changes: list[ColumnChange] = []
    for side in _SIDES:
        mine, theirs = set(visible[side]), set(visible[other_side(side)])
        new = [c for c in visible[side] if c not in theirs and c not in in_base]
        added_to[other_side(side)] = tuple(new)
        lost = [c for c in base.columns if c in in_base and c not in mine]
        renamed: dict[str, str] = {}
        for old in lost:
            position = base.columns.index(old)
            columns = copies[side].columns
            if position < len(columns) and columns[position] in new:
                renamed[columns[position]] = old
        changes.extend(ColumnChange("renamed", side, c, renamed[c]) for c in new if c in renamed)
        changes.extend(ColumnChange("added", side, c) for c in new if c not in renamed)
        changes.extend(ColumnChange("deleted", side, c) for c in lost if c in theirs and c not in renamed.values())
    kept = tuple(c for c in base.columns if c in in_base and (c in remote_set) != (c in set(visible["local"])))
    return _Columns(shared, added_to, kept, tuple(changes))


_MISSING: Any = object()


def merge(
    base: Snapshot | None,
    local: Snapshot,
    remote: Snapshot,
    *,
    prefer: Side | None = None,
    ignore: frozenset[str] = frozenset(),
    max_delete_fraction: float = 0.5,
    allow_mass_delete: bool = False,
) -> SyncPlan:
    """Plan a sync of ``local`` and ``remote`` against ``base`` (None: first sync, no state).

    Args:
        prefer: the side that wins conflicts; None leaves them open, as they are on both sides.
        ignore: columns never merged (computed columns the caller recomputes afterwards).
        max_delete_fraction: the most rows a sync may delete from one copy, as a share of the base.
        allow_mass_delete: skip that check.

    Raises:
        MassDeleteError: the plan deletes too many rows from a copy.
        UsageError: ``prefer`` or ``max_delete_fraction`` cannot be used.
    """
    if prefer not in (None, "local", "remote"):
        raise UsageError(f"prefer must be 'local', 'remote' or None (got {prefer!r})")
    if not 0 <= max_delete_fraction <= 1:
        raise UsageError(f"max_delete_fraction must be between 0 and 1 (got {max_delete_fraction!r})")
    old = base if base is not None else Snapshot((), {})
    copies: dict[Side, Snapshot] = {"local": local, "remote": remote}
    columns = _merge_columns(old, copies, ignore)
    targets = {side: _Target(copies[side], list(columns.added_to[side])) for side in _SIDES}
    conflicts: list[Conflict] = []
    row_conflicts: list[RowConflict] = []
    resolved: list[Conflict | RowConflict] = []

    def add_row(key: str, source: Side) -> None:
        target = other_side(source)
        final = copies[target].columns + columns.added_to[target]
        row = copies[source].rows[key]
        targets[target].adds[key] = {c: row[c] for c in final if c not in ignore and not is_blank(row.get(c))}

    for key in list(local.rows) + [key for key in remote.rows if key not in local.rows]:
        base_row = old.rows.get(key)
        if key in local.rows and key in remote.rows:
            lrow, rrow = local.rows[key], remote.rows[key]
            for column in columns.shared:
                lv, rv = lrow.get(column), rrow.get(column)
                if values_equal(lv, rv):
                    continue
                bv = base_row.get(column, _MISSING) if base_row is not None else _MISSING
                if bv is not _MISSING and values_equal(lv, bv):
                    targets["local"].updates.append(CellChange(key, column, rv, lv))
                elif bv is not _MISSING and values_equal(rv, bv):
                    targets["remote"].updates.append(CellChange(key, column, lv, rv))
                else:
                    found = Conflict(key, column, None if bv is _MISSING else bv, lv, rv, bv is not _MISSING)
                    if prefer is None:
                        conflicts.append(found)
                        continue
                    resolved.append(replace(found, winner=prefer))
                    won, lost = (lv, rv) if prefer == "local" else (rv, lv)
                    targets[other_side(prefer)].updates.append(CellChange(key, column, won, lost))
            for side in _SIDES:  # cells of columns the other side added
                other_row = copies[other_side(side)].rows[key]
                for column in columns.added_to[side]:
                    if not is_blank(other_row.get(column)):
                        targets[side].updates.append(CellChange(key, column, other_row[column], None))
            continue
        source: Side = "local" if key in local.rows else "remote"
        if base_row is None:  # added on one side
            add_row(key, source)
            continue
        row = copies[source].rows[key]  # deleted on the other side: was it edited here?
        edited = tuple(
            c for c in copies[source].columns if c not in ignore and not values_equal(row.get(c), base_row.get(c))
        )
        if not edited:
            targets[source].deletes.append(key)
            continue
        found_row = RowConflict(key, "delete/edit", other_side(source), edited, {c: row.get(c) for c in edited}, prefer)
        if prefer == other_side(source):
            targets[source].deletes.append(key)
        else:
            add_row(key, source)
        (resolved if prefer else row_conflicts).append(found_row)

    plan_local = targets["local"].changes(remote)
    plan_remote = targets["remote"].changes(local)
    if not allow_mass_delete and old.rows:
        limit = max_delete_fraction * len(old.rows)
        over = {
            side: len(changes.delete_rows)
            for side, changes in (("local", plan_local), ("remote", plan_remote))
            if len(changes.delete_rows) > limit
        }
        if over:
            raise MassDeleteError(over, len(old.rows), max_delete_fraction)
    merged_local, merged_remote = apply(local, plan_local), apply(remote, plan_remote)
    return SyncPlan(
        local=plan_local,
        remote=plan_remote,
        conflicts=tuple(conflicts),
        row_conflicts=tuple(row_conflicts),
        resolved=tuple(resolved),
        column_changes=columns.changes,
        merged_local=merged_local,
        merged_remote=merged_remote,
        next_base=_next_base(old, merged_local, merged_remote, ignore, columns.kept),
    )


def _next_base(
    old: Snapshot, local: Snapshot, remote: Snapshot, ignore: frozenset[str], kept: tuple[str, ...]
) -> Snapshot:
    """Agreed cells take the agreed value; cells that still differ keep the old base value or none."""
    remote_columns = set(remote.columns)
    shared = [c for c in local.columns if c in remote_columns and c not in ignore]
    rows: dict[str, dict[str, CellValue]] = {}
    for key, lrow in local.rows.items():
        if key not in remote.rows:
            continue
        rrow, base_row = remote.rows[key], old.rows.get(key, {})
        row: dict[str, CellValue] = {}
        for column in shared:
            if values_equal(lrow.get(column), rrow.get(column)):
                row[column] = lrow.get(column)
            elif column in base_row:
                row[column] = base_row[column]
        for column in kept:
            if column in base_row:
                row[column] = base_row[column]
        rows[key] = row
    return Snapshot(tuple(shared) + tuple(c for c in kept if c not in shared), rows)


def find_key_problems(keys: Iterable[str | None], *, first_row: int = 1) -> list[str]:
    """Messages for blank and duplicate row keys; ``first_row`` numbers the first key's row."""
    problems: list[str] = []
    seen: dict[str, list[int]] = {}
    for number, key in enumerate(keys, start=first_row):
        if key is None or not str(key).strip():
            problems.append(f"row {number} has no key (a blank key cannot be synced; fill it in or delete the row)")
        else:
            seen.setdefault(str(key), []).append(number)
    for key, numbers_ in seen.items():
        if len(numbers_) > 1:
            rows = ", ".join(str(n) for n in numbers_)
            problems.append(f"key {key!r} appears {len(numbers_)} times (rows {rows}); keys must be unique to sync")
    return problems
