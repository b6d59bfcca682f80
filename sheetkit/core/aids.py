"""Sheet aids: what a refreshed sheet shows of what sheetkit knows (one home for their rules).

Three aids, the same in Excel and Google Sheets (the backends only spell them):
- a Status dropdown: a list validation over the Status column's data cells, one label per status,
  blanks allowed, other text warned about rather than rejected;
- row highlights: conditional formats over the table's rows, driven by formulas on the computed
  cells and TODAY() (so the colours stay right between refreshes): overdue, due today,
  non-responsive;
- problem notes: a note on each cell with a validation problem, its text starting "sheetkit: ".

sheetkit's own aids are recognisable, so a refresh replaces them and ``--no-aids`` removes them
without touching the user's: the dropdown's input title starts with :data:`MARK`, each highlight
formula carries ``N("sheetkit: ...")`` (0 in every spreadsheet program), and each note starts with
:data:`NOTE_PREFIX` (and, in Excel, has the author :data:`AUTHOR`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sheetkit.core.cells import column_index, column_letter
from sheetkit.core.checked import Checked
from sheetkit.core.schema import AID_KINDS
from sheetkit.core.writeplan import WritePlan

__all__ = [
    "AID_KINDS",
    "AUTHOR",
    "HIGHLIGHTS",
    "MARK",
    "NOTE_PREFIX",
    "AidsOutcome",
    "Dropdown",
    "Highlight",
    "SheetAids",
    "chosen_aids",
    "is_own_formula",
    "is_own_note",
    "kept_notes_notice",
    "plan_aids",
]

MARK = "sheetkit"
AUTHOR = "sheetkit"
NOTE_PREFIX = "sheetkit: "
_OWN_FORMULA = re.compile(r'N\(\s*"sheetkit: [^"]*"\s*\)')
_LIST_LIMIT = 255  # Excel's limit on a list validation's literal "a,b,c"


@dataclass(frozen=True)
class HighlightStyle:
    """One kind of highlighted row: its name, what it means (for the README and the legend), its fill."""

    name: str
    meaning: str
    # RRGGBB: light tints from ColorBrewer's colour-blind-safe diverging palettes (RdBu, RdYlBu),
    # told apart by hue on the blue-yellow axis and by lightness; dark text stays readable on each
    fill: str


HIGHLIGHTS: tuple[HighlightStyle, ...] = (
    HighlightStyle("overdue", "Next Check-In is before today", "F4A582"),
    HighlightStyle("due today", "Next Check-In is today", "FEE08B"),
    HighlightStyle("non-responsive", "Non-Responsive is TRUE", "92C5DE"),
)


@dataclass(frozen=True)
class Dropdown:
    """The Status dropdown: the cells it covers and the labels it offers."""

    column: int
    first_row: int
    last_row: int
    labels: tuple[str, ...]

    @property
    def ref(self) -> str:
        letter = column_letter(self.column)
        last = f":{letter}{self.last_row}" if self.last_row != self.first_row else ""
        return f"{letter}{self.first_row}{last}"

    @property
    def title(self) -> str:
        return f"{MARK}: Status"

    @property
    def prompt(self) -> str:
        return "Pick a status, or type one the schema knows; sheetkit reports any other text."


@dataclass(frozen=True)
class Highlight:
    """One conditional format: a formula relative to the range's top-left cell (no leading '=') and its fill."""

    name: str
    formula: str
    fill: str


@dataclass(frozen=True)
class SheetAids:
    """The aids one sheet should carry after a refresh.

    ``kinds`` are the aids sheetkit keeps on this sheet; the others of sheetkit's own are removed
    (an empty ``kinds`` removes them all). Within a kind, what is not wanted any more (a note on
    a fixed cell) is removed too. ``notes`` maps (row, column), 1-based, to the note's text.
    """

    kinds: frozenset[str]
    dropdown: Dropdown | None = None
    highlight_box: tuple[int, int, int, int] | None = None  # (first column, first row, last column, last row)
    highlights: tuple[Highlight, ...] = ()
    notes: tuple[tuple[tuple[int, int], str], ...] = ()
    notices: tuple[str, ...] = ()  # what could not be added, said to the user

    @property
    def highlight_ref(self) -> str:
        if self.highlight_box is None:
            return ""
        c1, r1, c2, r2 = self.highlight_box
        return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"

    def note_map(self) -> dict[tuple[int, int], str]:
        return dict(self.notes)


@dataclass(frozen=True)
class AidsOutcome:
    """What a refresh did to the sheet aids: which it keeps, whether anything changed, what it could not add."""

    kinds: frozenset[str]
    changed: bool  # in a dry run (the result's dry_run): would change
    notices: tuple[str, ...] = ()
    dry_run: bool = False
    not_kept: str = ""  # why the target cannot hold aids at all (a CSV file); then also the only notice

    def summary(self) -> str:
        if self.not_kept:
            return f"Sheet aids not kept: {self.not_kept}."
        kept = ", ".join(k for k in AID_KINDS if k in self.kinds) or "none (sheetkit's own removed)"
        done = ("would be updated" if self.dry_run else "updated") if self.changed else "already in place"
        return f"Sheet aids ({kept}): {done}." + "".join(f" Note: {notice}." for notice in self.notices)

    def to_dict(self) -> dict[str, object]:
        return {
            "kinds": [k for k in AID_KINDS if k in self.kinds],
            "changed": self.changed,
            "notices": list(self.notices),
        }


