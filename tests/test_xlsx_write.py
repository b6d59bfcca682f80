"""The workbook cell writer: updated cells read back right, and nothing else in the workbook moves.

Real .xlsx/.xlsm files (tests/xlsx_factory.py) written by both engines and read back with openpyxl
and python-calamine; the package path must also keep every other zip member byte for byte.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from xlsx_factory import (
    FIRST_ROW,
    HEADER_ROW,
    LAST_ROW,
    SHEET,
    VBA_BYTES,
    build_contacts,
    raw_workbook,
    sheet_xml,
)

from sheetkit.core.cells import CellUpdate, CellValue, column_letter
from sheetkit.errors import PackageUnsupported, SheetNotFoundError, WriteError
from sheetkit.excel import package as xlsx_package
from sheetkit.excel.write import WriteOutcome, write_cells

ENGINES = ["package", "openpyxl"]
VARIANTS = {
    "plain": {},
    "table": {"table": True},
    "1904": {"date1904": True},
    "xlsm": {"xlsm": True},
}
NEW_COLUMNS = (10, 11, 12)
NEW_HEADERS = {10: "Days Since", 11: "Priority", 12: "Next Step <&>"}
SPECIAL = 'a<b & "c" > d 😀 ünï\tcode  '
LONG = "0123456789" * 1000


def contact_updates() -> list[CellUpdate]:
    """What a refresh writes: existing computed columns G-I, three new columns J-L, a row beyond."""
    updates: list[CellUpdate] = []
    for k, row in enumerate(range(FIRST_ROW, LAST_ROW + 1)):
        updates += [
            CellUpdate(row, 7, f"email #{k}"),
            CellUpdate(row, 8, dt.date(2026, 3, 1) + dt.timedelta(days=k)),
            CellUpdate(row, 9, k % 3 == 0),
            CellUpdate(row, 10, k * 7),
            CellUpdate(row, 11, 1.5 + k),
            CellUpdate(row, 12, dt.date(2026, 4, 1) + dt.timedelta(days=k)),
        ]
    updates += [CellUpdate(HEADER_ROW, column, text) for column, text in NEW_HEADERS.items()]
    updates += [
        CellUpdate(3, 7, SPECIAL),
        CellUpdate(4, 7, LONG),
        CellUpdate(5, 7, "was a formula"),
        CellUpdate(7, 7, None),
        CellUpdate(8, 8, None),
        CellUpdate(9, 9, None),
        CellUpdate(15, 10, 99),
        CellUpdate(15, 12, "beyond the last row"),
    ]
    return updates


def expected_values(updates: list[CellUpdate]) -> dict[tuple[int, int], CellValue]:
    return {(u.row, u.column): u.value for u in updates}


def write(src: Path, dst: Path, engine: str, updates: list[CellUpdate] | None = None, **options: Any) -> WriteOutcome:
    options.setdefault("header_row", HEADER_ROW)
    options.setdefault("new_columns", NEW_COLUMNS)
    return write_cells(src, dst, SHEET, contact_updates() if updates is None else updates, engine=engine, **options)  # type: ignore[arg-type]


@pytest.fixture(params=list(VARIANTS))
def variant(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    suffix = ".xlsm" if request.param == "xlsm" else ".xlsx"
    return build_contacts(tmp_path / f"{request.param}{suffix}", **VARIANTS[request.param])


def calamine_grid(path: Path, sheet: str = SHEET) -> dict[tuple[int, int], Any]:
    """Every non-empty cell calamine sees, by real 1-based (row, column)."""
    data = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    rows = data.to_python(skip_empty_area=False)  # from A1, so list positions are real addresses
    return {(r + 1, c + 1): v for r, values in enumerate(rows) for c, v in enumerate(values) if v != ""}


def same(got: Any, want: CellValue, *, rel_tol: float = 0.0) -> bool:
    if want is None or want == "":
        return got in (None, "")  # an empty text cell reads as blank
    if isinstance(want, bool):
        return got is want
    if isinstance(want, dt.date):
        return isinstance(got, dt.date) and (got.date() if isinstance(got, dt.datetime) else got) == want
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        return float(got) == float(want) or math.isclose(got, want, rel_tol=rel_tol)
    return got == want


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_updated_cells_read_back_with_openpyxl_and_calamine(variant: Path, tmp_path: Path, engine: str) -> None:
    dst = tmp_path / f"out{variant.suffix}"
    outcome = write(variant, dst, engine)
    assert outcome == WriteOutcome(engine, None, len(expected_values(contact_updates())))  # type: ignore[arg-type]
    ws = openpyxl.load_workbook(dst)[SHEET]
    grid = calamine_grid(dst)
    for (row, column), want in expected_values(contact_updates()).items():
        assert same(ws.cell(row, column).value, want), (row, column, ws.cell(row, column).value, want)
        assert same(grid.get((row, column)), want), (row, column, grid.get((row, column)), want)


@pytest.mark.parametrize("engine", ENGINES)
def test_dates_get_a_date_format_and_keep_an_existing_one(variant: Path, tmp_path: Path, engine: str) -> None:
    dst = tmp_path / f"out{variant.suffix}"
    write(variant, dst, engine, date_format="d mmm yyyy")
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws.cell(FIRST_ROW, 8).number_format == "dd/mm/yyyy"  # the column's own date format stays
    assert ws.cell(FIRST_ROW, 12).number_format == "d mmm yyyy"  # a new date cell gets date_format
    assert ws.cell(FIRST_ROW, 8).value == dt.datetime(2026, 3, 1)


def test_1904_serials_count_from_1904(tmp_path: Path) -> None:
    src = build_contacts(tmp_path / "mac.xlsx", date1904=True)
    dst = tmp_path / "out.xlsx"
    write(src, dst, "package")
    xml = zipfile.ZipFile(dst).read("xl/worksheets/sheet1.xml").decode()
    serial = (dt.date(2026, 3, 1) - dt.date(1904, 1, 1)).days
    assert re.search(rf'<c r="H3"[^>]*><v>{serial}</v></c>', xml)


@pytest.mark.parametrize("engine", ENGINES)
def test_cleared_cells_keep_their_style(tmp_path: Path, engine: str) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    dst = tmp_path / "out.xlsx"
    write(src, dst, engine, [CellUpdate(8, 8, None), CellUpdate(2, 1, None)], new_columns=())
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws["H8"].value is None and ws["H8"].number_format == "dd/mm/yyyy"
    assert ws["A2"].value is None and ws["A2"].font.b and ws["A2"].fill.fgColor.rgb == "FFDDEBF7"


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_beyond_the_last_are_created_in_order(tmp_path: Path, engine: str) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    dst = tmp_path / "out.xlsx"
    updates = [CellUpdate(40, 2, "forty"), CellUpdate(20, 5, 20), CellUpdate(20, 1, "twenty"), CellUpdate(13, 3, True)]
    write(src, dst, engine, updates, new_columns=())
    grid = calamine_grid(dst)
    assert (grid[(40, 2)], grid[(20, 1)], grid[(20, 5)], grid[(13, 3)]) == ("forty", "twenty", 20, True)
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws.max_row == 40 and ws.calculate_dimension() == "A1:I40"
    if engine == "package":
        xml = zipfile.ZipFile(dst).read("xl/worksheets/sheet1.xml").decode()
        rows = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
        assert rows == sorted(rows) and '<dimension ref="A1:I40"' in xml


@pytest.mark.parametrize("engine", ENGINES)
def test_writing_the_same_values_again_changes_nothing(variant: Path, tmp_path: Path, engine: str) -> None:
    once, twice = tmp_path / f"once{variant.suffix}", tmp_path / f"twice{variant.suffix}"
    write(variant, once, engine)
    write(once, twice, engine)
    for sheet in (SHEET, "Notes"):
        assert calamine_grid(twice, sheet) == calamine_grid(once, sheet)
    assert snapshot(twice) == snapshot(once)


# -- everything else stays ---------------------------------------------------------------------


def cell_look(cell: Any) -> tuple[Any, ...]:
    font, fill, border = cell.font, cell.fill, cell.border
    return (
        cell.value,
        font.b,
        font.i,
        font.color.rgb if font.color else None,
        fill.fill_type,
        fill.fgColor.rgb,
        border.bottom.style,
        cell.number_format,
    )


def snapshot(path: Path) -> dict[str, Any]:
    """What a person sees in the workbook, as openpyxl models it."""
    book = openpyxl.load_workbook(path)
    shot: dict[str, Any] = {"names": {n: d.attr_text for n, d in book.defined_names.items()}}
    for ws in book.worksheets:
        shot[ws.title] = {
            "cells": {c.coordinate: cell_look(c) for row in ws.iter_rows() for c in row if c.has_style or c.value},
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "validations": [(str(v.sqref), v.formula1, v.type) for v in ws.data_validations.dataValidation],
            "conditional": [
                (str(r.sqref), [(x.type, x.operator, x.formula) for x in r.rules]) for r in ws.conditional_formatting
            ],
            "comments": {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment},
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "tables": {t.displayName: (t.ref, [c.name for c in t.tableColumns]) for t in ws.tables.values()},
        }
    return shot


@pytest.mark.parametrize("engine", ENGINES)
def test_everything_else_is_unchanged(variant: Path, tmp_path: Path, engine: str) -> None:
    dst = tmp_path / f"out{variant.suffix}"
    write(variant, dst, engine)
    before, after = snapshot(variant), snapshot(dst)
    touched = {f"{column_letter(c)}{r}" for r, c in expected_values(contact_updates())}
    for shot in (before, after):
        sheet = shot[SHEET]
        sheet["cells"] = {ref: look for ref, look in sheet["cells"].items() if ref not in touched}
        for letter in ("J", "K", "L"):
            sheet["widths"].pop(letter, None)
        sheet["filter"] = sheet["tables"] = None  # checked in test_new_columns_join_header_filter_and_table
    assert after == before


@pytest.mark.parametrize("engine", ENGINES)
def test_new_columns_join_header_filter_and_table(variant: Path, tmp_path: Path, engine: str) -> None:
    dst = tmp_path / f"out{variant.suffix}"
    write(variant, dst, engine)
    ws = openpyxl.load_workbook(dst)[SHEET]
    for column, header in NEW_HEADERS.items():
        letter = column_letter(column)
        assert cell_look(ws.cell(HEADER_ROW, column))[1:] == cell_look(ws.cell(HEADER_ROW, 9))[1:]
        assert ws.column_dimensions[letter].width == max(12, len(header) + 2)
    if "table" in variant.name:
        table = ws.tables["Pipeline"]
        assert table.ref == f"A{HEADER_ROW}:L{LAST_ROW}"
        assert [c.name for c in table.tableColumns][-3:] == list(NEW_HEADERS.values())
        assert len({c.id for c in table.tableColumns}) == 12
        assert table.autoFilter is None or table.autoFilter.ref == table.ref
    else:
        assert ws.auto_filter.ref == f"A{HEADER_ROW}:L{LAST_ROW}"


def test_filter_that_is_not_the_table_filter_stays(tmp_path: Path) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    dst = tmp_path / "out.xlsx"
    write(src, dst, "package", [CellUpdate(HEADER_ROW, 11, "Gap")], new_columns=(11,))
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:I{LAST_ROW}"  # column J is between: not extended


def test_package_path_keeps_other_members_byte_for_byte(variant: Path, tmp_path: Path) -> None:
    dst = tmp_path / f"out{variant.suffix}"
    write(variant, dst, "package")
    edited = {
        "xl/worksheets/sheet1.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/tables/table1.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    with zipfile.ZipFile(variant) as old, zipfile.ZipFile(dst) as new:
        assert new.testzip() is None
        kept = [i.filename for i in old.infolist() if i.filename != "xl/calcChain.xml"]
        assert [i.filename for i in new.infolist()] == kept  # same order; calcChain dropped
        for name in kept:
            a, b = old.getinfo(name), new.getinfo(name)
            assert b.compress_type == a.compress_type
            if name not in edited:
                assert new.read(name) == old.read(name), name
                assert (b.CRC, b.compress_size) == (a.CRC, a.compress_size), name
        if variant.suffix == ".xlsm":
            assert new.read("xl/vbaProject.bin") == VBA_BYTES
        workbook = new.read("xl/workbook.xml").decode()
        assert 'fullCalcOnLoad="1"' in workbook
        if "plain" in variant.name:  # the hidden name Excel keeps for the filter range follows it
            assert f'localSheetId="0" hidden="1">Contacts!$A${HEADER_ROW}:$L${LAST_ROW}<' in workbook
        assert "calcChain" not in new.read("xl/_rels/workbook.xml.rels").decode()
        assert "calcChain" not in new.read("[Content_Types].xml").decode()


def test_package_path_keeps_cached_formula_values(variant: Path, tmp_path: Path) -> None:
    dst = tmp_path / f"out{variant.suffix}"
    write(variant, dst, "package")
    before, after = calamine_grid(variant), calamine_grid(dst)
    for row in range(FIRST_ROW, LAST_ROW + 1):
        assert after[(row, 6)] == before[(row, 6)]  # =E*10 cached values survive
    assert calamine_grid(dst, "Notes")[(2, 1)] == 10
    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws["F3"].value == "=E3*10" and ws["G5"].value == "was a formula"


def test_calc_chain_kept_when_no_formula_is_overwritten(tmp_path: Path) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    dst = tmp_path / "out.xlsx"
    write(src, dst, "package", [CellUpdate(3, 7, "x")], new_columns=())
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst) as new:
        assert new.read("xl/calcChain.xml") == old.read("xl/calcChain.xml")
        assert new.read("[Content_Types].xml") == old.read("[Content_Types].xml")
        assert new.read("xl/styles.xml") == old.read("xl/styles.xml")  # no date: styles untouched


def test_shared_strings_stay_untouched_and_text_goes_inline(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>5</v></c></row>'
    )
    src = raw_workbook(tmp_path / "excel.xlsx", sheet_xml(rows), shared=["Name", "Score", "Ana"])
    dst = tmp_path / "out.xlsx"
    outcome = write_cells(
        src,
        dst,
        SHEET,
        [CellUpdate(1, 3, "Due"), CellUpdate(2, 3, "soon & later"), CellUpdate(2, 2, 6)],
        header_row=1,
        new_columns=(3,),
    )
    assert outcome.engine == "package"
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst) as new:
        assert new.read("xl/sharedStrings.xml") == old.read("xl/sharedStrings.xml")
        xml = new.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="C1" s="1" t="inlineStr">' in xml  # header style copied from B1
    assert '<cols><col min="3" max="3" width="12" customWidth="1"/></cols>' in xml
    assert '<calcPr calcId="191029" fullCalcOnLoad="1"/>' in zipfile.ZipFile(dst).read("xl/workbook.xml").decode()
    assert calamine_grid(dst) == {
        (1, 1): "Name",
        (1, 2): "Score",
        (1, 3): "Due",
        (2, 1): "Ana",
        (2, 2): 6,
        (2, 3): "soon & later",
    }


def test_no_updates_copies_the_workbook_as_it_is(tmp_path: Path) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    outcome = write(src, tmp_path / "out.xlsx", "auto", [], new_columns=())
    assert outcome == WriteOutcome("package", None, 0)
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(tmp_path / "out.xlsx") as new:
        assert {i.filename: new.read(i) for i in new.infolist()} == {i.filename: old.read(i) for i in old.infolist()}


def test_openpyxl_engine_keeps_the_vba_part(tmp_path: Path) -> None:
    src = build_contacts(tmp_path / "macro.xlsm", xlsm=True)
    write(src, tmp_path / "out.xlsm", "openpyxl")
    assert zipfile.ZipFile(tmp_path / "out.xlsm").read("xl/vbaProject.bin") == VBA_BYTES


# -- fallback and errors -----------------------------------------------------------------------

SHARED_FORMULA = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f><v>2</v></c>'
    '</row><row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
)


@pytest.mark.parametrize(
    ("xml", "update", "reason"),
    [
        (sheet_xml('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', prefix="x"), CellUpdate(1, 2, 5), "prefixed"),
        (sheet_xml('<row><c r="A1"><v>1</v></c></row>'), CellUpdate(1, 2, 5), "without an r attribute"),
        (sheet_xml(SHARED_FORMULA), CellUpdate(1, 2, 5), "master cell of a shared formula"),
    ],
    ids=["prefixed", "no-row-numbers", "shared-formula-master"],
)
def test_what_other_writers_spell_differently_is_respelled_and_written_in_place(
    tmp_path: Path, xml: str, update: CellUpdate, reason: str
) -> None:
    src = raw_workbook(tmp_path / "odd.xlsx", xml)
    dst = tmp_path / "out.xlsx"
    outcome = write_cells(src, dst, SHEET, [update], header_row=1)
    assert outcome.engine == "package" and any(reason in note for note in outcome.notes)
    assert calamine_grid(dst)[(update.row, update.column)] == update.value
    assert openpyxl.load_workbook(dst)[SHEET].cell(update.row, update.column).value == update.value


def test_what_the_package_path_refuses_is_refused_naming_why_and_the_escape_hatch(tmp_path: Path) -> None:
    """No silent openpyxl fallback: the refusal names the reason, --engine openpyxl and its cost;
    engine='auto' still falls back when asked, and says why."""
    rows = '<row r="1"><c r="A1"><v>1</v><extLst><ext uri="{X}"/></extLst></c></row>'
    src = raw_workbook(tmp_path / "odd.xlsx", sheet_xml(rows))
    dst = tmp_path / "out.xlsx"
    with pytest.raises(WriteError, match=r"extLst.*nothing was written.*--engine openpyxl.*cached result") as caught:
        write_cells(src, dst, SHEET, [CellUpdate(1, 1, 5)], header_row=1)
    assert not isinstance(caught.value, PackageUnsupported) and not dst.exists()
    outcome = write_cells(src, dst, SHEET, [CellUpdate(1, 1, 5)], header_row=1, engine="auto")
    assert outcome.engine == "openpyxl" and "extLst" in (outcome.fallback_reason or "")


def test_a_shared_formula_child_is_written_in_place(tmp_path: Path) -> None:
    src = raw_workbook(tmp_path / "shared.xlsx", sheet_xml(SHARED_FORMULA))
    outcome = write_cells(src, tmp_path / "out.xlsx", SHEET, [CellUpdate(2, 2, 7)], header_row=1)
    assert outcome.engine == "package"
    assert calamine_grid(tmp_path / "out.xlsx")[(2, 2)] == 7 and calamine_grid(tmp_path / "out.xlsx")[(1, 2)] == 2


@pytest.mark.parametrize("engine", ["auto", *ENGINES])
def test_not_a_workbook_is_a_write_error_and_writes_nothing(tmp_path: Path, engine: str) -> None:
    src = tmp_path / "contacts.xlsx"
    src.write_text("Name,Email\n")
    dst = tmp_path / "out.xlsx"
    with pytest.raises(WriteError, match="contacts.xlsx"):
        write_cells(src, dst, SHEET, [CellUpdate(1, 1, "x")], header_row=1, engine=engine)  # type: ignore[arg-type]
    assert not dst.exists()


@pytest.mark.parametrize("engine", ["auto", *ENGINES])
def test_missing_sheet_names_the_sheets_there(tmp_path: Path, engine: str) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    dst = tmp_path / "out.xlsx"
    with pytest.raises(SheetNotFoundError, match=r"'Kontakte'.*'Contacts', 'Notes'"):
        write_cells(src, dst, "Kontakte", [CellUpdate(1, 1, "x")], header_row=1, engine=engine)  # type: ignore[arg-type]
    assert not dst.exists()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object()])
def test_unwritable_values_are_refused_before_writing(tmp_path: Path, value: Any) -> None:
    src = build_contacts(tmp_path / "in.xlsx")
    with pytest.raises(WriteError, match="G3"):
        write_cells(src, tmp_path / "out.xlsx", SHEET, [CellUpdate(3, 7, value)], header_row=HEADER_ROW)
    assert not (tmp_path / "out.xlsx").exists()


def test_small_read_chunks_give_the_same_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows, tags and </sheetData> split across read chunks must not change the output."""
    src = build_contacts(tmp_path / "in.xlsx", rows=120)
    updates = [CellUpdate(r, 7 + r % 4, f"row {r}") for r in range(HEADER_ROW, 140, 7)]
    write(src, tmp_path / "big.xlsx", "package", updates)
    expected = zipfile.ZipFile(tmp_path / "big.xlsx").read("xl/worksheets/sheet1.xml")
    for chunk in (5, 64, 1000):
        monkeypatch.setattr(xlsx_package, "_CHUNK", chunk)
        write(src, tmp_path / f"small{chunk}.xlsx", "package", updates)
        assert zipfile.ZipFile(tmp_path / f"small{chunk}.xlsx").read("xl/worksheets/sheet1.xml") == expected


