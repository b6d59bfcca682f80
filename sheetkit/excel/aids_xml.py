"""Sheet aids in an .xlsx/.xlsm package, by editing the package: everything else stays byte for byte.

The Status dropdown is a ``<dataValidation>`` and the highlights a ``<conditionalFormatting>`` in
the worksheet XML (in the element order Excel requires), their fills ``<dxf>`` entries in
styles.xml; the notes a comments part and the sheet's one legacy VML drawing
(:mod:`sheetkit.excel.notes_xml`), with their relationships and content types. Only the parts
that change are rewritten; every other zip member is copied as its compressed bytes. When the
package already holds exactly these aids, nothing is written (:func:`apply_aids` returns None).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sheetkit.core.aids import MARK, SheetAids, is_own_formula, kept_notes_notice
from sheetkit.errors import PackageUnsupported, SheetNotFoundError
from sheetkit.excel.limits import read_member
from sheetkit.excel.notes_xml import edit_comments, edit_vml, idmap_blocks, new_comments, new_vml
from sheetkit.excel.parts import (
    DOC_REL,
    MAIN_NS,
    open_package,
    read_text,
    read_workbook,
    relationships,
    rels_path,
    root_tag,
)
from sheetkit.excel.xml_text import attributes, parse_range, set_attribute, xml_escape
from sheetkit.excel.zip_writer import CompressedSink, ZipAssembler

__all__ = ["apply_aids"]

# CT_Worksheet's children after <sheetData>, in the order the schema (and Excel) requires.
_TAIL_ORDER = (
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
)  # fmt: skip
_STYLE_ORDER_AFTER_DXFS = ("tableStyles", "colors", "extLst")
_CF = re.compile(r"<conditionalFormatting\b[^>]*>.*?</conditionalFormatting>", re.S)
_CF_RULE = re.compile(r"<cfRule\b[^>]*?(?:/>|>.*?</cfRule>)", re.S)
_FORMULA = re.compile(r"<formula>(.*?)</formula>", re.S)
_PRIORITY = re.compile(r'\bpriority="(\d+)"')
_DVS = re.compile(r"<dataValidations\b([^>]*?)(?:/>|>(.*?)</dataValidations>)", re.S)
_DV = re.compile(r"<dataValidation\b([^>]*?)(?:/>|>.*?</dataValidation>)", re.S)
_X14_DV_REFS = re.compile(r"<x14:dataValidation\b.*?<xm:sqref>(.*?)</xm:sqref>", re.S)
_LEGACY = re.compile(r"<legacyDrawing\b([^>]*?)/>")
_DXFS = re.compile(r"<dxfs\b([^>]*?)(?:/>|>(.*?)</dxfs>)", re.S)
_DXF = re.compile(r"<dxf\b[^>]*?(?:/>|>.*?</dxf>)", re.S)
_EMPTY_SHEETDATA = re.compile(rb"<sheetData\b[^>]*/>")
_REL = re.compile(r"<Relationship\b([^>]*?)(?:/>|>\s*</Relationship>)")
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_REL_COMMENTS = DOC_REL + "/comments"
_REL_VML = DOC_REL + "/vmlDrawing"
_NEW_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
)


@dataclass
class _Edit:
    """The parts an aids edit changes: new texts, new parts (in order) and parts dropped."""

    texts: dict[str, str] = field(default_factory=dict)
    added: dict[str, str] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    notices: list[str] = field(default_factory=list)


def apply_aids(src: Path, dst: Path | None, sheet: str, aids: SheetAids) -> list[str] | None:
    """Put ``aids`` on worksheet ``sheet`` of ``src``, saving the result as ``dst`` (None: a dry
    run, which only says what would change).

    Returns:
        What could not be added, for the user (e.g. their own validation on the Status column);
        None when ``src`` already holds exactly these aids (``dst`` is then not written).

    Raises:
        PackageUnsupported: a part that cannot be edited as text (nothing written).
        SheetNotFoundError: no such worksheet.
    """
    with open_package(src, strict=True) as package:
        book = read_workbook(package)
        index = None if book is None else book.index(sheet)
        if book is None or index is None:
            raise SheetNotFoundError(f"no worksheet named {sheet!r} in {src}", path=str(src), sheet=sheet)
        part = book.worksheet_part(index)
        if part is None or part not in package.NameToInfo:
            raise PackageUnsupported(f"{sheet!r} is not a plain worksheet part")
        data = read_member(package, part)
        prefix, attrs = root_tag(data[:4096].decode("utf-8", "replace"), "worksheet")
        if prefix is not None or f'xmlns="{MAIN_NS}"' not in attrs:
            raise PackageUnsupported("a worksheet whose main namespace is prefixed, strict or missing")
        closing = data.rfind(b"</sheetData>")  # near the end: found without scanning the rows
        if closing >= 0:
            cut = closing + len(b"</sheetData>")
        else:
            empty = _EMPTY_SHEETDATA.search(data)
            if empty is None:
                raise PackageUnsupported("worksheet has no <sheetData> element")
            cut = empty.end()
        head, tail = data[:cut], _decode(data[cut:], part)
        edit = _Edit()
        tail = _validations(tail, aids, sheet, edit)
        tail = _formats(tail, aids, package, book.target("styles"), edit)
        tail, head_text = _notes(package, part, tail, head, aids, sheet, edit)
        new_sheet = head_text.encode("utf-8") if head_text is not None else head
        new_sheet += tail.encode("utf-8")
        if new_sheet != data:
            edit.texts[part] = new_sheet.decode("utf-8")
        edit.texts = {
            name: text for name, text in edit.texts.items() if name in edit.added or _differs(package, name, text)
        }
        if not edit.texts and not edit.added and not edit.removed:
            return None
        if dst is not None:
            _write(package, src, dst, edit)
    return edit.notices


def _decode(data: bytes, part: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackageUnsupported(f"{part} is not UTF-8") from error


def _differs(package: zipfile.ZipFile, name: str, text: str) -> bool:
    return name not in package.NameToInfo or read_member(package, name) != text.encode("utf-8")


def _insert(tail: str, name: str, xml: str) -> str:
    """``xml`` (a ``name`` element) placed where the worksheet's element order wants it."""
    later = _TAIL_ORDER[_TAIL_ORDER.index(name) + 1 :]
    spot = re.search(r"<(?:{})\b|</worksheet>".format("|".join(later)), tail)
    if spot is None:
        raise PackageUnsupported("worksheet has no </worksheet>")
    return tail[: spot.start()] + xml + tail[spot.start() :]