def chosen_aids(option: bool | Sequence[str] | None, schema_aids: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Which aids a refresh keeps: the caller's choice, else the schema's; None leaves them untouched.

    ``True`` means the schema's list when it names some, else all of them; ``False`` none.

    Raises:
        ValueError: an unknown aid name.
    """
    if option is None:
        return schema_aids
    if option is True:
        return schema_aids if schema_aids else AID_KINDS
    if option is False:
        return ()
    unknown = [name for name in option if name not in AID_KINDS]
    if unknown:
        raise ValueError(f"unknown aid {unknown[0]!r}; expected some of: {', '.join(AID_KINDS)}")
    return tuple(kind for kind in AID_KINDS if kind in option)


def is_own_formula(formula: str) -> bool:
    """Whether a conditional format formula is one sheetkit wrote (it carries N("sheetkit: ..."))."""
    return _OWN_FORMULA.search(formula) is not None


def is_own_note(text: str, author: str | None = None) -> bool:
    """Whether a note or comment is sheetkit's: its author is sheetkit, or its text starts with the prefix."""
    return author == AUTHOR or text.lstrip().startswith(NOTE_PREFIX)


def kept_notes_notice(sheet: str, cells: Sequence[tuple[int, int]], kind: str) -> str:
    """What to say when the user's own notes (or comments) sit on cells sheetkit would annotate."""
    shown = ", ".join(f"{column_letter(c)}{r}" for r, c in cells[:5]) + (" ..." if len(cells) > 5 else "")
    return f"{sheet}!{shown}: your own {kind} kept; sheetkit's note not added (see the report)"


def plan_aids(checked: Checked, plan: WritePlan, kinds: Sequence[str]) -> SheetAids:
    """The aids a checked sheet gets, for the columns where the refresh leaves its computed cells."""
    table, _schema = checked.table, checked.schema
    wanted = frozenset(kinds)
    rows = [int(r) for r in table.rows]
    if not rows:
        return SheetAids(wanted)
    first, last = min(rows), max(rows)
    notices: list[str] = []
    dropdown = None
    if "dropdown" in wanted:
        dropdown = _dropdown(checked, first, last, notices)
    box = None
    highlights: tuple[Highlight, ...] = ()
    if "highlights" in wanted:
        columns = _computed_columns(checked, plan)
        highlights = _highlights(columns, first)
        if highlights:
            right = max([*table.columns, *plan.new_columns])
            box = (min(table.columns), first, right, last)
    notes: tuple[tuple[tuple[int, int], str], ...] = ()
    if "notes" in wanted:
        notes = _notes(checked)
    return SheetAids(wanted, dropdown, box, highlights, notes, tuple(notices))


def _dropdown(checked: Checked, first: int, last: int, notices: list[str]) -> Dropdown | None:
    schema = checked.schema
    field = next((f.name for f in schema.fields.values() if f.type == "status"), None)
    position = checked.normalized.positions.get(field) if field else None
    if position is None or not schema.statuses:
        return None
    labels = tuple(status.display for status in schema.statuses.values())
    listed = ",".join(labels)
    if any("," in label or '"' in label for label in labels) or len(listed) > _LIST_LIMIT:
        notices.append(
            "no Status dropdown: its labels must have no commas or quotes and fit in 255 characters "
            f"(got {listed!r}); shorten the statuses' `label:` in the schema"
        )
        return None
    return Dropdown(checked.table.columns[position], first, last, labels)


def _computed_columns(checked: Checked, plan: WritePlan) -> dict[str, int]:
    """Sheet column of each computed column after the refresh: where it was found, or where the plan appends it."""
    table, schema = checked.table, checked.schema
    found = {kind: table.columns[p] for kind, p in checked.normalized.computed_positions.items()}
    headers = {schema.computed[kind].header: kind for kind in checked.computed.columns}
    appended = set(plan.new_columns)
    for update in plan.updates:
        if update.row == plan.header_row and update.column in appended and update.value in headers:
            found.setdefault(headers[str(update.value)], update.column)
    return {kind: column for kind, column in found.items() if schema.computed[kind].enabled}


def _highlights(columns: dict[str, int], first_row: int) -> tuple[Highlight, ...]:
    """The three highlight rules, for the computed columns the sheet has (none without them)."""
    rules = []
    styles = {style.name: style for style in HIGHLIGHTS}
    if "next_check_in" in columns:
        cell = f"${column_letter(columns['next_check_in'])}{first_row}"
        rules.append(("overdue", f"ISNUMBER({cell}),{cell}<TODAY()"))
        rules.append(("due today", f"ISNUMBER({cell}),{cell}=TODAY()"))
    if "non_responsive" in columns:
        cell = f"${column_letter(columns['non_responsive'])}{first_row}"
        rules.append(("non-responsive", f"{cell}=TRUE"))  # terms of one AND(), the marker last
    return tuple(
        Highlight(name, f'AND({formula},N("{NOTE_PREFIX}{name}")=0)', styles[name].fill) for name, formula in rules
    )


def _notes(checked: Checked) -> tuple[tuple[tuple[int, int], str], ...]:
    """One note per cell with problems (errors and warnings), its messages one per line."""
    messages: dict[tuple[int, int], list[str]] = {}
    for problem in checked.report.problems:
        if problem.severity == "notice" or problem.row is None or not problem.column:
            continue
        key = (problem.row, column_index(problem.column))
        if problem.message not in messages.setdefault(key, []):
            messages[key].append(problem.message)
    return tuple(sorted((key, NOTE_PREFIX + "\n".join(lines)) for key, lines in messages.items()))
