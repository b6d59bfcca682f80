"""Header matching: any spelling of a field's header, decorated any way, finds that field."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetkit.normalize import match_headers
from sheetkit.schema import load_schema
from sheetkit.table import Table, build_table, locate_header

SCHEMA = load_schema()
SPELLINGS = [(f.name, spelling) for f in SCHEMA.fields.values() for spelling in (f.header, *f.aliases)]


def decorate(spelling: str, data: st.DataObject) -> str:
    """The same header as a person might type it: other case, extra spaces and punctuation."""
    chars = []
    for ch in spelling:
        chars.append(ch.upper() if data.draw(st.booleans()) else ch.lower())
        if data.draw(st.integers(0, 9)) == 0:
            chars.append(data.draw(st.sampled_from([" ", "-", "_", ".", "#", ":"])))
    padding = data.draw(st.sampled_from(["", " ", "  ", "\t"]))
    return padding + "".join(chars) + padding


def table_with(headers: list[str]) -> Table:
    frame = pd.DataFrame([[""] * len(headers)], dtype=object)
    return Table("t.xlsx", "Contacts", 1, headers, list(range(1, len(headers) + 1)), frame, np.array([2]))


@given(st.data())
@settings(max_examples=200)
def test_decorated_spelling_maps_to_its_field(data: st.DataObject) -> None:
    field, spelling = data.draw(st.sampled_from(SPELLINGS))
    header = decorate(spelling, data)
    positions, _, _problems = match_headers(table_with(["Notes about them", header]), SCHEMA)
    assert positions.get(field) == 1, (header, positions)


@given(st.permutations([h for h in (f.header for f in SCHEMA.fields.values())]), st.integers(0, 5))
@settings(max_examples=50)
def test_header_row_found_in_any_column_order_below_title_rows(headers: list[str], title_rows: int) -> None:
    rows: list[list[object]] = [["Pipeline report", "", ""]] * title_rows + [list(headers), ["x"] * len(headers)]
    index = locate_header(rows, SCHEMA)
    assert index == title_rows
    table = build_table(rows, index, source="t", sheet="S")
    positions, _, problems = match_headers(table, SCHEMA)
    assert set(positions) == set(SCHEMA.fields) and not problems
    assert table.header_row == title_rows + 1 and table.rows.tolist() == [title_rows + 2]


def test_computed_columns_are_recognised_not_treated_as_unknown() -> None:
    _, computed, problems = match_headers(table_with(["First Name", "days since contact", "NEXT CHECK IN"]), SCHEMA)
    assert computed == {"days_since_contact": 1, "next_check_in": 2}
    assert {p.rule for p in problems} == {"required_column"}  # Status, Last Contacted; nothing about these two
