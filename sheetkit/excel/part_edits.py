"""Edits of the package's small parts as text: styles.xml date formats, table parts, workbook.xml, .rels.

What appending computed columns means beyond their cells (:class:`ColumnPlan`: widths, the
autoFilter and Excel table grown over them) is shared with the openpyxl writer; the rest are the
edits the package editor and the list sheet make to the parts that must follow a changed
worksheet, each keeping every byte it does not need to change.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sheetkit.core.cells import CellValue, column_letter, quote_sheet
from sheetkit.errors import PackageUnsupported
from sheetkit.excel.number_formats import BUILTIN_FORMATS, is_date_format
from sheetkit.excel.parts import MAIN_NS, STRICT_NS, Workbook, read_text, rels_path, root_tag
from sheetkit.excel.xml_text import Box, attributes, ooxml_text, parse_range, range_ref, set_attribute, xml_escape

__all__ = [
    "MINIMAL_STYLES",
    "ColumnPlan",
    "StyleBook",
    "add_styles_part",
    "drop_calc_chain",
    "drop_relationships",
    "edit_workbook",
    "extend_table",
    "header_width",
]


# -- new columns ----------------------------------------------------------------------------------


def header_width(header: str) -> float:
    """A readable width for a new column: its header plus a margin, between 12 and 60."""
    return float(max(12, min(60, len(header) + 2)))


@dataclass(frozen=True)
class ColumnPlan:
    """What appending ``new_columns`` means beyond their cells: widths, filter and table growth."""

    header_row: int
    new_columns: frozenset[int]
    headers: Mapping[int, str]

    @classmethod
    def build(
        cls, values: Mapping[tuple[int, int], CellValue], header_row: int, new_columns: Sequence[int]
    ) -> ColumnPlan:
        headers = {}
        for column in new_columns:
            text = values.get((header_row, column))
            headers[column] = text if isinstance(text, str) else ""
        return cls(header_row, frozenset(new_columns), headers)

    @property
    def widths(self) -> dict[int, float]:
        return {column: header_width(text) for column, text in sorted(self.headers.items())}

    def extend(self, box: Box | None) -> Box | None:
        """``box`` grown over the new columns when it starts at the header row and ends just
        before the first of them (so it is the table's range); None when it must stay as it is."""
        if box is None or box[1] != self.header_row or box[2] + 1 not in self.new_columns:
            return None
        last = box[2]
        while last + 1 in self.new_columns:
            last += 1
        return box[0], box[1], last, box[3]

    def table_names(self, box: Box, grown: Box, existing: Sequence[str]) -> list[str] | None:
        """Names of the table columns to add, or None when a header is missing or taken (a table
        column's name must equal its header cell and be unique)."""
        names = [self.headers.get(c, "") for c in range(box[2] + 1, grown[2] + 1)]
        taken = {name.casefold() for name in existing}
        if any(not name.strip() or name.casefold() in taken for name in names):
            return None
        if len({name.casefold() for name in names}) != len(names):
            return None
        return names


# -- styles.xml -----------------------------------------------------------------------------------

_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_NUMFMT = re.compile(r"<numFmt\b([^>]*?)/?>")
_NUMFMTS = re.compile(r"<numFmts\b([^>]*?)(?:/>|>(.*?)</numFmts>)", re.S)
_CELLXFS = re.compile(r"<cellXfs\b([^>]*?)(?:/>|>(.*?)</cellXfs>)", re.S)
_XF = re.compile(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
# Built-in formats that show a calendar date (the others among _DATE_FORMAT_IDS show only a time);
# quoted text, escaped characters and [colour/locale/elapsed] brackets say nothing about that.
_CALENDAR_FORMAT_IDS = frozenset([14, 15, 16, 17, 22, *range(27, 37), *range(50, 59)])
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_PLAIN_XF = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'


class StyleBook:
    """The cell formats of styles.xml: which show dates, plus formats added on demand.

    A date goes into a copy of the cell's own format (font, fill, border kept) with the date
    number format, unless that format already shows a calendar date; a number written into a
    cell formatted as a date or time goes into a copy with the General format, so it shows (and
    every reader reads it back) as the number written. One copy per original format and kind.
    """

    def __init__(self, xml: str | None, date_format: str) -> None:
        self.xml = xml
        self.date_format = date_format
        self.formats: dict[int, str] = {}
        self.xfs: list[str] = []
        self.added: list[str] = []
        self.new_formats: list[str] = []
        self.format_ids: dict[str, int] = {}
        self.cache: dict[tuple[int, bool], int] = {}
        self.dates: dict[int, bool] = {}
        self.calendar: dict[int, bool] = {}
        if xml is None:
            return
        prefix, attrs = root_tag(xml, "styleSheet")
        if prefix is not None or STRICT_NS in attrs:
            raise PackageUnsupported("styles.xml uses a prefixed or strict namespace")
        for match in _NUMFMT.finditer(xml):
            found = attributes(match.group(1))
            if found.get("numFmtId", "").isdigit():
                self.formats[int(found["numFmtId"])] = html.unescape(found.get("formatCode", ""))
        cell_xfs = _CELLXFS.search(xml)
        if cell_xfs is not None:
            self.xfs = _XF.findall(cell_xfs.group(2) or "")

    def _format_of(self, index: int) -> int:
        if 0 <= index < len(self.xfs):
            number = attributes(self.xfs[index].split(">", 1)[0]).get("numFmtId", "0")
            return int(number) if number.isdigit() else 0
        return -1

    def is_date(self, index: int) -> bool:
        """Whether cell format ``index`` shows numbers as a date or a time (readers read them as dates)."""
        if index not in self.dates:
            format_id = self._format_of(index)
            code = self.formats.get(format_id)
            self.dates[index] = is_date_format(code) if code is not None else format_id in _DATE_FORMAT_IDS
        return self.dates[index]

    def shows_calendar_date(self, index: int) -> bool:
        """Whether cell format ``index`` shows a day, month or year (not only a time or elapsed hours)."""
        if index not in self.calendar:
            format_id = self._format_of(index)
            code = self.formats.get(format_id)
            if code is None:
                self.calendar[index] = format_id in _CALENDAR_FORMAT_IDS
            else:
                bare = _FORMAT_LITERALS.sub("", code).lower()
                self.calendar[index] = is_date_format(code) and ("d" in bare or "y" in bare or "mmm" in bare)
        return self.calendar[index]

    def date_style(self, base: int) -> int:
        """The cellXfs index to give a date cell whose current format index is ``base``."""
        return base if self.shows_calendar_date(base) else self._copy(base, True)

    def number_style(self, base: int) -> int:
        """The cellXfs index to give a number written where format ``base`` was (General for a date format)."""
        return self._copy(base, False) if self.is_date(base) else base

    def _copy(self, base: int, date: bool) -> int:
        if (base, date) not in self.cache:
            if self.xml is None or _CELLXFS.search(self.xml) is None:
                raise PackageUnsupported(
                    "the workbook has no cell formats (styles part missing or without <cellXfs>) to give a "
                    "written date its date format"
                )
            template = self.xfs[base] if 0 <= base < len(self.xfs) else _PLAIN_XF
            tag, rest = re.match(r"(<xf\b[^>]*?)\s*(/?>.*)", template, re.S).groups()  # type: ignore[union-attr]
            tag = set_attribute(tag, "numFmtId", str(self._format_id(self.date_format if date else "General")))
            tag = set_attribute(tag, "applyNumberFormat", "1")
            self.cache[(base, date)] = len(self.xfs) + len(self.added)
            self.added.append(tag + rest)
        return self.cache[(base, date)]

    def _format_id(self, code: str) -> int:
        """The numFmtId meaning ``code``: a built-in one the file does not redefine, one of the
        file's own, or a new one (a file may redefine even id 0, General: seen in the wild)."""
        if code not in self.format_ids:
            builtin = [n for n, c in BUILTIN_FORMATS.items() if c == code and self.formats.get(n, code) == code]
            custom = [number for number, found in self.formats.items() if found == code]
            if builtin or custom:
                self.format_ids[code] = (builtin or custom)[0]
            else:
                number = max([163, *self.formats, *self.format_ids.values()]) + 1
                self.format_ids[code] = number
                self.new_formats.append(f'<numFmt numFmtId="{number}" formatCode="{xml_escape(code)}"/>')
        return self.format_ids[code]

    def render(self) -> str | None:
        """styles.xml with the added formats appended (counts updated), or None if unchanged."""
        if self.xml is None or not self.added:
            return None
        xml = self.xml
        if self.new_formats:
            added = "".join(self.new_formats)
            numfmts = _NUMFMTS.search(xml)
            if numfmts is not None and numfmts.group(2) is not None:
                count = len(_NUMFMT.findall(numfmts.group(2))) + len(self.new_formats)
                inner = numfmts.group(2) + added
                opening = set_attribute(f"<numFmts{numfmts.group(1)}", "count", str(count))
                xml = xml[: numfmts.start()] + f"{opening}>{inner}</numFmts>" + xml[numfmts.end() :]
            else:
                if numfmts is not None:
                    xml = xml[: numfmts.start()] + xml[numfmts.end() :]
                root = re.search(r"<styleSheet\b[^>]*>", xml)
                assert root is not None  # checked in __init__
                block = f'<numFmts count="{len(self.new_formats)}">{added}</numFmts>'
                xml = xml[: root.end()] + block + xml[root.end() :]
        cell_xfs = _CELLXFS.search(xml)
        if cell_xfs is None or cell_xfs.group(2) is None:
            raise PackageUnsupported("styles.xml has an empty <cellXfs>")
        opening = set_attribute(f"<cellXfs{cell_xfs.group(1)}", "count", str(len(self.xfs) + len(self.added)))
        body = cell_xfs.group(2) + "".join(self.added)
        return xml[: cell_xfs.start()] + f"{opening}>{body}</cellXfs>" + xml[cell_xfs.end() :]


# -- tables, workbook.xml and relationships ------------------------------------------------------

_AUTOFILTER_REF = re.compile(r'(<autoFilter\b[^>]*?\bref=")([^"]*)(")')
_TABLE_COLUMNS = re.compile(r"<tableColumns\b([^>]*)>(.*?)</tableColumns>", re.S)


def extend_table(plan: ColumnPlan, xml: str) -> str | None:
    """A table part grown over the new columns (ref, autoFilter, tableColumns), or None."""
    prefix, attrs = root_tag(xml, "table")
    if prefix is not None or STRICT_NS in attrs:
        raise PackageUnsupported("a table part uses a prefixed or strict namespace")
    found = attributes(attrs)
    box = parse_range(found.get("ref", ""))
    grown = plan.extend(box)
    columns = _TABLE_COLUMNS.search(xml)
    if found.get("headerRowCount", "1") == "0" or box is None or grown is None or columns is None:
        return None
    existing = [attributes(m.group(1)) for m in re.finditer(r"<tableColumn\b([^>]*?)/?>", columns.group(2))]
    names = plan.table_names(box, grown, [html.unescape(c.get("name", "")) for c in existing])
    if names is None:
        return None
    next_id = max([0, *(int(c["id"]) for c in existing if c.get("id", "").isdigit())]) + 1
    added = "".join(
        f'<tableColumn id="{next_id + i}" name="{xml_escape(ooxml_text(name))}"/>' for i, name in enumerate(names)
    )
    opening = set_attribute(f"<tableColumns{columns.group(1)}", "count", str(len(existing) + len(names)))
    xml = xml[: columns.start()] + f"{opening}>{columns.group(2)}{added}</tableColumns>" + xml[columns.end() :]
    table = re.search(r"<table\b([^>]*)>", xml)
    assert table is not None
    tag = set_attribute(f"<table{table.group(1).rstrip('/')}", "ref", range_ref(*grown))
    xml = xml[: table.start()] + tag + (" />" if table.group(1).endswith("/") else ">") + xml[table.end() :]

    def grow_filter(match: re.Match[str]) -> str:
        inner = parse_range(match.group(2))
        if inner is None or inner[2] != box[2]:
            return match.group(0)
        return match.group(1) + range_ref(inner[0], inner[1], grown[2], inner[3]) + match.group(3)

    return _AUTOFILTER_REF.sub(grow_filter, xml, count=1)


def edit_workbook(text: str, sheet_index: int, sheet: str, filter_box: Box | None) -> str:
    """Ask Excel to recalculate on open; keep the hidden _FilterDatabase name on the autoFilter."""
    if filter_box is not None:
        c1, r1, c2, r2 = filter_box
        new_ref = xml_escape(f"{quote_sheet(sheet)}!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}", quote=False)

        def rename(match: re.Match[str]) -> str:
            attrs = attributes(match.group(1))
            if attrs.get("name") == "_xlnm._FilterDatabase" and attrs.get("localSheetId") == str(sheet_index):
                return f"<definedName{match.group(1)}>{new_ref}</definedName>"
            return match.group(0)

        text = re.sub(r"<definedName\b([^>]*)>(.*?)</definedName>", rename, text, flags=re.S)
    calc = re.search(r"<calcPr\b([^>]*?)(/?)>", text)
    if calc is not None:
        attrs = calc.group(1)
        if "fullCalcOnLoad=" in attrs:
            attrs = re.sub(r'fullCalcOnLoad="[^"]*"', 'fullCalcOnLoad="1"', attrs)
        else:
            attrs += ' fullCalcOnLoad="1"'
        return text[: calc.start()] + f"<calcPr{attrs}{calc.group(2)}>" + text[calc.end() :]
    later = (
        r"<(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|webPublishing|"
        r"fileRecoveryPr|webPublishObjects|extLst)\b|</workbook>"
    )
    spot = re.search(later, text)
    if spot is None:
        raise PackageUnsupported("workbook.xml has no </workbook>")
    return text[: spot.start()] + '<calcPr fullCalcOnLoad="1"/>' + text[spot.start() :]


def drop_relationships(text: str, kind: str) -> str:
    """A .rels part's text without its relationships of type ``kind``."""

    def keep(match: re.Match[str]) -> str:
        return "" if attributes(match.group(1)).get("Type", "").endswith("/" + kind) else match.group(0)

    return re.sub(r"<Relationship\b([^>]*?)(?:/>|>\s*</Relationship>)", keep, text)


def drop_calc_chain(package: zipfile.ZipFile, book: Workbook) -> tuple[str, dict[str, str]] | None:
    """Take the calculation chain out when formulas it lists are gone (Excel rebuilds it on open).

    Returns:
        The calcChain part to leave out and the new texts of the workbook's .rels part and of
        [Content_Types].xml; None when the workbook has no calcChain part.
    """
    chain = book.target("calcChain")
    if chain is None or chain not in package.NameToInfo:
        return None
    rels = rels_path(book.part)
    types = read_text(package, "[Content_Types].xml")
    return chain, {
        rels: drop_relationships(read_text(package, rels), "calcChain"),
        "[Content_Types].xml": re.sub(rf'<Override\b[^>]*PartName="/{re.escape(chain)}"[^>]*/>', "", types),
    }


MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
"""The styles part Excel writes for a new workbook: what a workbook without one gets to hold a date format."""

_STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


def add_styles_part(package: zipfile.ZipFile, book: Workbook, text: str, texts: dict[str, str]) -> str:
    """Add a styles part holding ``text`` to a workbook that has none (or names a missing one):
    the part, its content type and (unless the workbook names it already) its relationship,
    edited into ``texts``. Returns the new part's name."""
    named = book.target("styles")
    part = named or posixpath.join(posixpath.dirname(book.part), "styles.xml")
    if part.lower() in {name.lower() for name in package.namelist()}:
        raise PackageUnsupported(f"cannot add a styles part: {part} is taken")
    types = texts.get("[Content_Types].xml") or read_text(package, "[Content_Types].xml")
    if f'partname="/{part.lower()}"' not in types.lower():  # a missing part may still be declared
        override = f'<Override PartName="/{xml_escape(part)}" ContentType="{_STYLES_TYPE}"/>'
        texts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>", 1)
    if named is None:
        rels = rels_path(book.part)
        current = texts.get(rels) or read_text(package, rels)
        ids = set(re.findall(r'\bId="([^"]*)"', current))
        rel_id = next(f"rId{n}" for n in range(len(ids) + 1, len(ids) + 10_000) if f"rId{n}" not in ids)
        target = xml_escape(posixpath.relpath(part, posixpath.dirname(book.part) or "."))
        relationship = f'<Relationship Id="{rel_id}" Type="{_STYLES_REL}" Target="{target}"/>'
        texts[rels] = current.replace("</Relationships>", relationship + "</Relationships>", 1)
    texts[part] = text
    return part
