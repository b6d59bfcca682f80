"""The two-core read of big sheets gives exactly the rows calamine gives for the whole sheet.

Small real workbooks are cut at many places (the size threshold is lowered), and every result is
compared with one calamine parse of the same sheet; layouts a cut cannot be sure of must be read
in one part, and nothing is ever named in the temporary folder (the copies are anonymous files).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from sheetkit.api import check
from sheetkit.excel import parallel_read
from sheetkit.excel.parallel_read import read_rows
from sheetkit.excel.parts import sheet_part
from sheetkit.excel.read import read_grid
from tests.xlsx_factory import SHEET, build_contacts, raw_workbook, sheet_xml

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
CUTS: list[tuple[float, ...]] = [(share,) for share in (0.01, 0.1, 0.25, 0.4, 0.57, 0.75, 0.9, 0.99)] + [
    (0.2, 0.5, 0.8),
    (0.1, 0.11, 0.12),
]


def one_parse(path: Path, sheet: str) -> tuple[list[list[Any]], list[Any]]:
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        found = workbook.get_sheet_by_name(sheet)
        return found.to_python(skip_empty_area=False), list(found.merged_cell_ranges or [])
    finally:
        workbook.close()


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary parts go to a folder of this test's own, so leftovers can be seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def last_row_share(path: Path, sheet: str) -> float:
    """Where the sheet's last row starts, as a share of its XML: a cut after it has nothing to cut."""
    with zipfile.ZipFile(path) as package:
        part = sheet_part(package, sheet)
        assert part is not None
        xml = package.read(part)
    return xml.rfind(b"<row ") / len(xml)


def assert_same_as_one_parse(path: Path, sheet: str, cuts: list[tuple[float, ...]]) -> None:
    expected_rows, expected_merged = one_parse(path, sheet)
    limit = last_row_share(path, sheet)
    assert sum(max(shares) < limit for shares in cuts) >= 3  # the sheet is really cut, in several places
    for shares in cuts:
        result = read_rows(path, sheet, min_bytes=0, shares=shares)
        if max(shares) >= limit:
            assert result is None, shares  # past the last row: it is read in one part
            continue
        assert result is not None, shares
        assert result.rows == expected_rows, shares
        assert result.merged == expected_merged, shares


@pytest.mark.parametrize("sheet", ["Contacts", "Notes"])
def test_example_workbook_cut_anywhere(sheet: str, private_tmp: Path) -> None:
    assert_same_as_one_parse(EXAMPLE, sheet, CUTS)
    assert list(private_tmp.iterdir()) == []  # the parts, which hold the user's data, are gone


@pytest.mark.parametrize("options", [{}, {"table": True}, {"date1904": True}, {"xlsm": True}])
def test_formatted_workbooks_with_formulas_comments_and_merges(tmp_path: Path, options: dict[str, Any]) -> None:
    suffix = ".xlsm" if options.get("xlsm") else ".xlsx"
    path = build_contacts(tmp_path / f"contacts{suffix}", rows=60, **options)
    assert_same_as_one_parse(path, SHEET, CUTS)


def _cell(ref: str, value: Any) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="s"><v>{value}</v></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def test_shared_strings_gaps_leading_blanks_and_ragged_widths(tmp_path: Path) -> None:
    """Rows start in column C, some rows are missing, later rows are wider, a row has no cells."""
    rows = []
    for r in range(4, 80):
        if r % 7 == 0:
            continue  # no element at all for this row
        if r == 30:
            rows.append('<row r="30"/>')
            continue
        width = 3 if r < 50 else 6
        cells = "".join(_cell(f"{'CDEFGH'[k]}{r}", "0" if k == 0 else r * 10 + k) for k in range(width))
        cells = cells.replace(f'<c r="C{r}" t="s"><v>0</v></c>', f'<c r="C{r}" t="s"><v>{r % 3}</v></c>')
        rows.append(f'<row r="{r}">{cells}</row>')
    tail = '<mergeCells count="1"><mergeCell ref="C4:D4"/></mergeCells>'
    path = raw_workbook(tmp_path / "ragged.xlsx", sheet_xml("".join(rows), tail=tail), shared=["a", "b", "c"])
    assert_same_as_one_parse(path, SHEET, CUTS)


def test_dates_typed_text_and_booleans_keep_their_types(tmp_path: Path) -> None:
    path = build_contacts(tmp_path / "typed.xlsx", rows=40)
    rows, _ = one_parse(path, SHEET)
    assert any(isinstance(v, dt.date) for row in rows for v in row)  # the comparison covers dates
    assert any(isinstance(v, bool) for row in rows for v in row)
    assert_same_as_one_parse(path, SHEET, CUTS)


@pytest.mark.parametrize(
    ("why", "xml"),
    [
        ("prefixed elements", sheet_xml('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>' * 1, prefix="x")),
        ("rows without numbers", sheet_xml("".join(f'<row><c><v>{i}</v></c></row>' for i in range(50)))),
        ("a comment among the rows", sheet_xml("".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'
                                                       for i in range(1, 50)) + '<!-- <row r="99"> -->')),
        ("rows out of order", sheet_xml("".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>'
                                                for i in [*range(30, 60), *range(1, 30)]))),
        ("an empty sheet", sheet_xml("").replace("<sheetData></sheetData>", "<sheetData/>")),
    ],
)  # fmt: skip
def test_layouts_a_cut_cannot_trust_take_the_one_parse_path(tmp_path: Path, why: str, xml: str) -> None:
    path = raw_workbook(tmp_path / "odd.xlsx", xml)
    for shares in [(0.3,), (0.5,), (0.9,)]:
        assert read_rows(path, SHEET, min_bytes=0, shares=shares) is None, why
    grid = read_grid(path, sheet=SHEET)  # and the ordinary read still gives calamine's rows
    assert grid.rows == one_parse(path, SHEET)[0]


