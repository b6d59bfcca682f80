"""Normalize: map the user's headers onto schema fields and give each cell its type.

Coercion is done here, not by pandera (see PITFALLS.md): a value that cannot be read as its
field's type becomes a Problem that quotes the raw value, and a blank in the typed frame, so
pandera's checks then run on clean typed columns only. Typed columns are converted one distinct
value at a time (pandas.factorize), so a 100,000-row sheet costs as many conversions as it
has distinct values; text columns whose values are mostly distinct (emails, URLs) are stripped
cell by cell instead. A date column's distinct typed texts also decide the day/month order of
its ambiguous ones (:mod:`sheetkit.core.dateorder`) in the same pass.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sheetkit.core.cells import column_letter
from sheetkit.core.dateorder import ColumnOrder, OrderChoice, ambiguous_message
from sheetkit.core.dates import CADENCE_FORMS, Reading, not_a_date, read_cadence, read_date_text, serial_to_date
from sheetkit.core.report import Problem, shown
from sheetkit.core.schema import Field, Schema, header_key
from sheetkit.core.suggest import COPY_SCHEMA_HINT, closest_by_words
from sheetkit.core.table import Table

# Pandas dtypes of the typed frame (pandera checks them); None means plain Python objects.
DTYPES: dict[str, str | None] = {
    "text": None,
    "integer": "Int64",
    "number": "Float64",
    "date": "datetime64[ns]",
    "boolean": "boolean",
    "status": None,
    "list": None,
    "cadence": "Int64",  # days
}


class _Invalid:
    """Marks a value that could not be read as its field's type."""

    __slots__ = ()


INVALID = _Invalid()
_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "date": "a date",
    "boolean": "TRUE or FALSE (or yes/no)",
}


@dataclass(frozen=True)
class DateColumn:
    """How a date column's typed dates were read where their day/month order was in question.

    Attributes:
        order: what the column (or the schema) says about the order.
        choices: each ambiguous text of the column (as typed) -> how it was read.
        doubtful: per cell, True where the order was a guess (each gets a warning).
    """

    order: ColumnOrder
    choices: dict[str, OrderChoice]
    doubtful: np.ndarray


@dataclass
class Normalized:
    """The sheet's values under schema field names, typed, with what went wrong on the way.

    Attributes:
        table: the Table it came from (positions and raw values).
        frame: one column per field present in the sheet, typed; row i is table row i.
        positions: field name -> table column position.
        computed_positions: computed kind -> table column position, for the ones already there.
        problems: header problems and values that could not be read as their type.
        notices: columns the schema does not know (left as they are; worth a look, not a problem).
        invalid: field name -> boolean array, True where the value could not be read.
        dates: date field name -> how its ambiguous typed dates were read.
    """

    table: Table
    schema: Schema
    frame: pd.DataFrame
    positions: dict[str, int]
    computed_positions: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    invalid: dict[str, np.ndarray] = field(default_factory=dict)
    blank: dict[str, np.ndarray] = field(default_factory=dict)
    dates: dict[str, DateColumn] = field(default_factory=dict)

    def empty_rows(self) -> np.ndarray:
        """Rows that hold nothing the schema knows (only other or computed columns): not checked."""
        empty = np.ones(len(self.table), dtype=bool)
        for mask in self.blank.values():
            empty &= mask
        return empty if self.blank else np.zeros(len(self.table), dtype=bool)

    def name_cells(self) -> list[str]:
        """Each row's name cell ("Contacts!A7"): the column of the schema's first name field the sheet has."""
        table = self.table
        if not table.columns:
            return [""] * len(table)
        names = self.schema.name_fields
        anchor = self.positions.get(names[0], 0) if names else 0
        return [table.cell(anchor, int(r)) for r in table.rows]

    def read_as(self, field_name: str, raw: Any) -> str:
        """How a typed date whose day/month order was in question was read, for a message; else "".

        E.g. "read as 2026-12-08 (month first)"; "" for date cells, ISO text and the like.
        """
        column = self.dates.get(field_name)
        choice = column.choices.get(raw) if column is not None and type(raw) is str else None
        return "" if choice is None else choice.read_as()

    def problem(
        self, field_name: str, row_index: int, *, rule: str, message: str, severity: str = "error", value: Any = None
    ) -> Problem:
        """A Problem for one cell of a field, addressed in the sheet."""
        position = self.positions[field_name]
        row = int(self.table.rows[row_index])
        raw = self.table.values.iat[row_index, position] if value is None else value
        return Problem(
            severity="warning" if severity == "warning" else "error",
            rule=rule,
            message=message,
            cell=self.table.cell(position, row),
            row=row,
            column=column_letter(self.table.columns[position]),
            header=self.table.headers[position],
            field=field_name,
            value=shown(raw) if _present(raw) else "",
        )