# -- property: whatever is written reads back ---------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["_x0041_", "=1+1", " padded ", "a\r\nb", "\x01\x1f", "<&>\"'", "007"]
)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(min_value=-1e300, max_value=1e300),  # Excel tops out near 1e308; openpyxl rounds to inf
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.none(),
)
# Below the contacts (which end at row 6) so no cell has a number format that changes how it reads.
CELLS = st.dictionaries(st.tuples(st.integers(8, 40), st.integers(1, 14)), VALUES, min_size=1, max_size=25)


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_contacts(tmp_path_factory.mktemp("prop") / "small.xlsx", rows=4)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=CELLS)
def test_any_values_read_back_equal(
    small_book: Path, tmp_path: Path, engine: str, cells: dict[tuple[int, int], CellValue]
) -> None:
    dst = tmp_path / f"prop-{engine}.xlsx"
    updates = [CellUpdate(r, c, v) for (r, c), v in cells.items()]
    write_cells(small_book, dst, SHEET, updates, header_row=HEADER_ROW, engine=engine)  # type: ignore[arg-type]
    grid = calamine_grid(dst)
    tolerance = 0.0 if engine == "package" else 1e-15  # openpyxl writes floats with 16 digits, not 17
    for (row, column), want in cells.items():
        got = grid.get((row, column))
        if engine == "openpyxl" and isinstance(want, str) and not want.strip(" \t\r\n"):
            # openpyxl writes whitespace-only text without xml:space="preserve": XML whitespace is lost
            # ("\x85" and other Unicode spaces are kept), a CR is stored as _x000D_ and kept
            want = want.strip(" \t\n") or None
            got = got.strip(" \t\n") or None if isinstance(got, str) else got
        assert same(got, want, rel_tol=tolerance), (row, column, got, want)
