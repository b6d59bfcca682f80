"""Enrich: the computed columns (Days Since Contact, Non-Responsive, Next Check-In).

Vectorised pandas over the typed frame; every number and word comes from the schema
(see DOMAIN.md for the defaults and why they are what they are).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetkit.core.schema import ComputedColumn, Schema, header_key

# The fields the rules read. A row with an error in one of these gets blank computed cells.
INPUT_FIELDS = ("status", "last_contacted", "follow_ups", "channels_tried")


# What each kind of computed column cannot be computed without (when the schema has the field).
NEEDS: dict[str, tuple[str, ...]] = {
    "days_since_contact": ("last_contacted",),
    "non_responsive": ("status", "follow_ups"),
    "next_check_in": ("status", "last_contacted"),
    "due": ("status", "last_contacted"),
    "suggested_channel": ("status",),
    "flag": ("status",),
}


def missing_inputs(schema: Schema, present: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Computed column name -> the schema fields it needs that the sheet has no column for.

    Such a column is not computed at all: a missing Last Contacted column must not turn into
    "check in today" for everyone.
    """
    have = set(present)
    missing: dict[str, tuple[str, ...]] = {}
    for name, column in schema.active_computed().items():
        lacking = tuple(f for f in NEEDS.get(column.kind, ()) if f in schema.fields and f not in have)
        if lacking:
            missing[name] = lacking
    return missing


def input_fields(schema: Schema) -> set[str]:
    """Every field a computed column reads: the rules' fields, per-person cadences and the flags' ``unless`` fields."""
    cadences = {f.name for f in schema.fields.values() if f.type == "cadence"}
    return set(INPUT_FIELDS).union(cadences, *(c.unless for c in schema.active_computed().values()))