def normalize(table: Table, schema: Schema, as_of: dt.date | None = None) -> Normalized:
    """Map headers to fields and coerce every field column to its type.

    ``as_of`` (default: today in the schema's time zone) dates the examples in messages about
    relative dates ("next tuesday": "write the date itself, e.g. 2026-11-24").
    """
    as_of = schema.today() if as_of is None else as_of
    positions, computed_positions, problems = match_headers(table, schema)
    columns: dict[str, pd.Series] = {}
    invalid: dict[str, np.ndarray] = {}
    blank: dict[str, np.ndarray] = {}
    result = Normalized(table, schema, pd.DataFrame(index=pd.RangeIndex(len(table))), positions, computed_positions)
    for name, position in positions.items():
        spec = schema.fields[name]
        raw = table.values[position]
        share = functools.partial(table.share_repeated_text, position)
        if spec.type == "date":
            typed, bad, blank[name], result.dates[name] = _coerce_dates(raw, schema.day_first, table.epoch, share)
        else:
            typed, bad, blank[name] = _coerce(raw, spec, schema, share)
        columns[name] = typed
        invalid[name] = bad
        for index in np.flatnonzero(bad):
            value = raw.iat[int(index)]
            message = _type_message(spec, value, schema, as_of)
            problems.append(result.problem(name, int(index), rule="type", message=message))
        if spec.type == "date":
            problems.extend(_ambiguous_dates(result, name, raw))
    result.blank = blank
    for name in positions:
        spec = schema.fields[name]
        if spec.type == "status" and schema.blank_status is not None:
            for index in np.flatnonzero(blank[name] & ~result.empty_rows()):
                problems.append(
                    result.problem(
                        name,
                        int(index),
                        rule="blank_status",
                        severity="warning",
                        message=f"{spec.header} is blank; read as '{schema.blank_status}'",
                    )
                )
    result.frame = pd.DataFrame(columns, index=pd.RangeIndex(len(table)))
    result.problems = problems
    result.notices = unused_headers(table, schema, positions, computed_positions)
    result.invalid = invalid
    result.blank = blank
    return result


def match_headers(table: Table, schema: Schema) -> tuple[dict[str, int], dict[str, int], list[Problem]]:
    """Which table column holds each field and each computed column; header problems."""
    by_key: dict[str, str] = {}
    for spec in schema.fields.values():
        for key in spec.header_keys:
            by_key[key] = spec.name
    computed_keys = {header_key(c.header): name for name, c in schema.active_computed().items()}
    positions: dict[str, int] = {}
    computed_positions: dict[str, int] = {}
    seen_text: dict[str, int] = {}
    problems: list[Problem] = []
    for position, header in enumerate(table.headers):
        key = header_key(header)
        cell = table.header_cell(position)
        letter = column_letter(table.columns[position])
        if not key:
            problems.append(
                Problem(
                    severity="warning",
                    rule="missing_header",
                    cell=cell,
                    column=letter,
                    message=f"column {letter} holds data but has no header; it is ignored",
                )
            )
            continue
        target = by_key.get(key) or computed_keys.get(key)
        earlier = positions.get(target) if target in schema.fields else computed_positions.get(target or "")
        if key in seen_text or earlier is not None:
            first = seen_text.get(key, earlier)
            assert first is not None
            what = f"the field {schema.fields[target].header!r}" if target in schema.fields else "the same name"
            problems.append(
                Problem(
                    severity="error",
                    rule="duplicate_header",
                    cell=cell,
                    column=letter,
                    header=header,
                    field=target or "",
                    value=header,
                    message=(
                        f"header {header!r} duplicates {table.header_cell(first)} ({what}); "
                        "this column is ignored: rename or remove one of them"
                    ),
                )
            )
            continue
        seen_text[key] = position
        if target in schema.fields:
            positions[target] = position
        elif target is not None:
            computed_positions[target] = position
    for merged in table.merged:
        if merged.first_column == merged.last_column and merged.first_row == merged.last_row:
            continue
        problems.append(
            Problem(
                severity="error",
                rule="merged_header",
                cell=f"{_sheet_prefix(table)}{merged.ref}",
                column=column_letter(merged.first_column),
                message=(
                    f"header cells {merged.ref} are merged; unmerge them so that every column has a header of its own"
                ),
            )
        )
    for spec in schema.fields.values():
        if spec.required and spec.name not in positions and not any(f in positions for f in spec.required_unless):
            spellings = ", ".join(repr(h) for h in (spec.header, *spec.aliases))
            instead = "".join(f" (or {schema.fields[f].header!r})" for f in spec.required_unless)
            problems.append(
                Problem(
                    severity="error",
                    rule="required_column",
                    header=spec.header,
                    field=spec.name,
                    cell=f"{_sheet_prefix(table)}{table.header_row}:{table.header_row}" if table.header_row else "",
                    message=(
                        f"required column {spec.header!r}{instead} is missing (looked for headers: {spellings}); "
                        f"if the sheet calls it something else, add that to fields.{spec.name}.aliases "
                        f"({COPY_SCHEMA_HINT})"
                    ),
                )
            )
    return positions, computed_positions, problems