def _boxes(sqref: str) -> list[tuple[int, int, int, int]]:
    return [box for ref in sqref.split() if (box := parse_range(ref)) is not None]


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


# -- the Status dropdown -----------------------------------------------------------------------
def _validations(tail: str, aids: SheetAids, sheet: str, edit: _Edit) -> str:
    block = _DVS.search(tail)
    kept: list[str] = []
    if block is not None:
        for match in _DV.finditer(block.group(2) or ""):
            title = html.unescape(attributes(match.group(1)).get("promptTitle", ""))
            if not title.startswith(MARK):
                kept.append(match.group(0))
    wanted = aids.dropdown if "dropdown" in aids.kinds else None
    if wanted is not None:
        box = (wanted.column, wanted.first_row, wanted.column, wanted.last_row)
        refs = [attributes(item).get("sqref", "") for item in kept] + _X14_DV_REFS.findall(tail)
        if any(_overlaps(box, other) for ref in refs for other in _boxes(ref)):
            edit.notices.append(f"kept your own validation on {sheet}!{wanted.ref}: no Status dropdown added there")
            wanted = None
    items = kept + ([_dropdown_xml(aids)] if wanted is not None else [])
    if block is None:
        return (
            _insert(
                tail, "dataValidations", f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'
            )
            if items
            else tail
        )
    if not items:
        return tail[: block.start()] + tail[block.end() :]
    opening = set_attribute("<dataValidations" + block.group(1).rstrip(), "count", str(len(items)))
    return tail[: block.start()] + opening + ">" + "".join(items) + "</dataValidations>" + tail[block.end() :]


