"""Sheet aids in Google Sheets: one spreadsheets.get to read what is there, one batchUpdate to change it.

The get asks (with a fields mask) for the worksheet's conditional format rules and its cells'
notes and data validations, nothing else. From that, sheetkit's own aids (recognised as in
:mod:`sheetkit.core.aids`) are compared with the ones the sheet should carry; the differences go
in a single spreadsheets:batchUpdate, which Google applies all or nothing: setDataValidation,
deleteConditionalFormatRule / addConditionalFormatRule, updateCells with the note field. The
user's own notes, validations and rules are never in a request. Nothing new: no write at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetkit.core.aids import MARK, AidsOutcome, SheetAids, is_own_formula, is_own_note, kept_notes_notice
from sheetkit.core.cells import quote_sheet
from sheetkit.errors import GoogleAPIError
from sheetkit.google import bodies
from sheetkit.google.sheets import GoogleSheet, google_errors

__all__ = ["AIDS_FIELDS", "apply_google_aids", "plan_google_aids"]

AIDS_FIELDS = (
    "sheets(properties(sheetId,title),conditionalFormats,"
    "data(startRow,startColumn,rowData(values(note,dataValidation))))"
)
_RANGE_KEYS = ("sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")

Cell = tuple[int, int]


def apply_google_aids(origin: GoogleSheet, aids: SheetAids, *, dry_run: bool = False) -> AidsOutcome:
    """Read the worksheet's rules and notes, then send what changes in one batchUpdate (or nothing;
    nothing either in a dry run, which only says what would change)."""
    where = f"spreadsheet {origin.spreadsheet_id} {origin.title!r}"
    with google_errors(where):
        found = origin.http.fetch_sheet_metadata(
            origin.spreadsheet_id, params={"ranges": quote_sheet(origin.title), "fields": AIDS_FIELDS}
        )
    sheet = next(
        (s for s in found.get("sheets") or [] if (s.get("properties") or {}).get("sheetId") == origin.sheet_id),
        None,
    )
    if sheet is None:
        raise GoogleAPIError(f"{where}: the worksheet went away while sheetkit worked on it; nothing was changed")
    requests, notices = plan_google_aids(sheet, origin.sheet_id, origin.title, aids)
    if requests and not dry_run:
        with google_errors(where):
            origin.http.batch_update(origin.spreadsheet_id, bodies.batch(requests))
    return AidsOutcome(aids.kinds, bool(requests), (*aids.notices, *notices), dry_run=dry_run)


def plan_google_aids(
    sheet: Mapping[str, Any], sheet_id: int, title: str, aids: SheetAids
) -> tuple[list[bodies.Body], list[str]]:
    """The batchUpdate requests that bring the sheet's own aids to ``aids``, and what could not be added."""
    notes, validations = _cells(sheet)
    notices: list[str] = []
    requests = _validation_requests(validations, sheet_id, title, aids, notices)
    requests += _rule_requests(sheet.get("conditionalFormats") or [], sheet_id, aids)
    requests += _note_requests(notes, sheet_id, title, aids, notices)
    return requests, notices


def _cells(sheet: Mapping[str, Any]) -> tuple[dict[Cell, str], dict[Cell, dict[str, Any]]]:
    """Notes and validations by 1-based (row, column), from the sheet's grid data."""
    notes: dict[Cell, str] = {}
    validations: dict[Cell, dict[str, Any]] = {}
    for grid in sheet.get("data") or []:
        top, left = int(grid.get("startRow", 0)), int(grid.get("startColumn", 0))
        for i, row in enumerate(grid.get("rowData") or []):
            for j, value in enumerate(row.get("values") or []):
                cell = (top + i + 1, left + j + 1)
                if value.get("note"):
                    notes[cell] = value["note"]
                if value.get("dataValidation"):
                    validations[cell] = value["dataValidation"]
    return notes, validations


