"""Fuzzing the readers: mutated workbooks and CSV files through the real CLI.

Every example is a small file (a few KB) bent the way a broken tool or an attacker would bend it:
the zip's bytes flipped or cut, the XML parts inside a valid zip changed (attributes, huge
dimension references, parts missing, shared-string indexes out of range, other encodings, stray
cells), a CSV with bad bytes, stray quotes, huge fields, NULs and mixed line endings.
``sheetkit validate FILE`` and ``sheetkit refresh FILE`` must then answer 0 or 1 (read) or 2
(refused, with exactly one line on stderr, no traceback, no "unexpected error", the file byte for
byte as it was and nothing left beside it). Most examples run ``sheetkit.cli.main`` in this
process for speed; a few run the real program in a child whose address space is capped
(tests/test_hostile.py ``sheetkit_cli``: 1 GiB), which must not be killed.

The examples are derandomized (the same ones on every run, so CI is reproducible) and few enough
for the file to take under two minutes on a loaded 2-core machine. To explore further with random
examples: ``SHEETKIT_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_readers.py``. The tests at the end
pin what the fuzzer found, each a crash ("unexpected error") before its fix.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetkit.cli import main
from tests import hostile
from tests.test_hostile import sheetkit_cli

_EXPLORE = int(os.environ.get("SHEETKIT_FUZZ_EXAMPLES", "0"))


def fuzz_settings(examples: int) -> settings:
    """``examples`` fixed examples (derandomized, no example database), or SHEETKIT_FUZZ_EXAMPLES random ones."""
    return settings(
        max_examples=_EXPLORE or examples,
        derandomize=not _EXPLORE,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the files to mutate ----------------------------------------------------------------------------


@functools.cache
def workbooks() -> dict[str, dict[str, bytes]]:
    """The members of two small valid workbooks: inline strings (as openpyxl saves), shared strings (as Excel)."""
    with tempfile.TemporaryDirectory() as folder:
        built = {
            "inline": hostile.contacts(Path(folder, "inline.xlsx"), rows=3),
            "shared": hostile.shared_strings(Path(folder, "shared.xlsx")),
        }
        members = {}
        for name, path in built.items():
            with zipfile.ZipFile(path) as package:
                members[name] = {info.filename: package.read(info) for info in package.infolist()}
    return members


def packed(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A valid zip holding ``members`` (in their order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


CSV_HEADER = ",".join(hostile.HEADERS)
CSV_TEXT = (
    f"{CSV_HEADER}\n"
    "Ángel,Lima,angel@example.com,Contacted,2026-11-01,1\n"
    "Bo,Quinn,bo@example.com,Engaged,2026-10-20,2\n"
    '"Chen, Wu",Li,chen@example.com,Non-responsive,2026-09-01,4\n'
)

# Values an attribute or a cell may be given: numbers past every integer type, references past the
# grid, empty, negative, text where a number belongs, markup characters, control characters.
NASTY = st.one_of(
    st.sampled_from(
        [
            "", "0", "-1", "1", "2", "65535", "65536", "2147483647", "2147483648", "4294967296",
            "18446744073709551616", "1e308", "-1e308", "NaN", "inf", "1.5", "0x10", " 3 ", "true", "x",
            "XFD1048576", "XFE1", "A1048577", "A0", "AAAAAAA1", "A1:XFD1048576", "ZZZZ99999999", "1:1",
            "&amp;", "&lt;", "\u00e9", "\u202e", "\U0001f600", "\x7f", "1904", "Contacts", "rId1", "rId99",
            "/xl/worksheets/sheet1.xml", "../../etc/passwd", "worksheets/sheet9.xml",
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12).map(
        lambda text: text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    ),
)
REFS = st.one_of(
    st.sampled_from(["A1", "F3", "G4", "XFD1", "A1048576", "XFD1048576", "XFD20000", "ZZ60000", "AAAA1", "A0", "1", ""]),
    st.builds(lambda col, row: f"{col}{row}", st.text(alphabet="ABCXYZ", min_size=1, max_size=4), st.integers(0, 2**33)),
)
CELL_TYPES = st.sampled_from(["s", "str", "b", "e", "n", "d", "inlineStr", "bogus", ""])
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_ELEMENT = re.compile(rb"<(\w+)\b[^<>]*/>|<(\w+)\b[^<>]*>[^<]*</\2>")


# -- mutations of a valid zip's parts -------------------------------------------------------------


def _xml_names(parts: dict[str, bytes]) -> list[str]:
    return sorted(name for name in parts if name.endswith((".xml", ".rels")))


def _pick(draw: st.DrawFn, parts: dict[str, bytes], pattern: re.Pattern[bytes]) -> tuple[str, re.Match[bytes]] | None:
    """One XML part and one match of ``pattern`` in it; None when the part has none."""
    name = draw(st.sampled_from(_xml_names(parts)))
    found = list(pattern.finditer(parts[name]))
    return (name, draw(st.sampled_from(found))) if found else None


@st.composite
def changed_attribute(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    picked = _pick(draw, parts, _ATTRIBUTE)
    if picked is None:
        return "nothing"
    name, match = picked
    value = draw(NASTY).encode()
    parts[name] = parts[name][: match.start(2)] + value + parts[name][match.end(2) :]
    return f"{name}: {match[1].decode()}={value!r}"


@st.composite
def huge_dimension(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    if hostile.SHEET_PART not in parts:
        return "nothing"
    ref = draw(st.one_of(REFS, st.builds("{}:{}".format, REFS, REFS)))
    parts[hostile.SHEET_PART] = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), parts[hostile.SHEET_PART])
    return f"dimension {ref}"


@st.composite
def missing_part(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    name = draw(st.sampled_from(sorted(parts)))
    del parts[name]
    return f"without {name}"


@st.composite
def shared_string_index(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    if hostile.SHEET_PART not in parts:
        return "nothing"
    cells = list(re.finditer(rb'<c r="\w+" t="s"><v>(\d+)</v>', parts[hostile.SHEET_PART]))
    if not cells:  # the inline workbook: make a cell shared with no sharedStrings part at all
        cells = list(re.finditer(rb't="inlineStr"><is><t>([^<]*)</t></is>', parts[hostile.SHEET_PART]))
    if not cells:
        return "nothing"
    match = draw(st.sampled_from(cells))
    index = draw(st.one_of(st.sampled_from(["14", "15", "-1", "", "x", "1.5", "4294967296"]), st.integers(0, 2**64).map(str)))
    xml = parts[hostile.SHEET_PART]
    if b"inlineStr" in match[0]:
        replacement = f't="s"><v>{index}</v>'.encode()
        parts[hostile.SHEET_PART] = xml[: match.start()] + replacement + xml[match.end() :]
    else:
        parts[hostile.SHEET_PART] = xml[: match.start(1)] + index.encode() + xml[match.end(1) :]
    return f"shared string index {index!r}"


@st.composite
def odd_encoding(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    name = draw(st.sampled_from(_xml_names(parts)))
    data = parts[name]
    how = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "bom", "latin-1 declared", "bad byte", "utf-8 declared as utf-16"]))
    if how in ("utf-16", "utf-16-le", "utf-32"):
        data = data.decode("utf-8", "replace").encode(how)
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "latin-1 declared":
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
        data = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + body.replace(b"Lima", "Lim\u00e3".encode())
    elif how == "bad byte":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\x00", b"\xed\xa0\x80"])) + data[at:]
    else:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
        data = b'<?xml version="1.0" encoding="UTF-16"?>' + body
    parts[name] = data
    return f"{name} {how}"


@st.composite
def stray_cell(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    if hostile.SHEET_PART not in parts:
        return "nothing"
    ref, kind, value = draw(REFS), draw(CELL_TYPES), draw(NASTY)
    row = draw(st.one_of(st.just(re.sub(r"\D", "", ref)), st.integers(0, 2**33).map(str)))
    body = f"<is><t>{value}</t></is>" if kind == "inlineStr" else f"<v>{value}</v>"
    kind_attribute = f' t="{kind}"' if kind else ""
    cell = f'<row r="{row}"><c r="{ref}"{kind_attribute}>{body}</c></row>'.encode()
    xml = parts[hostile.SHEET_PART]
    places = [m.start() for m in re.finditer(rb"<row |</sheetData>", xml)]
    if not places:
        return "nothing"
    at = draw(st.sampled_from(places))
    parts[hostile.SHEET_PART] = xml[:at] + cell + xml[at:]
    return f"cell {cell!r}"


@st.composite
def changed_element(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    picked = _pick(draw, parts, _ELEMENT)
    if picked is None:
        return "nothing"
    (name, match), how = picked, draw(st.sampled_from(["drop", "double", "cut"]))
    data = parts[name]
    if how == "drop":
        data = data[: match.start()] + data[match.end() :]
    elif how == "double":
        data = data[: match.end()] + match[0] + data[match.end() :]
    else:
        data = data[: draw(st.integers(0, len(data)))]
    parts[name] = data
    return f"{name}: {how} {match[0][:60]!r}"


@st.composite
def entities(draw: st.DrawFn, parts: dict[str, bytes]) -> str:
    """A DOCTYPE with nested entities (billion laughs) or an external one (XXE) in a part."""
    name = draw(st.sampled_from([hostile.SHEET_PART, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]))
    data = re.sub(rb"^<\?xml[^>]*\?>", b"", parts.get(name, b"").lstrip())
    root = re.match(rb"\s*<([\w:]+)", data)
    if root is None:
        return "nothing"
    laughs = draw(st.booleans())
    if laughs:
        nested = "".join(f'<!ENTITY l{k} "{f"&l{k - 1};" * 10}">' for k in range(1, 10))
        doctype = f'<!DOCTYPE {root[1].decode()} [<!ENTITY l0 "lol">{nested}]>'
        use = "&l9;"
    else:
        doctype = f'<!DOCTYPE {root[1].decode()} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        use = "&x;"
    data = doctype.encode() + data
    if name == hostile.SHEET_PART:
        data = data.replace(b"<t>Ana0</t>", f"<t>{use}</t>".encode())
    parts[name] = data
    return f"{name}: {'entity expansion' if laughs else 'external entity'}"


MUTATIONS: list[Callable[[dict[str, bytes]], st.SearchStrategy[str]]] = [
    changed_attribute, huge_dimension, missing_part, shared_string_index, odd_encoding, stray_cell,
    changed_element, entities,
]  # fmt: skip


@st.composite
def mutated_package(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid zip whose parts were changed by one to three structured mutations."""
    base = draw(st.sampled_from(sorted(workbooks())))
    parts = dict(workbooks()[base])
    done = [draw(draw(st.sampled_from(MUTATIONS))(parts)) for _ in range(draw(st.integers(1, 3)))]
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    return packed(parts, method), f"{base}: {'; '.join(done)}"


