"""LinkedIn import: append the people of a "Connections" export who are not in the sheet yet.

    >>> from sheetkit.lists.linkedin import import_connections
    >>> print(import_connections("Connections.csv", "contacts.xlsx", dry_run=True).to_text())

LinkedIn's export starts with a few lines of notes, then ``First Name, Last Name, URL, Email
Address, Company, Position, Connected On``. A connection is "already there" when the rules of
``sheetkit dedupe`` (:mod:`sheetkit.core.contacts`) group it with a row of the sheet; those
rows are reported and never changed. The others are appended below the table with status
``new``, through the same writers as refresh: a workbook atomically with a backup, a Google
Sheet in one values:batchUpdate of RAW values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetkit.api import _write_file, _write_google, check
from sheetkit.core.cells import CellUpdate
from sheetkit.core.checked import Checked
from sheetkit.core.contacts import duplicate_groups, person_details
from sheetkit.core.dates import read_date_text
from sheetkit.core.schema import DateLike, SchemaLike
from sheetkit.core.writeplan import WritePlan
from sheetkit.errors import SourceError, UsageError
from sheetkit.excel.csv import decode_text, parse_rows
from sheetkit.google.sheets import GoogleSheet
from sheetkit.runtime.atomic import FileStamp
from sheetkit.runtime.text import printable

__all__ = ["Connection", "ImportResult", "import_connections", "read_connections"]

COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
# Schema fields the export's columns fill, where the schema (and the sheet) has them.
_FIELDS = {
    "company": ("company", "current_company", "employer"),
    "position": ("position", "current_title", "title", "job_title"),
    "connected_on": ("connected_on", "connected", "linkedin_connected_on"),
}


@dataclass(frozen=True)
class Connection:
    """One person of the export (line: its line in the file, for messages)."""

    line: int
    first_name: str
    last_name: str
    url: str | None
    email: str | None
    company: str | None
    position: str | None
    connected_on: dt.date | None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or f"line {self.line}"


@dataclass
class ImportResult:
    """What the import adds (sheet row -> person) and who was already there (person -> row and why)."""

    target: str
    added: list[tuple[int, Connection]] = field(default_factory=list)
    present: list[tuple[Connection, int, str]] = field(default_factory=list)
    repeated: list[tuple[Connection, int]] = field(default_factory=list)  # twice in the export: (person, line)
    dry_run: bool = False
    written: str | None = None
    backup: str | None = None

    def to_text(self) -> str:
        """The plan (printed before writing) or, once written, what was done."""
        verb = "would add" if self.dry_run or self.written is None else "added"
        lines = [f"Import into {self.target}: {verb} {len(self.added)}, already there {len(self.present)}."]
        for row, person in self.added:
            lines.append(f"  + row {row}: {printable(person.name, keep_newlines=False)}")
        for person, row, why in self.present:
            lines.append(f"  = {printable(person.name, keep_newlines=False)}: already row {row} ({why}); left as it is")
        for person, line in self.repeated:
            lines.append(
                f"  = {printable(person.name, keep_newlines=False)}: the same person as line {line} of the export"
            )
        if self.written:
            lines.append(f"Wrote {self.written}" + (f" (backup: {self.backup})" if self.backup else ""))
        elif self.dry_run:
            lines.append("Dry run: nothing was written.")
        return "\n".join(lines)


def read_connections(path: str | Path) -> list[Connection]:
    """The people of a LinkedIn Connections export, its preamble lines skipped.

    Raises:
        SourceError: the file is missing or has no header row with LinkedIn's columns.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from None
    text, _ = decode_text(raw, name=path.name)
    rows = parse_rows(text, ",", name=path.name)
    wanted = {c.casefold() for c in ("First Name", "Last Name")}
    header_at = next((i for i, row in enumerate(rows[:30]) if wanted <= {str(c).strip().casefold() for c in row}), None)
    if header_at is None:
        raise SourceError(
            f"{path.name}: no LinkedIn header row found in its first 30 lines; expected the columns "
            f"{', '.join(COLUMNS)} (LinkedIn: Settings > Data privacy > Get a copy of your data > Connections)"
        )
    header = [str(c).strip().casefold() for c in rows[header_at]]

    def cell(row: list[Any], name: str) -> str | None:
        at = header.index(name.casefold()) if name.casefold() in header else None
        value = str(row[at]).strip() if at is not None and at < len(row) and row[at] is not None else ""
        return value or None

    people = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(str(c).strip() for c in row if c is not None):
            continue
        connected = cell(row, "Connected On")
        reading = read_date_text(connected) if connected else None
        people.append(
            Connection(
                line=offset,
                first_name=cell(row, "First Name") or "",
                last_name=cell(row, "Last Name") or "",
                url=cell(row, "URL"),
                email=cell(row, "Email Address"),
                company=cell(row, "Company"),
                position=cell(row, "Position"),
                connected_on=(reading.day_first or reading.month_first) if reading else None,
            )
        )
    return people


