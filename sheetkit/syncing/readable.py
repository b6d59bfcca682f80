"""A sync plan the way a recruiter reads it: people by name, columns by their headers, cells on each side.

The merge works on keys ("sk-1f7a01dc56") and column identities ("lastcontacted"); a person reads
"Ana Ng <ana@example.org>: Notes — workbook Contacts!M12 'left a voicemail', Google Sheet
Contacts!M14 'called back'". :class:`PlanView` puts the two together for text, JSON and HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetkit.core.cells import a1, column_letter
from sheetkit.core.report import shown
from sheetkit.core.schema import Schema, header_key
from sheetkit.core.values import is_blank
from sheetkit.syncing.plan import Conflict, RowConflict, SideChanges, Snapshot, SyncPlan, other_side

_LIMIT = 20  # people listed per section in text before "... and N more"
SIDE_NAMES = {"local": "workbook", "remote": "Google Sheet"}


@dataclass(frozen=True)
class Where:
    """Where one copy holds each row (key -> sheet row) and column (identity -> sheet column)."""

    sheet: str
    row_of: Mapping[str, int]
    column_of: Mapping[str, int]

    def cell(self, key: str, identity: str) -> str:
        if key not in self.row_of or identity not in self.column_of:
            return ""
        return a1(self.sheet, self.column_of[identity], self.row_of[key])

    def row(self, key: str) -> str:
        return f"row {self.row_of[key]}" if key in self.row_of else ""


@dataclass(frozen=True)
class PlanView:
    """A :class:`SyncPlan` with names: whom each key is, what each column is called, where cells are.

    ``workbook``/``google`` say where rows and columns are now; ``*_after`` where they will be
    once the plan is written (new rows below the table, new columns to its right).
    """

    plan: SyncPlan
    names: Mapping[str, str]
    headers: Mapping[str, str]
    fields: Mapping[str, str]
    workbook: Where
    google: Where
    workbook_after: Where
    google_after: Where
    id_header: str | None = None  # the ID column sheetkit adds (first sync in ID mode)
    id_added_to: tuple[str, ...] = field(default_factory=tuple)  # "workbook", "Google Sheet"

    # -- helpers ---------------------------------------------------------------------------------
    def name(self, key: str) -> str:
        return self.names.get(key, key)

    def header(self, identity: str) -> str:
        return self.headers.get(identity, identity)

    def _sides(self) -> tuple[tuple[str, SideChanges, Where, Where], ...]:
        return (
            ("workbook", self.plan.local, self.workbook, self.workbook_after),
            ("Google Sheet", self.plan.remote, self.google, self.google_after),
        )

    # -- text ------------------------------------------------------------------------------------
    def summary(self) -> str:
        """What changes in each copy, then the conflicts, each naming people, headers and cells."""
        lines: list[str] = []
        for side, changes, now, after in self._sides():
            lines.extend(self._side_lines(side, changes, now, after))
        conflicts = [c for c in self.plan.conflicts]
        if conflicts:
            lines.append(f"Conflicts, left as they are on both sides ({len(conflicts)}):")
            lines.extend(f"  {self.describe_conflict(c)}" for c in conflicts[:_LIMIT])
            lines.extend(_more(len(conflicts)))
        rows = list(self.plan.row_conflicts)
        if rows:
            lines.append(f"Rows deleted on one side and edited on the other ({len(rows)}):")
            lines.extend(f"  {self.describe_row_conflict(c)}" for c in rows[:_LIMIT])
            lines.extend(_more(len(rows)))
        if self.plan.resolved:
            lines.append(f"Conflicts settled by --prefer ({len(self.plan.resolved)}):")
            lines.extend(f"  {self.describe(c)}" for c in self.plan.resolved[:_LIMIT])
        notes = [self._note(change) for change in self.plan.column_changes]
        if notes:
            lines.append("Notes:")
            lines.extend(f"  {note}" for note in notes)
        if not lines:
            lines.append("Both copies agree: nothing to change.")
        return "\n".join(lines)

    def _side_lines(self, side: str, changes: SideChanges, now: Where, after: Where) -> list[str]:
        adds_id = side in self.id_added_to
        if changes.is_empty and not adds_id:
            return [f"To the {side} ({now.sheet!r}): no changes"]
        lines = [f"To the {side} ({now.sheet!r}):"]
        if adds_id and self.id_header is not None:
            identity = _identity(self.id_header)
            column = after.column_of.get(identity)
            where = f" (column {column_letter(column)})" if column else ""
            lines.append(
                f"  adds the {self.id_header!r} column{where}: an ID for each row, so later syncs can tell rows apart"
            )
        if changes.add_columns:
            headers = ", ".join(repr(self.header(c)) for c in changes.add_columns)
            lines.append(f"  columns added ({len(changes.add_columns)}): {headers}")
        if changes.add_rows:
            lines.append(f"  rows added ({len(changes.add_rows)}):")
            lines.extend(f"    {self.name(a.key)} ({after.row(a.key)})" for a in changes.add_rows[:_LIMIT])
            lines.extend(_more(len(changes.add_rows), "    "))
        changed = changes.changed_rows
        if changed:
            by_key: dict[str, list[str]] = {}
            for change in changes.update_cells:
                by_key.setdefault(change.key, []).append(self.header(change.column))
            lines.append(f"  rows changed ({len(changed)}):")
            lines.extend(
                f"    {self.name(key)} ({now.row(key)}): {', '.join(by_key[key])}" for key in changed[:_LIMIT]
            )
            lines.extend(_more(len(changed), "    "))
        if changes.delete_rows:
            verb = "emptied (the workbook's rows never move)" if side == "workbook" else "deleted"
            lines.append(f"  rows {verb} ({len(changes.delete_rows)}):")
            lines.extend(f"    {self.name(key)} ({now.row(key)})" for key in changes.delete_rows[:_LIMIT])
            lines.extend(_more(len(changes.delete_rows), "    "))
        return lines

    def describe_conflict(self, conflict: Conflict) -> str:
        """"Ana Ng <ana@example.org>: Notes — workbook Contacts!M12 'a', Google Sheet Contacts!M14 'b'; last
        synced: blank"."""
        header = self.header(conflict.column)
        workbook = f"workbook {self.workbook.cell(conflict.key, conflict.column) or '(new)'} {_value(conflict.local)}"
        google = f"Google Sheet {self.google.cell(conflict.key, conflict.column) or '(new)'} {_value(conflict.remote)}"
        base = _value(conflict.base) if conflict.in_base else "never (both copies set it since)"
        won = f"; the {SIDE_NAMES[conflict.winner]} wins" if conflict.winner else ""
        return f"{self.name(conflict.key)}: {header} — {workbook}, {google}; last synced: {base}{won}"

    def describe(self, conflict: Conflict | RowConflict) -> str:
        if isinstance(conflict, Conflict):
            return self.describe_conflict(conflict)
        return self.describe_row_conflict(conflict)

    def describe_row_conflict(self, conflict: RowConflict) -> str:
        deleted = SIDE_NAMES[conflict.deleted_on]
        edited_on = SIDE_NAMES[other_side(conflict.deleted_on)]
        columns = ", ".join(self.header(c) for c in conflict.edited)
        outcome = f"kept (restored in the {deleted})" if conflict.kept else f"deleted in the {edited_on} too"
        return f"{self.name(conflict.key)}: deleted in the {deleted}, edited in the {edited_on} ({columns}); {outcome}"

    def _note(self, change: Any) -> str:
        side, other = SIDE_NAMES[change.side], SIDE_NAMES[other_side(change.side)]
        column = repr(self.header(change.column))
        if change.kind == "added":
            return f"column {column} is new in the {side}; it is added to the {other}"
        if change.kind == "deleted":
            return (
                f"column {column} was deleted from the {side}; sheetkit does not delete columns: delete it from the "
                f"{other} by hand, or put it back"
            )
        previous = repr(self.header(change.previous or ""))
        return (
            f"header {previous} in the {side} is now {column} (renamed?): {column} is added to the {other} and "
            f"{previous} is kept there; rename it there by hand if it was a rename"
        )

    # -- JSON ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The plan with the user's headers (plus the field key), names and both cell addresses."""
        out: dict[str, Any] = {"to_workbook": {}, "to_google_sheet": {}}
        for (side, changes, now, after), target in zip(self._sides(), ("to_workbook", "to_google_sheet"), strict=True):
            out[target] = {
                "sheet": now.sheet,
                "adds_id_column": self.id_header if side in self.id_added_to else None,
                "columns_added": [self._column(c) for c in changes.add_columns],
                "rows_added": [
                    {**self._person(a.key), "row": after.row_of.get(a.key), "values": self._values(a.values)}
                    for a in changes.add_rows
                ],
                "cells_changed": [
                    {
                        **self._person(c.key),
                        **self._column(c.column),
                        "cell": now.cell(c.key, c.column) or after.cell(c.key, c.column),
                        "from": _plain(c.old),
                        "to": _plain(c.value),
                    }
                    for c in changes.update_cells
                ],
                "rows_deleted": [{**self._person(k), "row": now.row_of.get(k)} for k in changes.delete_rows],
            }
        out["conflicts"] = [self._conflict(c) for c in self.plan.conflicts]
        out["row_conflicts"] = [self._row_conflict(c) for c in self.plan.row_conflicts]
        out["resolved"] = [
            self._conflict(c) if isinstance(c, Conflict) else self._row_conflict(c) for c in self.plan.resolved
        ]
        out["notes"] = [self._note(change) for change in self.plan.column_changes]
        out["is_empty"] = self.plan.is_empty
        return out

    def _person(self, key: str) -> dict[str, Any]:
        return {"name": self.name(key), "key": key}

    def _column(self, identity: str) -> dict[str, Any]:
        return {"header": self.header(identity), "field": self.fields.get(identity)}

    def _values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {self.header(c): _plain(v) for c, v in values.items() if not is_blank(v)}

    def _conflict(self, c: Conflict) -> dict[str, Any]:
        return {
            **self._person(c.key),
            **self._column(c.column),
            "workbook_cell": self.workbook.cell(c.key, c.column),
            "google_cell": self.google.cell(c.key, c.column),
            "workbook": _plain(c.local),
            "google": _plain(c.remote),
            "last_synced": _plain(c.base) if c.in_base else None,
            "winner": SIDE_NAMES[c.winner] if c.winner else None,
            "text": self.describe_conflict(c),
        }

    def _row_conflict(self, c: RowConflict) -> dict[str, Any]:
        return {
            **self._person(c.key),
            "deleted_in": SIDE_NAMES[c.deleted_on],
            "edited": [self._column(e) for e in c.edited],
            "kept": c.kept,
            "workbook_row": self.workbook.row_of.get(c.key),
            "google_row": self.google.row_of.get(c.key),
            "text": self.describe_row_conflict(c),
        }

    # -- HTML (notebooks) ------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        parts = ["<div class='sheetkit-plan'>"]
        for side, changes, now, after in self._sides():
            lines = self._side_lines(side, changes, now, after)
            parts.append(f"<h4>{html.escape(lines[0])}</h4>")
            if len(lines) > 1:
                parts.append("<ul>" + "".join(f"<li>{html.escape(x.strip())}</li>" for x in lines[1:]) + "</ul>")
        if self.plan.conflicts:
            parts.append(f"<h4>Conflicts, left as they are on both sides ({len(self.plan.conflicts)})</h4><table>")
            parts.append(
                "<thead><tr><th>person</th><th>column</th><th>workbook</th><th>Google Sheet</th>"
                "<th>last synced</th></tr></thead><tbody>"
            )
            for c in self.plan.conflicts[:200]:
                cells = (
                    self.name(c.key),
                    self.header(c.column),
                    f"{self.workbook.cell(c.key, c.column)} {_value(c.local)}",
                    f"{self.google.cell(c.key, c.column)} {_value(c.remote)}",
                    _value(c.base) if c.in_base else "never",
                )
                parts.append("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in cells) + "</tr>")
            parts.append("</tbody></table>")
        others = [*self.plan.row_conflicts, *self.plan.resolved]
        if others:
            items = "".join(f"<li>{html.escape(self.describe(c))}</li>" for c in others)
            parts.append(f"<h4>Other conflicts</h4><ul>{items}</ul>")
        if self.plan.column_changes:
            notes = "".join(f"<li>{html.escape(self._note(c))}</li>" for c in self.plan.column_changes)
            parts.append(f"<h4>Notes</h4><ul>{notes}</ul>")
        parts.append("</div>")
        return "".join(parts)


def person_names(snapshots: list[Snapshot], schema: Schema, fallback: Mapping[str, str]) -> dict[str, str]:
    """Key -> "First Last <email>" from the first snapshot that has the row; else ``fallback`` ("row 7")."""
    names: dict[str, str] = {}
    for snapshot in snapshots:
        label = _labeller(snapshot.columns, schema)
        for key, row in snapshot.rows.items():
            if key not in names and (text := label(row)):
                names[key] = text
    for key, text in fallback.items():
        names.setdefault(key, text)
    return names


def person_label(row: Mapping[str, Any], schema: Schema) -> str:
    """"First Last <email>" from a row of values by column identity; "" when it names nobody."""
    return _labeller(row, schema)(row)


def _labeller(identities: Iterable[str], schema: Schema) -> Callable[[Mapping[str, Any]], str]:
    """:func:`person_label` for rows of these columns: which columns hold a name or the email is
    worked out once, not per row (a sync of 100,000 rows names every one)."""
    order = list(identities)

    def holding(field_name: str) -> list[str]:
        if field_name not in schema.fields:
            return []
        keys = set(schema.fields[field_name].header_keys)
        return [c for c in order if (header_key(c) or c) in keys]

    names = [holding(f) for f in ("first_name", "last_name", "name")]
    emails = holding("email")

    def first(row: Mapping[str, Any], columns: list[str]) -> str:
        return next((_text(row[c]) for c in columns if not is_blank(row.get(c))), "")

    def label(row: Mapping[str, Any]) -> str:
        person = " ".join(p for p in (first(row, columns) for columns in names) if p)
        email = first(row, emails)
        return f"{person} <{email}>" if person and email else person or email

    return label


def _identity(header: str) -> str:
    return header_key(header) or header


def _text(value: Any) -> str:
    return "" if is_blank(value) else " ".join(str(value).split())


def _value(value: Any) -> str:
    return "blank" if is_blank(value) else repr(shown(value))


def _plain(value: Any) -> Any:
    if is_blank(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _more(count: int, indent: str = "  ") -> list[str]:
    return [f"{indent}... and {count - _LIMIT} more (see --format json)"] if count > _LIMIT else []
