"""The day/month order of a column's typed dates, decided by the column itself.

"3/4/2026" is 3 April in most of the world and March 4 in the US. People keep one habit within
a column, so its unambiguous values decide for its ambiguous ones: a first number over 12
("27/10/2026") can only be day first, a second over 12 ("10/27/2026") only month first. The
schema's ``day_first``, when set to true or false, always wins. A value the column does not
decide (no evidence, or evidence both ways) is read month first, or day first when dotted
("04.11.2026", a European form), and is reported as a warning that names both readings:
sheetkit does not guess silently. "04/04/2026" reads the same both ways and is not ambiguous,
and a value that can be read only one way is always read that way.

A column is looked at once, one distinct value at a time (normalize has factorized it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sheetkit.core.dates import Reading
from sheetkit.core.report import shown
from sheetkit.core.schema import BUNDLED_SCHEMA, Schema

Why = Literal["schema", "column", "dotted", "default"]
"""Why an ambiguous value was read in its order: the schema's setting, the column's other
values, the dotted form, or nothing (month first)."""


@dataclass(frozen=True)
class OrderChoice:
    """How one ambiguous typed date was read, and why."""

    reading: Reading
    day_first: bool
    why: Why
    proof: str = ""  # for why == "column": a value of the column that can only be read this way

    @property
    def date(self) -> dt.date:
        return self.reading.date(self.day_first)

    @property
    def doubtful(self) -> bool:
        """Whether the order is a guess (nothing set, nothing in the column): a warning says so."""
        return self.why in ("dotted", "default")

    @property
    def order(self) -> str:
        return "day first" if self.day_first else "month first"

    def read_as(self) -> str:
        """How it was read, for messages: "read as 2026-11-04 (day first, like 27.10.2026 in this column)"."""
        reason = {
            "schema": ", as the schema's day_first says",
            "column": f", like {shown(self.proof)} in this column",
            "dotted": ", as dotted dates usually are",
            "default": "",
        }[self.why]
        return f"read as {self.date.isoformat()} ({self.order}{reason})"


@dataclass(frozen=True)
class ColumnOrder:
    """What a date column says about the order of its ambiguous typed dates.

    Attributes:
        setting: the schema's day_first; None leaves the order to the column.
        day_first_proof: the first text of the column that can only be read day first, or "".
        month_first_proof: the first that can only be read month first, or "".
    """

    setting: bool | None = None
    day_first_proof: str = ""
    month_first_proof: str = ""

    @classmethod
    def of(cls, readings: Iterable[tuple[str, Reading]], setting: bool | None) -> ColumnOrder:
        """The order of a column, from the readings of its distinct typed dates (in sheet order)."""
        if setting is not None:
            return cls(setting)
        day = month = ""
        for text, reading in readings:
            proves = reading.proves
            if proves == "day" and not day:
                day = text
            elif proves == "month" and not month:
                month = text
            if day and month:
                break
        return cls(None, day, month)

    @property
    def conflicting(self) -> bool:
        """Whether the column holds dates that can only be day first and others only month first."""
        return bool(self.day_first_proof and self.month_first_proof)

    def choose(self, reading: Reading) -> OrderChoice:
        """How an ambiguous value of this column is read."""
        if self.setting is not None:
            return OrderChoice(reading, self.setting, "schema")
        if self.day_first_proof and not self.month_first_proof:
            return OrderChoice(reading, True, "column", self.day_first_proof)
        if self.month_first_proof and not self.day_first_proof:
            return OrderChoice(reading, False, "column", self.month_first_proof)
        return OrderChoice(reading, reading.dotted, "dotted" if reading.dotted else "default")


def ambiguous_message(text: str, choice: OrderChoice, column: ColumnOrder, schema: Schema) -> str:
    """The warning for a value whose order was guessed: both readings, the one taken, how to decide."""
    month_first, day_first = choice.reading.month_first, choice.reading.day_first
    assert month_first is not None and day_first is not None  # only ambiguous values are warned about
    taken = f"read as {choice.date.isoformat()}"
    if choice.why == "dotted":
        taken += " (day first, as dotted dates usually are)"
    readings = f"{month_first.isoformat()} (month first) or {day_first.isoformat()} (day first)"
    message = f"{shown(text)} could be {readings}; {taken}"
    if column.conflicting:
        return (
            f"{message} — this column has dates of both orders ({shown(column.day_first_proof)} is day first, "
            f"{shown(column.month_first_proof)} month first): write this one as {month_first.isoformat()} or "
            f"{day_first.isoformat()}, or {setting_hint(schema)}"
        )
    return f"{message} — {setting_hint(schema)}"


def setting_hint(schema: Schema) -> str:
    """Where to say the order: the user's schema file, or an editable copy of the bundled one."""
    if not schema.path or schema.path.startswith("<"):
        return "set day_first: true or false in the schema"
    if not schema.bundled:
        return f"set day_first: true or false in {Path(schema.path).name}"
    if Path(schema.path).stem == BUNDLED_SCHEMA:  # the one `sheetkit init --copy-schema` copies
        return "set day_first: true or false in the schema (sheetkit init --copy-schema gives an editable copy)"
    return f"set day_first: true or false in a copy of the bundled {schema.name} schema (used with --schema)"
