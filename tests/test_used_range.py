"""The used-range scans agree with calamine: the full scan finds the grid calamine builds, the fast one bounds it.

Every layout here is a real package that calamine reads; its grid (rows and columns from A1, as
to_python(skip_empty_area=False) gives them) is compared with what the scans say, fed in chunks
of every size so a tag cut anywhere between two chunks is covered.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sheetkit.core.cells import column_letter
from sheetkit.errors import WorkbookFormatError
from sheetkit.excel import parallel_read
from sheetkit.excel.limits import Limits
from sheetkit.excel.read import read_grid
from sheetkit.excel.used_range import RangeScan, _upto, full_scan
from tests import hostile
from tests.xlsx_factory import SHEET, build_contacts, raw_workbook, sheet_xml

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"

LAYOUTS = {
    "references first": "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="C{r}" t="s"><v>0</v></c></row>'
                                for r in range(1, 40)),
    "no references": "".join(f"<row><c><v>{r}</v></c><c/><c><v>2</v></c></row>" for r in range(30)),
    "rows numbered, cells not": '<row r="5"><c><v>1</v></c><c><v>2</v></c></row><row r="9"><c/><c><v>3</v></c></row>',
    "self-closing rows move the counter": '<row r="3"/><row/><row><c><v>1</v></c></row>',
    "reference after other attributes": '<row r="2"><c t="n" r="D2"><v>1</v></c><c s="0" r="B7"><v>2</v></c></row>',
    "styled cells without values": '<row r="1"><c r="A1"><v>1</v></c><c r="Z1" s="1"/><c r="AB1" s="1"></c></row>'
                                   '<row r="40000" s="1"><c r="A40000" s="1"/></row>',
    "formula without a cached value": '<row r="1"><c r="A1"><v>1</v></c><c r="H9"><f>1+1</f></c></row>',
    "inline and rich text": '<row r="1"><c r="B1" t="inlineStr"><is><r><rPr><color rgb="FF0000FF"/></rPr>'
                            '<t>x</t></r></is></c></row><row r="3"><c r="AA3" t="inlineStr"><is><t>y</t></is></c></row>',
    "rows out of order": "".join(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c></row>' for r in [*range(30, 60), *range(1, 30)]),
    "a '>' in an attribute": '<row r="1"><c r="A1"><v>1</v></c></row><row r="4"><c s="0" cm=">" r="E4"><v>2</v></c></row>',
}  # fmt: skip


def calamine_grid(path: Path) -> tuple[int, int]:
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        rows = workbook.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    return len(rows), max((len(row) for row in rows), default=0)


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[at : at + size] for at in range(0, len(data), size)]


def sheet_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_full_scan_finds_the_grid_calamine_builds(tmp_path: Path, layout: str) -> None:
    path = raw_workbook(tmp_path / "layout.xlsx", sheet_xml(LAYOUTS[layout]), shared=["s"])
    expected = calamine_grid(path)
    data = sheet_bytes(path)
    for size in (1, 5, 64, len(data)):
        used = full_scan(chunks(data, size))
        assert (used.rows, used.columns) == expected, (layout, size)
    prefixed = raw_workbook(tmp_path / "prefixed.xlsx", sheet_xml(_prefixed(LAYOUTS[layout]), prefix="x"), shared=["s"])
    assert (full_scan([sheet_bytes(prefixed)]).rows, full_scan([sheet_bytes(prefixed)]).columns) == calamine_grid(prefixed)
    assert read_grid(path).rows == CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python(
        skip_empty_area=False
    )


def _prefixed(rows: str) -> str:
    return re.sub(r"<(/?)(row|c|v|is|f|t|r|rPr|color)\b", r"<\1x:\2", rows)


@pytest.mark.parametrize("path", [EXAMPLE, "contacts", "date1904", "table"], ids=str)
def test_the_fast_scan_vouches_for_real_workbooks_and_bounds_their_grid(tmp_path: Path, path: Path | str) -> None:
    if isinstance(path, str):
        options = {"contacts": {}, "date1904": {"date1904": True}, "table": {"table": True}}[path]
        path = build_contacts(tmp_path / "contacts.xlsx", rows=300, **options)
    rows, columns = calamine_grid(path)
    data = sheet_bytes(path)
    for size in (7, 100, 4096, 1 << 20):
        scan = RangeScan(Limits(), len(data))
        for chunk in chunks(data, size):
            scan.feed(chunk)
        scan.finish()
        assert scan.vouches(), scan.doubt
        assert columns == scan.columns and rows <= scan.rows <= rows * 11 // 10 + 1


def test_the_fast_scan_gives_way_to_the_full_scan_for_forms_it_does_not_follow(tmp_path: Path) -> None:
    for layout in ("no references", "reference after other attributes", "a '>' in an attribute"):
        data = sheet_bytes(raw_workbook(tmp_path / "odd.xlsx", sheet_xml(LAYOUTS[layout])))
        scan = RangeScan(Limits(), len(data))
        scan.feed(data)
        scan.finish()
        assert not scan.vouches() and scan.doubt, layout


@pytest.mark.parametrize("far", ["first part", "second part"])
def test_the_two_part_read_refuses_a_far_cell_in_either_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, far: str
) -> None:
    monkeypatch.setattr(parallel_read, "MIN_SHEET_BYTES", 0)
    monkeypatch.setattr(parallel_read, "usable_cores", lambda: 2)
    row = 3 if far == "first part" else 300

    def stray(xml: str) -> str:
        return xml.replace(f'<c r="A{row}"', f'<c r="XFD{row}" t="inlineStr"><is><t>x</t></is></c><c r="A{row}"')

    path = hostile.edit_sheet(tmp_path / "contacts.xlsx", stray, rows=400)
    real, opened = parallel_read._open_copy, []
    monkeypatch.setattr(parallel_read, "_open_copy", lambda *args: opened.append(1) or real(*args))
    assert parallel_read.read_rows(path, SHEET, min_bytes=0) is None  # the full scan decides (one part)
    assert len(opened) <= (0 if far == "first part" else 1)  # calamine never saw the far cell
    with pytest.raises(WorkbookFormatError, match=f"stray cell XFD{row}"):
        read_grid(path)


def test_upto_matches_exactly_the_numbers_and_columns_up_to_its_top() -> None:
    for top in [1, 7, 9, 10, 99, 100, 101, 120, 305, 1000, 106496, 1048576]:
        pattern = re.compile(_upto(str(top).encode(), b"1", b"0", b"9", b'"'))
        for n in [*range(1, 1200), top - 1, top, top + 1, 999_999, 1_048_576, 1_048_577]:
            assert bool(pattern.fullmatch(b"%d" % n + b'"')) == (0 < n <= top), (top, n)
        assert not pattern.match(b'0"') and not pattern.match(b'01"')
    for top in [1, 18, 26, 27, 52, 100, 702, 703, 16384]:
        pattern = re.compile(_upto(column_letter(top).encode(), b"A", b"A", b"Z", b""))
        for n in [*range(1, 1500), 16384, 16385, 18278]:
            assert bool(pattern.fullmatch(column_letter(n).encode())) == (n <= top), (top, n)


def test_long_text_and_long_tags_do_not_pile_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk with no tag in it is text (or the middle of one tag): the fast scan keeps a few bytes of it."""
    text = b"x" * (3 << 20)
    xml = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>TEXT</t></is></c></row>').encode().replace(b"TEXT", text)
    scan = RangeScan(Limits(), len(xml))
    for chunk in chunks(xml, 1 << 16):
        scan.feed(chunk)
        assert len(scan._carry) <= 256
    scan.finish()
    assert scan.vouches() and (scan.rows, scan.columns) == (1, 1)
    assert (full_scan(chunks(xml, 1 << 16)).rows, full_scan(chunks(xml, 1 << 16)).columns) == (1, 1)
    from sheetkit.excel import used_range

    monkeypatch.setattr(used_range, "MAX_TAG_BYTES", 1000)
    long_tag = xml.replace(b'<c r="A1"', b'<c data="' + b"y" * 5000 + b'" r="A1"')
    with pytest.raises(WorkbookFormatError, match="the sheet has an XML tag longer than 1,000 bytes"):
        full_scan(chunks(long_tag, 512))


def test_xml_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """The scans read bytes as UTF-8 does; a UTF-16 sheet (Excel never writes one) is refused, not trusted."""
    path = hostile.far_cell(tmp_path / "contacts.xlsx", "XFD20000")
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts[hostile.SHEET_PART] = parts[hostile.SHEET_PART].decode().encode("utf-16")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    scan = RangeScan(Limits(), len(parts[hostile.SHEET_PART]))
    scan.feed(parts[hostile.SHEET_PART])
    assert not scan.vouches() and "UTF-8" in scan.doubt
    with pytest.raises(WorkbookFormatError, match="contacts.xlsx, sheet 'Contacts': its XML is not UTF-8"):
        read_grid(path)
