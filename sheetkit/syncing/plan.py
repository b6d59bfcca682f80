"""What a sync plans: the snapshots it compares, the changes for each copy, the conflicts.

Value objects only (frozen dataclasses), with their text, JSON and HTML forms; the merge that
makes them is :mod:`sheetkit.syncing.merge`, the engine that applies them :mod:`sheetkit.syncing.engine`.
Every value shown in HTML is escaped: a candidate's note may contain markup.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Literal

from sheetkit.core.cells import CellValue
from sheetkit.core.report import shown
from sheetkit.core.values import is_blank
from sheetkit.runtime.text import counted

Side = Literal["local", "remote"]


def other_side(side: Side) -> Side:
    return "remote" if side == "local" else "local"


_LIMIT = 200  # rows of a list shown in a notebook before "... and N more"


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
        return f"<Snapshot: {counted(len(self.columns), 'column')}, {counted(len(self.rows), 'row')}>"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form that keeps value types and missing cells (for the sync state file)."""
        return {
            "columns": list(self.columns),
            "rows": [
                # Text and whole numbers, most cells, inline: a state of 100,000 rows has ~2 million.
                {
                    "key": key,
                    "values": {
                        c: v if (type(v) is str and v) or type(v) is int else _encode(v) for c, v in row.items()
                    },
                }
                for key, row in self.rows.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        """The inverse of :meth:`to_dict`."""
        rows = {
            item["key"]: {c: _decode(v) if type(v) is dict else v for c, v in item["values"].items()}
            for item in data["rows"]
        }
        return cls(tuple(data["columns"]), rows)


def _encode(value: CellValue) -> Any:
    if is_blank(value):
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
    return value.isoformat() if isinstance(value, dt.date) and not is_blank(value) else _encode(value)


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
        winner = None if self.winner is None else other_side(self.winner)
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
        outcome = f"kept (restored on {self.deleted_on})" if self.kept else f"deleted on {other_side(self.deleted_on)}"
        edited = ", ".join(self.edited)
        other = other_side(self.deleted_on)
        return f"{self.key}: deleted on {self.deleted_on}, edited on {other} ({edited}); {outcome}"


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
        other = other_side(self.side)
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
        return _plan_html(self)

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


def _plan_html(plan: SyncPlan) -> str:
    """A sync plan as HTML: what changes on each copy, then conflicts with base/local/remote values."""
    parts = ["<div class='sheetkit-plan'>"]
    head = "".join(f"<th>{h}</th>" for h in ("", "local copy", "remote copy"))
    body = []
    for label, pick in (
        ("rows added", lambda s: tuple(a.key for a in s.add_rows)),
        ("rows changed", lambda s: s.changed_rows),
        ("rows deleted", lambda s: s.delete_rows),
        ("columns added", lambda s: s.add_columns),
    ):
        cells = "".join(f"<td>{_keys_cell(pick(side))}</td>" for side in (plan.local, plan.remote))
        body.append(f"<tr><th style='text-align:left'>{label}</th>{cells}</tr>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    changes = [(name, c) for name, side in (("local", plan.local), ("remote", plan.remote)) for c in side.update_cells]
    if changes:
        parts.append(f"<h4>Cells to set ({len(changes)})</h4>")
        rows = [
            f"<tr><td>{name}</td>{_td(c.key)}{_td(c.column)}{_td(_value(c.old))}{_td(_value(c.value))}</tr>"
            for name, c in changes[:_LIMIT]
        ]
        parts.append(_table(("copy", "row", "column", "now", "becomes"), rows, len(changes)))
    conflicts = [*plan.conflicts, *(c for c in plan.resolved if isinstance(c, Conflict))]
    if conflicts:
        parts.append(f"<h4>Conflicts ({len(conflicts)})</h4>")
        rows = []
        for conflict in conflicts[:_LIMIT]:
            base = _value(conflict.base) if conflict.in_base else "(none)"
            outcome = f"{conflict.winner} wins" if conflict.winner else "open: left as is on both sides"
            values = (conflict.key, conflict.column, base, _value(conflict.local), _value(conflict.remote), outcome)
            rows.append("<tr>" + "".join(_td(v) for v in values) + "</tr>")
        parts.append(_table(("row", "column", "base", "local", "remote", "outcome"), rows, len(conflicts)))
    row_conflicts = [*plan.row_conflicts, *(c for c in plan.resolved if isinstance(c, RowConflict))]
    if row_conflicts:
        parts.append(f"<h4>Rows deleted on one side, edited on the other ({len(row_conflicts)})</h4>")
        parts.append("<ul>" + "".join(f"<li>{html.escape(c.describe())}</li>" for c in row_conflicts) + "</ul>")
    if plan.notes:
        parts.append("<h4>Notes</h4><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in plan.notes) + "</ul>")
    if plan.is_empty and not conflicts and not row_conflicts:
        parts.append("<p>Nothing to do: the copies agree.</p>")
    parts.append("</div>")
    return "".join(parts)


def _keys_cell(keys: tuple[str, ...], limit: int = 10) -> str:
    if not keys:
        return "–"
    shown_keys = ", ".join(keys[:limit]) + (f", … ({len(keys) - limit} more)" if len(keys) > limit else "")
    return f"<strong>{len(keys)}</strong>: {html.escape(shown_keys)}"


def _td(text: str) -> str:
    return f"<td>{html.escape(text)}</td>"


def _value(value: Any) -> str:
    if value is None or (isinstance(value, str) and value == "") or (isinstance(value, float) and value != value):
        return "(blank)"
    return shown(value)


def _table(headers: tuple[str, ...], rows: list[str], total: int) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    more = f"<p>... and {total - len(rows)} more</p>" if total > len(rows) else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"
