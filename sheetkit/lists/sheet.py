"""Write a list (who is due) as its own worksheet, "Due", into the recruiter's workbook or Google Sheet.

A workbook is edited as a zip package, like a refresh: the new worksheet part is added (or the
existing "Due" part replaced) together with the few package entries that name it (workbook.xml,
its relationships, [Content_Types].xml, and styles.xml when a date format must be added); every
other part is copied as its raw compressed bytes, so nothing else in the file changes. The file
is replaced atomically, with a backup. A Google Sheet gets one spreadsheets:batchUpdate (add the
sheet, or clear the existing one; formats) and one RAW values:batchUpdate.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import secrets
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetkit.core.cells import CellValue, column_letter
from sheetkit.core.table import FileOrigin, sheet_url
from sheetkit.errors import PackageUnsupported, UsageError, WriteError
from sheetkit.excel.number_formats import BUILTIN_FORMATS
from sheetkit.excel.part_edits import StyleBook, drop_calc_chain
from sheetkit.excel.parts import (
    DOC_REL,
    MAIN_NS,
    is_package,
    read_text,
    read_workbook,
    rels_path,
    root_tag,
    workbook_part,
)
from sheetkit.excel.xml_text import attributes, excel_serial, format_number, ooxml_text, xml_escape
from sheetkit.excel.zip_writer import CompressedSink, ZipAssembler
from sheetkit.lists.rowlist import RowList
from sheetkit.runtime.atomic import atomic_replace

if TYPE_CHECKING:
    from sheetkit.core.checked import Checked
    from sheetkit.google.sheets import GoogleSheet

__all__ = ["write_list_sheet"]

_WORKSHEET_TYPE = f"{DOC_REL}/worksheet"
_WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


def write_list_sheet(
    checked: Checked,
    rows: RowList[Any],
    *,
    sheet_name: str = "Due",
    path: str | Path | None = None,
    backup: bool = True,
) -> str:
    """Add (or replace) worksheet ``sheet_name`` holding ``rows`` in the source; return where it went.

    Args:
        path: the workbook file. A checked table knows only its file name, so give the path
            unless the table's origin records it.
        backup: keep the workbook's previous version beside it (NAME.sheetkit-backup.xlsx).

    Raises:
        UsageError: a bad sheet name, the contacts sheet itself, or a source that cannot hold
            worksheets (a CSV file or a DataFrame).
        WriteError: the workbook cannot be written (it is left as it was).
    """
    name = sheet_name.strip()
    if not name or len(name) > 31 or _BAD_NAME.search(name) or name.startswith("'") or name.endswith("'"):
        raise UsageError(f"{sheet_name!r} cannot be a sheet name: 1 to 31 characters, none of [ ] : * ? / \\")
    table = checked.table
    if name.casefold() == table.sheet.casefold():
        raise UsageError(f"{name!r} is the contacts sheet itself; write the list to another sheet name")
    values = rows.table_rows()
    if table.kind == "gsheet":
        from sheetkit.google.sheets import google_sheet

        pattern = checked.normalized.schema.date_format
        return _write_google(google_sheet(table), values, name, rows.date_columns(), pattern)
    if table.kind != "xlsx":
        raise UsageError(
            f"a {name!r} sheet can be written into an .xlsx/.xlsm workbook or a Google Sheet, "
            f"not into {table.source}; save the list with to_csv() instead"
        )
    target = _workbook_path(checked, path)
    links = [str(getattr(row, "cell", "")) or None for row in rows.rows]
    with atomic_replace(target, backup=backup) as temporary:
        _write_workbook(target, temporary, values, name, checked.normalized.schema.date_format, links)
    return f"{target} (sheet {name!r})"


def _workbook_path(checked: Checked, path: str | Path | None) -> Path:
    origin = checked.table.origin
    if path is None and isinstance(origin, FileOrigin):
        path = origin.path
    if path is None:
        raise UsageError(
            f"say which file to write the sheet into: path='.../{checked.table.source}' "
            "(the checked sheet knows only its file name)"
        )
    target = Path(path)
    if not is_package(target):
        raise UsageError(f"{target.name} is not an .xlsx/.xlsm workbook; a worksheet can only be added to one")
    if target.name != checked.table.source:
        raise UsageError(f"{target} is not the checked workbook ({checked.table.source})")
    return target


# -- the workbook package -------------------------------------------------------------------------


def _write_workbook(
    src: Path, dst: Path, values: list[list[CellValue]], name: str, date_format: str, links: Sequence[str | None]
) -> None:
    try:
        package = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as error:
        raise WriteError(
            f"cannot write into {src}: not a valid .xlsx/.xlsm workbook ({error})", path=str(src)
        ) from None
    try:
        with package:
            _assemble(package, src, dst, values, name, date_format, links)
    except PackageUnsupported as error:
        raise WriteError(f"cannot add a {name!r} sheet to {src.name}: {error}", path=str(src)) from None


def _assemble(
    package: zipfile.ZipFile,
    src: Path,
    dst: Path,
    values: list[list[CellValue]],
    name: str,
    date_format: str,
    links: Sequence[str | None],
) -> None:
    """Work out every changed part, then copy the package with them in place."""
    names = set(package.NameToInfo)
    book = read_workbook(package, for_editing=True)
    if book is None:
        raise PackageUnsupported(f"no workbook part ({workbook_part(package)})")
    assert book.text is not None  # read for editing
    workbook, sheets, rels = book.part, book.sheets, book.rels
    texts: dict[str, str] = {}
    removed: set[str] = set()
    existing = next((i for i, found in enumerate(book.sheet_names) if found.casefold() == name.casefold()), None)
    if existing is not None:
        found_part = book.worksheet_part(existing)
        if found_part is None:
            raise UsageError(f"{src.name} has a sheet named {name!r} that is not a worksheet; pick another name")
        part = found_part
        removed.add(rels_path(part))  # the old sheet's links, comments, drawings: not part of the new one
        if re.search(rb"<f[\s>/]", package.read(part)) is not None:
            dropped = drop_calc_chain(package, book)  # Excel rebuilds it; never leave it naming gone formulas
            if dropped is not None:
                removed.add(dropped[0])
                texts.update(dropped[1])
    else:
        part = _new_part(names, workbook)
        rel_id = next(f"rId{n}" for n in range(len(rels) + 1, len(rels) + 10_000) if f"rId{n}" not in rels)
        sheet_id = max([0, *(int(s.get("sheetId", "0")) for s in sheets)]) + 1
        _, attrs = root_tag(book.text, "workbook")
        texts[workbook] = _add_sheet(book.text, attrs, name, sheet_id, rel_id)
        target = posixpath.relpath(part, posixpath.dirname(workbook))
        relationship = f'<Relationship Id="{rel_id}" Type="{_WORKSHEET_TYPE}" Target="{xml_escape(target)}"/>'
        workbook_rels = rels_path(workbook)
        texts[workbook_rels] = _insert_before(read_text(package, workbook_rels), "</Relationships>", relationship)
        override = f'<Override PartName="/{xml_escape(part)}" ContentType="{_WORKSHEET_CONTENT}"/>'
        types = texts.get("[Content_Types].xml") or read_text(package, "[Content_Types].xml")
        texts["[Content_Types].xml"] = _insert_before(types, "</Types>", override)
    styles_part = book.target("styles")
    date_style = None
    if styles_part is not None and styles_part in names:
        styles = StyleBook(read_text(package, styles_part), date_format)
        date_style = _date_style(styles, date_format)
        rendered = styles.render()
        if rendered is not None:
            texts[styles_part] = rendered
    sheet_xml = worksheet_xml(values, date_style, book.date1904, links)
    with open(src, "rb") as raw, open(dst, "wb") as out:
        assembler = ZipAssembler(out)
        template = package.getinfo(workbook)
        for info in package.infolist():
            if info.filename in removed:
                continue
            if info.filename == part:
                assembler.add_sink(info, _sink(sheet_xml, info.compress_type))
            elif info.filename in texts:
                assembler.add_sink(info, _sink(texts[info.filename], info.compress_type))
            else:
                assembler.copy_raw(info, raw)
        if part not in names:
            info = zipfile.ZipInfo(part, date_time=time.localtime()[:6])
            info.create_system, info.external_attr = template.create_system, template.external_attr
            assembler.add_sink(info, _sink(sheet_xml, zipfile.ZIP_DEFLATED))
        assembler.close()


def _sink(text: str, method: int) -> CompressedSink:
    sink = CompressedSink(method)
    sink.write(text.encode("utf-8"))
    return sink


def _new_part(names: set[str], workbook: str) -> str:
    """The first free xl/worksheets/sheetN.xml (names compared without case, as zip readers may)."""
    folder = posixpath.join(posixpath.dirname(workbook), "worksheets")
    taken = {n.casefold() for n in names}
    n = 1
    while f"{folder}/sheet{n}.xml".casefold() in taken:
        n += 1
    return f"{folder}/sheet{n}.xml"


def _add_sheet(book_xml: str, root_attrs: str, name: str, sheet_id: int, rel_id: str) -> str:
    """workbook.xml with a <sheet> for the new part, last (so localSheetId indexes stay right)."""
    declared = re.search(rf'xmlns:([\w.-]+)="{re.escape(DOC_REL)}"', root_attrs)
    prefix = declared.group(1) if declared else "r"
    local = "" if declared else f' xmlns:r="{DOC_REL}"'
    element = f'<sheet name="{xml_escape(name)}" sheetId="{sheet_id}" {prefix}:id="{rel_id}"{local}/>'
    return _insert_before(book_xml, "</sheets>", element)


def _insert_before(text: str, closing: str, element: str) -> str:
    at = text.rfind(closing)
    if at < 0:
        raise PackageUnsupported(f"no {closing} to add {element.split()[0]}> before")
    return text[:at] + element + text[at:]


def _date_style(styles: StyleBook, date_format: str) -> int:
    """A plain cell format with the schema's date format: one already there, else one added."""
    for index, xf in enumerate(styles.xfs):
        found = attributes(xf.split(">", 1)[0])
        plain = all(found.get(key, "0") == "0" for key in ("fontId", "fillId", "borderId"))
        number = int(found.get("numFmtId", "0")) if found.get("numFmtId", "0").isdigit() else -1
        code = styles.formats.get(number, BUILTIN_FORMATS.get(number))
        if plain and code == date_format:
            return index
    return styles.date_style(0)


