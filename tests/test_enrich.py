"""Computed columns against hand-computed expectations (as-of 2026-11-21), one rule at a time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import sheetkit
from sheetkit.core.schema_file import load_schema, parse_schema

AS_OF = dt.date(2026, 11, 21)
D = dt.date


def enrich_rows(rows: list[dict], schema: object = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return sheetkit.enrich(frame, schema=schema, as_of=AS_OF)


def one(status: str, last: object = "2026-11-01", follow_ups: object = 0, channels: str = "") -> dict:
    return {
        "First Name": "X",
        "Status": status,
        "Last Contacted": last,
        "Follow-ups": follow_ups,
        "Channels Tried": channels,
    }


@pytest.mark.parametrize(
    ("status", "expected_next"),
    [
        ("New", D(2026, 11, 21)),  # due now
        ("Contacted", D(2026, 11, 4)),  # +3
        ("Replied", D(2026, 11, 4)),  # engaged +3
        ("Not this role", D(2026, 12, 31)),  # +60
        ("Not interested right now", D(2027, 4, 30)),  # not_looking +180
        ("Silver medalist", D(2027, 1, 30)),  # keep_warm +90
        ("Placed", D(2027, 4, 30)),  # +180
        ("Bounced", D(2026, 11, 21)),  # wrong_contact: due now, fix the data
        ("Ghosted", D(2027, 4, 30)),  # non_responsive +180
        ("Opted out", None),  # do_not_contact: never
    ],
)
def test_next_check_in_follows_the_status_cadence(status: str, expected_next: D | None) -> None:
    out = enrich_rows([one(status)])
    value = out["Next Check-In"].iloc[0]
    assert (None if pd.isna(value) else value.date()) == expected_next
    assert out["Days Since Contact"].iloc[0] == 20


def test_days_since_contact_edges() -> None:
    out = enrich_rows([one("Contacted", last="2026-11-21"), one("New", last=None), one("Contacted", last="2025-11-21")])
    assert out["Days Since Contact"].iloc[0] == 0  # contacted today
    assert pd.isna(out["Days Since Contact"].iloc[1])  # never contacted: blank
    assert out["Days Since Contact"].iloc[2] == 365
    assert out["Next Check-In"].iloc[1].date() == AS_OF  # new and never contacted: due now


def test_non_responsive_threshold_exactly_met_and_below() -> None:
    out = enrich_rows(
        [
            one("Contacted", follow_ups=2, channels="email, phone"),
            one("Contacted", follow_ups=3, channels="email, phone"),
            one("Contacted", follow_ups=3, channels="email"),  # one silent channel proves nothing
            one("Contacted", follow_ups=3, channels="Email; EMAIL"),  # the same channel twice
            one("Contacted", follow_ups=4, channels=""),  # channels not recorded: threshold alone
            one("DNC", follow_ups=5, channels="email, phone"),  # never flagged
            one("Hired", follow_ups=5, channels="email, phone"),  # never flagged
            one("Unresponsive", follow_ups=0),  # the recruiter already said so
        ]
    )
    assert out["Non-Responsive"].tolist() == [False, True, False, False, True, False, False, True]


def test_non_responsive_row_uses_the_non_responsive_cadence() -> None:
    out = enrich_rows([one("Contacted", follow_ups=3, channels="email, linkedin")])
    assert out["Next Check-In"].iloc[0].date() == D(2027, 4, 30)  # 2026-11-01 + 180, not + 3


def test_wrong_contact_is_due_now_even_when_flagged() -> None:
    out = enrich_rows([one("Bounced", follow_ups=3, channels="email, phone")])
    assert out["Next Check-In"].iloc[0].date() == AS_OF


def test_contacted_without_a_date_is_due_now() -> None:
    out = enrich_rows([one("Contacted", last=None)])
    assert out["Next Check-In"].iloc[0].date() == AS_OF
    assert pd.isna(out["Days Since Contact"].iloc[0])


def test_rows_with_invalid_inputs_get_blank_computed_cells() -> None:
    out = enrich_rows([one("Contacted", last="next tuesday"), one("Maybe later"), one("Contacted", follow_ups="two")])
    assert out["Days Since Contact"].isna().all()
    assert out["Non-Responsive"].isna().all()
    assert out["Next Check-In"].isna().all()


def test_every_number_comes_from_the_schema() -> None:
    text = Path(load_schema().path).read_text(encoding="utf-8")
    text = text.replace("cadence_days: 3\n", "cadence_days: 7\n", 1).replace(
        "follow_ups_at_least: 3", "follow_ups_at_least: 2"
    )
    schema = parse_schema(text)
    out = enrich_rows([one("Contacted", follow_ups=2, channels="email, phone"), one("Contacted", follow_ups=1)], schema)
    assert out["Non-Responsive"].tolist() == [True, False]
    assert out["Next Check-In"].iloc[1].date() == D(2026, 11, 8)  # 2026-11-01 + 7


def test_computed_headers_come_from_the_schema() -> None:
    text = Path(load_schema().path).read_text(encoding="utf-8").replace("header: Next Check-In", "header: Call Back On")
    out = enrich_rows([one("Contacted")], parse_schema(text))
    assert "Call Back On" in out.columns and "Next Check-In" not in out.columns
