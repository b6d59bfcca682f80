"""Schemas: the YAML files that say what a sheet should hold and how sheetkit computes on it.

A schema is sheetkit's own format (not pandera's YAML, which silently drops unknown checks):
it is checked key by key here, and any mistake is reported with its line number and key path.
The pandera schema that does the checking is built from it in :mod:`sheetkit.core.validation`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from sheetkit.errors import UsageError

FieldType = Literal["text", "integer", "number", "date", "boolean", "status", "list", "cadence"]
# "cadence": how often to check in with one person ("30 days", "monthly"), read as a number of days.
FIELD_TYPES: tuple[str, ...] = ("text", "integer", "number", "date", "boolean", "status", "list", "cadence")
Severity = Literal["error", "warning"]

# check name -> (types it applies to, kind of argument it takes: None, "number", "text", "list", "int",
# or "form": optional, e.g. `- phone: e164`)
CHECKS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "email": (("text",), None),
    "linkedin_url": (("text",), None),
    "phone": (("text",), "form"),
    "unique": (("text", "integer", "number", "date"), None),
    "min": (("integer", "number"), "number"),
    "max": (("integer", "number"), "number"),
    "not_in_future": (("date",), None),
    "pattern": (("text",), "text"),
    "max_length": (("text",), "int"),
    "one_of": (("text",), "list"),
}
# Checks whose problems are warnings unless the schema says `severity: error`.
WARNING_CHECKS = frozenset({"phone"})

# The computations sheetkit knows, and the type of the column each one produces.
COMPUTED_KINDS: dict[str, str] = {
    "days_since_contact": "integer",
    "non_responsive": "boolean",
    "next_check_in": "date",
    "suggested_channel": "text",
    "due": "text",
    "duplicate_of": "text",
    "flag": "boolean",
}

DateLike = dt.date | str | None
"""An as-of date as callers give it: a date, "YYYY-MM-DD", or None for today."""

BUNDLED_SCHEMA = "recruiter_contacts"

AID_KINDS: tuple[str, ...] = ("dropdown", "highlights", "notes")
"""The sheet aids a refresh can keep (see :mod:`sheetkit.core.aids`)."""


def header_key(text: object) -> str:
    """The form headers and status spellings are matched in: case, spaces, punctuation ignored.

    "# Follow-ups", "follow ups" and "FOLLOWUPS" all give "followups". Letters and digits of
    every script are kept, so non-Latin headers still match themselves.
    """
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True)
class CheckSpec:
    """One check on a field, as written in the schema."""

    name: str
    argument: Any = None
    severity: Severity = "error"


@dataclass(frozen=True)
class Field:
    """A column the schema knows: its canonical name, the headers it may appear under, its type."""

    name: str
    header: str
    aliases: tuple[str, ...] = ()
    type: str = "text"
    required: bool = False
    allow_blank: bool = True
    checks: tuple[CheckSpec, ...] = ()
    required_unless: tuple[str, ...] = ()  # a required column may be replaced by one of these fields

    @property
    def header_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(header_key(h) for h in (self.header, self.name, *self.aliases)))


@dataclass(frozen=True)
class Status:
    """One word of the status vocabulary and when to check in next."""

    name: str
    meaning: str = ""
    spellings: tuple[str, ...] = ()
    cadence_days: int | None = None
    due_now: bool = False
    suggestion: str = ""  # what to do instead of contacting (e.g. "fix the contact data")
    label: str = ""  # what the Status dropdown offers; "" means a readable form of the first spelling

    @property
    def display(self) -> str:
        """The status as the sheet's dropdown offers it: its label, else its first spelling, else its name."""
        if self.label:
            return self.label
        return self.spellings[0] if self.spellings else self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class NonResponsiveRule:
    """When a candidate counts as non-responsive (see DOMAIN.md)."""

    follow_ups_at_least: int = 3
    min_distinct_channels: int = 2
    never_for: tuple[str, ...] = ("do_not_contact", "placed")
    always_for: tuple[str, ...] = ("non_responsive",)
    cadence_days: int = 180


@dataclass(frozen=True)
class ComputedColumn:
    """A column sheetkit computes and owns.

    ``name`` is the schema's key for it; ``kind`` the computation (the name itself for the
    built-in ones). A ``flag`` is TRUE for rows whose status is in ``when_status`` unless one
    of the boolean fields in ``unless`` is TRUE (e.g. a thank-you note not yet sent after an
    interview). ``enabled: false`` keeps a column in the schema without computing it.
    """

    kind: str
    header: str
    name: str = ""
    enabled: bool = True
    when_status: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return COMPUTED_KINDS[self.kind]


@dataclass(frozen=True)
class SyncSettings:
    """How `sheetkit sync` tells rows apart and when it refuses to delete."""

    key: str | None = None  # a field whose value identifies a row; None: an ID column sheetkit adds
    id_header: str = "Sheetkit ID"
    max_delete_fraction: float = 0.5