def worksheet_xml(
    values: list[list[CellValue]], date_style: int | None, date1904: bool, links: Sequence[str | None] = ()
) -> str:
    """A worksheet of plain values: inline strings, numbers, booleans, dates as serials with ``date_style``.

    The header row is frozen; a link on each row's first text cell goes to the person's row
    (``links[i]``, e.g. "Contacts!A7"), so the recruiter can jump there.
    """
    width = max((len(r) for r in values), default=1)
    rows_xml = []
    for r, row in enumerate(values, start=1):
        cells = "".join(_cell(f"{column_letter(c)}{r}", v, date_style, date1904) for c, v in enumerate(row, 1))
        rows_xml.append(f'<row r="{r}">{cells}</row>')
    widths = [
        min(60, max(8, *(len(_text(row[c] if c < len(row) else None)) + 2 for row in values))) for c in range(width)
    ]
    cols = "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>' for c, w in enumerate(widths, 1))
    link_column = next((c for c, v in enumerate(values[0] if values else [], 1) if v == "Name"), None)
    hyperlinks = "".join(
        f'<hyperlink ref="{column_letter(link_column)}{r}" location="{xml_escape(link)}"/>'
        for r, link in enumerate(links, start=2)
        if link and link_column is not None
    )
    last = f"{column_letter(width)}{max(1, len(values))}"
    pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if len(values) > 1 else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}">'
        f'<dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(rows_xml)}</sheetData>"
        + (f"<hyperlinks>{hyperlinks}</hyperlinks>" if hyperlinks else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )


