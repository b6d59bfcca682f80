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

import datetime as dt
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Literal

from sheetkit.core.cells import CellValue
from sheetkit.errors import MassDeleteError, UsageError

Side = Literal["local", "remote"]
_SIDES: tuple[Side, Side] = ("local", "remote")


def _other(side: Side) -> Side:
    return "remote" if side == "local" else "local"


def _blank(value: object) -> bool:
    """None, "" and NaN/NaT (what pandas may hand over for an empty cell) are all blank."""
    if value is None or (isinstance(value, str) and value == ""):
        return True
    return isinstance(value, float | dt.date) and value != value  # NaN and NaT only


def values_equal(a: CellValue, b: CellValue) -> bool:
    """Whether two cell values mean the same: blanks match, 3 == 3.0, text is compared exactly.

    Booleans only equal booleans; a datetime at midnight equals the same plain date.
    """
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        if isinstance(b, dt.datetime) and not isinstance(a, dt.datetime):
            a, b = b, a
        if isinstance(a, dt.datetime) and not isinstance(b, dt.datetime):
            return a.time() == dt.time() and a.date() == b
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b


@dataclass(frozen=True, repr=False)
class Snapshot:
    """One copy's table: column identities in sheet order, rows by key in sheet order.

    In a copy a cell missing from its row dict is blank. In a base a missing cell means "no
    common value known" (a conflict nobody has settled yet), and the merge treats the two sides'
    values as new, so if they differ it reports them as a conflict.
    """

    columns: tuple[str, ...]
    rows: Mapping[str, Mapping[str, CellValue]]  # stored as plain dicts, copied from the caller's

    def __post_init__(self) -> None:
        columns = tuple(self.columns)
        if len(set(columns)) != len(columns):
            duplicates = sorted({c for c in columns if columns.count(c) > 1})
            raise ValueError(f"columns must be unique (got {duplicates} more than once)")
        known = set(columns)
        rows: dict[str, dict[str, CellValue]] = {}
        for key, values in self.rows.items():
            unknown = set(values) - known
            if unknown:
                raise ValueError(f"row {key!r} has cells in columns {sorted(unknown)} that are not in {list(columns)}")
            rows[key] = dict(values)
        # Copies, so the caller's later edits to its own dicts cannot change a snapshot.
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)

    @property
    def order(self) -> tuple[str, ...]:
        """Row keys in sheet order."""
        return tuple(self.rows)

    def value(self, key: str, column: str) -> CellValue:
        """The value of one cell; None when the row or cell is missing."""
        return self.rows.get(key, {}).get(column)

    def __repr__(self) -> str:
        return f"<Snapshot: {len(self.columns)} columns, {len(self.rows)} rows>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form that keeps value types and missing cells (for the sync state file)."""
        return {
            "columns": list(self.columns),
            "rows": [{"key": key, "values": {c: _encode(v) for c, v in row.items()}} for key, row in self.rows.items()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """The inverse of :meth:`to_dict`."""
        rows = {item["key"]: {c: _decode(v) for c, v in item["values"].items()} for item in data["rows"]}
        return cls(tuple(data["columns"]), rows)


def _encode(value: CellValue) -> Any:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _decode(value: Any) -> CellValue:
    if isinstance(value, dict):
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        return dt.date.fromisoformat(value["$date"])
    decoded: CellValue = value
    return decoded


def _json(value: Any) -> Any:
    """Plain JSON for reports: dataclasses as dicts, tuples as lists, dates as ISO text."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) and not _blank(value) else _encode(value)


@dataclass(frozen=True)
class RowAdd:
    """Insert row ``key`` right after row ``after`` (at the end when None) with ``values``."""

    key: str
    after: str | None
    values: dict[str, CellValue]


@dataclass(frozen=True)
class CellChange:
    """Set the cell (``key``, ``column``) to ``value``; ``old`` is what that copy holds now."""

    key: str
    column: str
    value: CellValue
    old: CellValue = None


@dataclass(frozen=True)
class SideChanges:
    """What to do to one copy, in the order :func:`apply` does it.

    New columns go after the last column; rows are deleted, then cells set (including cells
    of new columns), then rows inserted one after the other.
    """

    add_columns: tuple[str, ...] = ()
    delete_rows: tuple[str, ...] = ()
    update_cells: tuple[CellChange, ...] = ()
    add_rows: tuple[RowAdd, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.add_columns or self.delete_rows or self.update_cells or self.add_rows)

    @property
    def changed_rows(self) -> tuple[str, ...]:
        """Keys of the rows with at least one cell update, first-update order."""
        return tuple(dict.fromkeys(change.key for change in self.update_cells))


@dataclass(frozen=True)
class Conflict:
    """A cell both copies changed to different values since the base.

    ``in_base`` is False when there was no common value (first sync, a row or column both sides
    added); ``base`` is then None. ``winner`` is the side ``prefer`` picked, None while open.
    """

    key: str
    column: str
    base: CellValue
    local: CellValue
    remote: CellValue
    in_base: bool = True
    winner: Side | None = None

    def swapped(self) -> Conflict:
        """The same conflict seen with local and remote exchanged."""
        winner = None if self.winner is None else _other(self.winner)
        return replace(self, local=self.remote, remote=self.local, winner=winner)

    def describe(self) -> str:
        base = repr(_json(self.base)) if self.in_base else "(none)"
        won = f"; {self.winner} wins" if self.winner else ""
        return (
            f"{self.key} / {self.column}: base {base}, local {_json(self.local)!r}, remote {_json(self.remote)!r}{won}"
        )


@dataclass(frozen=True)
class RowConflict:
    """A row one copy deleted while the other edited it (``edited`` lists the edited columns).

    Open (``winner`` None) means the row is kept: restored on the deleting side with the editing
    side's ``values``. ``prefer`` naming the deleting side deletes it on the other side as well.
    """

    key: str
    kind: Literal["delete/edit"]
    deleted_on: Side
    edited: tuple[str, ...]
    values: dict[str, CellValue]
    winner: Side | None = None

    @property
    def kept(self) -> bool:
        return self.winner != self.deleted_on

    def describe(self) -> str:
        outcome = f"kept (restored on {self.deleted_on})" if self.kept else f"deleted on {_other(self.deleted_on)}"
        edited = ", ".join(self.edited)
        return f"{self.key}: deleted on {self.deleted_on}, edited on {_other(self.deleted_on)} ({edited}); {outcome}"


@dataclass(frozen=True)
class ColumnChange:
    """A header added, deleted or (maybe) renamed on ``side`` since the base; shown to the user.

    Added columns are copied to the other side. Deleted columns are never deleted on the other
    side (the writers do not remove columns) and are reported at every sync until both agree.
    "renamed" means ``side`` lost ``previous`` and gained ``column`` at the same position: the
    merge does not guess that it is a rename; it adds ``column`` and keeps ``previous`` elsewhere.
    """

    kind: Literal["added", "deleted", "renamed"]
    side: Side
    column: str
    previous: str | None = None

    @property
    def message(self) -> str:
        other = _other(self.side)
        if self.kind == "added":
            return f"column {self.column!r} is new in the {self.side} copy; it is added to the {other} copy"
        if self.kind == "deleted":
            return (
                f"column {self.column!r} was deleted from the {self.side} copy; sheetkit does not delete columns: "
                f"delete it from the {other} copy by hand, or put it back"
            )
        return (
            f"header {self.previous!r} in the {self.side} copy is now {self.column!r} (renamed?): {self.column!r} is "
            f"added to the {other} copy and {self.previous!r} is kept there; rename it there by hand if it was a rename"
        )


@dataclass(frozen=True, repr=False)
class SyncPlan:
    """Everything one sync will do, plus what it found.

    ``merged_local``/``merged_remote`` are the copies after applying ``local``/``remote``; they
    are equal except in the cells of open ``conflicts`` (and ignored columns). ``next_base`` is
    what to store as the base of the next sync; see the module docstring for why it keeps the
    old base value of an open conflict.
    """

    local: SideChanges
    remote: SideChanges
    conflicts: tuple[Conflict, ...]
    row_conflicts: tuple[RowConflict, ...]
    resolved: tuple[Conflict | RowConflict, ...]
    column_changes: tuple[ColumnChange, ...]
    merged_local: Snapshot
    merged_remote: Snapshot
    next_base: Snapshot

    @property
    def is_empty(self) -> bool:
        """Nothing to write to either copy (open conflicts may still be there)."""
        return self.local.is_empty and self.remote.is_empty

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(change.message for change in self.column_changes)

    def __repr__(self) -> str:
        def side(changes: SideChanges) -> str:
            return f"+{len(changes.add_rows)}/-{len(changes.delete_rows)}/~{len(changes.changed_rows)}"

        return f"<SyncPlan: local {side(self.local)}, remote {side(self.remote)}, {len(self.conflicts)} conflicts>"

    def _repr_html_(self) -> str:
        from sheetkit.views.notebook import plan_html

        return plan_html(self)

    def summary(self) -> str:
        """Readable text: what changes in each copy, then conflicts and notes."""
        lines: list[str] = []
        for name, changes in (("local", self.local), ("remote", self.remote)):
            if changes.is_empty:
                lines.append(f"{name}: no changes")
                continue
            lines.append(f"{name}:")
            for label, keys in (
                ("columns added", changes.add_columns),
                ("rows added", tuple(a.key for a in changes.add_rows)),
                ("rows changed", changes.changed_rows),
                ("rows deleted", changes.delete_rows),
            ):
                if keys:
                    shown = ", ".join(keys[:10]) + (f", … ({len(keys) - 10} more)" if len(keys) > 10 else "")
                    lines.append(f"  {label} ({len(keys)}): {shown}")
        sections: list[tuple[str, Iterable[Conflict | RowConflict]]] = [
            ("Conflicts, left as they are on both sides", self.conflicts),
            ("Rows deleted on one side and edited on the other", self.row_conflicts),
            ("Conflicts settled by --prefer", self.resolved),
        ]
        for title, items in sections:
            texts = [item.describe() for item in items]
            if texts:
                lines.append(f"{title} ({len(texts)}):")
                lines.extend(f"  {text}" for text in texts)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``--json`` output (snapshots left out)."""
        data = {f.name: _json(getattr(self, f.name)) for f in fields(self) if not f.name.startswith(("merged", "next"))}
        for item, plain in zip(
            self.row_conflicts + self.resolved, data["row_conflicts"] + data["resolved"], strict=True
        ):
            if isinstance(item, RowConflict):
                plain["kept"] = item.kept
        for change, plain in zip(self.column_changes, data["column_changes"], strict=True):
            plain["message"] = change.message
        return {**data, "is_empty": self.is_empty}


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
        mine, theirs = set(visible[side]), set(visible[_other(side)])
        new = [c for c in visible[side] if c not in theirs and c not in in_base]
        added_to[_other(side)] = tuple(new)
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
        target = _other(source)
        final = copies[target].columns + columns.added_to[target]
        row = copies[source].rows[key]
        targets[target].adds[key] = {c: row[c] for c in final if c not in ignore and not _blank(row.get(c))}

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
                    targets[_other(prefer)].updates.append(CellChange(key, column, won, lost))
            for side in _SIDES:  # cells of columns the other side added
                other_row = copies[_other(side)].rows[key]
                for column in columns.added_to[side]:
                    if not _blank(other_row.get(column)):
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
        found_row = RowConflict(key, "delete/edit", _other(source), edited, {c: row.get(c) for c in edited}, prefer)
        if prefer == _other(source):
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
