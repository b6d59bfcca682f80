"""Finding things inside an .xlsx/.xlsm package (OPC): the workbook part, relationships, worksheets.

One home for the package lookup that the package editor, the parallel reader, the reader's date
system and the list sheet all need, done the way Excel does it: the workbook part is the target
of the officeDocument relationship in ``_rels/.rels`` (not always ``xl/workbook.xml``), and a
worksheet's part is the target of the relationship its ``<sheet>`` entry names. Also the checks
for reading a part as text to edit it, and :class:`PackageUnsupported`, the package path's
signal that it cannot edit a file safely (openpyxl may).

Every package is opened with :func:`open_package`, which refuses what readers would disagree about
(two members with one name, which zipfile resolves to the last and others to the first; names
differing only in case, which OPC treats as one; backslash separators) and what claims too much
(:func:`sheetkit.excel.limits.check_members`), so each command, reading or writing, refuses alike.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from sheetkit.errors import PackageUnsupported, SourceError, WorkbookFormatError, WriteError
from sheetkit.excel.limits import check_members, read_member
from sheetkit.excel.normalise import MAIN_NS, decode_xml, unprefix

PACKAGE_SUFFIXES = (".xlsx", ".xlsm")
"""The workbooks sheetkit reads and edits as packages itself (others go through calamine or openpyxl)."""


def is_package(path: Path) -> bool:
    """Whether ``path`` names an .xlsx/.xlsm workbook, by its suffix."""
    return path.suffix.lower() in PACKAGE_SUFFIXES

__all__ = [
    "DOC_REL",
    "MAIN_NS",
    "STRICT_NS",
    "STRICT_REL",
    "Relationship",
    "Workbook",
    "binary_workbook",
    "check_package",
    "date1904",
    "mend_names",
    "open_package",
    "parse_part",
    "read_text",
    "read_workbook",
    "refuse_unwritable",
    "relationships",
    "rels_path",
    "resolve",
    "root_tag",
    "sheet_part",
    "workbook_part",
]

STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DEFAULT_WORKBOOK = "xl/workbook.xml"


def open_package(path: Path, *, strict: bool = False) -> zipfile.ZipFile:
    """The workbook at ``path`` as a zip package, refused if readers could disagree about it or it claims too much.

    sheetkit finds every part by the exact name a relationship gives, so members written with
    backslashes are named with '/' (when unambiguous) and a case-only twin of a part is let
    through (never read). ``strict`` refuses both: for callers that hand the file to another
    reader (calamine on .xlsb/.ods, openpyxl), which may resolve such names differently.

    Raises:
        WorkbookFormatError: not a zip package, members sheetkit and other readers would resolve
            differently, or a member past the limits of :mod:`sheetkit.excel.limits`.
    """
    name = Path(path).name
    try:
        package = zipfile.ZipFile(path)
    except OSError as error:
        raise SourceError(f"{name}: cannot open the file ({error.strerror or error})", path=str(path)) from None
    except (zipfile.BadZipFile, ValueError) as error:
        raise WorkbookFormatError(
            f"{name} is damaged and cannot be read ({error}); open it in Excel and save it again", path=str(path)
        ) from None
    except NotImplementedError as error:  # zipfile: a member needs a newer zip version than it reads
        raise WorkbookFormatError(
            f"{name} uses a zip feature sheetkit cannot read ({error}); open it in Excel and save it again",
            path=str(path),
        ) from None
    try:
        if not strict:
            mend_names(package)
        check_package(package, case_twins=not strict)
    except BaseException:
        package.close()
        raise
    return package


def check_package(package: zipfile.ZipFile, *, case_twins: bool = False) -> None:
    """Refuse a package readers could disagree about, or one that claims too much (see :func:`open_package`).

    With ``case_twins`` two names differing only in case are let through: the package editor
    edits the part the workbook points to, by its exact name.

    Raises:
        WorkbookFormatError: naming the member and what to do.
    """
    _check_names(package, case_twins)
    check_members(package)


def mend_names(package: zipfile.ZipFile) -> bool:
    """Name members written with backslash separators (xl\\workbook.xml) as OPC names them, with '/'.

    Only when that is unambiguous: no other member then has the same name. The zip's own
    headers keep the old name (zipfile checks those against ``orig_filename``), a package written
    from these infos gets the mended one. Returns whether any name changed.
    """
    names = package.namelist()
    if not any("\\" in name for name in names):
        return False
    mended = [name.replace("\\", "/") for name in names]
    if len({name.lower() for name in mended}) != len(mended):
        return False  # two members would become one: left for check_package to refuse
    package.NameToInfo.clear()
    for info, name in zip(package.infolist(), mended, strict=True):
        info.filename = name
        package.NameToInfo[name] = info
    return True


def _check_names(package: zipfile.ZipFile, case_twins: bool) -> None:
    path = package.filename or ""
    name = Path(path).name
    seen: dict[str, str] = {}
    for member in package.namelist():
        if "\\" in member:
            raise WorkbookFormatError(
                f"{name} has a zip member named {member!r}, with backslashes: package part names use '/', "
                "and readers disagree about such names; open the file in Excel and save it again",
                path=path,
            )
        earlier = seen.get(member.lower())
        if earlier is not None and (earlier == member or not case_twins):
            which = f"two zip members named {member!r}" if earlier == member else f"members {earlier!r} and {member!r}"
            raise WorkbookFormatError(
                f"{name} is ambiguous: it has {which} (part names ignore case, and readers disagree about "
                "which one counts); open the file in Excel and save it again",
                path=path,
            )
        seen[member.lower()] = member


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part: its id, its type (a URI) and the part it points to.

    ``part`` is the target resolved against the source part (meaningless for an external target).
    """

    id: str
    type: str
    part: str

    def is_a(self, kind: str) -> bool:
        """Whether the type is ``kind`` ("worksheet", "styles"...), in either OOXML namespace."""
        return self.type.endswith("/" + kind)


