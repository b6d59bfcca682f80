"""Hostile workbooks, built in milliseconds: a tiny real workbook with its XML or its zip edited.

Each builder starts from a small contacts workbook made by openpyxl (a few KB) and changes the one
thing an attacker (or a broken tool) would: a stray cell at the far corner of the grid, a part that
inflates to gigabytes (the deflate stream is built by repeating one compressed block, so nothing big
is ever compressed or written), a size the zip header lies about, duplicate or backslash member
names, a binary or strict-namespace workbook behind an .xlsx name, a workbook without ``<calcPr>``.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.xlsx_factory import edit_zip

SHEET = "Contacts"
SHEET_PART = "xl/worksheets/sheet1.xml"
HEADERS = ["First Name", "Last Name", "Email", "Status", "Last Contacted", "Follow-ups"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
MB = 1 << 20


def contacts(path: Path, rows: int = 2) -> Path:
    """A small valid contacts workbook (one sheet, a header row and ``rows`` candidates)."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    ws.append(HEADERS)
    for k in range(rows):
        ws.append([f"Ana{k}", "Lima", f"ana{k}@example.com", "Contacted", dt.datetime(2026, 11, 1), 1])
    book.save(path)
    return path


def far_cell(path: Path, ref: str, *, dimension: bool = True, value: str = '<is><t>x</t></is>') -> Path:
    """A stray value cell at ``ref`` (its own row at the end); ``dimension`` says so in <dimension>."""
    row = re.sub(r"\D", "", ref)

    def edit(parts: dict[str, bytes]) -> None:
        xml = parts[SHEET_PART].decode()
        xml = xml.replace("</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr">{value}</c></row></sheetData>')
        if dimension:
            xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:{ref}"', xml)
        parts[SHEET_PART] = xml.encode()

    edit_zip(contacts(path), edit)
    return path


def edit_sheet(path: Path, edit: Callable[[str], str], *, rows: int = 2) -> Path:
    """``contacts(path, rows)`` with its sheet XML passed through ``edit``."""

    def apply(parts: dict[str, bytes]) -> None:
        parts[SHEET_PART] = edit(parts[SHEET_PART].decode()).encode()

    edit_zip(contacts(path, rows), apply)
    return path


# -- zip bombs ---------------------------------------------------------------------------------


def deflate_repeated(head: bytes, block: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of head + block * count + tail, built without compressing it all.

    The block is compressed once, ending on a full flush (no reference to what came before), so
    its compressed bytes can be repeated. Returns (deflate bytes, uncompressed size, CRC-32); the
    CRC is worked out only for small streams (0 otherwise): the big ones must be refused unread.
    """
    start = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = start.compress(head) + start.flush(zlib.Z_FULL_FLUSH)
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = body.compress(block) + body.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = end.compress(tail) + end.flush(zlib.Z_FINISH)
    size = len(head) + len(block) * count + len(tail)
    crc = 0
    if size <= 256 * MB:
        crc = zlib.crc32(head)
        for _ in range(count):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(tail, crc)
    return first + packed * count + last, size, crc


def replace_member(path: Path, name: str, raw: bytes, size: int, crc: int, *, declared: int | None = None) -> Path:
    """Rewrite the package with member ``name`` holding the raw deflate bytes ``raw``.

    ``declared`` is the uncompressed size the zip headers claim (default: the true ``size``).
    Other members are copied as they are; the zip is written by hand (zipfile cannot store
    bytes that are already compressed).
    """
    with zipfile.ZipFile(path) as package:
        members = [(info.filename, package.read(info)) for info in package.infolist()]
    entries: list[tuple[str, bytes, int, int, int]] = []
    for member, data in members:
        if member == name:
            entries.append((member, raw, declared if declared is not None else size, crc, zipfile.ZIP_DEFLATED))
        else:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((member, packer.compress(data) + packer.flush(), len(data), zlib.crc32(data),
                            zipfile.ZIP_DEFLATED))
    write_raw_zip(path, entries)
    return path


def write_raw_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> None:
    """A zip of (name, compressed bytes, uncompressed size, CRC, method) members, exactly as given."""
    central = []
    with path.open("wb") as out:
        for name, data, size, crc, method in entries:
            offset = out.tell()
            encoded = name.encode("utf-8")
            fields = struct.pack("<5H3LH", 20, 0x800, method, 0, 0x21, crc, len(data), size, len(encoded))
            out.write(b"PK\x03\x04" + fields + struct.pack("<H", 0) + encoded + data)
            tail = struct.pack("<4H2L", 0, 0, 0, 0, 0, offset)
            central.append(b"PK\x01\x02" + struct.pack("<H", 20) + fields + tail + encoded)
        start = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))


def sheet_bomb(path: Path, megabytes: int, *, declared: int | None = None) -> Path:
    """The sheet part inflates to ``megabytes`` MB of rows of spaces (a valid worksheet, if huge)."""
    contacts(path)
    with zipfile.ZipFile(path) as package:
        xml = package.read(SHEET_PART)
    at = xml.index(b"</sheetData>")
    raw, size, crc = deflate_repeated(xml[:at], b" " * MB, megabytes, xml[at:])
    return replace_member(path, SHEET_PART, raw, size, crc, declared=declared)


def shared_strings_bomb(path: Path, megabytes: int) -> Path:
    """A sharedStrings part of one string ``megabytes`` MB long."""
    contacts(path)

    def add(parts: dict[str, bytes]) -> None:
        parts["xl/sharedStrings.xml"] = b""
        types = parts["[Content_Types].xml"].decode().replace(
            "</Types>",
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["[Content_Types].xml"] = types.encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode().replace(
            "</Relationships>",
            f'<Relationship Id="rIdS" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        parts["xl/_rels/workbook.xml.rels"] = rels.encode()

    edit_zip(path, add)
    head = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode()
    raw, size, crc = deflate_repeated(head, b"a" * MB, megabytes, b"</t></si></sst>")
    return replace_member(path, "xl/sharedStrings.xml", raw, size, crc)


# -- ambiguous and mislabelled packages ----------------------------------------------------------


def duplicate_member(path: Path, name: str, *, rename: str | None = None) -> Path:
    """``contacts(path)`` with a second member named ``rename`` (default ``name``) holding a copy of ``name``."""
    contacts(path)
    with zipfile.ZipFile(path) as package:
        members = [(info.filename, package.read(info)) for info in package.infolist()]
    copy = dict(members)[name]
    entries = []
    for member, data in [*members, (rename or name, copy)]:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((member, packer.compress(data) + packer.flush(), len(data), zlib.crc32(data),
                        zipfile.ZIP_DEFLATED))
    write_raw_zip(path, entries)
    return path


def backslash_names(path: Path) -> Path:
    """``contacts(path)`` with its members named the Windows way (xl\\worksheets\\sheet1.xml)."""
    contacts(path)
    with zipfile.ZipFile(path) as package:
        members = [(info.filename, package.read(info)) for info in package.infolist()]
    entries = []
    for member, data in members:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((member.replace("/", "\\") if member.startswith("xl/") else member,
                        packer.compress(data) + packer.flush(), len(data), zlib.crc32(data), zipfile.ZIP_DEFLATED))
    write_raw_zip(path, entries)
    return path


def binary_workbook(path: Path) -> Path:
    """An .xlsb package (workbook.bin, sheet1.bin) saved under whatever name ``path`` has."""
    bin_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{bin_rel}/officeDocument" Target="xl/workbook.bin"/></Relationships>'
        ),
        "xl/_rels/workbook.bin.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{bin_rel}/worksheet" Target="worksheets/sheet1.bin"/></Relationships>'
        ),
        "xl/workbook.bin": b"\x83\x01\x00\x84\x01\x00",
        "xl/worksheets/sheet1.bin": b"\x81\x01\x00\x82\x01\x00",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def strict_workbook(path: Path) -> Path:
    """``contacts(path)`` saved as Strict Open XML: every transitional namespace swapped for the strict one."""

    def strict(parts: dict[str, bytes]) -> None:
        for name, data in parts.items():
            if name.endswith((".xml", ".rels")):
                text = data.decode().replace(MAIN_NS, STRICT_MAIN_NS).replace(_REL_NS, _STRICT_REL_NS)
                parts[name] = text.encode()

    edit_zip(contacts(path), strict)
    return path


def without_calc_pr(path: Path) -> Path:
    """``contacts(path)`` whose workbook.xml has no <calcPr> (about 1 real workbook in 11)."""

    def drop(parts: dict[str, bytes]) -> None:
        parts["xl/workbook.xml"] = re.sub(rb"<calcPr\b[^>]*/>", b"", parts["xl/workbook.xml"])
        assert b"calcPr" not in parts["xl/workbook.xml"]

    edit_zip(contacts(path), drop)
    return path


def with_extension(path: Path) -> Path:
    """``contacts(path)`` with an Excel 2010 data-validation extension, which openpyxl warns it drops."""
    ext = (
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        '<x14:dataValidations count="0" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'
        "</ext></extLst></worksheet>"
    )
    return edit_sheet(path, lambda xml: xml.replace("</worksheet>", ext))


def shared_strings(path: Path, *, unique_count: int | None = None) -> Path:
    """``contacts(path)`` with its text in a sharedStrings part (as Excel saves), announcing
    ``unique_count`` strings in <sst uniqueCount> (default: the true number)."""
    contacts(path)

    def share(parts: dict[str, bytes]) -> None:
        strings: list[str] = []

        def to_shared(match: re.Match[str]) -> str:
            strings.append(match[2])
            return f'<c r="{match[1]}" t="s"><v>{len(strings) - 1}</v></c>'

        xml = parts[SHEET_PART].decode()
        parts[SHEET_PART] = re.sub(r'<c r="(\w+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', to_shared, xml).encode()
        count = len(strings) if unique_count is None else unique_count
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{count}">{items}</sst>'.encode()
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            f'<Relationship Id="rIdS" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'.encode(),
        )

    edit_zip(path, share)
    return path