def import_connections(
    connections: str | Path,
    target: Any,
    *,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    dry_run: bool = False,
    backup: bool = True,
    client: Any = None,
    show_plan: Any = None,
) -> ImportResult:
    """Append the connections not yet in ``target`` (a workbook or a Google Sheet) below its table.

    ``show_plan`` (a callable) is given the plan before anything is written. Running it twice
    adds nobody the second time.

    Raises:
        UsageError: the target is not a workbook or Google Sheet, has a totals row under the table,
            or has no column for a name.
        SourceError: the export cannot be read.
    """
    people = read_connections(connections)
    stamp = None
    if isinstance(target, (str, Path)) and Path(str(target)).is_file():
        stamp = FileStamp.of(Path(target))
    checked = check(target, schema=schema, sheet=sheet, as_of=as_of, client=client)
    result = ImportResult(target=str(checked.table.source), dry_run=dry_run)
    _match(checked, people, result)
    updates = _updates(checked, result)
    if show_plan is not None:
        show_plan(result)
    if dry_run or not updates:
        return result
    plan = WritePlan(updates=tuple(updates), new_columns=(), header_row=checked.table.header_row)
    origin = checked.table.origin
    if isinstance(origin, GoogleSheet):
        dates = tuple(u for u in updates if isinstance(u.value, dt.date))
        result.written = _write_google(
            WritePlan(plan.updates, (), plan.header_row, new_date_cells=dates), origin, checked.schema
        )
    elif checked.table.kind in ("xlsx", "csv") and isinstance(target, (str, Path)):
        path = Path(target)
        outcome = _write_file(plan, path, None, checked.table.sheet, checked.schema, backup, "auto", stamp)
        result.written = str(outcome.written) if outcome.written else None
        result.backup = str(outcome.backup) if outcome.backup else None
    else:
        raise UsageError("import writes into a workbook file or a Google Sheet")
    return result


def _match(checked: Checked, people: list[Connection], result: ImportResult) -> None:
    """Sort the connections into already there, repeated in the export, and to add (dedupe's rules)."""
    frame = checked.normalized.frame
    n = len(frame)
    empty = checked.normalized.empty_rows()
    names, emails, urls, phones, places = person_details(frame)
    nothing = [None] * len(people)
    groups = duplicate_groups(
        [*names, *(p.name for p in people)],
        [*emails, *(p.email for p in people)],
        [*urls, *(p.url for p in people)],
        [*phones, *nothing],
        [*places, *nothing],
        checked.schema.phone_region,
    )
    rows = checked.table.rows
    seen: dict[int, tuple[str, Any]] = {}  # export position -> ("sheet", row) or ("export", line)
    for group in groups:
        in_sheet = [i for i in group.members if i < n and not empty[i]]
        incoming = [i - n for i in group.members if i >= n]
        why = "; ".join(", ".join(p.evidence) for p in group.pairs[:1])
        for k in incoming:
            if in_sheet:
                seen[k] = ("sheet", (int(rows[in_sheet[0]]), why))
            elif k != incoming[0]:
                seen[k] = ("export", people[incoming[0]].line)
    for k, person in enumerate(people):
        where = seen.get(k)
        if where is None:
            result.added.append((0, person))
        elif where[0] == "sheet":
            result.present.append((person, where[1][0], where[1][1]))
        else:
            result.repeated.append((person, where[1]))


def _updates(checked: Checked, result: ImportResult) -> list[CellUpdate]:
    """The cells of the new rows, below the last row of the table; numbers the rows in ``result``."""
    table = checked.table
    schema = checked.schema
    if table.footer and result.added:
        raise UsageError(
            f"{table.source}: the sheet has a totals row under the table (row {table.footer[0].row}); "
            "sheetkit does not insert rows above it: move it, or add the people by hand"
        )
    positions = checked.normalized.positions
    columns = {name: table.columns[at] for name, at in positions.items()}
    if not ({"first_name", "name"} & set(columns)):
        raise UsageError(f"{table.source}: the sheet has no name column (First Name or Name) to import people into")
    new_status = (
        schema.statuses["new"].spellings[0] if "new" in schema.statuses and schema.statuses["new"].spellings else "new"
    )
    fill = {kind: next((f for f in fields if f in columns), None) for kind, fields in _FIELDS.items()}
    last = int(max(table.rows)) if len(table.rows) else table.header_row
    updates: list[CellUpdate] = []
    numbered = []
    for k, (_, person) in enumerate(result.added):
        row = last + 1 + k
        numbered.append((row, person))
        values: dict[str, Any] = {"email": person.email, "linkedin_url": person.url, "status": new_status}
        if "first_name" in columns:
            values |= {"first_name": person.first_name, "last_name": person.last_name}
        else:
            values["name"] = person.name
        for kind, name in fill.items():
            if name is not None:
                values[name] = getattr(person, kind)
        for name, value in values.items():
            if name in columns and value not in (None, ""):
                updates.append(CellUpdate(row, columns[name], value))
    result.added = numbered
    return updates