def rels_path(part: str) -> str:
    """The relationships part of ``part``: xl/workbook.xml -> xl/_rels/workbook.xml.rels; "" -> _rels/.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(base_part: str, target: str) -> str:
    """A relationship target as a zip member name: absolute from the package root, else relative to ``base_part``."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def relationships(package: zipfile.ZipFile, part: str) -> dict[str, Relationship]:
    """The relationships of ``part`` ("" for the package's own), by id; none when it has no .rels part."""
    path = rels_path(part)
    if path not in package.NameToInfo:
        return {}
    root = parse_part(package, path)
    found = {}
    for element in root.iter(_PKG_REL):
        rel = Relationship(element.get("Id", ""), element.get("Type", ""), resolve(part, element.get("Target", "")))
        found[rel.id] = rel
    return found


def parse_part(package: zipfile.ZipFile, name: str, data: bytes | None = None) -> ET.Element:
    """Part ``name`` parsed as XML (``data``: its bytes, when already read).

    Raises:
        WorkbookFormatError: the part is not well-formed XML; names the file and the part.
    """
    try:
        return ET.fromstring(read_member(package, name) if data is None else data)
    except ET.ParseError as error:
        path = package.filename or ""
        raise WorkbookFormatError(
            f"{Path(path).name or 'the workbook'} is damaged and cannot be read (its part {name} is not "
            f"well-formed XML: {error}); open it in Excel and save it again",
            path=path,
        ) from None


def workbook_part(package: zipfile.ZipFile) -> str:
    """The workbook part: the first officeDocument target in ``_rels/.rels``, else xl/workbook.xml."""
    for rel in relationships(package, "").values():
        if rel.is_a("officeDocument"):
            return rel.part
    return _DEFAULT_WORKBOOK


def read_text(package: zipfile.ZipFile, name: str) -> str:
    """A part as text to edit, in the spelling the editor writes back (UTF-8, SpreadsheetML unprefixed).

    A byte-order mark, UTF-16 and an ``x:`` prefix for the main namespace are undone
    (:mod:`sheetkit.excel.normalise`); text that cannot be decoded raises PackageUnsupported,
    XML that is not well-formed xml.etree.ElementTree.ParseError.
    """
    text, _ = decode_xml(read_member(package, name), name)
    text = unprefix(text)[0]
    ET.fromstring(text.encode("utf-8"))  # an edit must start from well-formed XML: ParseError if not
    return text


def root_tag(text: str, local: str) -> tuple[str | None, str]:
    """(namespace prefix or None, attribute text) of the root element named ``local``."""
    match = re.search(rf"<(?:([\w.-]+):)?{local}\b([^>]*)>", text)
    if match is None:
        raise PackageUnsupported(f"no <{local}> root element where one was expected")
    return match.group(1), match.group(2)