def unused_headers(
    table: Table, schema: Schema, positions: dict[str, int], computed_positions: dict[str, int]
) -> list[Problem]:
    """A notice for every column the schema does not know: named, with the closest field when one is close."""
    used = set(positions.values()) | set(computed_positions.values())
    own = {header_key(c.header) for c in schema.computed.values()} | {header_key(schema.sync.id_header)}
    notices = []
    for position, header in enumerate(table.headers):
        key = header_key(header)
        if not key or position in used or key in own or key in schema.known_header_keys:
            continue  # blank and duplicate headers are problems already
        letter = column_letter(table.columns[position])
        guess = closest_by_words(header, schema.field_spellings)
        if guess is not None and guess not in positions:
            advice = f"did you mean {guess}? add {header!r} to fields.{guess}.aliases ({COPY_SCHEMA_HINT})"
        else:
            advice = "sheetkit leaves it as it is; to use it, add it to a field's aliases in the schema"
        notices.append(
            Problem(
                severity="notice",
                rule="unused_column",
                cell=table.header_cell(position),
                column=letter,
                header=header,
                value=header,
                message=f"column {letter} {header!r} is not a column the schema knows; {advice}",
            )
        )
    return notices


def _sheet_prefix(table: Table) -> str:
    from sheetkit.core.cells import quote_sheet

    return f"{quote_sheet(table.sheet)}!"


# ---------------------------------------------------------------------------------------------
# Coercion


_Share = Callable[[np.ndarray, list[Any]], None]
"""Told a raw column's factorization, so its repeated texts can share one str (Table.share_repeated_text)."""


def _no_share(codes: np.ndarray, uniques: list[Any]) -> None:
    """A column whose table has no grid to share texts in (the default)."""


