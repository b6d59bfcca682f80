"""Header matching: any spelling of a field's header, decorated any way, finds that field."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetkit.core.normalize import match_headers
from sheetkit.core.schema_file import load_schema
from sheetkit.core.table import Table, build_table, locate_header

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


# -- the fast paths of build_table and text coercion -------------------------------------------

CELLS = st.one_of(
    st.sampled_from(["", " ", "  padded  ", "Ana", "ana@example.com", "\tTab\t", "007"]),
    st.text(max_size=6),
    st.integers(-5, 5).map(float),
    st.booleans(),
    st.dates(),
)


@given(data=st.data(), width=st.integers(1, 5))
@settings(max_examples=200)
def test_table_rows_are_the_rows_with_a_value_padded_to_the_header(data: st.DataObject, width: int) -> None:
    rows = data.draw(st.lists(st.lists(CELLS, max_size=width), max_size=30))  # CSV rows may be short
    table = build_table([[f"H{j}" for j in range(width)], *rows], 0, source="t", sheet="S", first_row=3)
    padded = [[*r, *[""] * (width - len(r))] for r in rows]
    kept = [i for i, r in enumerate(padded) if r != [""] * width]  # " " counts here; normalize skips it
    assert table.rows.tolist() == [4 + i for i in kept]
    assert table.values.values.tolist() == [padded[i] for i in kept]
    assert table.values.dtypes.tolist() == [np.dtype(object)] * width


def test_a_table_may_hold_cells_that_are_lists() -> None:
    table = build_table([["Name", "Tags"], ["Ana", ["a", "b"]]], 0, source="t", sheet="S")
    assert table.values.values.tolist() == [["Ana", ["a", "b"]]]


@given(values=st.lists(CELLS, max_size=300))
@settings(max_examples=200)
def test_text_columns_read_the_same_whether_stripped_by_cell_or_by_distinct_value(values: list[object]) -> None:
    from sheetkit.core.normalize import _text_by_cell, _text_by_value

    raw = pd.Series(values, dtype=object)
    by_cell, by_value = _text_by_cell(raw), _text_by_value(raw)
    assert by_cell[0].tolist() == by_value[0].tolist()
    assert by_cell[1].tolist() == by_value[1].tolist() == [False] * len(values)
    assert by_cell[2].tolist() == by_value[2].tolist() == [v is None for v in by_value[0].tolist()]


def test_a_column_of_distinct_values_is_stripped_cell_by_cell_and_a_repetitive_one_by_value() -> None:
    from sheetkit.core.normalize import _mostly_distinct

    assert _mostly_distinct(pd.Series([f"p{i}@example.com" for i in range(3000)], dtype=object))
    assert not _mostly_distinct(pd.Series(["Sam", "Ana", "Lee"] * 1000, dtype=object))
    assert not _mostly_distinct(pd.Series(["a", "b"], dtype=object))  # too few cells to judge: the exact path