def follow_up(frame: pd.DataFrame, schema: Schema, as_of: dt.date, blocked: np.ndarray | None = None) -> pd.DataFrame:
    """The three follow-up facts of every row, whichever columns the schema writes.

    Returns columns days_since_contact (Int64), non_responsive (boolean) and next_check_in
    (datetime64, midnight), indexed like ``frame``; blank (NA/NaT) for ``blocked`` rows and, for
    the last two, rows whose status is blank or unknown. The due list, the row facts and the
    computed columns all read them from here.
    """
    index = frame.index
    today = pd.Timestamp(as_of)
    last = _column(frame, "last_contacted", pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"))
    status = _column(frame, "status", pd.Series(schema.blank_status, index=index, dtype=object))
    follow_ups = _column(frame, "follow_ups", pd.Series(pd.NA, index=index, dtype="Int64"))
    channels = _column(frame, "channels_tried", pd.Series(None, index=index, dtype=object))

    days = (today - last).dt.days.astype("Int64")

    rule = schema.non_responsive
    enough_follow_ups = (follow_ups.fillna(0) >= rule.follow_ups_at_least).to_numpy(dtype=bool)
    distinct = _distinct_channels(channels)
    enough_channels = (distinct.isna() | (distinct >= rule.min_distinct_channels)).to_numpy(dtype=bool)
    never = status.isin(rule.never_for).to_numpy(dtype=bool)
    always = status.isin(rule.always_for).to_numpy(dtype=bool)
    non_responsive = (enough_follow_ups & enough_channels & ~never) | always

    cadence = status.map({s.name: s.cadence_days for s in schema.statuses.values()}).astype("Float64")
    cadence = _own_cadence(frame, schema, cadence)
    due_now = status.isin([s.name for s in schema.statuses.values() if s.due_now]).to_numpy(dtype=bool)
    never_again = (cadence.isna().to_numpy(dtype=bool) & ~due_now) & ~non_responsive
    cadence_days = np.where(non_responsive, float(rule.cadence_days), cadence.to_numpy(dtype=float, na_value=np.nan))
    next_check_in = last + pd.to_timedelta(cadence_days, unit="D")
    # Never contacted (no date) but not new: the date is missing, so check in now.
    next_check_in = next_check_in.where(~(due_now | last.isna().to_numpy(dtype=bool)), today)
    next_check_in = next_check_in.where(~never_again, pd.NaT)

    hide = _hidden(status, schema, blocked)
    facts = pd.DataFrame(
        {
            "days_since_contact": days.where(~blocked, pd.NA) if blocked is not None else days,
            "non_responsive": pd.Series(non_responsive, index=index, dtype="boolean").where(~hide, pd.NA),
            "next_check_in": next_check_in.astype("datetime64[ns]").mask(hide),
        },
        index=index,
    )
    absent = {f for f in ("status", "last_contacted", "follow_ups") if f in schema.fields and f not in frame}
    for kind in facts.columns:  # a fact whose inputs the sheet lacks is unknown, not a default
        if absent & set(NEEDS[kind]):
            facts[kind] = pd.Series(pd.NaT if kind == "next_check_in" else pd.NA, index=index, dtype=facts[kind].dtype)
    return facts


def _own_cadence(frame: pd.DataFrame, schema: Schema, cadence: pd.Series) -> pd.Series:
    """The status cadences with each person's own ("Check-in every: monthly") in their place.

    Only where the status has a cadence: a person's own rhythm never revives someone not to be
    contacted (no cadence) nor delays a status due now; the non-responsive rule still decides.
    """
    for field in (f.name for f in schema.fields.values() if f.type == "cadence" and f.name in frame):
        own = frame[field].astype("Float64")
        cadence = cadence.where(own.isna() | cadence.isna(), own)
    return cadence


def compute(
    frame: pd.DataFrame,
    schema: Schema,
    as_of: dt.date,
    blocked: np.ndarray | None = None,
    *,
    facts: pd.DataFrame | None = None,
    cells: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The schema's computed columns for a typed frame (see :func:`sheetkit.core.normalize.normalize`).

    Args:
        frame: typed columns named by field (missing fields are treated as blank).
        schema: where the cadences, threshold and column names come from.
        as_of: "today" for the computation.
        blocked: rows whose inputs are invalid; their computed cells are blank.
        facts: :func:`follow_up` of the same frame, when the caller has it already.
        cells: each row's name cell ("Contacts!A7"), which the Duplicate Of column names.

    Returns:
        One column per enabled computed column of the schema, named by its schema key, in schema
        order: days_since_contact (Int64), non_responsive and flags (boolean), next_check_in
        (datetime64, midnight), suggested_channel and due (text). A column whose inputs the sheet
        lacks (:func:`missing_inputs`) is left out: it is not written, and an existing one stays.
    """
    n = len(frame)
    index = frame.index
    today = pd.Timestamp(as_of)
    series = facts if facts is not None else follow_up(frame, schema, as_of, blocked)
    status = _column(frame, "status", pd.Series(schema.blank_status, index=index, dtype=object))
    hide = _hidden(status, schema, blocked)
    columns: dict[str, pd.Series] = {}
    skipped = missing_inputs(schema, frame.columns)
    for name, column in schema.active_computed().items():
        if name in skipped:
            continue
        if column.kind in series:
            columns[name] = series[column.kind]
        elif column.kind == "due":
            columns[name] = _due(series["next_check_in"], today, schema.due_soon_days)
        elif column.kind == "duplicate_of":
            columns[name] = duplicates_of(frame, schema, cells)
        elif column.kind == "suggested_channel":
            columns[name] = suggested_channels(frame, schema).where(~hide, None)
        else:  # a flag
            columns[name] = _flag(frame, status, column).where(~hide, pd.NA)
    assert all(len(c) == n for c in columns.values())
    return pd.DataFrame(columns, index=index)


def duplicates_of(frame: pd.DataFrame, schema: Schema, cells: Sequence[str] | None) -> pd.Series:
    """On each later row of a group of probable duplicates, the cell of the group's first row."""
    from sheetkit.core.contacts import groups_in

    out = pd.Series(None, index=frame.index, dtype=object)
    if cells is None:
        return out
    for group in groups_in(frame, schema):
        first, *later = group.members
        out.iloc[later] = cells[first]
    return out


def _hidden(status: pd.Series, schema: Schema, blocked: np.ndarray | None) -> npt.NDArray[np.bool_]:
    """Rows whose status-driven cells stay blank: a blank or unknown status, or blocked inputs."""
    unknown = status.isna().to_numpy(dtype=bool) | ~status.isin(list(schema.statuses)).to_numpy(dtype=bool)
    return unknown if blocked is None else (blocked | unknown)


def _due(next_check_in: pd.Series, today: pd.Timestamp, soon_days: int) -> pd.Series:
    """overdue / today / this week / later, from the next check-in date (blank: never)."""
    labels = pd.Series("later", index=next_check_in.index, dtype=object)
    labels[(next_check_in <= today + pd.Timedelta(days=soon_days)).to_numpy(dtype=bool)] = "this week"
    labels[(next_check_in == today).to_numpy(dtype=bool)] = "today"
    labels[(next_check_in < today).to_numpy(dtype=bool)] = "overdue"
    return labels.where(next_check_in.notna(), None)


def _flag(frame: pd.DataFrame, status: pd.Series, column: ComputedColumn) -> pd.Series:
    """TRUE where the status is one of ``when_status`` and none of the ``unless`` fields is TRUE."""
    raised = status.isin(column.when_status).to_numpy(dtype=bool, copy=True)
    for name in column.unless:
        if name in frame.columns:
            raised &= ~frame[name].fillna(False).to_numpy(dtype=bool)
    return pd.Series(raised, index=frame.index, dtype="boolean")


NO_CONTACT_DATA = "add contact details"


def suggested_channels(frame: pd.DataFrame, schema: Schema) -> pd.Series:
    """The channel to use next for every row (the Suggested Channel column and the due list read it).

    Computed once per distinct (status, channels tried, contact method, channels with contact data).
    """
    index = frame.index
    status = _column(frame, "status", pd.Series(schema.blank_status, index=index, dtype=object))
    tried = _column(frame, "channels_tried", pd.Series(None, index=index, dtype=object))
    method = _column(frame, "contact_method", pd.Series(None, index=index, dtype=object))
    reachable = _reachable(frame, schema)
    combos = pd.Series(
        list(zip(status.tolist(), tried.tolist(), method.tolist(), reachable, strict=True)), dtype=object
    )
    codes, uniques = pd.factorize(combos)
    lookup = schema.channel_lookup()
    answers = np.array([suggest_channel(schema, lookup, *combo) for combo in uniques] + [None], dtype=object)
    return pd.Series(answers[codes], index=index, dtype=object)


def channel_field(schema: Schema, channel: str) -> str | None:
    """The field holding a channel's contact data: ``email`` for email, ``linkedin_url`` for linkedin."""
    return next((name for name in (channel, f"{channel}_url") if name in schema.fields), None)


def _reachable(frame: pd.DataFrame, schema: Schema) -> list[frozenset[str] | None]:
    """Per row, the channels whose contact data is filled in (None: the sheet cannot tell)."""
    columns = {c: channel_field(schema, c) for c in schema.channels}
    known = {c: f for c, f in columns.items() if f is not None and f in frame}
    if not known:
        return [None] * len(frame)
    unknown = frozenset(c for c in columns if c not in known)  # no column for it: assume it may work
    filled = {c: frame[f].map(_has_value).to_numpy(dtype=bool) for c, f in known.items()}
    return [unknown | {c for c in known if filled[c][i]} for i in range(len(frame))]


def _has_value(value: Any) -> bool:
    return value is not None and value is not pd.NA and value == value and str(value).strip() != ""


def suggest_channel(
    schema: Schema,
    lookup: dict[str, str],
    status: Any,
    tried: Any,
    method: Any,
    reachable: frozenset[str] | None = None,
) -> str | None:
    """Where to reach this person next (see DOMAIN.md: try another channel before giving up).

    A status with a ``suggestion`` gets it ("fix the contact data"); one with no cadence gets
    nothing (never contact). Where outreach went unanswered (``new_channel_for``), the next
    channel in the schema's order that was not tried yet, after the last one used; otherwise the
    person's preferred channel (Contact Method), else the last one used, else the first. Only
    channels the row has contact data for (``reachable``; None: any) are suggested.
    """
    spec = schema.statuses.get(status) if isinstance(status, str) else None
    if spec is None:
        return None
    if spec.suggestion:
        return spec.suggestion
    if spec.cadence_days is None and not spec.due_now:
        return None
    order = list(schema.channels)
    used = [lookup.get(header_key(t), str(t)) for t in (tried if isinstance(tried, tuple) else ())]
    preferred = (
        lookup.get(header_key(method), str(method).strip()) if isinstance(method, str) and method.strip() else None
    )

    def usable(channel: str | None) -> bool:
        return channel is not None and (reachable is None or channel not in order or channel in reachable)

    if reachable is not None and order and not any(usable(c) for c in order):
        return NO_CONTACT_DATA
    if status in schema.new_channel_for and order:
        if not used and preferred:
            used = [preferred]
        last = used[-1] if used else None
        start = order.index(last) + 1 if last in order else 0
        rotation = [c for c in order[start:] + order[:start] if usable(c)]
        untried = [c for c in rotation if c not in used]
        return (untried or rotation)[0]
    for candidate in (preferred, used[-1] if used else None, *order):
        if usable(candidate):
            return candidate
    return None


def _distinct_channels(channels: pd.Series) -> pd.Series:
    """How many different channels each row tried (NaN where none are recorded).

    Counted once per distinct cell text, not once per row: a sheet repeats a few combinations.
    """
    codes, uniques = pd.factorize(channels, use_na_sentinel=True)
    counts = np.array(
        [len({header_key(i) for i in items}) if isinstance(items, tuple) else np.nan for items in uniques] + [np.nan],
        dtype=float,
    )
    return pd.Series(counts[codes], index=channels.index)


def _column(frame: pd.DataFrame, name: str, default: pd.Series) -> pd.Series:
    return frame[name] if name in frame.columns else default