def _coerce(
    raw: pd.Series, spec: Field, schema: Schema, share: _Share = _no_share
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Convert a raw column (not a date column): (typed series, mask of unreadable values, mask of blank cells)."""
    if spec.type == "text":  # every value is readable as text: only blanks to find
        return _text_by_cell(raw) if _mostly_distinct(raw) else _text_by_value(raw, share)
    codes, uniques = _factorize(raw)
    share(codes, uniques)
    convert = _converter(spec, schema)
    return _typed(codes, uniques, [convert(u) for u in uniques], DTYPES[spec.type])


def _coerce_dates(
    raw: pd.Series, day_first: bool | None, epoch: dt.date, share: _Share = _no_share
) -> tuple[pd.Series, np.ndarray, np.ndarray, DateColumn]:
    """Convert a date column, each ambiguous typed date in the order its column decides (see dateorder).

    One pass over the distinct values reads every typed text both ways (cached), a second over
    those readings finds the column's order, and only the ambiguous ones are then chosen for.
    """
    codes, uniques = _factorize(raw)
    share(codes, uniques)
    readings: dict[str, Reading] = {}
    for u in uniques:
        if type(u) is str and (reading := read_date_text(u)) is not None:
            readings[u] = reading
    order = ColumnOrder.of(readings.items(), day_first)
    choices: dict[str, OrderChoice] = {}
    converted: list[Any] = []
    for u in uniques:
        reading = readings.get(u) if type(u) is str else None
        if reading is None:  # a date cell, a serial number, a blank, or text that is not a date
            converted.append(_to_date(u, epoch))
            continue
        if reading.ambiguous:
            choices[u] = order.choose(reading)
            day = choices[u].date
        else:
            day = reading.date(False)
        converted.append(dt.datetime(day.year, day.month, day.day))
    doubtful_texts = {text for text, choice in choices.items() if choice.doubtful}
    if doubtful_texts:
        flags = np.fromiter((type(u) is str and u in doubtful_texts for u in uniques), dtype=bool, count=len(uniques))
        doubtful = np.append(flags, False)[codes]
    else:
        doubtful = np.zeros(len(codes), dtype=bool)
    typed, bad, blank = _typed(codes, uniques, converted, DTYPES["date"])
    return typed, bad, blank, DateColumn(order, choices, doubtful)


def _ambiguous_dates(norm: Normalized, name: str, raw: pd.Series) -> list[Problem]:
    """A warning for every cell of a date column whose day/month order was guessed."""
    column = norm.dates[name]
    messages: dict[str, str] = {}  # one message per distinct text, however many cells hold it
    problems = []
    for index in np.flatnonzero(column.doubtful):
        text = str(raw.iat[int(index)])  # a doubtful cell holds typed text
        if text not in messages:
            messages[text] = ambiguous_message(text, column.choices[text], column.order, norm.schema)
        problems.append(
            norm.problem(name, int(index), rule="ambiguous_date", severity="warning", message=messages[text])
        )
    return problems


def _typed(
    codes: np.ndarray, uniques: list[Any], converted: list[Any], dtype: str | None
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A column from its factorized codes and converted distinct values: (typed series, unreadable, blank)."""
    blank_unique = np.fromiter((not _present(u) for u in uniques), dtype=bool, count=len(uniques))
    bad_unique = np.fromiter((c is INVALID for c in converted), dtype=bool, count=len(converted))
    values = np.empty(len(converted) + 1, dtype=object)
    values[:-1] = [None if c is INVALID else c for c in converted]
    values[-1] = None  # pandas.factorize gives code -1 to NaN/None
    out = values[codes]
    bad = np.append(bad_unique, False)[codes]
    blank = np.append(blank_unique, True)[codes]
    if dtype == "datetime64[ns]":
        series = pd.Series(pd.to_datetime(pd.Series(out, dtype=object)), dtype=dtype)
    elif dtype is not None:
        series = pd.Series(out, dtype=dtype)
    else:
        series = pd.Series(out, dtype=object)
    return series, bad, blank


def _text_by_cell(raw: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A text column stripped cell by cell (for columns of mostly distinct values)."""
    out = np.empty(len(raw), dtype=object)
    out[:] = _texts(raw.to_numpy().tolist())
    return pd.Series(out, dtype=object), np.zeros(len(out), dtype=bool), pd.isna(out)


def _text_by_value(
    raw: pd.Series, share: _Share = _no_share
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A text column stripped once per distinct value (for columns whose values repeat)."""
    codes, uniques = _factorize(raw)
    share(codes, uniques)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:-1] = _texts(uniques)
    values[-1] = None  # pandas.factorize gives code -1 to NaN/None
    out = values[codes]
    blank_unique = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    return pd.Series(out, dtype=object), np.zeros(len(out), dtype=bool), blank_unique[codes]


class _BoolKey:
    """Stands in for TRUE or FALSE while a column is factorized (see :func:`_factorize`)."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


_BOOL_KEYS = {True: _BoolKey(True), False: _BoolKey(False)}


def _factorize(raw: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """pandas.factorize, with TRUE and FALSE cells kept apart from the numbers 1 and 0.

    Python counts True == 1.0 (and hashes them alike), so plain factorize would read every 1 in
    a column as whichever of the two came first: a TRUE above them would make the 1s in a
    count column unreadable, and a 1 would make a TRUE in a text column read "1".
    """
    values = raw.to_numpy()
    codes, found = pd.factorize(values, use_na_sentinel=True)
    uniques = found.tolist()
    # Only a column whose distinct values include a boolean, or a 0 or 1, can have merged them:
    # the whole column is looked at (~0.02 s at 100,000 rows) only then.
    if (bool in set(map(type, uniques)) or 0 in uniques or 1 in uniques) and _mixes_bools_and_numbers(values):
        keyed = np.empty(len(values), dtype=object)
        keyed[:] = [_BOOL_KEYS[v] if type(v) is bool else v for v in values.tolist()]
        codes, found = pd.factorize(keyed, use_na_sentinel=True)
        return codes, [u.value if type(u) is _BoolKey else u for u in found.tolist()]
    return codes, uniques


def _mixes_bools_and_numbers(values: np.ndarray) -> bool:
    kinds = set(map(type, values.tolist()))
    return bool in kinds and any(k is not bool and issubclass(k, (int, float, np.number)) for k in kinds)


_SAMPLE = 2000  # cells looked at to guess whether nearly all of a column's values differ


def _mostly_distinct(raw: pd.Series) -> bool:
    """Whether nearly all of the column's first cells differ, as in a column of emails or URLs.

    Then factorize does not pay: its hash table of 100,000 distinct strings costs about twice
    as much as stripping each cell (measured on the 100,000-row benchmark's Email and LinkedIn
    columns), while a column with a few thousand distinct values (phone numbers) is still
    cheaper factorized.
    """
    sample = raw.iloc[:_SAMPLE].tolist()
    try:
        return len(sample) >= 100 and len(set(sample)) >= len(sample) * 0.95
    except TypeError:  # an unhashable value: the factorize path decides what it is
        return False


def _texts(values: Any) -> list[Any]:
    """A text column's raw (or distinct raw) values as stripped text (None for blank).

    Strings, nearly all of them, are stripped inline (a comprehension is about twice as fast as
    pandas' str.strip here); numbers, dates and booleans typed into a text column take the exact
    path.
    """
    return [(u.strip() or None) if type(u) is str else _to_text(u) for u in values]


def _converter(spec: Field, schema: Schema) -> Callable[[Any], Any]:
    if spec.type == "integer":
        return _to_integer
    if spec.type == "number":
        return _to_number
    if spec.type == "boolean":
        return _to_boolean
    if spec.type == "list":
        return _to_list
    if spec.type == "cadence":
        return _to_cadence
    lookup = schema.status_lookup()
    blank = schema.blank_status
    return lambda v: _to_status(v, lookup, blank)


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, float) and value != value:
        return False
    return value is not pd.NA and value is not pd.NaT


def _to_text(value: Any) -> Any:
    if not _present(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return shown(value)
    return str(value).strip()


_INT_TEXT = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def _to_integer(value: Any) -> Any:
    if not _present(value):
        return None
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else INVALID
    if isinstance(value, str) and _INT_TEXT.match(value.strip()):
        return int(float(value.strip()))
    return INVALID


def _to_number(value: Any) -> Any:
    if not _present(value):
        return None
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            return INVALID
    return INVALID


_TRUE = {"true", "yes", "y", "1", "x", "✓", "✔"}
_FALSE = {"false", "no", "n", "0"}


def _to_boolean(value: Any) -> Any:
    if not _present(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return INVALID


_LIST_SPLIT = re.compile(r"\s*(?:[,;/|+&]|\band\b)\s*", re.IGNORECASE)


def _to_list(value: Any) -> Any:
    if not _present(value):
        return None
    items = tuple(part for part in _LIST_SPLIT.split(str(value).strip()) if part)
    return items or None


def _to_cadence(value: Any) -> Any:
    if not _present(value):
        return None
    days = read_cadence(value)
    return INVALID if days is None else days


def _to_date(value: Any, epoch: dt.date) -> Any:
    """A date cell or serial number as a date (typed text is read by :func:`_coerce_dates`)."""
    if not _present(value):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).replace(hour=0, minute=0, second=0, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        return INVALID
    if isinstance(value, (int, float)):
        day = serial_to_date(float(value), epoch)
        return INVALID if day is None else dt.datetime(day.year, day.month, day.day)
    return INVALID


def _to_status(value: Any, lookup: dict[str, str], blank: str | None) -> Any:
    if not _present(value):
        return blank
    text = _to_text(value)
    return lookup.get(header_key(text), text)


def _type_message(spec: Field, value: Any, schema: Schema, as_of: dt.date) -> str:
    if spec.type == "date":
        return _date_message(value, schema.day_first, as_of)
    if spec.type == "cadence":
        return f"'{shown(value)}' is not a cadence; write one of: {CADENCE_FORMS}"
    return f"'{shown(value)}' is not {_TYPE_WORDS.get(spec.type, spec.type)}"


def _date_message(value: Any, day_first: bool | None, as_of: dt.date) -> str:
    """Why a value is not a date, and what to write instead."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{shown(value)} is not a date (as a date serial number it is outside 1900-9999)"
    meant = not_a_date(value, as_of) if isinstance(value, str) else None
    if meant is not None and meant.kind == "relative":
        return f"'{shown(value)}' is a relative date; write the date itself, e.g. {meant.example}"
    if meant is not None and meant.kind == "placeholder":
        return (
            f"'{shown(value)}' is not a date; write the date itself, e.g. {meant.example}, "
            "or leave the cell blank until there is one"
        )
    if meant is not None:
        return f"'{shown(value)}' has no year, so it is not read as a date; write the year too, e.g. {meant.example}"
    if day_first is None:  # the order of 3/4/2024 is the column's: suggest forms without the question
        return f"'{shown(value)}' is not a date (e.g. 2024-03-04 or 4 Mar 2024)"
    order = "day/month/year" if day_first else "month/day/year"
    return f"'{shown(value)}' is not a date (e.g. 2024-03-04, 4 Mar 2024, or {order})"