@dataclass(frozen=True)
class Workbook:
    """The workbook part of a package: its name, parsed XML and relationships.

    ``text`` is the part's text when it was read to be edited (see :func:`read_workbook`).
    """

    part: str
    root: ET.Element
    rels: dict[str, Relationship]
    text: str | None = None

    @property
    def namespace(self) -> str:
        """The workbook's main namespace: MAIN_NS (transitional) or STRICT_NS (Strict Open XML)."""
        return self.root.tag[1:].partition("}")[0] if self.root.tag.startswith("{") else ""

    @property
    def sheets(self) -> list[ET.Element]:
        """The <sheet> entries of <sheets>, in tab order."""
        ns = self.namespace
        return self.root.findall(f"{{{ns}}}sheets/{{{ns}}}sheet")

    @property
    def sheet_names(self) -> list[str]:
        return [element.get("name") or "" for element in self.sheets]

    def index(self, name: str) -> int | None:
        """Tab position of the sheet named exactly ``name``; None when there is none."""
        return next((i for i, found in enumerate(self.sheet_names) if found == name), None)

    def worksheet_part(self, index: int) -> str | None:
        """The part of the sheet at tab position ``index``; None when that is not a worksheet
        (a chart sheet, a dialog sheet, a relationship id that names nothing)."""
        sheet = self.sheets[index]
        rel = self.rels.get(sheet.get(f"{{{DOC_REL}}}id") or sheet.get(f"{{{STRICT_REL}}}id") or "")
        return rel.part if rel is not None and rel.is_a("worksheet") else None

    def target(self, kind: str) -> str | None:
        """The part of the workbook's first relationship of type ``kind`` ("styles", "calcChain")."""
        return next((rel.part for rel in self.rels.values() if rel.is_a(kind)), None)

    @property
    def date1904(self) -> bool:
        """Whether dates count from 1904 (Excel for Mac's old date system): workbookPr date1904."""
        pr = self.root.find(f"{{{self.namespace}}}workbookPr")
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")


def read_workbook(package: zipfile.ZipFile, *, for_editing: bool = False) -> Workbook | None:
    """The package's workbook part, parsed; None when the part ``_rels/.rels`` names is missing.

    With ``for_editing`` its text is kept in :attr:`Workbook.text` and must be what the package
    editor can change as text: UTF-8, transitional OOXML, the main namespace unprefixed.

    Raises:
        PackageUnsupported: a binary workbook (.xlsb), or (for_editing) a workbook that cannot
            be edited as text.
        WorkbookFormatError: the workbook part or a relationships part is not well-formed XML.
    """
    part = workbook_part(package)
    if binary_workbook(package):
        raise PackageUnsupported("binary workbook (.xlsb)")
    if part not in package.NameToInfo:
        return None
    text = None
    if for_editing:
        text = read_text(package, part)
        prefix, attrs = root_tag(text, "workbook")
        if STRICT_NS in attrs or prefix is not None:
            raise PackageUnsupported("strict OOXML workbook.xml" if STRICT_NS in attrs else "prefixed workbook.xml")
        root = parse_part(package, part, text.encode("utf-8"))
    else:
        root = parse_part(package, part)
    return Workbook(part, root, relationships(package, part), text)


def refuse_unwritable(package: zipfile.ZipFile, src: Path) -> None:
    """Say plainly that a binary (.xlsb) or Strict Open XML workbook cannot be written, and what to do.

    Raises:
        WriteError: for either; nothing for a workbook part that is missing or not well-formed
            (the writer's own errors name those).
    """
    if binary_workbook(package):
        raise WriteError(
            f"cannot write into {src}: it is a binary workbook (.xlsb), which sheetkit cannot write; "
            "save it as .xlsx in Excel",
            path=str(src),
        )
    try:
        book = read_workbook(package)
    except WorkbookFormatError:
        return
    if book is not None and book.namespace == STRICT_NS:
        raise WriteError(
            f"cannot write into {src}: it is saved as Strict Open XML, which neither the package editor nor "
            "openpyxl writes; in Excel, File > Save As > 'Excel Workbook (*.xlsx)', then run again (sheetkit "
            "reads the strict file as it is)",
            path=str(src),
        )


def binary_workbook(package: zipfile.ZipFile) -> bool:
    """Whether the package is an .xlsb (a binary workbook part), whatever the file is called."""
    return workbook_part(package).endswith(".bin")


def sheet_part(package: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding worksheet ``sheet``; None when there is no such worksheet part.

    Raises what :func:`read_workbook` raises.
    """
    book = read_workbook(package)
    index = None if book is None else book.index(sheet)
    if book is None or index is None:
        return None
    part = book.worksheet_part(index)
    return part if part in package.NameToInfo else None


def date1904(package: zipfile.ZipFile) -> bool:
    """Whether the package's workbook counts dates from 1904; False without a workbook part.

    Raises what :func:`read_workbook` raises.
    """
    book = read_workbook(package)
    return book is not None and book.date1904
