"""Finding things inside a package (sheetkit.excel.parts), the way Excel does: through relationships.

Real packages built here (openpyxl, or by hand for what only other tools write), including one
whose workbook part is not xl/workbook.xml: every reader and writer must find it through
_rels/.rels, and agree on its date system.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import AS_OF, WorkbookFactory, contact
from xlsx_factory import SHEET, build_contacts, edit_zip, raw_workbook, sheet_xml

import sheetkit
from sheetkit.core.cells import CellUpdate
from sheetkit.core.dates import EPOCH_1900, EPOCH_1904
from sheetkit.errors import PackageUnsupported
from sheetkit.excel import read as excel_read
from sheetkit.excel.parts import (
    STRICT_NS,
    date1904,
    read_text,
    read_workbook,
    relationships,
    rels_path,
    resolve,
    sheet_part,
    workbook_part,
)
from sheetkit.excel.write import write_cells

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def move_workbook_part(path: Path, new: str = "xl/book.xml") -> Path:
    """Rename xl/workbook.xml (and its .rels) to ``new``, fixing _rels/.rels and [Content_Types].xml."""

    def edit(parts: dict[str, bytes]) -> None:
        parts[new] = parts.pop("xl/workbook.xml")
        parts[rels_path(new)] = parts.pop("xl/_rels/workbook.xml.rels")
        for name in ("_rels/.rels", "[Content_Types].xml"):
            parts[name] = parts[name].replace(b"xl/workbook.xml", new.encode())

    edit_zip(path, edit)
    return path


def edit_workbook_xml(path: Path, edit: Callable[[bytes], bytes]) -> None:
    edit_zip(path, lambda parts: parts.update({"xl/workbook.xml": edit(parts["xl/workbook.xml"])}))


def package(path: Path, parts: dict[str, str | bytes]) -> zipfile.ZipFile:
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return zipfile.ZipFile(path)


def rels(*items: tuple[str, str, str]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{_REL}/{kind}" Target="{target}"/>' for i, kind, target in items)
    return f'<Relationships xmlns="{_PKG}">{body}</Relationships>'


def test_rels_path_and_resolve() -> None:
    assert rels_path("xl/workbook.xml") == "xl/_rels/workbook.xml.rels"
    assert rels_path("xl/worksheets/sheet1.xml") == "xl/worksheets/_rels/sheet1.xml.rels"
    assert rels_path("") == "_rels/.rels"  # the package's own relationships
    assert resolve("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve("xl/worksheets/sheet1.xml", "../tables/table1.xml") == "xl/tables/table1.xml"
    assert resolve("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    assert resolve("", "xl/workbook.xml") == "xl/workbook.xml"


def test_relationships_by_id_with_their_parts_resolved(tmp_path: Path) -> None:
    with package(
        tmp_path / "p.zip",
        {"xl/_rels/book.xml.rels": rels(("rId1", "worksheet", "sheets/one.xml"), ("rId7", "styles", "/xl/s.xml"))},
    ) as zipped:
        found = relationships(zipped, "xl/book.xml")
        assert relationships(zipped, "xl/sheets/one.xml") == {}  # no .rels part: no relationships
    assert list(found) == ["rId1", "rId7"]
    assert found["rId1"].part == "xl/sheets/one.xml" and found["rId1"].is_a("worksheet")
    assert found["rId7"].part == "xl/s.xml" and found["rId7"].is_a("styles") and not found["rId7"].is_a("worksheet")


def test_the_workbook_part_is_the_office_document(tmp_path: Path) -> None:
    with package(tmp_path / "none.zip", {"xl/workbook.xml": "<workbook/>"}) as zipped:
        assert workbook_part(zipped) == "xl/workbook.xml"  # no _rels/.rels: where everyone puts it
    with package(
        tmp_path / "two.zip",
        {"_rels/.rels": rels(("a", "extended-properties", "docProps/app.xml"), ("b", "officeDocument", "/x/b.xml"))},
    ) as zipped:
        assert workbook_part(zipped) == "x/b.xml"
    twice = {"_rels/.rels": rels(("a", "officeDocument", "xl/first.xml"), ("b", "officeDocument", "xl/second.xml"))}
    with package(tmp_path / "twice.zip", twice) as zipped:
        assert workbook_part(zipped) == "xl/first.xml"  # a package has one; of two, every reader takes the first
    with zipfile.ZipFile(move_workbook_part(build_contacts(tmp_path / "moved.xlsx"))) as zipped:
        assert workbook_part(zipped) == "xl/book.xml"


def test_read_text_decodes_what_other_writers_store_and_refuses_what_it_cannot_decode(tmp_path: Path) -> None:
    declared = '<?xml version="1.0" encoding="UTF-16"?><a>é</a>'
    parts: dict[str, str | bytes] = {
        "ok.xml": "<a>é</a>",
        "bom.xml": b"\xef\xbb\xbf<a/>",
        "utf16.xml": codecs.BOM_UTF16_LE + declared.encode("utf-16-le"),
        "latin.xml": "<a>é</a>".encode("latin-1"),
    }
    with package(tmp_path / "p.zip", parts) as zipped:
        assert read_text(zipped, "ok.xml") == "<a>é</a>"
        assert read_text(zipped, "bom.xml") == "<a/>"
        assert read_text(zipped, "utf16.xml") == '<?xml version="1.0" encoding="UTF-8"?><a>é</a>'
        with pytest.raises(PackageUnsupported, match="not readable as utf-8"):
            read_text(zipped, "latin.xml")


def test_sheet_parts_found_through_the_workbook_relationships(tmp_path: Path) -> None:
    path = raw_workbook(tmp_path / "raw.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))

    def edit(parts: dict[str, bytes]) -> None:  # the sheet's part under a name of its own, and a chart sheet
        parts["xl/data/contacts.xml"] = parts.pop("xl/worksheets/sheet1.xml")
        parts["xl/_rels/workbook.xml.rels"] = (
            parts["xl/_rels/workbook.xml.rels"]
            .replace(b"worksheets/sheet1.xml", b"data/contacts.xml")
            .replace(
                b"</Relationships>",
                f'<Relationship Id="rId9" Type="{_REL}/chartsheet" Target="c.xml"/>'.encode() + b"</Relationships>",
            )
        )
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"</sheets>",
            b'<sheet name="Chart" sheetId="2" r:id="rId9"/><sheet name="Gone" sheetId="3" r:id="rId99"/></sheets>',
        )

    edit_zip(path, edit)
    with zipfile.ZipFile(path) as zipped:
        assert sheet_part(zipped, SHEET) == "xl/data/contacts.xml"
        assert sheet_part(zipped, SHEET.lower()) is None  # names match exactly, as calamine's do
        assert sheet_part(zipped, "Chart") is None  # not a worksheet
        assert sheet_part(zipped, "Gone") is None  # a relationship id that names nothing
        assert sheet_part(zipped, "Nowhere") is None
        book = read_workbook(zipped)
    assert book is not None and book.sheet_names == [SHEET, "Chart", "Gone"]
    assert book.target("styles") == "xl/styles.xml" and book.target("calcChain") is None


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("true", True), ("0", False), ("false", False), (None, False)]
)
def test_date1904(tmp_path: Path, value: str | None, expected: bool) -> None:
    path = raw_workbook(tmp_path / "raw.xlsx", sheet_xml(""))
    if value is not None:
        edit_workbook_xml(path, lambda xml: xml.replace(b"<workbookPr/>", f"<workbookPr date1904='{value}'/>".encode()))
    with zipfile.ZipFile(path) as zipped:
        assert date1904(zipped) is expected


def test_editing_refuses_strict_and_binary_workbooks(tmp_path: Path) -> None:
    strict = raw_workbook(tmp_path / "strict.xlsx", sheet_xml(""))
    edit_workbook_xml(strict, lambda xml: re.sub(rb'xmlns="[^"]+"', f'xmlns="{STRICT_NS}"'.encode(), xml, count=1))
    with zipfile.ZipFile(strict) as zipped:
        assert read_workbook(zipped) is not None  # readers may look
        with pytest.raises(PackageUnsupported, match="strict"):
            read_workbook(zipped, for_editing=True)
    binary = {"_rels/.rels": rels(("r", "officeDocument", "xl/workbook.bin"))}
    with package(tmp_path / "b.zip", binary) as zipped, pytest.raises(PackageUnsupported, match="binary"):
        read_workbook(zipped)
    with package(tmp_path / "empty.zip", {"_rels/.rels": rels()}) as zipped:
        assert read_workbook(zipped, for_editing=True) is None and date1904(zipped) is False


# -- a workbook part that is not xl/workbook.xml ------------------------------------------------------


def test_the_date_system_comes_from_the_real_workbook_part(tmp_path: Path) -> None:
    """It used to be read from xl/workbook.xml whatever _rels/.rels said (so 1900 here, four years off).

    calamine itself opens only xl/workbook.xml, so no whole read can show it; the package writer
    already found the part, and now both agree.
    """
    path = move_workbook_part(build_contacts(tmp_path / "mac.xlsx", date1904=True))
    assert excel_read._workbook_epoch(path) == EPOCH_1904
    assert excel_read._workbook_epoch(move_workbook_part(build_contacts(tmp_path / "pc.xlsx"))) == EPOCH_1900
    dst = tmp_path / "out.xlsx"
    outcome = write_cells(path, dst, SHEET, [CellUpdate(3, 8, dt.date(2026, 3, 1))], header_row=2, engine="package")
    assert outcome.engine == "package"
    with zipfile.ZipFile(dst) as zipped:
        assert sheet_part(zipped, SHEET) == "xl/worksheets/sheet1.xml" and date1904(zipped)
        xml = zipped.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(rf'<c r="H3"[^>]*><v>{(dt.date(2026, 3, 1) - dt.date(1904, 1, 1)).days}</v></c>', xml)


def test_dates_read_right_whatever_the_quotes_of_date1904(make_workbook: WorkbookFactory) -> None:
    """date1904='1' is the same XML as date1904="1"; a byte search for the latter read it as 1900.

    The serial is a plain number (no date format), so calamine leaves it to sheetkit's epoch.
    """
    path = make_workbook([contact(**{"Last Contacted": 43893})])  # 2024-03-04 in the 1904 system
    book = openpyxl.load_workbook(path)
    for row in book["Contacts"].iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "General"
    book.save(path)
    edit_workbook_xml(path, lambda xml: xml.replace(b"<workbookPr", b"<workbookPr date1904='1'", 1))
    frame = sheetkit.enrich(path, as_of=AS_OF)
    assert frame["Days Since Contact"].tolist() == [(AS_OF - dt.date(2024, 3, 4)).days]
