"""Enrich: the computed columns (Days Since Contact, Non-Responsive, Next Check-In).

Vectorised pandas over the typed frame; every number and word comes from the schema
(see DOMAIN.md for the defaults and why they are what they are).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sheetkit.schema import Schema, header_key

# The fields the rules read. A row with an error in one of these gets blank computed cells.
INPUT_FIELDS = ("status", "last_contacted", "follow_ups", "channels_tried")


def compute(frame: pd.DataFrame, schema: Schema, as_of: dt.date, blocked: np.ndarray | None = None) -> pd.DataFrame:
    """The schema's computed columns for a typed frame (see :func:`sheetkit.normalize.normalize`).

    Args:
        frame: typed columns named by field (missing fields are treated as blank).
        schema: where the cadences, threshold and column names come from.
        as_of: "today" for the computation.
        blocked: rows whose inputs are invalid; their computed cells are blank.

    Returns:
        One column per computed kind in the schema, in schema order: days_since_contact (Int64),
        non_responsive (boolean), next_check_in (datetime64, midnight).
    """
    n = len(frame)
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
    due_now = status.isin([s.name for s in schema.statuses.values() if s.due_now]).to_numpy(dtype=bool)
    never_again = (cadence.isna().to_numpy(dtype=bool) & ~due_now) & ~non_responsive
    cadence_days = np.where(non_responsive, float(rule.cadence_days), cadence.to_numpy(dtype=float, na_value=np.nan))
    next_check_in = last + pd.to_timedelta(cadence_days, unit="D")
    # Never contacted (no date) but not new: the date is missing, so check in now.
    next_check_in = next_check_in.where(~(due_now | last.isna().to_numpy(dtype=bool)), today)
    next_check_in = next_check_in.where(~never_again, pd.NaT)

    result = pd.DataFrame(
        {
            "days_since_contact": days,
            "non_responsive": pd.Series(non_responsive, index=index, dtype="boolean"),
            "next_check_in": next_check_in.astype("datetime64[ns]"),
        },
        index=index,
    )
    unknown = status.isna().to_numpy(dtype=bool) | ~status.isin(list(schema.statuses)).to_numpy(dtype=bool)
    hide = unknown if blocked is None else (blocked | unknown)
    if hide.any():
        result.loc[hide, "non_responsive"] = pd.NA
        result.loc[hide, "next_check_in"] = pd.NaT
    if blocked is not None and blocked.any():
        result.loc[blocked, "days_since_contact"] = pd.NA
    assert len(result) == n
    return result[[kind for kind in schema.computed]]


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