@dataclass(frozen=True)
class Schema:
    """A loaded, checked schema."""

    name: str
    fields: dict[str, Field]
    statuses: dict[str, Status] = field(default_factory=dict)
    computed: dict[str, ComputedColumn] = field(default_factory=dict)
    non_responsive: NonResponsiveRule = field(default_factory=NonResponsiveRule)
    blank_status: str | None = None
    channels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    new_channel_for: tuple[str, ...] = ()
    due_soon_days: int = 7
    description: str = ""
    day_first: bool | None = None  # None ("auto"): each date column's own values decide
    timezone: str = "UTC"
    phone_region: str | None = None  # country of phone numbers written without a country code ("US")
    date_format: str = "yyyy-mm-dd"
    header_search_rows: int = 30
    footer_rows: bool = True  # set aside a "Total" row under the data (see core.table.set_aside_footer)
    bundled: bool = False  # ships with sheetkit (to change it, edit a copy); set by the loader
    sync: SyncSettings = field(default_factory=SyncSettings)
    aids: tuple[str, ...] | None = None  # the sheet aids a refresh keeps (None: leave them as they are)
    path: str = ""

    def __repr__(self) -> str:
        return f"<Schema {self.name}: {len(self.fields)} fields, {len(self.statuses)} statuses>"

    # Facts derived from the schema are computed once, here, and read by every module that needs them.

    @cached_property
    def name_fields(self) -> tuple[str, ...]:
        """The fields that name a person: First + Last Name, or Name; else the first text field."""
        found = tuple(f for f in ("first_name", "last_name", "name") if f in self.fields)
        return found or tuple(f.name for f in self.fields.values() if f.type == "text")[:1]

    def active_computed(self) -> dict[str, ComputedColumn]:
        """The computed columns sheetkit computes and writes (``enabled: false`` ones left out)."""
        return self._active_computed

    @cached_property
    def _active_computed(self) -> dict[str, ComputedColumn]:
        return {name: c for name, c in self.computed.items() if c.enabled}

    @cached_property
    def date_header_keys(self) -> frozenset[str]:
        """header_key of every spelling of a date field and of every date computed column's header."""
        keys = {k for f in self.fields.values() if f.type == "date" for k in f.header_keys}
        keys |= {header_key(c.header) for c in self.active_computed().values() if c.type == "date"}
        return frozenset(keys)

    @cached_property
    def field_spellings(self) -> dict[str, str]:
        """Every spelling of every field (header, aliases, name) -> the field's name: for suggestions."""
        return {s: f.name for f in self.fields.values() for s in (f.header, *f.aliases, f.name.replace("_", " "))}

    @cached_property
    def status_spellings(self) -> dict[str, str]:
        """Every spelling of every status (and its name) -> the status's name: for suggestions."""
        return {s: st.name for st in self.statuses.values() for s in (st.name.replace("_", " "), *st.spellings)}

    @cached_property
    def known_header_keys(self) -> frozenset[str]:
        """header_key of every header the schema knows: field spellings and computed columns."""
        keys = {key for f in self.fields.values() for key in f.header_keys}
        keys |= {header_key(c.header) for c in self.active_computed().values()}
        return frozenset(keys)

    def channel_lookup(self) -> dict[str, str]:
        """header_key of every channel spelling -> the channel's name."""
        return self._channel_lookup

    @cached_property
    def _channel_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for name, spellings in self.channels.items():
            for spelling in (name, *spellings):
                lookup.setdefault(header_key(spelling), name)
        return lookup

    def today(self) -> dt.date:
        """Today in the schema's time zone (a refresh at 01:00 in Berlin is not yesterday in UTC)."""
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(self.timezone)).date()

    def as_of(self, value: DateLike) -> dt.date:
        """The as-of date: a date, an ISO 'YYYY-MM-DD' text, or None for today in the schema's time zone.

        Raises:
            UsageError: the text is not a date.
        """
        if value is None:
            return self.today()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise UsageError(f"as-of date {value!r} is not a date; expected YYYY-MM-DD, e.g. 2026-11-21") from None

    def example_headers(self) -> str:
        """Headers to show in a "no header row found" message: the required ones, else the first four."""
        required = [f.header for f in self.fields.values() if f.required]
        shown = required or [f.header for f in list(self.fields.values())[:4]]
        return ", ".join(repr(h) for h in shown)

    def status_lookup(self) -> dict[str, str]:
        """Map every spelling's header_key (and each status name's) to the canonical status."""
        return self._status_lookup

    @cached_property
    def _status_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for status in self.statuses.values():
            for spelling in (status.name, *status.spellings):
                lookup.setdefault(header_key(spelling), status.name)
        return lookup


# ---------------------------------------------------------------------------------------------
# Loading


SchemaLike = Schema | str | Path | None
"""A schema as callers give it: a Schema, a YAML path, a bundled schema's name, or None for the default."""
