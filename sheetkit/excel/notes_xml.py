"""Excel comments as sheetkit's problem notes: the comments part and its legacy VML drawing, as text.

A cell note in .xlsx lives in two parts: the comment itself (``xl/commentsN.xml``: authors and a
list of ``<comment ref=...>``) and the box Excel draws for it (a ``<v:shape>`` with
``ObjectType="Note"`` in the sheet's one VML drawing). The user's comments and shapes are kept as
their exact text; sheetkit's own (see :func:`sheetkit.core.aids.is_own_note`) are replaced, so a
fixed cell loses its note and nothing else moves.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sheetkit.core.aids import AUTHOR, is_own_note
from sheetkit.core.cells import column_index, column_letter
from sheetkit.excel.xml_text import ooxml_text, xml_escape

__all__ = ["CommentsEdit", "edit_comments", "edit_vml", "idmap_blocks", "new_comments", "new_vml"]

_AUTHORS = re.compile(r"<authors\s*/>|<authors\b[^>]*>(.*?)</authors>", re.S)
_AUTHOR = re.compile(r"<author\s*/>|<author\b[^>]*>(.*?)</author>", re.S)
_COMMENT_LIST = re.compile(r"<commentList\s*/>|<commentList\b[^>]*>(.*?)</commentList>", re.S)
_COMMENT = re.compile(r"<comment\b([^>]*?)(?:/>|>(.*?)</comment>)", re.S)
_T = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_REF = re.compile(r'\bref="([A-Za-z]{1,3})(\d+)"')
_AUTHOR_ID = re.compile(r'\bauthorId="(\d+)"')
_SHAPE_ID = re.compile(r'\bid="_x0000_s(\d+)"')
_IDMAP = re.compile(r'<[\w.-]+:idmap\b[^>]*\bdata="([\d,\s]*)"')
_NOTE_TYPE = "_x0000_t202"
_PLAIN = {"v": "v", "o": "o", "x": "x"}

Cell = tuple[int, int]


@dataclass(frozen=True)
class CommentsEdit:
    """A comments part after the edit: its text (None: no comment is left), and which cells changed hands."""

    text: str | None
    own_before: frozenset[Cell]  # cells that held sheetkit's notes (their shapes go)
    own_after: tuple[Cell, ...]  # cells that hold sheetkit's notes now (they get shapes)
    user_cells: frozenset[Cell]  # cells with the user's own comments: never touched


def _cell(attrs: str) -> Cell | None:
    match = _REF.search(attrs)
    return (int(match.group(2)), column_index(match.group(1))) if match else None


def _comment_xml(cell: Cell, author_id: int, text: str) -> str:
    ref = f"{column_letter(cell[1])}{cell[0]}"
    body = xml_escape(ooxml_text(text), quote=False)
    return f'<comment ref="{ref}" authorId="{author_id}"><text><t xml:space="preserve">{body}</t></text></comment>'


def new_comments(notes: dict[Cell, str]) -> str:
    """A comments part holding only sheetkit's notes."""
    items = "".join(_comment_xml(cell, 0, text) for cell, text in sorted(notes.items()))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<authors><author>{AUTHOR}</author></authors><commentList>{items}</commentList></comments>"
    )


def edit_comments(text: str, notes: dict[Cell, str]) -> CommentsEdit:
    """The comments part with sheetkit's notes replaced by ``notes`` (on cells without a user comment)."""
    authors_match = _AUTHORS.search(text)
    listed = authors_match.group(1) or "" if authors_match else ""
    authors = [html.unescape(m.group(1) or "") for m in _AUTHOR.finditer(listed)]
    list_match = _COMMENT_LIST.search(text)
    kept: list[str] = []
    own_before: set[Cell] = set()
    user: set[Cell] = set()
    for match in _COMMENT.finditer(list_match.group(1) or "") if list_match else ():
        cell = _cell(match.group(1))
        author_id = _AUTHOR_ID.search(match.group(1))
        author = authors[int(author_id.group(1))] if author_id and int(author_id.group(1)) < len(authors) else None
        body = "".join(html.unescape(t.group(1) or "") for t in _T.finditer(match.group(2) or ""))
        if cell is not None and is_own_note(body, author):
            own_before.add(cell)
            continue
        kept.append(match.group(0))
        if cell is not None:
            user.add(cell)
    wanted = {cell: note for cell, note in notes.items() if cell not in user}
    if not kept and not wanted:
        return CommentsEdit(None, frozenset(own_before), (), frozenset(user))
    new_authors = authors_match.group(0) if authors_match else "<authors></authors>"
    used = {int(m.group(1)) for item in kept if (m := _AUTHOR_ID.search(item))}
    index = len(authors)
    if AUTHOR in authors:
        index = authors.index(AUTHOR)
        if not wanted and index == len(authors) - 1 and index not in used:
            new_authors = _drop_last_author(new_authors)  # sheetkit's name goes with its last note
    elif wanted:
        new_authors = _add_author(new_authors)
    items = "".join(kept) + "".join(_comment_xml(cell, index, wanted[cell]) for cell in sorted(wanted))
    body = f"<commentList>{items}</commentList>"
    if authors_match is None:
        text = re.sub(r"(<comments\b[^>]*>)", lambda m: m.group(1) + new_authors, text, count=1)
    else:
        text = text[: authors_match.start()] + new_authors + text[authors_match.end() :]
    list_match = _COMMENT_LIST.search(text)
    if list_match is None:
        text = text.replace("</comments>", body + "</comments>", 1)
    else:
        text = text[: list_match.start()] + body + text[list_match.end() :]
    return CommentsEdit(text, frozenset(own_before), tuple(sorted(wanted)), frozenset(user))