def test_small_sheets_and_single_core_machines_use_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_read, "usable_cores", lambda: 2)  # whatever machine the tests run on
    assert read_rows(EXAMPLE, "Contacts") is None  # far below MIN_SHEET_BYTES
    monkeypatch.setattr(parallel_read, "MIN_SHEET_BYTES", 0)
    assert read_rows(EXAMPLE, "Contacts") is not None
    monkeypatch.setenv("SHEETKIT_PARALLEL_READ", "0")  # the user's off switch
    assert read_rows(EXAMPLE, "Contacts") is None
    monkeypatch.delenv("SHEETKIT_PARALLEL_READ")
    monkeypatch.setattr(parallel_read, "usable_cores", lambda: 1)  # the one thing we cannot make real here
    assert read_rows(EXAMPLE, "Contacts") is None


def test_no_room_for_the_copies_keeps_them_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing" / "folder"))
    expected = one_parse(EXAMPLE, "Contacts")[0]
    result = read_rows(EXAMPLE, "Contacts", min_bytes=0)
    assert result is not None and result.rows == expected
    assert read_grid(EXAMPLE).rows == expected


def test_check_reads_big_sheets_in_parts_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole pipeline through the parallel read: same report and computed columns as one parse."""
    monkeypatch.setattr(parallel_read, "usable_cores", lambda: 2)
    single = check(EXAMPLE, as_of="2026-11-21")
    used: list[bool] = []
    real = parallel_read.read_rows

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        used.append(result is not None)
        return result

    monkeypatch.setattr(parallel_read, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel_read, "read_rows", spy)
    parallel = check(EXAMPLE, as_of="2026-11-21")
    assert used == [True]
    assert parallel.report.to_dict() == single.report.to_dict()
    assert parallel.frame().equals(single.frame())


def test_a_huge_sheet_is_cut_into_parts_of_about_part_bytes() -> None:
    """Past twice PART_BYTES the parts are about that size (two parse at a time, so two grids at most)."""
    size = parallel_read.PART_BYTES
    assert parallel_read.cut_shares(size) == (parallel_read.FIRST_PART_SHARE,)
    assert parallel_read.cut_shares(2 * size) == (parallel_read.FIRST_PART_SHARE,)
    cuts = parallel_read.cut_shares(7 * size - 1)
    assert len(cuts) == 6 and cuts == tuple(sorted(cuts))
    gaps = [b - a for a, b in zip((0.0, *cuts), (*cuts, 1.0), strict=True)]
    assert max(gaps) * 7 * size <= size + 1


def test_many_parts_read_two_at_a_time_give_the_whole_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_contacts(tmp_path / "many.xlsx", rows=400)
    expected_rows, _ = one_parse(path, SHEET)
    started: list[int] = []
    real = parallel_read.ThreadPoolExecutor

    def counting(max_workers: int, **kwargs: Any) -> Any:
        started.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(parallel_read, "ThreadPoolExecutor", counting)
    monkeypatch.setattr(parallel_read, "PART_BYTES", 4096)  # a small sheet cut as a huge one would be
    with zipfile.ZipFile(path) as package:
        size = package.getinfo(sheet_part(package, SHEET) or "").file_size
    assert len(parallel_read.cut_shares(size)) >= 5
    result = read_rows(path, SHEET, min_bytes=0)
    assert result is not None and result.rows == expected_rows
    assert started == [parallel_read.PARSERS]


def test_a_huge_sheet_shares_repeated_texts_part_by_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past twice PART_BYTES each part's repeated texts become one object per text; values stay exact."""
    path = build_contacts(tmp_path / "huge.xlsx", rows=400)
    expected_rows, _ = one_parse(path, SHEET)
    with zipfile.ZipFile(path) as package:
        size = package.getinfo(sheet_part(package, SHEET) or "").file_size
    monkeypatch.setattr(parallel_read, "PART_BYTES", size // 4)  # a small sheet read as a huge one is
    monkeypatch.setattr(parallel_read, "SHARE_SAMPLE_ROWS", 50)
    parts = len(parallel_read.cut_shares(size)) + 1
    assert 4 <= parts <= 5
    result = read_rows(path, SHEET, min_bytes=0)
    assert result is not None and result.rows == expected_rows  # equal values ...
    kinds = [[type(v) for v in row] for row in result.rows]
    assert kinds == [[type(v) for v in row] for row in expected_rows]  # ... of the same types
    people = result.rows[-380:]  # well past the header: rows of several parts
    status = {id(row[2]) for row in people}
    assert {row[2] for row in people} == {"Replied", "Contacted"} and len(status) <= 2 * parts  # one a text a part
    assert len({id(row[1]) for row in people}) == len(people)  # emails differ: left as they were
    assert len({id(row[6]) for row in people}) <= parts  # "call back" on every row
    monkeypatch.setattr(parallel_read, "PART_BYTES", size)  # not huge (cut once, as at 100,000 rows): not shared
    small = read_rows(path, SHEET, min_bytes=0)
    assert small is not None and len({id(row[2]) for row in small.rows[-380:]}) > 2 * parts
