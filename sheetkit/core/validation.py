"""Validate: build a pandera schema from a sheetkit schema, run it lazily, explain each failure.

pandera does the checking (all problems at once); this module turns its failure cases into
Problems. pandera reports DataFrame index labels, which here are table row positions, so each
failure maps back to its sheet cell through the Table.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheetkit.core.contacts import email_problem, is_linkedin_profile, phone_problem, plain_emails
from sheetkit.core.normalize import DTYPES, Normalized
from sheetkit.core.report import Problem, shown
from sheetkit.core.schema import CheckSpec, Field, Schema, header_key
from sheetkit.core.suggest import COPY_SCHEMA_HINT, closest

if TYPE_CHECKING:
    import pandera.pandas as pa


@dataclass(frozen=True)
class _Rule:
    """How to explain one pandera check of one field."""

    field: Field
    spec: CheckSpec | None  # None for the built-in not-nullable and status checks
    explain: Callable[[Any, int], str]


def prepare(schema: Schema) -> None:
    """Load what validating against ``schema`` will need, before there is a sheet to validate.

    pandera registers its pandas backends and imports its checks on its first validate (about
    0.2 s), and email-validator and phonenumbers load on first use. The command line calls this
    while the workbook it started reading early is still being parsed, which takes that time
    off the wait; later calls cost nothing.
    """
    _load_pandera_checks()
    kinds = {check.name for field in schema.fields.values() for check in field.checks}
    if "email" in kinds:
        import email_validator  # noqa: F401
    if "phone" in kinds:
        import phonenumbers  # noqa: F401


@functools.cache
def _load_pandera_checks() -> None:
    """One validate of an empty frame: pandera registers its backends then (once per process)."""
    import pandera.pandas as pa

    probe = pa.DataFrameSchema({"x": pa.Column(object, pa.Check(lambda s: s.notna()), nullable=True)})
    probe.validate(pd.DataFrame({"x": pd.Series([], dtype=object)}), lazy=True)


def validate_normalized(norm: Normalized, as_of: dt.date) -> list[Problem]:
    """Run the schema's checks over the typed frame; one Problem per failing cell."""
    import pandera.pandas as pa

    frame = norm.frame
    active = ~norm.empty_rows()
    if not frame.columns.size or not active.any():
        return []
    checked = frame if active.all() else frame.loc[active]
    pandera_schema, rules = build_pandera_schema(norm, as_of)
    try:
        pandera_schema.validate(checked, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _problems_from(exc.failure_cases, rules, norm)
    return []


def build_pandera_schema(norm: Normalized, as_of: dt.date) -> tuple[pa.DataFrameSchema, dict[tuple[str, Any], _Rule]]:
    """The pandera schema for the fields present in this sheet, and how to explain its checks.

    Returns the schema and a map from (column, pandera check number) to the rule behind it; the
    not-nullable check is keyed (column, None).
    """
    import pandera.pandas as pa

    schema = norm.schema
    columns: dict[str, pa.Column] = {}
    rules: dict[tuple[str, Any], _Rule] = {}
    for name in norm.frame.columns:
        spec = schema.fields[name]
        checks: list[pa.Check] = []
        for check_spec in spec.checks:
            check, explain = _check(check_spec, spec, norm, as_of)
            rules[(name, len(checks))] = _Rule(spec, check_spec, explain)
            checks.append(check)
        if spec.type == "status":
            allowed = list(schema.statuses)
            rules[(name, len(checks))] = _Rule(spec, None, _status_message(schema))
            checks.append(pa.Check.isin(allowed))
        nullable = spec.allow_blank and not (spec.type == "status" and schema.blank_status is None)
        rules[(name, None)] = _Rule(spec, None, _blank_message(spec))
        columns[name] = pa.Column(DTYPES[spec.type], checks, nullable=nullable, required=False)
    return pa.DataFrameSchema(columns, strict=False, coerce=False), rules


def _check(
    spec: CheckSpec, field: Field, norm: Normalized, as_of: dt.date
) -> tuple[pa.Check, Callable[[Any, int], str]]:
    """One sheetkit check as a vectorised pandera Check, with the message for a failing value."""
    import pandera.pandas as pa

    arg = spec.argument
    if spec.name == "email":
        return (
            pa.Check(lambda s: _passes(s, _addresses), name="email"),
            lambda v, r: (
                f"'{shown(v)}' is not an email address: {email_problem(str(v).strip())} (expected name@example.com)"
            ),
        )
    if spec.name == "linkedin_url":
        return (
            pa.Check(lambda s: _passes(s, _each(is_linkedin_profile)), name="linkedin_url"),
            lambda v, r: f"'{shown(v)}' is not a LinkedIn profile URL (expected linkedin.com/in/<name>)",
        )
    if spec.name == "phone":
        region, e164 = norm.schema.phone_region, arg == "e164"
        return (
            pa.Check(
                lambda s: _passes(s, _each(lambda v: phone_problem(v, region, e164) is None)),
                name="phone",
            ),
            lambda v, r: phone_problem(str(v).strip(), region, e164) or "",
        )
    if spec.name == "unique":
        first_cells = _FirstOccurrences(norm, field)
        return (
            pa.Check(lambda s: ~first_cells.keys_of(s).duplicated(keep="first"), name="unique"),
            lambda v, r: (
                f"{_as_read(norm, field, v, quoted=True)} appears more than once (first at {first_cells.cell(r)})"
            ),
        )
    if spec.name == "min":
        return pa.Check.ge(arg), lambda v, r: f"{shown(v)} is less than the minimum of {shown(arg)}"
    if spec.name == "max":
        return pa.Check.le(arg), lambda v, r: f"{shown(v)} is more than the maximum of {shown(arg)}"
    if spec.name == "not_in_future":
        limit = pd.Timestamp(as_of)
        return (
            pa.Check.le(limit),
            lambda v, r: (
                f"{_as_read(norm, field, v)} is after the as-of date {as_of.isoformat()}; "
                "a contact date cannot be in the future"
            ),
        )
    if spec.name == "pattern":
        pattern = re.compile(arg)
        return (
            pa.Check(lambda s: _matches(s, pattern), name="pattern"),
            lambda v, r: f"'{shown(v)}' does not match the pattern {arg}",
        )
    if spec.name == "max_length":
        return (
            pa.Check.str_length(max_value=arg),
            lambda v, r: f"the text is {len(str(v))} characters long; at most {arg} are allowed",
        )
    if spec.name == "one_of":
        keys = {header_key(a) for a in arg}
        return (
            pa.Check(lambda s: s.map(header_key).isin(keys), name="one_of"),
            lambda v, r: f"'{shown(v)}' is not one of: {', '.join(arg)}",
        )
    raise AssertionError(f"check {spec.name!r} has no implementation")  # schema.py rejects unknown names


def _as_read(norm: Normalized, field: Field, value: Any, *, quoted: bool = False) -> str:
    """A value as a message shows it, with how it was read when it was a typed date whose day/month
    order was in question: "12.08.2026, read as 2026-12-08 (month first),"."""
    text = f"'{shown(value)}'" if quoted else shown(value)
    read_as = norm.read_as(field.name, value)
    return f"{text}, {read_as}," if read_as else text


def _unique_keys(series: pd.Series) -> pd.Series:
    """What counts as 'the same' for uniqueness: text ignores case (normalize already stripped it)."""
    if series.dtype == object:
        keys = [v.casefold() if type(v) is str else v for v in series]
        return pd.Series(keys, index=series.index, dtype=object)
    return series


def _matches(series: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """Which texts match ``pattern`` from their start (see :func:`_passes`)."""
    return _passes(series, _each(pattern.match))


def _passes(series: pd.Series, test: Callable[[list[str]], Iterable[Any]]) -> pd.Series:
    """Which texts pass ``test`` (given the column's texts, it answers for each in turn). Blanks
    are marked failing here; pandera lets them pass (ignore_na) and the not-blank rule speaks for them."""
    present = series.notna().to_numpy()
    texts = (series if present.all() else series[present]).tolist()  # text fields hold str or None only
    out = np.zeros(len(series), dtype=bool)
    out[present] = np.fromiter(map(bool, test(texts)), dtype=bool, count=len(texts))
    return pd.Series(out, index=series.index)


def _each(test: Callable[[str], Any]) -> Callable[[list[str]], Iterable[Any]]:
    """A test of one text as the column test :func:`_passes` takes (asked of each text in turn)."""
    return functools.partial(map, test)


def _addresses(texts: list[str]) -> Iterator[bool]:
    """Which texts are email addresses: the plain ones at once, the rest by email-validator."""
    return (plain or email_problem(text) is None for plain, text in zip(plain_emails(texts), texts, strict=True))


class _FirstOccurrences:
    """A unique field's comparison keys, and where each duplicate's value first appeared.

    The keys are computed once for the check; the first-occurrence cells only when a duplicate
    is explained (most sheets have none).
    """

    def __init__(self, norm: Normalized, field: Field) -> None:
        self.norm, self.field = norm, field
        self.keys = _unique_keys(norm.frame[field.name])
        self._cells: dict[int, str] | None = None

    def keys_of(self, series: pd.Series) -> pd.Series:
        """The keys of the rows being checked (all of them, or the non-empty ones)."""
        return self.keys if series.index.equals(self.keys.index) else self.keys.loc[series.index]

    def cell(self, row_index: int) -> str:
        if self._cells is None:
            self._cells = self._first_cells()
        return self._cells.get(row_index, "?")

    def _first_cells(self) -> dict[int, str]:
        series = self.keys.loc[~self.norm.empty_rows()]
        series = series[series.notna()]
        first: dict[Any, int] = {}
        cells: dict[int, str] = {}
        position = self.norm.positions[self.field.name]
        for index, key in series[series.duplicated(keep=False)].items():
            assert isinstance(index, int)
            if key not in first:
                first[key] = index
            else:
                cells[index] = self.norm.table.cell(position, int(self.norm.table.rows[first[key]]))
        return cells


def _blank_message(spec: Field) -> Callable[[Any, int], str]:
    def explain(value: Any, row: int) -> str:
        return f"{spec.header} is blank; a value is required"

    return explain


def _status_message(schema: Schema) -> Callable[[Any, int], str]:
    allowed = ", ".join(schema.statuses)

    def explain(value: Any, row: int) -> str:
        guess = closest(str(value), schema.status_spellings)
        where = f"statuses.{guess}.spellings" if guess else "the spellings of one of them (statuses.<status>.spellings)"
        hint = f"did you mean {guess}? " if guess else ""
        return (
            f"'{shown(value)}' is not a known status; {hint}use one of: {allowed}, or if it means one of them, "
            f"add it to {where} ({COPY_SCHEMA_HINT})"
        )

    return explain


def _problems_from(failures: pd.DataFrame, rules: dict[tuple[str, Any], _Rule], norm: Normalized) -> list[Problem]:
    problems: list[Problem] = []
    for column, check_number, index in failures[["column", "check_number", "index"]].itertuples(index=False):
        if index is None or (isinstance(index, float) and index != index) or column not in norm.positions:
            continue  # a whole-column failure (none expected: dtypes are ours) has no cell
        key = (column, None if check_number is None or check_number != check_number else int(check_number))
        rule = rules.get(key)
        if rule is None:
            continue
        row_index = int(index)
        raw = norm.table.values.iat[row_index, norm.positions[column]]
        severity = rule.spec.severity if rule.spec else "error"
        rule_name = rule.spec.name if rule.spec else ("required" if key[1] is None else "status")
        problems.append(
            norm.problem(column, row_index, rule=rule_name, severity=severity, message=rule.explain(raw, row_index))
        )
    return problems