def _dropdown_xml(aids: SheetAids) -> str:
    dropdown = aids.dropdown
    assert dropdown is not None
    listed = xml_escape('"' + ",".join(dropdown.labels) + '"', quote=False)
    return (
        '<dataValidation type="list" errorStyle="warning" allowBlank="1" showInputMessage="1" '
        f'showErrorMessage="1" errorTitle="{xml_escape(dropdown.title)}" '
        f'error="{xml_escape("Not a status this sheet knows; keep it anyway?")}" '
        f'promptTitle="{xml_escape(dropdown.title)}" prompt="{xml_escape(dropdown.prompt)}" '
        f'sqref="{dropdown.ref}"><formula1>{listed}</formula1></dataValidation>'
    )


# -- the highlights ----------------------------------------------------------------------------
def _formats(tail: str, aids: SheetAids, package: zipfile.ZipFile, styles: str | None, edit: _Edit) -> str:
    def without_own(match: re.Match[str]) -> str:
        element = match.group(0)
        rules = _CF_RULE.findall(element)
        own = [r for r in rules if any(is_own_formula(html.unescape(f)) for f in _FORMULA.findall(r))]
        if not own:
            return element
        if len(own) == len(rules):
            return ""
        for rule in own:
            element = element.replace(rule, "", 1)
        return element

    tail = _CF.sub(without_own, tail)
    if "highlights" not in aids.kinds or not aids.highlights:
        return tail
    if styles is None or styles not in package.NameToInfo:
        raise PackageUnsupported("no styles part for the highlight fills")
    text = edit.texts.get(styles) or read_text(package, styles)
    priorities = [int(p) for p in _PRIORITY.findall(" ".join(_CF.findall(tail)))]
    first = max(priorities, default=0) + 1
    rules = []
    for offset, highlight in enumerate(aids.highlights):
        text, dxf_id = _dxf(text, highlight.fill)
        rules.append(
            f'<cfRule type="expression" dxfId="{dxf_id}" priority="{first + offset}" stopIfTrue="1">'
            f"<formula>{xml_escape(highlight.formula, quote=False)}</formula></cfRule>"
        )
    edit.texts[styles] = text
    element = f'<conditionalFormatting sqref="{aids.highlight_ref}">{"".join(rules)}</conditionalFormatting>'
    return _insert(tail, "conditionalFormatting", element)


def _dxf(styles: str, fill: str) -> tuple[str, int]:
    """The styles part with a differential format filling cells with ``fill``, and its index (reused when there)."""
    xml = f'<dxf><fill><patternFill><bgColor rgb="FF{fill}"/></patternFill></fill></dxf>'
    block = _DXFS.search(styles)
    if block is None:
        spot = re.search(r"<(?:{})\b|</styleSheet>".format("|".join(_STYLE_ORDER_AFTER_DXFS)), styles)
        if spot is None:
            raise PackageUnsupported("styles part has no </styleSheet>")
        return styles[: spot.start()] + f'<dxfs count="1">{xml}</dxfs>' + styles[spot.start() :], 0
    entries = _DXF.findall(block.group(2) or "")
    if xml in entries:
        return styles, entries.index(xml)
    opening = set_attribute("<dxfs" + block.group(1).rstrip(), "count", str(len(entries) + 1))
    grown = opening + ">" + "".join(entries) + xml + "</dxfs>"
    return styles[: block.start()] + grown + styles[block.end() :], len(entries)


