"""Workbooks for the cell-writer tests: real .xlsx files built the way a recruiter's sheet looks.

openpyxl builds the formatted workbook; the zip is then edited to add what openpyxl cannot write
(cached formula values, a calcChain, a VBA part), so the tests see what Excel would have saved.
Also raw hand-written packages (shared strings, shared formulas, prefixed namespaces) that only
Excel and other tools produce.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

SHEET = "Contacts"
HEADER_ROW = 2
FIRST_ROW, LAST_ROW = 3, 12
HEADERS = [
    "First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Score", "Next Action", "Due Date", "Overdue",
]
VBA_BYTES = bytes(range(256)) * 4
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def build_contacts(
    path: Path, *, table: bool = False, date1904: bool = False, xlsm: bool = False, rows: int = 10
) -> Path:
    """The contacts workbook: formats, filter or table, validation, comment, formulas with cached values."""
    last = FIRST_ROW + rows - 1
    book = openpyxl.Workbook()
    if date1904:
        book.epoch = CALENDAR_MAC_1904
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "Pipeline"
    ws.merge_cells("A1:C1")
    thin = Side(style="thin", color="FF808080")
    for column, header in enumerate(HEADERS, start=1):
        cell = ws.cell(HEADER_ROW, column, header)
        cell.font = Font(bold=True, color="FF1F4E78")
        cell.fill = PatternFill("solid", fgColor="FFDDEBF7")
        cell.border = Border(bottom=thin)
    cached: dict[str, str] = {}
    for k in range(rows):
        r = FIRST_ROW + k
        ws.cell(r, 1, f"Name{k}")
        ws.cell(r, 2, f"p{k}@example.com")
        ws.cell(r, 3, "Replied" if k % 3 else "Contacted")
        ws.cell(r, 4, dt.date(2026, 1, 1) + dt.timedelta(days=k)).number_format = "yyyy-mm-dd"
        ws.cell(r, 5, k % 5).number_format = "0"
        ws.cell(r, 6, f"=E{r}*10")
        cached[f"F{r}"] = str((k % 5) * 10)
        ws.cell(r, 7, "call back")
        ws.cell(r, 8, dt.date(2026, 2, 1) + dt.timedelta(days=k)).number_format = "dd/mm/yyyy"
        ws.cell(r, 9, k % 2 == 0)
    ws["G5"] = '=C5&"!"'
    cached["G5"] = "Replied!"
    ws.cell(FIRST_ROW, 2).font = Font(italic=True)
    ws.cell(FIRST_ROW, 2).comment = Comment("met at the fair", "Sam")
    for letter, width in (("A", 14), ("B", 28), ("D", 13)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    validation = DataValidation(type="list", formula1='"Contacted,Replied,Hired"', allow_blank=True)
    validation.add(f"C{FIRST_ROW}:C{last}")
    ws.add_data_validation(validation)
    red = PatternFill("solid", fgColor="FFFFC7CE")
    ws.conditional_formatting.add(f"E{FIRST_ROW}:E{last}", CellIsRule(operator="greaterThan", formula=["3"], fill=red))
    ref = f"A{HEADER_ROW}:I{last}"
    if table:
        grid = Table(displayName="Pipeline", ref=ref)
        grid.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(grid)
    else:
        ws.auto_filter.ref = ref
    book.defined_names["ScoreCells"] = DefinedName("ScoreCells", attr_text=f"{SHEET}!$F${FIRST_ROW}:$F${last}")
    notes = book.create_sheet("Notes")
    notes["A1"] = "Pipeline notes"
    notes["A2"] = f"=COUNTA({SHEET}!A{FIRST_ROW}:A{last})"
    notes["B4"] = "merged"
    notes.merge_cells("B4:C5")
    book.save(path)
    edit_zip(path, lambda parts: _excel_extras(parts, cached, rows, xlsm))
    return path


def _excel_extras(parts: dict[str, bytes], cached: dict[str, str], rows: int, xlsm: bool) -> None:
    """What Excel saves and openpyxl cannot: cached values, a calcChain, and (xlsm) a VBA part."""
    parts["xl/worksheets/sheet1.xml"] = set_cached(parts["xl/worksheets/sheet1.xml"], cached)
    parts["xl/worksheets/sheet2.xml"] = set_cached(parts["xl/worksheets/sheet2.xml"], {"A2": str(rows)})
    chain = "".join(f'<c r="{ref}" i="1"/>' for ref in cached) + '<c r="A2" i="2"/>'
    parts["xl/calcChain.xml"] = f'<calcChain xmlns="{MAIN_NS}">{chain}</calcChain>'.encode()
    add_part(parts, "xl/calcChain.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
             f"{_REL}/calcChain")
    if xlsm:
        parts["xl/vbaProject.bin"] = VBA_BYTES
        add_part(parts, "xl/vbaProject.bin", "application/vnd.ms-office.vbaProject",
                 "http://schemas.microsoft.com/office/2006/relationships/vbaProject")
        types = parts["[Content_Types].xml"].decode()
        types = types.replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        parts["[Content_Types].xml"] = types.encode()


def add_part(parts: dict[str, bytes], name: str, content_type: str, rel_type: str) -> None:
    types = parts["[Content_Types].xml"].decode()
    override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
    parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rel = f'<Relationship Id="rIdX{len(parts)}" Type="{rel_type}" Target="{name.removeprefix("xl/")}"/>'
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()


def set_cached(xml: bytes, values: dict[str, str]) -> bytes:
    """Give formula cells the cached values Excel would have saved (openpyxl writes none)."""
    text = xml.decode("utf-8")
    for ref, value in values.items():
        pattern = re.compile(rf'<c r="{ref}"([^>]*)>\s*<f>([^<]*)</f>\s*(?:<v\s*/>|<v>[^<]*</v>)?\s*</c>')
        kind = "" if re.fullmatch(r"-?\d+(\.\d+)?", value) else ' t="str"'

        def cached_cell(match: re.Match[str], ref: str = ref, value: str = value, kind: str = kind) -> str:
            attrs = match.group(1).replace(' t="n"', "")
            return f'<c r="{ref}"{attrs}{kind}><f>{match.group(2)}</f><v>{value}</v></c>'

        text, count = pattern.subn(cached_cell, text)
        assert count == 1, f"no formula cell {ref}"
    return text.encode("utf-8")


def edit_zip(path: Path, edit: Callable[[dict[str, bytes]], None]) -> None:
    """Rewrite a package with ``edit`` applied to {member: bytes}; order kept, new members last."""
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def raw_workbook(path: Path, sheet_xml: str, *, shared: list[str] = (), extra: dict[str, Any] | None = None) -> Path:
    """A hand-written package the way Excel writes one: shared strings, its own sheet XML."""
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{_REL}"><workbookPr/><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<styleSheet xmlns="{MAIN_NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{MAIN_NS}" count="{len(shared)}" uniqueCount="{len(shared)}">{strings}</sst>'
        ),
    }
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return path


def sheet_xml(rows: str, *, prefix: str = "", head: str = "", tail: str = "") -> str:
    """A worksheet part around ``rows``; ``prefix`` ("x") writes main-namespace elements prefixed."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{p}worksheet {xmlns} xmlns:r="{_REL}">{head}<{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>'
    )