@st.composite
def damaged_zip(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid workbook's bytes flipped (often in the zip's own headers), cut short or spliced."""
    base = draw(st.sampled_from(sorted(workbooks())))
    stored = draw(st.booleans())
    data = bytearray(packed(workbooks()[base], zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED))
    how = draw(st.sampled_from(["header", "anywhere", "truncate", "splice"]))
    if how == "header":  # local file headers, central directory entries, end record
        starts = [m.start() for m in re.finditer(rb"PK\x03\x04|PK\x01\x02|PK\x05\x06", data)]
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.sampled_from(starts)) + draw(st.integers(4, 45))
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    elif how == "anywhere":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    elif how == "truncate":
        del data[draw(st.integers(0, len(data) - 1)) :]
    else:
        at, length = draw(st.integers(0, len(data))), draw(st.integers(0, 64))
        data[at : at + length] = draw(st.binary(max_size=64))
    return bytes(data), f"{base} ({'stored' if stored else 'deflated'}): {how}"


# -- mutations of a CSV file ----------------------------------------------------------------------


@st.composite
def mutated_csv(draw: st.DrawFn) -> tuple[bytes, str]:
    """The contacts CSV with bad bytes, quotes, huge fields, NULs, mixed line endings, other encodings."""
    text, done = CSV_TEXT, []
    for _ in range(draw(st.integers(1, 4))):
        how = draw(
            st.sampled_from(["quote", "huge field", "nul", "line endings", "delimiter", "cell", "truncate", "encoding", "bytes"])
        )
        at = draw(st.integers(0, len(text)))
        if how == "quote":
            text = text[:at] + draw(st.sampled_from(['"', '""', '"\n', '\n"', ',"'])) + text[at:]
        elif how == "huge field":
            size = draw(st.sampled_from([1000, 131_071, 131_072, 131_073, 400_000]))
            field = "x" * size if draw(st.booleans()) else '"' + "y\n" * (size // 2) + '"'
            text = text[:at] + field + text[at:]
        elif how == "nul":
            text = text[:at] + "\x00" * draw(st.integers(1, 3)) + text[at:]
        elif how == "line endings":
            text = re.sub("\r?\n", lambda _: draw(st.sampled_from(["\r", "\r\n", "\n", "\n\r", "\u2028"])), text)
        elif how == "delimiter":
            text = text.replace(",", draw(st.sampled_from([";", "\t", "|", ",,"])), draw(st.integers(1, 30)))
        elif how == "cell":
            text = text[:at] + draw(st.one_of(NASTY, st.sampled_from(["=HYPERLINK(\"x\")", "\x1b[31m", "2026-13-45", "1e999"]))) + text[at:]
        elif how == "truncate":
            text = text[:at]
        done.append(how)
    raw = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])), errors="replace")
    if "encoding" in done or draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw, ", ".join(done)


# -- running the CLI and judging the answer ---------------------------------------------------------


def run_main(*argv: str) -> tuple[int, str, str]:
    """``sheetkit ARGV`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--as-of", "2026-11-21"])
    return code, out.getvalue(), err.getvalue()


def judge(command: str, path: Path, before: bytes, code: int, out: str, err: str) -> None:
    """0 or 1 for a file that was read; 2 with one clean line, the file unchanged and nothing beside it."""
    said = f"{command} exited {code}; stderr: {err[-1500:]!r}"
    assert code in (0, 1, 2), said
    for never in ("Traceback", "unexpected error", "panicked"):
        assert never not in err + out, said
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sheetkit: error: "), said
    if code == 2 or command == "validate":
        assert path.read_bytes() == before, said
        assert [p.name for p in path.parent.iterdir()] == [path.name], said


def fuzz(data: bytes, suffix: str, run: Callable[[str, Path], tuple[int, str, str]]) -> None:
    """Validate then refresh ``data`` saved as contacts``suffix`` in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "work").mkdir()
        path = Path(folder, "work", f"contacts{suffix}")
        path.write_bytes(data)
        for command in ("validate", "refresh"):
            before = path.read_bytes()
            judge(command, path, before, *run(command, path))


def in_process(command: str, path: Path) -> tuple[int, str, str]:
    return run_main(command, str(path))


@fuzz_settings(100)
@given(mutated_package())
def test_workbooks_with_changed_parts(case: tuple[bytes, str]) -> None:
    fuzz(case[0], ".xlsx", in_process)


@fuzz_settings(40)
@given(damaged_zip())
def test_workbooks_with_damaged_zips(case: tuple[bytes, str]) -> None:
    fuzz(case[0], ".xlsx", in_process)


@fuzz_settings(50)
@given(mutated_csv())
def test_damaged_csv_files(case: tuple[bytes, str]) -> None:
    fuzz(case[0], ".csv", in_process)


@pytest.mark.parametrize("kind", ["changed parts", "damaged zip", "csv"])
@fuzz_settings(1)
@given(data=st.data())
def test_the_real_program_stays_within_its_memory(kind: str, data: st.DataObject) -> None:
    """One file of each kind through ``python -m sheetkit`` capped at 1 GiB: never killed, same answers."""
    strategy = {"changed parts": mutated_package(), "damaged zip": damaged_zip(), "csv": mutated_csv()}[kind]
    case = data.draw(strategy)
    suffix = ".csv" if kind == "csv" else ".xlsx"

    def child(command: str, path: Path) -> tuple[int, str, str]:
        result = sheetkit_cli(command, str(path), tmp=path.parent.parent / "tmp")
        return result.returncode, result.stdout, result.stderr

    fuzz(case[0], suffix, child)


# -- what the fuzzer found, pinned ----------------------------------------------------------------


def one_line_refusal(command: str, path: Path, *needles: str) -> None:
    """``sheetkit COMMAND PATH`` refuses in one line naming ``needles``, the file left as it was."""
    before = path.read_bytes()
    code, out, err = run_main(command, str(path))
    judge(command, path, before, code, out, err)
    assert code == 2, err
    for needle in needles:
        assert needle in err, err


def test_a_relationships_part_that_is_not_xml_is_named(tmp_path: Path) -> None:
    """Was "unexpected error (ParseError ...)": sheetkit parses _rels/.rels before anything else."""
    parts = dict(workbooks()["inline"])
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b'Id="rId1"', b'Id="\x1f"')
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(packed(parts))
    for command in ("validate", "refresh"):
        one_line_refusal(command, path, "contacts.xlsx is damaged", "its part _rels/.rels is not well-formed XML")


def test_a_part_named_by_a_relationship_but_missing_is_named(tmp_path: Path) -> None:
    """Was "unexpected error (KeyError ...)" from refresh: the package editor reads the styles part.
    Now handled (issue 15): the dates written need a format, so the workbook gets a styles part."""
    parts = dict(workbooks()["inline"])
    del parts["xl/styles.xml"]
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(packed(parts))
    assert run_main("validate", str(path))[0] == 0  # calamine needs no styles to read values
    code, _, err = run_main("refresh", str(path))
    assert code == 0, err
    with zipfile.ZipFile(path) as package:
        assert "xl/styles.xml" in package.namelist()
        assert "styles.xml" in package.read("xl/_rels/workbook.xml.rels").decode()


def test_a_broken_deflate_stream_is_named(tmp_path: Path) -> None:
    """Was "unexpected error (error: Error -3 while decompressing data ...)": zlib's own error type."""
    data = bytearray(packed(workbooks()["inline"]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo(hostile.SHEET_PART)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start] = 0xFF  # a reserved block type: the stream is invalid from its first bit
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(bytes(data))
    for command in ("validate", "refresh"):
        one_line_refusal(command, path, f"zip member {hostile.SHEET_PART}: its deflate stream is broken")


def test_a_csv_with_classic_mac_line_endings_is_read_and_keeps_them(tmp_path: Path) -> None:
    """Was "unexpected error (Error: new-line character seen in unquoted field ...)" for CR-only lines."""
    path = tmp_path / "contacts.csv"
    path.write_bytes(CSV_TEXT.replace("\n", "\r").encode())
    code, _, err = run_main("refresh", str(path))
    assert code == 0, err
    text = path.read_bytes().decode()
    assert "\n" not in text and text.count("\r") == 4
    assert text.split("\r")[0] == CSV_HEADER + ",Days Since Contact,Non-Responsive,Next Check-In"
    assert text.split("\r")[1].startswith("Ángel,Lima,angel@example.com,Contacted,2026-11-01,1,20,")


def test_a_zip_member_needing_a_newer_zip_version_is_named(tmp_path: Path) -> None:
    """Was "unexpected error (NotImplementedError: zip file version 6.4)": zipfile refuses to list it."""
    data = bytearray(packed(workbooks()["inline"]))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6 : entry + 8] = (64).to_bytes(2, "little")  # version needed to extract: 6.4
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(bytes(data))
    for command in ("validate", "refresh"):
        one_line_refusal(command, path, "contacts.xlsx uses a zip feature sheetkit cannot read (zip file version 6.4)")


def test_an_error_of_several_lines_is_said_in_one(tmp_path: Path) -> None:
    """openpyxl's "Unable to read workbook" spans three lines; the CLI says it in one.

    Row 1 given twice: calamine reads the sheet, the package editor will not edit it, and openpyxl
    (the fallback) cannot load it.
    """
    parts = dict(workbooks()["inline"])
    parts[hostile.SHEET_PART] = parts[hostile.SHEET_PART].replace(
        b"<row ", b'<row r="1"><c r="A1" t="d"><v>0</v></c></row><row ', 1
    )
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(packed(parts))
    before = path.read_bytes()
    code, out, err = run_main("refresh", str(path), "--engine", "auto")  # the package editor falls back
    judge("refresh", path, before, code, out, err)
    assert code == 2, err
    for needle in ("openpyxl cannot read it", "Unable to read workbook", "invalid XML"):
        assert needle in err, err
    one_line_refusal("refresh", path, "without losing data", "--engine openpyxl")  # the default: no fallback


@pytest.mark.parametrize("part", [hostile.SHEET_PART, "xl/workbook.xml", "xl/styles.xml"])
def test_an_external_entity_is_never_resolved(tmp_path: Path, part: str) -> None:
    """XXE: a part declaring <!ENTITY x SYSTEM "file://..."> and using it never shows that file's content."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    parts = dict(workbooks()["inline"])
    xml = re.sub(rb"^<\?xml[^>]*\?>", b"", parts[part].lstrip())
    root = re.match(rb"<([\w:]+)", xml)
    assert root is not None
    xml = f'<!DOCTYPE {root[1].decode()} [<!ENTITY x SYSTEM "file://{secret}">]>'.encode() + xml
    use = {hostile.SHEET_PART: (b"<t>Ana0</t>", b"<t>&x;</t>"), "xl/workbook.xml": (b'name="Contacts"', b'name="&x;"')}
    parts[part] = xml.replace(*use.get(part, (b'<name val="Calibri"', b'<name val="&x;"')))
    book = tmp_path / "book"
    book.mkdir()
    path = book / "contacts.xlsx"
    path.write_bytes(packed(parts))
    for args in (["validate", "--format", "json"], ["refresh"], ["refresh", "--engine", "openpyxl"]):
        before = path.read_bytes()
        code, out, err = run_main(args[0], str(path), *args[1:])
        judge(args[0], path, before, code, out, err)
        assert "TOPSECRET" not in out + err
        with zipfile.ZipFile(path) as package:
            assert not [name for name in package.namelist() if b"TOPSECRET" in package.read(name)]