# -- the notes ---------------------------------------------------------------------------------
def _notes(
    package: zipfile.ZipFile, part: str, tail: str, head: bytes, aids: SheetAids, sheet: str, edit: _Edit
) -> tuple[str, str | None]:
    """Edit the comments and VML parts; returns the worksheet tail and (when it must change) its head."""
    rels = relationships(package, part)
    comments = next((r for r in rels.values() if r.is_a("comments") and r.part in package.NameToInfo), None)
    legacy = _LEGACY.search(tail)
    legacy_id = _relationship_id(legacy.group(1)) if legacy else None
    vml = rels.get(legacy_id) if legacy_id else None
    notes = aids.note_map() if "notes" in aids.kinds else {}
    if comments is None:
        if not notes:
            return tail, None
        if legacy is not None and (vml is None or vml.part not in package.NameToInfo):
            raise PackageUnsupported("the sheet's <legacyDrawing> names no VML drawing in the package")
        if vml is not None:  # one VML per sheet: the notes join the one there (form controls, say)
            edit.texts[vml.part] = edit_vml(read_text(package, vml.part), frozenset(), tuple(sorted(notes))) or ""
            return _add_notes(package, part, tail, head, notes, edit, vml_part=vml.part)
        return _add_notes(package, part, tail, head, notes, edit)
    result = edit_comments(read_text(package, comments.part), notes)
    skipped = sorted(set(notes) & result.user_cells)
    if skipped:
        edit.notices.append(kept_notes_notice(sheet, skipped, "comment"))
    vml_text = None
    if vml is not None and vml.part in package.NameToInfo:
        vml_text = edit_vml(read_text(package, vml.part), result.own_before, result.own_after)
    elif result.own_after:
        raise PackageUnsupported("the sheet's comments have no VML drawing")
    rels_name = rels_path(part)
    rels_text = read_text(package, rels_name)
    if result.text is None:
        edit.removed.add(comments.part)
        rels_text = _drop_rel(rels_text, comments.id)
        edit.texts["[Content_Types].xml"] = _drop_override(_types(package, edit), comments.part)
    else:
        edit.texts[comments.part] = result.text
    if vml is not None:
        if vml_text is None:
            edit.removed.add(vml.part)
            rels_text = _drop_rel(rels_text, vml.id)
            tail = _LEGACY.sub("", tail, count=1)
            types = _drop_override(_types(package, edit), vml.part)
            if not any(n.endswith(".vml") and n not in edit.removed for n in package.namelist()):
                types = re.sub(r'<Default\b[^>]*Extension="vml"[^>]*/>', "", types)
            edit.texts["[Content_Types].xml"] = types
        else:
            edit.texts[vml.part] = vml_text
    if not _REL.search(rels_text) and rels_name in package.NameToInfo:
        edit.removed.add(rels_name)
    else:
        edit.texts[rels_name] = rels_text
    return tail, None


