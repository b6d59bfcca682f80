"""Sheet aids in .xlsx (issue 16): the Status dropdown, row highlights and problem notes, by package edit.

Real workbooks built with openpyxl (and, in the interop tests, saved by LibreOffice) are refreshed
with aids, read back with openpyxl and LibreOffice, refreshed again (nothing written), fixed (the
note goes) and refreshed with --no-aids (sheetkit's own aids go, the user's stay).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import AS_OF, WorkbookFactory, contact
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

import sheetkit

BAD_EMAIL = "bo@"
RELS_NS = b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def rows() -> list[dict[str, object]]:
    return [
        contact(),  # contacted 2026-11-01, +3 days: overdue
        contact(Email=BAD_EMAIL, **{"Last Contacted": dt.datetime(2026, 11, 18)}),  # due 11-21: today
        contact(Email="cy@example.com", **{"Last Contacted": "next tuesday"}),
        contact(Email="di@example.com", Status="Ghosted", **{"Follow-ups": 4}),  # non-responsive
    ]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def with_own_aids(path: Path, validated: str, listed: str, comments: dict[str, str]) -> None:
    """The user's own dropdown, a conditional format on K (Follow-ups) and comments, saved by openpyxl."""
    book = openpyxl.load_workbook(path)
    ws = book["Contacts"]
    own = DataValidation(type="list", formula1=listed, allow_blank=True)
    own.add(validated)
    ws.add_data_validation(own)
    ws.conditional_formatting.add("K2:K40", FormulaRule(formula=["$K2>3"], fill=PatternFill("solid", bgColor="FF0000")))
    for ref, text in comments.items():
        ws[ref].comment = Comment(text, "Robin")
    book.save(path)


def aids_of(path: Path, sheet: str = "Contacts") -> dict[str, object]:
    """What openpyxl reads back: validations, conditional formats, comments."""
    ws = openpyxl.load_workbook(path)[sheet]
    validations = [
        (dv.type, str(dv.sqref), dv.formula1, dv.errorStyle, dv.promptTitle)
        for dv in ws.data_validations.dataValidation
    ]
    formats = [
        (str(rng.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb if rule.dxf is not None and rule.dxf.fill else None)
        for rng, rules in ws.conditional_formatting._cf_rules.items()
        for rule in rules
    ]
    notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None}
    return {"validations": validations, "formats": formats, "notes": notes}