def _text(value: CellValue) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def _cell(ref: str, value: CellValue, date_style: int | None, date1904: bool) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{format_number(value)}</v></c>'
    if isinstance(value, dt.date) and date_style is not None:
        return f'<c r="{ref}" s="{date_style}"><v>{format_number(excel_serial(value, date1904))}</v></c>'
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{xml_escape(ooxml_text(text), quote=False)}</t></is></c>'


# -- Google Sheets --------------------------------------------------------------------------------


def _write_google(
    origin: GoogleSheet, values: list[list[CellValue]], name: str, date_columns: Sequence[int], pattern: str
) -> str:
    """One spreadsheets:batchUpdate (add or clear the sheet, bold header, date formats), one values:batchUpdate."""
    from sheetkit.google import bodies
    from sheetkit.google.sheets import google_errors

    http, book = origin.http, origin.spreadsheet_id
    n_rows, n_cols = len(values), max(len(r) for r in values)
    with google_errors(f"spreadsheet {book}"):
        metadata = http.fetch_sheet_metadata(
            book, params={"fields": "sheets(properties(sheetId,title,gridProperties))"}
        )
    sheets = [s.get("properties", {}) for s in metadata.get("sheets", [])]
    existing = next((p for p in sheets if str(p.get("title", "")).casefold() == name.casefold()), None)
    requests: list[dict[str, Any]] = []
    rows_needed, cols_needed = max(n_rows + 1, 100), max(n_cols, 26)
    if existing is None:
        taken = {int(p.get("sheetId", 0)) for p in sheets}
        sheet_id = max(taken, default=0) + 1
        while sheet_id in taken or sheet_id >= 2**31 - 1:
            sheet_id = secrets.randbelow(2**31 - 2) + 1
        requests.append(bodies.add_sheet(sheet_id, name, rows=rows_needed, columns=cols_needed, frozen_rows=1))
        title = name
    else:
        sheet_id, title = int(existing.get("sheetId", 0)), str(existing["title"])
        current = existing.get("gridProperties", {})
        rows = max(rows_needed, int(current.get("rowCount", 0)))
        columns = max(cols_needed, int(current.get("columnCount", 0)))
        requests.append(bodies.clear_sheet(sheet_id))
        requests.append(bodies.set_grid(sheet_id, rows=rows, columns=columns, frozen_rows=1))
    requests.append(bodies.bold(sheet_id, 1, 1, n_cols))
    if n_rows > 1:
        requests.extend(bodies.date_format(sheet_id, 2, n_rows, c, pattern) for c in date_columns)
    with google_errors(f"spreadsheet {book} {title!r}"):
        http.batch_update(book, bodies.batch(requests))
        for body in bodies.raw_values(bodies.row_blocks(title, values)):
            http.values_batch_update(book, body)
    return sheet_url(book, sheet_id)