def _add_notes(
    package: zipfile.ZipFile,
    part: str,
    tail: str,
    head: bytes,
    notes: dict[tuple[int, int], str],
    edit: _Edit,
    vml_part: str | None = None,
) -> tuple[str, str | None]:
    """A new comments part, and a new VML drawing unless the sheet has one (``vml_part``, edited already)."""
    names = set(package.namelist())
    number = next(n for n in range(1, len(names) + 2) if f"xl/comments{n}.xml" not in names)
    comments = f"xl/comments{number}.xml"
    edit.added[comments] = new_comments(notes)
    rels_name = rels_path(part)
    rels_text = read_text(package, rels_name) if rels_name in names else _NEW_RELS
    ids = {attributes(m.group(1)).get("Id", "") for m in _REL.finditer(rels_text)}
    free = (f"rId{n}" for n in range(1, len(ids) + 3) if f"rId{n}" not in ids)
    here = posixpath.dirname(part)
    comments_id = next(free)
    added = f'<Relationship Id="{comments_id}" Type="{_REL_COMMENTS}" Target="{posixpath.relpath(comments, here)}"/>'
    vml_id = ""
    if vml_part is None:
        vml_number = next(n for n in range(1, len(names) + 2) if f"xl/drawings/vmlDrawing{n}.vml" not in names)
        vml = f"xl/drawings/vmlDrawing{vml_number}.vml"
        blocks: set[int] = set()
        for name in names:
            if name.endswith(".vml"):
                blocks |= idmap_blocks(read_member(package, name).decode("utf-8", "replace"))
        edit.added[vml] = new_vml(tuple(sorted(notes)), max(blocks, default=0) + 1)
        vml_id = next(free)
        added += f'<Relationship Id="{vml_id}" Type="{_REL_VML}" Target="{posixpath.relpath(vml, here)}"/>'
    rels_text = rels_text.replace("</Relationships>", added + "</Relationships>", 1)
    if rels_name in names:
        edit.texts[rels_name] = rels_text
    else:
        edit.added[rels_name] = rels_text
    types = _types(package, edit)
    extra = f'<Override PartName="/{comments}" ContentType="{_COMMENTS_TYPE}"/>'
    if not re.search(r'<Default\b[^>]*Extension="vml"', types):
        extra = f'<Default Extension="vml" ContentType="{_VML_TYPE}"/>' + extra
    edit.texts["[Content_Types].xml"] = types.replace("</Types>", extra + "</Types>", 1)
    if vml_part is not None:
        return tail, None  # its <legacyDrawing> is in the sheet already
    prefix, head_text = _relationship_prefix(head)
    tail = _insert(tail, "legacyDrawing", f'<legacyDrawing {prefix}:id="{vml_id}"/>')
    return tail, head_text


def _relationship_id(attrs: str) -> str | None:
    for name, value in attributes(attrs).items():
        if name.endswith(":id"):
            return value
    return None


def _relationship_prefix(head: bytes) -> tuple[str, str | None]:
    """The prefix the worksheet binds to the relationships namespace, declaring r: when it has none."""
    root = re.search(rb"<worksheet\b[^>]*>", head)
    if root is None:
        raise PackageUnsupported("no <worksheet> root element")
    tag = root.group(0).decode("utf-8")
    bound = re.search(rf'xmlns:([\w.-]+)="{re.escape(DOC_REL)}"', tag)
    if bound:
        return bound.group(1), None
    if re.search(r"\sxmlns:r=", tag):
        raise PackageUnsupported("the worksheet binds the prefix r to another namespace")
    grown = tag[:-1].rstrip("/") + f' xmlns:r="{DOC_REL}">'
    text = head.decode("utf-8")
    return "r", text[: root.start()] + grown + text[root.end() :]


def _types(package: zipfile.ZipFile, edit: _Edit) -> str:
    return edit.texts.get("[Content_Types].xml") or read_text(package, "[Content_Types].xml")


def _drop_override(types: str, part: str) -> str:
    return re.sub(rf'<Override\b[^>]*PartName="/{re.escape(part)}"[^>]*/>', "", types)


def _drop_rel(rels: str, rel_id: str) -> str:
    def keep(match: re.Match[str]) -> str:
        return "" if attributes(match.group(1)).get("Id") == rel_id else match.group(0)

    return _REL.sub(keep, rels)


def _write(package: zipfile.ZipFile, src: Path, dst: Path, edit: _Edit) -> None:
    """The package with the edit applied: changed parts recompressed, the rest copied raw, new parts last."""
    try:
        with open(src, "rb") as raw, open(dst, "wb") as out:
            assembler = ZipAssembler(out)
            for info in package.infolist():
                if info.filename in edit.removed:
                    continue
                if info.filename in edit.texts:
                    assembler.add_sink(info, _sink(edit.texts[info.filename], info.compress_type))
                else:
                    assembler.copy_raw(info, raw)
            for name, text in edit.added.items():
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                assembler.add_sink(info, _sink(text, zipfile.ZIP_DEFLATED))
            assembler.close()
    except BaseException:
        dst.unlink(missing_ok=True)  # never leave a half-written package behind
        raise


def _sink(text: str, method: int) -> CompressedSink:
    sink = CompressedSink(method)
    sink.write(text.encode("utf-8"))
    return sink