def test_refresh_adds_the_three_aids_and_keeps_every_other_part(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    plain = path.with_name("plain.xlsx")
    shutil.copyfile(path, plain)  # the same bytes (openpyxl stamps the time it saved at)
    result = sheetkit.refresh(path, as_of=AS_OF, aids=True)
    sheetkit.refresh(plain, as_of=AS_OF)
    assert result.aids is not None and result.aids.changed
    found = aids_of(path)
    status = (
        '"New,Contacted,Engaged,Not this role,Not looking,Keep warm,Placed,Wrong contact,Non-responsive,Do not contact"'
    )
    assert found["validations"] == [("list", "I2:I5", status, "warning", "sheetkit: Status")]
    formats = found["formats"]
    assert [f[0] for f in formats] == ["A2:R5"] * 3  # the table and its three computed columns P:R
    assert formats[0][1] == 'AND(ISNUMBER($R2),$R2<TODAY(),N("sheetkit: overdue")=0)'
    assert formats[1][1] == 'AND(ISNUMBER($R2),$R2=TODAY(),N("sheetkit: due today")=0)'
    assert formats[2][1] == 'AND($Q2=TRUE,N("sheetkit: non-responsive")=0)'
    assert len({f[2] for f in formats}) == 3  # three distinguishable fills
    notes = found["notes"]
    assert set(notes) == {"C3", "J4"}
    assert notes["C3"] == "sheetkit: 'bo@' is not an email address: there must be something after the @-sign (expected name@example.com)"
    assert notes["J4"].startswith("sheetkit: 'next tuesday'")
    # everything but the parts the aids live in is byte for byte what the plain refresh wrote
    with_aids, without = members(path), members(plain)
    changed = {n for n in without if with_aids.get(n) != without[n]}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/styles.xml", "[Content_Types].xml"}
    added = set(with_aids) - set(without)
    assert added == {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet1.xml.rels"}
    sheet, plain_sheet = with_aids["xl/worksheets/sheet1.xml"], without["xl/worksheets/sheet1.xml"]
    end = plain_sheet.index(b"</sheetData>")
    assert sheet.replace(RELS_NS, b"")[:end] == plain_sheet[:end]


def test_elements_follow_excels_order_and_shape_ids_are_unique(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    parts = members(path)
    tail = parts["xl/worksheets/sheet1.xml"].decode().split("</sheetData>")[1]
    order = [
        tail.index(tag) for tag in ("<conditionalFormatting", "<dataValidations", "<pageMargins", "<legacyDrawing")
    ]
    assert order == sorted(order)
    vml = parts["xl/drawings/vmlDrawing1.vml"].decode()
    ids = [part.split('"')[0] for part in vml.split('id="_x0000_s')[1:]]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert vml.count('ObjectType="Note"') == 2
    assert b'Extension="vml"' in parts["[Content_Types].xml"]
    assert b'PartName="/xl/comments1.xml"' in parts["[Content_Types].xml"]


def test_second_refresh_writes_nothing(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    before, stamp = path.read_bytes(), path.stat().st_mtime_ns
    again = sheetkit.refresh(path, as_of=AS_OF, aids=True)
    assert again.written is None and again.aids is not None and not again.aids.changed
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stamp
    assert "already in place" in again.summary()


def test_a_fixed_cell_loses_its_note_and_only_that(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    book = openpyxl.load_workbook(path)
    book["Contacts"]["C3"] = "bo@example.com"  # the recruiter fixes the email (openpyxl keeps the comments)
    book.save(path)
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    notes = aids_of(path)["notes"]
    assert set(notes) == {"J4"}
    parts = members(path)
    (vml,) = [parts[n].decode() for n in parts if n.endswith(".vml")]  # openpyxl named it anew
    assert vml.count('ObjectType="Note"') == 1


def test_users_own_dropdown_formats_and_comments_are_kept(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    with_own_aids(path, "I2:I40", '"Hot,Cold"', {"C3": "check with Sam", "A2": "met at the meetup"})  # C3: a problem
    result = sheetkit.refresh(path, as_of=AS_OF, aids=True)
    assert result.aids is not None
    assert any("your own validation" in n and "I2:I5" in n for n in result.aids.notices)
    assert any("C3" in n and "your own comment" in n for n in result.aids.notices)
    found = aids_of(path)
    assert found["validations"] == [("list", "I2:I40", '"Hot,Cold"', None, None)]
    assert ("K2:K40", "$K2>3", "00FF0000") in found["formats"] and len(found["formats"]) == 4
    assert found["notes"]["C3"] == "check with Sam" and found["notes"]["A2"] == "met at the meetup"
    assert found["notes"]["J4"].startswith("sheetkit: ")
    second = path.read_bytes()
    assert sheetkit.refresh(path, as_of=AS_OF, aids=True).written is None and path.read_bytes() == second
    # --no-aids: sheetkit's own go, the user's stay exactly
    removed = sheetkit.refresh(path, as_of=AS_OF, aids=False)
    assert removed.aids is not None and removed.aids.changed
    found = aids_of(path)
    assert found["validations"] == [("list", "I2:I40", '"Hot,Cold"', None, None)]
    assert [f[:2] for f in found["formats"]] == [("K2:K40", "$K2>3")]
    assert found["notes"] == {"C3": "check with Sam", "A2": "met at the meetup"}
    assert b"sheetkit" not in members(path)["xl/comments/comment1.xml"]


def test_no_aids_restores_the_plain_refresh(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    plain = path.with_name("plain.xlsx")
    shutil.copyfile(path, plain)  # the same bytes (openpyxl stamps the time it saved at)
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    sheetkit.refresh(path, as_of=AS_OF, aids=False)
    sheetkit.refresh(plain, as_of=AS_OF)
    after, expected = members(path), members(plain)
    assert set(after) == set(expected)
    assert after["xl/worksheets/sheet1.xml"].replace(RELS_NS, b"") == expected["xl/worksheets/sheet1.xml"]
    assert after["[Content_Types].xml"] == expected["[Content_Types].xml"]
    assert {n for n in expected if after[n] != expected[n]} <= {"xl/worksheets/sheet1.xml", "xl/styles.xml"}
    # a refresh that does not mention aids leaves them as they are
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    kept = path.read_bytes()
    assert sheetkit.refresh(path, as_of=AS_OF).written is None and path.read_bytes() == kept


def test_the_schema_chooses_aids_and_labels(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from sheetkit.core.schema_file import _bundled_schema_path

    bundled = _bundled_schema_path("recruiter_contacts")
    assert bundled is not None
    text = bundled.read_text(encoding="utf-8").replace("name: recruiter_contacts", "name: mine", 1)
    text = text.replace("  new:\n", "  new:\n    label: To do\n", 1) + "\naids: [dropdown]\n"
    schema = tmp_path / "mine.yaml"
    schema.write_text(text, encoding="utf-8")
    path = make_workbook([contact(Status="To do"), contact(Email=BAD_EMAIL)])
    result = sheetkit.refresh(path, schema=schema, as_of=AS_OF)
    assert result.report.errors and all(p.field != "status" for p in result.report.problems)  # "To do" is new
    found = aids_of(path)
    assert found["validations"][0][2].startswith('"To do,Contacted,')
    assert found["formats"] == [] and found["notes"] == {}


def test_cli_aids_and_no_aids(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "sheetkit", "refresh", str(path), "--as-of", AS_OF.isoformat(), *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    added = run("--aids", "--format", "json")
    assert added.returncode == 1, added.stderr  # the sheet has problems
    assert json.loads(added.stdout)["aids"] == {
        "kinds": ["dropdown", "highlights", "notes"],
        "changed": True,
        "notices": [],
    }
    assert "already in place" in run("--aids").stdout
    removed = run("--no-aids")
    assert "Sheet aids (none (sheetkit's own removed)): updated." in removed.stdout
    assert aids_of(path) == {"validations": [], "formats": [], "notes": {}}
    both = run("--aids", "--no-aids")
    assert both.returncode == 2 and "Traceback" not in both.stderr


@pytest.mark.interop
def test_libreoffice_reads_the_aids_back(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from soffice import resave_with_libreoffice

    path = make_workbook(rows())
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    found = aids_of(resave_with_libreoffice(path, tmp_path / "lo"))
    assert [v[1:4] for v in found["validations"]] == [
        ("I2:I5", aids_of(path)["validations"][0][2], "warning")  # type: ignore[index]
    ]
    assert [f[2] for f in found["formats"]] == ["FFF4A582", "FFFEE08B", "FF92C5DE"]
    assert all('N("sheetkit: ' in f[1] for f in found["formats"])
    assert set(found["notes"]) == {"C3", "J4"} and all(n.startswith("sheetkit: ") for n in found["notes"].values())


@pytest.mark.interop
def test_a_libreoffice_saved_workbook_with_its_own_aids(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from soffice import resave_with_libreoffice

    built = make_workbook(rows())
    with_own_aids(built, "N2:N40", '"Yes,No"', {"A2": "met at the meetup"})
    path = resave_with_libreoffice(built, tmp_path / "lo")
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    found = aids_of(path)
    assert len(found["validations"]) == 2 and len(found["formats"]) == 4
    assert found["notes"]["A2"] == "met at the meetup" and set(found["notes"]) == {"A2", "C3", "J4"}
    stamp = path.stat().st_mtime_ns
    assert sheetkit.refresh(path, as_of=AS_OF, aids=True).written is None and path.stat().st_mtime_ns == stamp
    again = aids_of(resave_with_libreoffice(path, tmp_path / "lo2"))
    assert set(again["notes"]) == {"A2", "C3", "J4"} and len(again["formats"]) == 4
    sheetkit.refresh(path, as_of=AS_OF, aids=False)
    found = aids_of(path)
    assert [v[1] for v in found["validations"]] == ["N2:N40"]
    assert [f[1] for f in found["formats"]] == ["$K2>3"] and found["notes"] == {"A2": "met at the meetup"}


def test_a_config_source_keeps_aids_and_mistakes_are_named(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from sheetkit.config import load_config
    from sheetkit.errors import ConfigError

    path = make_workbook(rows())
    config = tmp_path / "sheetkit.toml"
    config.write_text(f'[sheetkit]\n[[sheetkit.sources]]\npath = "{path.name}"\naids = ["notes"]\n', encoding="utf-8")
    assert load_config(config).sources[0].aids == ("notes",)
    command = [sys.executable, "-m", "sheetkit", "refresh", "--config", str(config), "--as-of", AS_OF.isoformat()]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    found = aids_of(path)
    assert set(found["notes"]) == {"C3", "J4"} and found["validations"] == [] and found["formats"] == []
    config.write_text(f'[sheetkit]\n[[sheetkit.sources]]\npath = "{path.name}"\naids = ["colours"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.aids must be true, false or a list of: dropdown"):
        load_config(config)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("aids: [dropdown, colours]\n", "unknown aid 'colours'"),
        ("aids: sometimes\n", "expected a list"),
    ],
)
def test_schema_aids_mistakes_are_named(extra: str, message: str) -> None:
    from sheetkit.core.schema_file import _bundled_schema_path, parse_schema
    from sheetkit.errors import SchemaFileError

    bundled = _bundled_schema_path("recruiter_contacts")
    assert bundled is not None
    with pytest.raises(SchemaFileError, match=message):
        parse_schema(bundled.read_text(encoding="utf-8") + extra, path="mine.yaml")


def test_a_label_another_status_spells_is_refused() -> None:
    from sheetkit.core.schema_file import _bundled_schema_path, parse_schema
    from sheetkit.errors import SchemaFileError

    bundled = _bundled_schema_path("recruiter_contacts")
    assert bundled is not None
    text = bundled.read_text(encoding="utf-8").replace("  placed:\n", "  placed:\n    label: Hired\n", 1)
    assert parse_schema(text).statuses["placed"].display == "Hired"
    text = text.replace("    label: Hired\n", "    label: Ghosted\n", 1)
    with pytest.raises(SchemaFileError, match="'Ghosted' is used by both"):
        parse_schema(text)


def test_unknown_aid_names_from_python_are_a_usage_error(make_workbook: WorkbookFactory) -> None:
    from sheetkit.errors import UsageError

    path = make_workbook(rows())
    before = path.read_bytes()
    with pytest.raises(UsageError, match="unknown aid 'colours'"):
        sheetkit.refresh(path, as_of=AS_OF, aids=["colours"])
    assert path.read_bytes() == before


def test_aids_after_the_openpyxl_engine_and_into_an_output_copy(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    path = make_workbook(rows())
    before = path.read_bytes()
    copy = tmp_path / "out" / "refreshed.xlsx"
    copy.parent.mkdir()
    result = sheetkit.refresh(path, as_of=AS_OF, aids=True, output=copy, engine="openpyxl")
    assert result.engine == "openpyxl" and result.aids is not None and result.aids.changed
    assert path.read_bytes() == before  # the source is left alone
    found = aids_of(copy)
    assert len(found["validations"]) == 1 and len(found["formats"]) == 3 and set(found["notes"]) == {"C3", "J4"}


def test_dry_run_with_aids_writes_nothing_and_says_what_would_change(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(rows())
    before = path.read_bytes()
    result = sheetkit.refresh(path, as_of=AS_OF, aids=True, dry_run=True)
    assert path.read_bytes() == before and list(path.parent.iterdir()) == [path]  # no copy left beside it
    assert result.aids is not None and result.aids.changed and result.aids.dry_run
    assert "Sheet aids (dropdown, highlights, notes): would be updated." in result.summary()
    sheetkit.refresh(path, as_of=AS_OF, aids=True)
    again = sheetkit.refresh(path, as_of=AS_OF, aids=True, dry_run=True)
    assert again.aids is not None and not again.aids.changed
    assert "Sheet aids (dropdown, highlights, notes): already in place." in again.summary()
    removal = sheetkit.refresh(path, as_of=AS_OF, aids=False, dry_run=True)
    assert removal.aids is not None and removal.aids.changed  # sheetkit's own would be removed
    assert aids_of(path)["formats"]  # and still are there


def test_an_output_copy_with_aids_is_not_rewritten_when_nothing_changed(
    make_workbook: WorkbookFactory, tmp_path: Path
) -> None:
    path = make_workbook(rows())
    copy = tmp_path / "refreshed.xlsx"
    sheetkit.refresh(path, as_of=AS_OF, aids=True, output=copy)
    before, stamp = copy.read_bytes(), copy.stat().st_mtime_ns
    again = sheetkit.refresh(path, as_of=AS_OF, aids=True, output=copy)
    assert again.engine == "unchanged" and copy.read_bytes() == before and copy.stat().st_mtime_ns == stamp
    assert again.aids is not None and not again.aids.changed


def excel_like(path: Path, prefix: str = "") -> Path:
    """A hand-written package as Excel writes one: no dxfs in styles.xml, no relationships for the sheet."""
    from xlsx_factory import raw_workbook, sheet_xml

    shared = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Ana", "bo@", "Contacted"]
    p = f"{prefix}:" if prefix else ""
    cells = "".join(f'<{p}c r="{c}1" t="s"><{p}v>{i}</{p}v></{p}c>' for i, c in enumerate("ABCDE"))
    data = (
        f'<{p}c r="A2" t="s"><{p}v>5</{p}v></{p}c><{p}c r="B2" t="s"><{p}v>6</{p}v></{p}c>'
        f'<{p}c r="C2" t="s"><{p}v>7</{p}v></{p}c><{p}c r="D2"><{p}v>46327</{p}v></{p}c><{p}c r="E2"><{p}v>1</{p}v></{p}c>'
    )
    rows = f'<{p}row r="1">{cells}</{p}row><{p}row r="2">{data}</{p}row>'
    margins = f'<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    return raw_workbook(path, sheet_xml(rows, prefix=prefix, tail=margins), shared=shared)


def test_an_excel_written_package_gets_styles_relationships_and_parts_it_lacked(tmp_path: Path) -> None:
    path = excel_like(tmp_path / "excel.xlsx")
    result = sheetkit.refresh(path, as_of=AS_OF, aids=True)
    assert result.aids is not None and result.aids.changed
    parts = members(path)
    assert b'<dxfs count="3">' in parts["xl/styles.xml"]
    assert parts["xl/styles.xml"].index(b"<dxfs") > parts["xl/styles.xml"].index(b"</cellStyles>")
    assert b"comments" in parts["xl/worksheets/_rels/sheet1.xml.rels"]
    found = aids_of(path)
    assert found["notes"] == {"B2": "sheetkit: 'bo@' is not an email address: there must be something after the @-sign (expected name@example.com)"}
    assert [v[1] for v in found["validations"]] == ["C2"]
    assert len(found["formats"]) == 3
    stamp = path.stat().st_mtime_ns
    assert sheetkit.refresh(path, as_of=AS_OF, aids=True).written is None and path.stat().st_mtime_ns == stamp


def test_a_worksheet_the_package_editor_cannot_edit_is_refused_whole(tmp_path: Path) -> None:
    from sheetkit.core.aids import SheetAids
    from sheetkit.errors import PackageUnsupported
    from sheetkit.excel.aids_xml import apply_aids

    path = excel_like(tmp_path / "prefixed.xlsx", prefix="x")
    aids = SheetAids(frozenset({"notes"}), notes=(((2, 2), "sheetkit: bad"),))
    with pytest.raises(PackageUnsupported, match="prefixed"):
        apply_aids(path, tmp_path / "out.xlsx", "Contacts", aids)
    assert not (tmp_path / "out.xlsx").exists()


def test_notes_join_the_sheets_one_vml_drawing_and_leave_its_other_shapes(tmp_path: Path) -> None:
    """A sheet with a form control (a VML shape, no comments) keeps one VML drawing; the control stays."""
    from xlsx_factory import edit_zip

    path = excel_like(tmp_path / "controls.xlsx")
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    checkbox = (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>'
        '</o:shapelayout><v:shape id="_x0000_s1025" type="#_x0000_t201"><x:ClientData ObjectType="Checkbox">'
        "<x:Anchor>1, 0, 5, 0, 2, 0, 6, 0</x:Anchor></x:ClientData></v:shape></xml>"
    )

    def add_control(parts: dict[str, bytes]) -> None:
        parts["xl/drawings/vmlDrawing1.vml"] = checkbox.encode()
        parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/></Relationships>'
        ).encode()
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(
            "</worksheet>", '<legacyDrawing r:id="rId1"/></worksheet>'
        ).encode()
        types = parts["[Content_Types].xml"].decode()
        vml_type = '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
        parts["[Content_Types].xml"] = types.replace("</Types>", vml_type + "</Types>").encode()

    edit_zip(path, add_control)
    sheetkit.refresh(path, as_of=AS_OF, aids=["notes"])
    parts = members(path)
    assert [n for n in parts if n.endswith(".vml")] == ["xl/drawings/vmlDrawing1.vml"]
    vml = parts["xl/drawings/vmlDrawing1.vml"].decode()
    assert 'ObjectType="Checkbox"' in vml and vml.count('ObjectType="Note"') == 1
    assert "_x0000_s1026" in vml  # after the control's id, in its block
    assert parts["xl/worksheets/sheet1.xml"].count(b"<legacyDrawing") == 1
    assert aids_of(path)["notes"] == {"B2": "sheetkit: 'bo@' is not an email address: there must be something after the @-sign (expected name@example.com)"}
    sheetkit.refresh(path, as_of=AS_OF, aids=False)
    parts = members(path)
    vml = parts["xl/drawings/vmlDrawing1.vml"].decode()
    assert 'ObjectType="Checkbox"' in vml and 'ObjectType="Note"' not in vml
    assert not any("comments" in n for n in parts) and b"<legacyDrawing" in parts["xl/worksheets/sheet1.xml"]


def test_a_csv_gets_its_cells_and_a_plain_word_about_the_aids(tmp_path: Path) -> None:
    """A CSV cannot hold dropdowns, colours or notes: the refresh writes its cells and says so (it used to fail
    naming a temporary file as "damaged")."""
    path = tmp_path / "team.csv"
    path.write_text("First Name,Email,Status,Last Contacted,Follow-ups\nAna,ana@example.com,Contacted,2026-11-01,1\n")
    dry = sheetkit.refresh(path, as_of=AS_OF, aids=True, dry_run=True)
    assert dry.cells_changed > 0 and dry.aids is not None and dry.aids.not_kept and not dry.aids.changed
    assert "Sheet aids not kept: team.csv is not an .xlsx/.xlsm workbook" in dry.summary()
    out = tmp_path / "refreshed.csv"
    done = sheetkit.refresh(path, as_of=AS_OF, aids=True, output=out)
    assert done.written == out and "Next Check-In" in out.read_text().splitlines()[0]
    assert done.aids is not None and "refreshed.csv is not an .xlsx/.xlsm workbook" in done.summary()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refreshed.csv", "team.csv"]  # nothing left beside them