def _plain(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A validation rule without the defaults Google leaves out of its answers (false, empty)."""
    return {key: value for key, value in rule.items() if value not in (False, None, "", [], {})}


def _validation_requests(
    validations: dict[Cell, dict[str, Any]], sheet_id: int, title: str, aids: SheetAids, notices: list[str]
) -> list[bodies.Body]:
    own = {cell for cell, rule in validations.items() if str(rule.get("inputMessage", "")).startswith(MARK)}
    dropdown = aids.dropdown if "dropdown" in aids.kinds else None
    wanted: set[Cell] = set()
    rule = None
    if dropdown is not None:
        wanted = {(row, dropdown.column) for row in range(dropdown.first_row, dropdown.last_row + 1)}
        if any(cell in validations and cell not in own for cell in wanted):
            notices.append(f"kept your own validation on {title}!{dropdown.ref}: no Status dropdown added there")
            wanted = set()
        else:
            rule = bodies.list_validation(dropdown.labels, f"{dropdown.title}. {dropdown.prompt}")
    requests = [
        bodies.set_validation(bodies.grid_range(sheet_id, first, last, column, column), None)
        for column, first, last in bodies.vertical_runs(own - wanted)
    ]
    if (
        dropdown is not None
        and rule is not None
        and any(_plain(validations.get(c, {})) != _plain(rule) for c in wanted)
    ):
        box = bodies.grid_range(sheet_id, dropdown.first_row, dropdown.last_row, dropdown.column, dropdown.column)
        requests.append(bodies.set_validation(box, rule))
    return requests


def _formula(rule: Mapping[str, Any]) -> str:
    condition = (rule.get("booleanRule") or {}).get("condition") or {}
    return " ".join(str(v.get("userEnteredValue", "")) for v in condition.get("values") or [])


def _color(rule: Mapping[str, Any]) -> str:
    fmt = (rule.get("booleanRule") or {}).get("format") or {}
    color = fmt.get("backgroundColor") or (fmt.get("backgroundColorStyle") or {}).get("rgbColor") or {}
    return "".join(f"{round(float(color.get(name, 0)) * 255):02X}" for name in ("red", "green", "blue"))


def _shape(rule: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two rules the same for sheetkit: ranges, formula, fill."""
    ranges = tuple(tuple(int(r.get(k, 0)) for k in _RANGE_KEYS) for r in rule.get("ranges") or [])
    return ranges, _formula(rule), _color(rule)


def _rule_requests(rules: list[dict[str, Any]], sheet_id: int, aids: SheetAids) -> list[bodies.Body]:
    own = [i for i, rule in enumerate(rules) if is_own_formula(_formula(rule))]
    wanted: list[bodies.Body] = []
    if "highlights" in aids.kinds and aids.highlight_box is not None:
        c1, r1, c2, r2 = aids.highlight_box
        box = bodies.grid_range(sheet_id, r1, r2, c1, c2)
        wanted = [bodies.formula_rule(box, h.formula, h.fill) for h in aids.highlights]
    if [_shape(rules[i]) for i in own] == [_shape(rule) for rule in wanted]:
        return []
    requests = [bodies.delete_rule(sheet_id, i) for i in reversed(own)]  # from the end: indexes stay right
    first = len(rules) - len(own)  # after the user's rules: theirs take precedence, as in Excel
    return requests + [bodies.add_rule(rule, first + k) for k, rule in enumerate(wanted)]


def _note_requests(
    notes: dict[Cell, str], sheet_id: int, title: str, aids: SheetAids, notices: list[str]
) -> list[bodies.Body]:
    own = {cell for cell, text in notes.items() if is_own_note(text)}
    wanted = aids.note_map() if "notes" in aids.kinds else {}
    skipped = sorted(cell for cell in wanted if cell in notes and cell not in own)
    if skipped:
        notices.append(kept_notes_notice(title, skipped, "note"))
    requests = [bodies.set_note(sheet_id, r, c, "") for r, c in sorted(own - set(wanted))]
    for (r, c), text in sorted(wanted.items()):
        if (r, c) not in skipped and notes.get((r, c)) != text:
            requests.append(bodies.set_note(sheet_id, r, c, text))
    return requests
