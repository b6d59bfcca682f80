"""The cell writer on the workbooks people have (issue 15): each kind of file seen to crash, be
harmed or be refused needlessly, written correctly or refused with a clear sheetkit error."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import hostile
import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from soffice import read_many_with_libreoffice, soffice_available
from xlsx_factory import MAIN_NS, SHEET, edit_zip, raw_workbook, sheet_xml

import sheetkit
from sheetkit.errors import SheetkitError, WorkbookFormatError, WriteError
from sheetkit.excel.normalise import translate_formula

REALWORLD = Path(__file__).parent / "data" / "realworld"
SHEET_PART = "xl/worksheets/sheet1.xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def grid(path: Path, sheet: str = SHEET) -> dict[tuple[int, int], Any]:
    """Every non-empty cell calamine sees, by 1-based (row, column)."""
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    return {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def with_styles(path: Path, cell_xfs: str, num_fmts: str = "") -> None:
    """Give a raw workbook these <numFmts> and <cellXfs> entries."""

    def edit(parts: dict[str, bytes]) -> None:
        xml = parts["xl/styles.xml"].decode()
        xml = re.sub(r"<cellXfs\b.*?</cellXfs>", f'<cellXfs count="9">{cell_xfs}</cellXfs>', xml, flags=re.S)
        if num_fmts:
            xml = xml.replace("<fonts", f"<numFmts>{num_fmts}</numFmts><fonts", 1)
        parts["xl/styles.xml"] = xml.encode()

    edit_zip(path, edit)


# -- the fallback: never silently ----------------------------------------------------------------


def test_openpyxl_engine_writes_a_workbook_without_calc_pr(tmp_path: Path) -> None:
    """The openpyxl path used to crash on every workbook without <calcPr> (1 real file in 11)."""
    src = hostile.without_calc_pr(tmp_path / "contacts.xlsx")
    result = sheetkit.write_cells(src, {"A2": "Bea"}, output=tmp_path / "out.xlsx", engine="openpyxl")
    assert result.engine == "openpyxl" and grid(tmp_path / "out.xlsx")[(2, 1)] == "Bea"
    assert b'fullCalcOnLoad="1"' in member(tmp_path / "out.xlsx", "xl/workbook.xml")


def test_a_refusal_names_the_reason_and_the_openpyxl_escape_hatch(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v><extLst><ext uri="{X}"/></extLst></c></row>'
    src = raw_workbook(tmp_path / "odd.xlsx", sheet_xml(rows))
    assert sheetkit.write_cells(src, {"B2": 2}, output=tmp_path / "fine.xlsx").engine == "package"
    before = src.read_bytes()
    with pytest.raises(WriteError, match=r"extLst.*nothing was written.*--engine openpyxl.*cached result") as caught:
        sheetkit.write_cells(src, {"A1": 2})
    assert "\n" not in str(caught.value) and src.read_bytes() == before
    result = sheetkit.write_cells(src, {"A1": 2}, engine="auto", backup=False)
    assert result.engine == "openpyxl" and any("extLst" in note for note in result.notes)


# -- shared formulas -------------------------------------------------------------------------------

SHARED = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:C3" si="0">A1*2+$A$1</f><v>3</v></c>'
    '<c r="C1"><f t="shared" si="0"/><v>5</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>5</v></c>'
    '<c r="C2"><f t="shared" si="0"/><v>9</v></c></row>'
    '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>7</v></c>'
    '<c r="C3"><f t="shared" si="0"/><v>13</v></c></row>'
)


def test_overwriting_a_shared_formula_master_keeps_every_other_cell_and_formula(tmp_path: Path) -> None:
    src = raw_workbook(tmp_path / "shared.xlsx", sheet_xml(SHARED))
    out = tmp_path / "out.xlsx"
    before = grid(src)
    sheetkit.write_cells(src, {"B1": 100}, output=out)
    after = grid(out)
    assert after.pop((1, 2)) == 100
    assert after == {k: v for k, v in before.items() if k != (1, 2)}
    formulas = openpyxl.load_workbook(out)[SHEET]
    assert formulas["C1"].value == "=B1*2+$A$1" and formulas["B3"].value == "=A3*2+$A$1"
    assert formulas["C3"].value == "=B3*2+$A$1"
    assert b't="shared"' not in member(out, SHEET_PART)


@pytest.mark.parametrize(
    ("formula", "rows", "columns", "expected"),
    [
        ("A1*2", 1, 0, "A2*2"),
        ("$A$1+B$1+$C1", 2, 1, "$A$1+C$1+$C3"),
        ("SUM(A1:B2)", 1, 1, "SUM(B2:C3)"),
        ("'My Sheet'!A1&\"A1\"", 1, 0, "'My Sheet'!A2&\"A1\""),
        ("LOG10(A1)+Table1[Col]", 0, 1, "LOG10(B1)+Table1[Col]"),
        ("SUM(A:A)+SUM(1:1)", 1, 1, "SUM(B:B)+SUM(2:2)"),
        ("Sheet2!B3*1.5E3", 1, 0, "Sheet2!B4*1.5E3"),
    ],
)
def test_a_shared_formula_reads_as_excel_reads_it_in_each_cell(
    formula: str, rows: int, columns: int, expected: str
) -> None:
    assert translate_formula(formula, rows, columns) == expected


# -- cells that used to crash ------------------------------------------------------------------------


def test_an_empty_style_attribute_is_no_style(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" s=""><v>1</v></c><c r="B1" s=""><v>2</v></c><c r="C1" s=""><v>3</v></c></row>'
    src = raw_workbook(tmp_path / "s.xlsx", sheet_xml(rows))
    out = tmp_path / "out.xlsx"
    sheetkit.write_cells(src, {"A1": 5, "B1": dt.date(2026, 3, 4), "C1": "x"}, output=out)
    assert grid(out) == {(1, 1): 5, (1, 2): dt.date(2026, 3, 4), (1, 3): "x"}


@pytest.mark.parametrize("named", [True, False], ids=["named-but-missing", "none"])
def test_a_workbook_without_a_styles_part_gets_one_for_a_date(tmp_path: Path, named: bool) -> None:
    src = raw_workbook(tmp_path / "nostyles.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))

    def drop(parts: dict[str, bytes]) -> None:
        del parts["xl/styles.xml"]
        if not named:
            rels = parts["xl/_rels/workbook.xml.rels"].decode()
            parts["xl/_rels/workbook.xml.rels"] = re.sub(r"<Relationship [^>]*styles[^>]*/>", "", rels).encode()
            types = parts["[Content_Types].xml"].decode()
            parts["[Content_Types].xml"] = re.sub(r"<Override [^>]*styles.xml[^>]*/>", "", types).encode()

    edit_zip(src, drop)
    sheetkit.write_cells(src, {"A1": 7, "B1": "text"}, output=tmp_path / "plain.xlsx")
    assert grid(tmp_path / "plain.xlsx") == {(1, 1): 7, (1, 2): "text"}
    assert "xl/styles.xml" not in zipfile.ZipFile(tmp_path / "plain.xlsx").namelist()  # nothing needed one
    out = tmp_path / "date.xlsx"
    result = sheetkit.write_cells(src, {"A1": dt.date(2026, 1, 2)}, output=out)
    assert any("added xl/styles.xml" in note for note in result.notes)
    assert grid(out) == {(1, 1): dt.date(2026, 1, 2)}
    assert openpyxl.load_workbook(out)[SHEET]["A1"].number_format == "yyyy-mm-dd"
    assert member(out, "[Content_Types].xml").count(b"styles+xml") == 1


def test_a_styles_part_without_cell_formats_refuses_a_date_clearly(tmp_path: Path) -> None:
    src = raw_workbook(tmp_path / "empty.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))

    def empty(parts: dict[str, bytes]) -> None:
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{MAIN_NS}"/>'.encode()

    edit_zip(src, empty)
    with pytest.raises(WriteError, match="no cell formats .* date format"):
        sheetkit.write_cells(src, {"A1": dt.date(2026, 1, 2)}, output=tmp_path / "date.xlsx")
    assert not (tmp_path / "date.xlsx").exists()


def _corrupt(path: Path, name: str, how: str) -> Path:
    """Damage member ``name``: a CRC that does not match ("crc") or no local header signature ("header")."""
    if how == "crc":
        with zipfile.ZipFile(path) as package:
            members = [(info.filename, package.read(info)) for info in package.infolist()]
        entries = []
        for filename, data in members:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            crc = zlib.crc32(data) ^ (0xFFFF if filename == name else 0)
            entries.append((filename, packer.compress(data) + packer.flush(), len(data), crc, zipfile.ZIP_DEFLATED))
        hostile.write_raw_zip(path, entries)
        return path
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        offset = package.getinfo(name).header_offset
    data[offset : offset + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("name", ["xl/styles.xml", "docProps/core.xml", SHEET_PART])
@pytest.mark.parametrize("how", ["crc", "header"])
def test_a_damaged_zip_member_is_a_sheetkit_error_and_nothing_is_written(tmp_path: Path, name: str, how: str) -> None:
    src = _corrupt(hostile.contacts(tmp_path / "contacts.xlsx"), name, how)
    before = src.read_bytes()
    with pytest.raises(WorkbookFormatError, match="damaged") as caught:
        sheetkit.write_cells(src, {"A2": "Bea"})
    assert "\n" not in str(caught.value)
    assert src.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["contacts.xlsx"]


@pytest.mark.parametrize("name", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels", "xl/styles.xml"])
def test_malformed_xml_is_a_sheetkit_error(tmp_path: Path, name: str) -> None:
    src = hostile.contacts(tmp_path / "contacts.xlsx")

    def damage(parts: dict[str, bytes]) -> None:
        parts[name] = parts[name][:-20]

    edit_zip(src, damage)
    with pytest.raises(SheetkitError) as caught:
        sheetkit.write_cells(src, {"A2": dt.date(2026, 1, 1)}, sheet="Contacts")
    assert "\n" not in str(caught.value)


def test_a_truncated_file_is_a_sheetkit_error(tmp_path: Path) -> None:
    src = hostile.contacts(tmp_path / "contacts.xlsx")
    src.write_bytes(src.read_bytes()[:-200])
    with pytest.raises(SheetkitError):
        sheetkit.write_cells(src, {"A2": 1}, sheet="Contacts")


# -- what other writers spell differently --------------------------------------------------------------


def test_a_utf16_workbook_part_and_a_bom_in_styles_are_written(tmp_path: Path) -> None:
    src = raw_workbook(tmp_path / "utf16.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))

    def recode(parts: dict[str, bytes]) -> None:
        text = parts["xl/workbook.xml"].decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        parts["xl/workbook.xml"] = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
        parts["xl/styles.xml"] = codecs.BOM_UTF8 + parts["xl/styles.xml"]

    edit_zip(src, recode)
    out = tmp_path / "out.xlsx"
    sheetkit.write_cells(src, {"A1": 2, "B1": dt.date(2026, 5, 6)}, output=out)
    assert grid(out) == {(1, 1): 2, (1, 2): dt.date(2026, 5, 6)}
    workbook = member(out, "xl/workbook.xml")
    assert workbook.startswith(b"<?xml") and b'encoding="UTF-8"' in workbook and b"fullCalcOnLoad" in workbook


def test_a_package_written_with_x_prefixes_throughout_is_written(tmp_path: Path) -> None:
    """What the OpenXML SDK (ClosedXML) writes: every SpreadsheetML element prefixed."""
    src = raw_workbook(
        tmp_path / "prefixed.xlsx", sheet_xml('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', prefix="x")
    )

    def prefix(parts: dict[str, bytes]) -> None:
        for name, root in (("xl/workbook.xml", "workbook"), ("xl/styles.xml", "styleSheet")):
            text = parts[name].decode()
            text = re.sub(r"<(/?)(?!\?)([A-Za-z])", r"<\1x:\2", text).replace("<x:/", "</x:")
            text = text.replace(f'<x:{root} xmlns="{MAIN_NS}"', f'<x:{root} xmlns:x="{MAIN_NS}"')
            text = text.replace("r:id", "r:id")
            parts[name] = text.encode()

    edit_zip(src, prefix)
    assert b"<x:workbook" in member(src, "xl/workbook.xml")
    out = tmp_path / "out.xlsx"
    sheetkit.write_cells(src, {"A1": 2, "C1": dt.date(2026, 5, 6)}, output=out)
    assert grid(out) == {(1, 1): 2, (1, 3): dt.date(2026, 5, 6)}
    assert openpyxl.load_workbook(out)[SHEET]["C1"].number_format == "yyyy-mm-dd"


def test_rows_and_cells_without_references_are_numbered_and_written(tmp_path: Path) -> None:
    rows = '<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row><row r="5"><c><v>5</v></c></row>'
    src = raw_workbook(tmp_path / "positional.xlsx", sheet_xml(rows))
    out = tmp_path / "out.xlsx"
    result = sheetkit.write_cells(src, {"B2": 20, "A5": 50}, output=out)
    assert grid(out) == {(1, 1): 1, (1, 2): 2, (2, 1): 3, (2, 2): 20, (5, 1): 50}
    assert any("without an r attribute" in note for note in result.notes)


def test_backslash_separators_are_written_with_slashes(tmp_path: Path) -> None:
    src = hostile.backslash_names(tmp_path / "contacts.xlsx")
    out = tmp_path / "out.xlsx"
    result = sheetkit.write_cells(src, {"A2": "Bea"}, output=out)
    assert any("backslashes" in note for note in result.notes)
    with zipfile.ZipFile(out) as package:
        assert not any("\\" in name for name in package.namelist())
    assert grid(out)[(2, 1)] == "Bea" and openpyxl.load_workbook(out)[SHEET]["A2"].value == "Bea"


def test_a_case_only_twin_part_is_left_out_so_every_reader_sees_the_edit(tmp_path: Path) -> None:
    """calamine read the unedited twin when both were kept; the workbook points to sheet1.xml."""
    src = hostile.duplicate_member(tmp_path / "contacts.xlsx", SHEET_PART, rename="xl/worksheets/Sheet1.xml")
    out = tmp_path / "out.xlsx"
    result = sheetkit.write_cells(src, {"A2": "Bea"}, output=out)
    assert any("Sheet1.xml" in note for note in result.notes)
    assert "xl/worksheets/Sheet1.xml" not in zipfile.ZipFile(out).namelist()
    assert grid(out)[(2, 1)] == "Bea" and openpyxl.load_workbook(out)[SHEET]["A2"].value == "Bea"


def test_a_strict_workbook_is_refused_saying_how_to_save_it(tmp_path: Path) -> None:
    src = hostile.strict_workbook(tmp_path / "contacts.xlsx")
    for engine in ("package", "openpyxl"):
        with pytest.raises(WriteError, match=r"Strict Open XML.*Excel Workbook \(\*\.xlsx\)"):
            sheetkit.write_cells(src, {"A2": "x"}, sheet="Contacts", engine=engine)  # type: ignore[arg-type]


# -- cells Excel would hide or overwrite --------------------------------------------------------------


def test_a_cell_inside_an_array_formula_is_refused_naming_the_range(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1"><f t="array" ref="A1:A3">B1:B3*2</f><v>2</v></c><c r="B1"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>4</v></c></row>'
    )
    src = raw_workbook(tmp_path / "array.xlsx", sheet_xml(rows))
    with pytest.raises(WriteError, match=r"Contacts!A2 .*array formula over A1:A3"):
        sheetkit.write_cells(src, {"A2": 5})
    with pytest.raises(WriteError, match=r"A1: it anchors the array formula over A1:A3"):
        sheetkit.write_cells(src, {"A1": 5})
    sheetkit.write_cells(src, {"B1": 5}, output=tmp_path / "fine.xlsx")  # beside it: fine


def test_a_cell_hidden_under_a_merged_range_is_refused_and_its_top_left_written(tmp_path: Path) -> None:
    tail = '<mergeCells count="1"><mergeCell ref="B2:C4"/></mergeCells>'
    src = raw_workbook(tmp_path / "merged.xlsx", sheet_xml('<row r="2"><c r="B2"><v>1</v></c></row>', tail=tail))
    with pytest.raises(WriteError, match=r"Contacts!C3 .*merged range B2:C4"):
        sheetkit.write_cells(src, {"C3": 5})
    sheetkit.write_cells(src, {"B2": 5, "C3": None}, output=tmp_path / "out.xlsx")
    assert grid(tmp_path / "out.xlsx") == {(2, 2): 5}


def test_a_cell_inside_a_pivot_table_is_refused_naming_its_range() -> None:
    src = REALWORLD / "calamine" / "pivots.xlsx"
    with pytest.raises(WriteError, match=r"PivotSheet1!B4 .*pivot table at A3:E5"):
        sheetkit.write_cells(src, {"B4": 5}, sheet="PivotSheet1")


# -- formats ---------------------------------------------------------------------------------------------

XFS = (
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="46" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # [h]:mm:ss
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # 0.00%
    '<xf numFmtId="14" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # m/d/yyyy
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'  # custom time
)


def test_a_date_into_an_elapsed_time_or_percent_cell_gets_a_date_format(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" s="1"><v>1.5</v></c><c r="B1" s="2"><v>0.5</v></c><c r="C1" s="3"><v>1</v></c>'
    rows += '<c r="D1" s="4"><v>0.25</v></c></row>'
    src = raw_workbook(tmp_path / "formats.xlsx", sheet_xml(rows))
    with_styles(src, XFS, '<numFmt numFmtId="164" formatCode="hh:mm"/>')
    out = tmp_path / "out.xlsx"
    day = dt.date(2026, 7, 8)
    sheetkit.write_cells(src, {"A1": day, "B1": day, "C1": day, "D1": day}, output=out)
    assert grid(out) == {(1, 1): day, (1, 2): day, (1, 3): day, (1, 4): day}
    sheet = openpyxl.load_workbook(out)[SHEET]
    assert [sheet[ref].number_format for ref in ("A1", "B1", "D1")] == ["yyyy-mm-dd"] * 3
    assert sheet["C1"].number_format == "mm-dd-yy"  # already a date format: kept
    assert sheet["A1"].font.b  # the cell's look kept: only the number format changed


def test_a_number_into_a_date_cell_gets_the_general_format_and_reads_back_as_that_number(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" s="3"><v>46000</v></c><c r="B1" s="1"><v>1</v></c><c r="C1" s="2"><v>1</v></c></row>'
    src = raw_workbook(tmp_path / "dates.xlsx", sheet_xml(rows))
    with_styles(src, XFS)
    out = tmp_path / "out.xlsx"
    sheetkit.write_cells(src, {"A1": 42, "B1": 2.5, "C1": 0.25}, output=out)
    assert grid(out) == {(1, 1): 42, (1, 2): 2.5, (1, 3): 0.25}
    sheet = openpyxl.load_workbook(out)[SHEET]
    assert sheet["A1"].number_format == "General" and sheet["A1"].font.b
    assert sheet["C1"].number_format == "0.00%"  # not a date format: kept


# -- signed workbooks, hostile parts -----------------------------------------------------------------


def signed(path: Path) -> Path:
    hostile.contacts(path)

    def sign(parts: dict[str, bytes]) -> None:
        origin = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin"
        parts["_xmlsignatures/origin.sigs"] = b""
        parts["_rels/.rels"] = parts["_rels/.rels"].replace(
            b"</Relationships>",
            f'<Relationship Id="rSig" Type="{origin}" Target="_xmlsignatures/origin.sigs"/></Relationships>'.encode(),
        )

    edit_zip(path, sign)
    return path


def test_a_signed_workbook_is_refused_unless_asked(tmp_path: Path) -> None:
    src = signed(tmp_path / "signed.xlsx")
    before = src.read_bytes()
    with pytest.raises(WriteError, match=r"digitally signed .*invalidates the signature.*--allow-signed \(Python: allow_signed=True\)"):
        sheetkit.write_cells(src, {"A2": "Bea"})
    assert src.read_bytes() == before
    result = sheetkit.write_cells(src, {"A2": "Bea"}, allow_signed=True)
    assert any("signature" in note for note in result.notes) and grid(src)[(2, 1)] == "Bea"


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_a_huge_shared_strings_part_is_refused_before_it_is_inflated(tmp_path: Path, engine: str) -> None:
    """The proof-of-concept that hung for 180 s: a sharedStrings part inflating to 2 GB."""
    src = hostile.shared_strings_bomb(tmp_path / "contacts.xlsx", 2048)
    with pytest.raises(WorkbookFormatError, match="zip member xl/sharedStrings.xml"):
        sheetkit.write_cells(src, {"A2": "Bea"}, engine=engine)  # type: ignore[arg-type]


def test_a_shared_strings_part_that_lies_about_its_size_is_refused_while_copied(tmp_path: Path) -> None:
    """Declared 5,000 bytes (no ratio alarm), inflating to 64 MB: the package path copies it raw,
    checking as it goes, and stops at the declared size."""
    src = hostile.shared_strings_bomb(tmp_path / "contacts.xlsx", 1)
    head = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
    raw, size, crc = hostile.deflate_repeated(head, b"a" * hostile.MB, 64, b"</t></si></sst>")
    hostile.replace_member(src, "xl/sharedStrings.xml", raw, size, crc, declared=5000)
    with pytest.raises(WorkbookFormatError, match="sharedStrings.xml.*(inflates past|damaged)"):
        sheetkit.write_cells(src, {"A2": "Bea"}, sheet="Contacts")


# -- sanity: a zip sheetkit wrote is one zipfile and Excel's CRC check accept ---------------------------


def test_every_member_of_a_written_package_passes_its_crc(tmp_path: Path) -> None:
    src = hostile.contacts(tmp_path / "contacts.xlsx")
    sheetkit.write_cells(src, {"A2": "Bea", "G9": dt.date(2026, 1, 1)})
    with zipfile.ZipFile(src) as package:
        assert package.testzip() is None
        for info in package.infolist():
            assert zlib.crc32(package.read(info)) == info.CRC


@pytest.mark.parametrize("engine", ["package", "openpyxl"])
def test_both_engines_refuse_hidden_cells_alike(tmp_path: Path, engine: str) -> None:
    tail = '<mergeCells count="1"><mergeCell ref="B2:C4"/></mergeCells>'
    rows = (
        '<row r="1"><c r="A1"><f t="array" ref="A1:A3">1</f><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c></row>'
    )
    src = raw_workbook(tmp_path / "hidden.xlsx", sheet_xml(rows, tail=tail))
    with pytest.raises(WriteError, match=r"Contacts!C3 .*merged range B2:C4"):
        sheetkit.write_cells(src, {"C3": 5}, engine=engine)  # type: ignore[arg-type]
    with pytest.raises(WriteError, match=r"Contacts!A2 .*array formula over A1:A3"):
        sheetkit.write_cells(src, {"A2": 5}, engine=engine)  # type: ignore[arg-type]
    pivots = REALWORLD / "closedxml" / "TryToLoad__PivotTableWithBorder.xlsx"
    with pytest.raises(WriteError, match=r"Sheet2!B4 .*pivot table at A3:B6"):
        sheetkit.write_cells(pivots, {"B4": 5}, sheet="Sheet2", engine=engine)  # type: ignore[arg-type]


@pytest.mark.interop
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_the_respelled_and_extended_files_as_written(tmp_path: Path) -> None:
    """One soffice call (it recalculates): the expanded shared formulas compute from the new master
    value, a date in a workbook that had no styles part shows as a date, the edit of a package with
    a case-only twin part or backslash names is what LibreOffice sees."""
    shared = sheetkit.write_cells(
        raw_workbook(tmp_path / "shared.xlsx", sheet_xml(SHARED)), {"B1": 100}, output=tmp_path / "w1.xlsx"
    ).path
    bare = raw_workbook(tmp_path / "bare.xlsx", sheet_xml("<row><c><v>1</v></c></row>"))

    def drop(parts: dict[str, bytes]) -> None:
        del parts["xl/styles.xml"]

    edit_zip(bare, drop)
    dated = sheetkit.write_cells(bare, {"B1": dt.date(2026, 1, 2)}, output=tmp_path / "w2.xlsx").path
    twin = hostile.duplicate_member(tmp_path / "twin.xlsx", SHEET_PART, rename="xl/worksheets/Sheet1.xml")
    twin = sheetkit.write_cells(twin, {"A2": "Bea"}, output=tmp_path / "w3.xlsx").path
    slashes = sheetkit.write_cells(
        hostile.backslash_names(tmp_path / "slashes.xlsx"), {"A2": "Bea"}, output=tmp_path / "w4.xlsx"
    ).path
    read = read_many_with_libreoffice([shared, dated, twin, slashes])
    for path in (twin, slashes):
        assert read[path.resolve()][SHEET][1][:2] == ["Bea", "Lima"]
    # B1 = 100; C1 = B1*2+$A$1 = 201; B2 = A2*2+$A$1 = 5; C2 = B2*2+$A$1 = 11; B3 = 7; C3 = 15
    assert read[shared.resolve()][SHEET] == [["1", "100", "201"], ["2", "5", "11"], ["3", "7", "15"]]
    assert read[dated.resolve()][SHEET] == [["1", "2026-01-02"]]


def test_refresh_asks_before_writing_into_a_signed_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI says how to ask (--allow-signed); asked, it writes and the signature is said to no longer hold."""
    from sheetkit.cli import main

    src = signed(tmp_path / "signed.xlsx")
    before = src.read_bytes()
    assert main(["refresh", str(src), "--as-of", "2026-11-21"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "digitally signed" in err[0] and "--allow-signed" in err[0], err
    assert src.read_bytes() == before
    assert main(["refresh", str(src), "--as-of", "2026-11-21", "--allow-signed"]) == 0
    assert src.read_bytes() != before and "_xmlsignatures/origin.sigs" in zipfile.ZipFile(src).namelist()