def _add_author(block: str) -> str:
    if block.endswith("/>"):
        return f"<authors><author>{AUTHOR}</author></authors>"
    return block[: -len("</authors>")] + f"<author>{AUTHOR}</author></authors>"


def _drop_last_author(block: str) -> str:
    last = list(_AUTHOR.finditer(block))[-1]
    return block[: last.start()] + block[last.end() :]


_VML_NS = {
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "x": "urn:schemas-microsoft-com:office:excel",
}


def _prefixes(text: str) -> dict[str, str]:
    """The prefixes a VML drawing binds to VML, Office and Excel (Excel writes v, o, x; openpyxl ns0...)."""
    found = {}
    for key, uri in _VML_NS.items():
        match = re.search(rf'xmlns:([\w.-]+)="{re.escape(uri)}"', text)
        found[key] = match.group(1) if match else key
    return found


def _shape(shape_id: int, cell: Cell, p: dict[str, str]) -> str:
    row, column = cell[0] - 1, cell[1] - 1
    anchor = f"{column + 1}, 15, {max(row - 1, 0)}, 10, {column + 3}, 15, {row + 3}, 4"
    v, o, x = p["v"], p["o"], p["x"]
    return (
        f'<{v}:shape id="_x0000_s{shape_id}" type="#{_NOTE_TYPE}" style="position:absolute;margin-left:59.25pt;'
        'margin-top:1.5pt;width:216pt;height:72pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
        f'{o}:insetmode="auto"><{v}:fill color2="#ffffe1"/><{v}:shadow on="t" color="black" obscured="t"/>'
        f'<{v}:path {o}:connecttype="none"/><{v}:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
        f'</div></{v}:textbox><{x}:ClientData ObjectType="Note"><{x}:MoveWithCells/><{x}:SizeWithCells/>'
        f"<{x}:Anchor>{anchor}</{x}:Anchor><{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{row}</{x}:Row>"
        f"<{x}:Column>{column}</{x}:Column></{x}:ClientData></{v}:shape>"
    )


def _shapetype(p: dict[str, str]) -> str:
    v, o = p["v"], p["o"]
    return (
        f'<{v}:shapetype id="{_NOTE_TYPE}" coordsize="21600,21600" {o}:spt="202" path="m,l,21600r21600,l21600,xe">'
        f'<{v}:stroke joinstyle="miter"/><{v}:path gradientshapeok="t" {o}:connecttype="rect"/></{v}:shapetype>'
    )


def new_vml(cells: tuple[Cell, ...], block: int) -> str:
    """A VML drawing with one note box per cell; ``block`` is its o:idmap number (unique in the workbook)."""
    shapes = "".join(_shape(block * 1024 + 1 + i, cell, _PLAIN) for i, cell in enumerate(cells))
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
        f"{_shapetype(_PLAIN)}{shapes}</xml>"
    )


def idmap_blocks(vml: str) -> set[int]:
    """The o:idmap numbers a VML drawing claims (shape ids are unique only within their block)."""
    found: set[int] = set()
    for match in _IDMAP.finditer(vml):
        found |= {int(n) for n in re.split(r"[,\s]+", match.group(1)) if n}
    return found


def _shape_pattern(v: str) -> re.Pattern[str]:
    return re.compile(rf"<{v}:shape\b(?:[^>]*?/>|[^>]*>.*?</{v}:shape>)", re.S)


def edit_vml(text: str, drop: frozenset[Cell], add: tuple[Cell, ...]) -> str | None:
    """The VML drawing without the note boxes of ``drop`` and with boxes for ``add``; None when no shape is left."""
    p = _prefixes(text)
    shape_re = _shape_pattern(p["v"])
    row_re = re.compile(rf"<{p['x']}:Row>\s*(\d+)\s*</{p['x']}:Row>")
    column_re = re.compile(rf"<{p['x']}:Column>\s*(\d+)\s*</{p['x']}:Column>")

    def keep(match: re.Match[str]) -> str:
        shape = match.group(0)
        row, column = row_re.search(shape), column_re.search(shape)
        cell = (int(row.group(1)) + 1, int(column.group(1)) + 1) if row and column else None
        return "" if 'ObjectType="Note"' in shape and cell in drop else shape

    text = shape_re.sub(keep, text)
    if add:
        missing = [key for key, uri in _VML_NS.items() if f'"{uri}"' not in text]
        if missing:
            declared = "".join(f' xmlns:{p[key]}="{_VML_NS[key]}"' for key in missing)
            text = re.sub(r"<xml\b", lambda m: m.group(0) + declared, text, count=1)
        ids = [int(n) for n in _SHAPE_ID.findall(text)]
        blocks = idmap_blocks(text)
        start = max(ids) + 1 if ids else (min(blocks) if blocks else 1) * 1024 + 1
        add_xml = "" if f'id="{_NOTE_TYPE}"' in text else _shapetype(p)
        add_xml += "".join(_shape(start + i, cell, p) for i, cell in enumerate(add))
        closing = text.rfind("</xml>")
        if closing < 0:
            return None
        text = text[:closing] + add_xml + text[closing:]
    return text if shape_re.search(text) else None
