"""Hostile and mislabelled workbooks get one clear line and exit 2, in bounded memory, disk and time.

Each file is a few KB (tests/hostile.py builds them in milliseconds) and is run through the real
CLI in a child process whose address space is capped at 1 GiB and whose files cannot grow past
64 MiB: a reader that materialises a far-flung used range, inflates a zip bomb or writes
uncompressed copies of it is killed, and the test fails. Before these checks, each of these files
either aborted Python (a 512 GB allocation), ran past gigabytes, or ended in "unexpected error".
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sheetkit.errors import WorkbookFormatError
from sheetkit.excel.read import read_grid
from tests import hostile

MEMORY = 1 << 30
FILE_SIZE = 64 << 20


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))


def sheetkit_cli(*args: str, tmp: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m sheetkit ARGS`` with capped memory and file size, temporary files under ``tmp``,
    and Python's own warning filters (openpyxl's warnings would show)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    environment.update({"TMPDIR": str(tmp), **(env or {})})
    tmp.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *args, "--as-of", "2026-11-21"],
        capture_output=True, text=True, env=environment, preexec_fn=_limits, timeout=120,
    )  # fmt: skip


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, one line on stderr starting 'sheetkit: error:', containing every needle; no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sheetkit: error: "), result.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    for never in ("unexpected error", "Traceback", "Warning", "panicked"):
        assert never not in result.stderr + result.stdout
    return lines[0]


# -- 1. a used range absurd for its content --------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "dimension"),
    [("XFD1048576", True), ("XFD1048576", False), ("XFD20000", True), ("A1048576", True), ("ZZ60000", False)],
)
def test_a_stray_far_cell_is_refused_in_bounded_memory(tmp_path: Path, ref: str, dimension: bool) -> None:
    """One value at the far corner: calamine would build the whole grid (512 GB for XFD1048576).

    ``dimension`` False: the <dimension> element still says A1:F3, the cell is there anyway.
    """
    path = hostile.far_cell(tmp_path / "contacts.xlsx", ref, dimension=dimension)
    assert path.stat().st_size < 8000
    for command in ("validate", "refresh"):
        line = assert_one_line_refusal(
            sheetkit_cli(command, str(path), tmp=tmp_path / "tmp"), "contacts.xlsx", "sheet 'Contacts'", ref,
            f"delete the stray cell {ref}",
        )
        assert "only 19 cells hold values" in line
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_stray_cell_far_right_and_another_far_down_are_both_named(tmp_path: Path) -> None:
    def two_cells(xml: str) -> str:
        return xml.replace(
            "</sheetData>",
            '<row r="5"><c r="XFD5"><v>1</v></c></row><row r="900000"><c r="B900000"><v>2</v></c></row></sheetData>',
        )

    path = hostile.edit_sheet(tmp_path / "contacts.xlsx", two_cells)
    with pytest.raises(WorkbookFormatError, match=r"row 900,000 \(cell B900000\) and column XFD \(cell XFD5\)"):
        read_grid(path)


@pytest.mark.parametrize(
    ("why", "rows"),
    [
        ("cells without a reference, after a far row", '<row r="1048576"><c><v>1</v></c><c><v>2</v></c></row>'),
        ("a prefixed cell", '<row r="1048576"><x:c r="XFD1048576" xmlns:x="urn:x"><x:v>1</x:v></x:c></row>'),
        ("the reference not first", '<row r="1048576"><c t="n" r="XFD1048576"><v>1</v></c></row>'),
        ("a '>' inside an attribute", '<row r="1048576"><c s=">" r="XFD1048576"><v>1</v></c></row>'),
        ("a far row then cells counted from it", '<row r="1048575"/><row><c><v>1</v></c></row>'),
        ("lower-case letters", '<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'),
    ],
)
def test_far_cells_in_any_form_calamine_reads_are_found(tmp_path: Path, why: str, rows: str) -> None:
    """The forms the fast scan does not follow go to the full scan, which reads them as calamine does."""
    path = hostile.edit_sheet(tmp_path / "contacts.xlsx", lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    with pytest.raises(WorkbookFormatError, match="stray cell") as refused:
        read_grid(path)
    assert "1,048,576 rows" in str(refused.value), why


def test_a_reference_past_excels_grid_is_refused(tmp_path: Path) -> None:
    """calamine's 32-bit arithmetic would wrap AAAAAAA1 around; sheetkit counts it as it is."""
    far = '<row r="1"><c r="AAAAAAA1"><v>1</v></c></row>'
    path = hostile.edit_sheet(tmp_path / "contacts.xlsx", lambda xml: xml.replace("<sheetData>", "<sheetData>" + far))
    with pytest.raises(WorkbookFormatError, match="AAAAAAA1"):
        read_grid(path)


def test_styled_empty_cells_far_away_are_not_values(tmp_path: Path) -> None:
    """Formatting down to the last row (cells with a style and no value) is no used range to calamine."""
    styled = "".join(f'<row r="{r}"><c r="XFD{r}" s="1"/></row>' for r in range(100_000, 1_048_577, 50_000))
    path = hostile.edit_sheet(tmp_path / "contacts.xlsx", lambda xml: xml.replace("</sheetData>", styled + "</sheetData>"))
    grid = read_grid(path)
    assert len(grid.rows) == 3 and len(grid.rows[0]) == 6


def test_a_sheet_down_to_the_last_row_of_excel_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reaching row 1,048,576 is no crime: a real sheet that long reads, in two parts on two cores.

    The sparse floor is lowered so that the ratio rule (used range at most 8 x the cells with a
    value) is what lets it through, as for a 1,048,576 x 20 sheet with the default limits.
    """
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(4, 1_048_577))
    path = hostile.edit_sheet(tmp_path / "long.xlsx", lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    monkeypatch.setenv("SHEETKIT_SPARSE_CELLS", "1000")
    grid = read_grid(path)
    assert len(grid.rows) == 1_048_576 and grid.rows[-1][:2] == [1_048_576.0, 1.0]
    monkeypatch.setenv("SHEETKIT_MAX_EMPTY_RATIO", "0.5")  # the same sheet, judged too sparse
    with pytest.raises(WorkbookFormatError, match="past sheetkit's limits .*SHEETKIT_MAX_EMPTY_RATIO=0.5"):
        read_grid(path)


# -- 2. zip bombs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bomb", ["sheet", "shared strings", "sheet, 4.2 GB"])
def test_a_zip_bomb_is_refused_before_anything_inflates(tmp_path: Path, bomb: str) -> None:
    build = {
        "sheet": lambda path: hostile.sheet_bomb(path, 2048),
        "shared strings": lambda path: hostile.shared_strings_bomb(path, 2048),
        "sheet, 4.2 GB": lambda path: hostile.sheet_bomb(path, 4000),
    }[bomb]
    path = build(tmp_path / "contacts.xlsx")
    assert path.stat().st_size < 8 << 20
    for command in ("validate", "refresh"):
        assert_one_line_refusal(sheetkit_cli(command, str(path), tmp=tmp_path / "tmp"), "contacts.xlsx: zip member xl/")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_limits_come_from_the_environment(tmp_path: Path) -> None:
    path = hostile.contacts(tmp_path / "contacts.xlsx")
    result = sheetkit_cli("validate", str(path), tmp=tmp_path / "tmp", env={"SHEETKIT_MAX_PART_BYTES": "2000"})
    assert_one_line_refusal(result, "more than the 2,000-byte limit", "SHEETKIT_MAX_PART_BYTES")
    result = sheetkit_cli("validate", str(path), tmp=tmp_path / "tmp", env={"SHEETKIT_MAX_ZIP_RATIO": "lots"})
    assert_one_line_refusal(result, "SHEETKIT_MAX_ZIP_RATIO must be a positive number (got 'lots')")
    bomb = hostile.sheet_bomb(tmp_path / "bomb.xlsx", 40)
    assert_one_line_refusal(sheetkit_cli("validate", str(bomb), tmp=tmp_path / "tmp"), "zip bomb")
    allowed = sheetkit_cli("validate", str(bomb), tmp=tmp_path / "tmp", env={"SHEETKIT_MAX_ZIP_RATIO": "2000"})
    assert allowed.returncode == 0, allowed.stderr  # 40 MB of blank space between the rows: a valid sheet


def test_a_part_that_inflates_past_its_declared_size_is_refused(tmp_path: Path) -> None:
    """The header says 5,000 bytes (a harmless ratio); the deflate stream holds 200 MB."""
    path = hostile.sheet_bomb(tmp_path / "contacts.xlsx", 200, declared=5000)
    for command in ("validate", "refresh"):
        assert_one_line_refusal(
            sheetkit_cli(command, str(path), tmp=tmp_path / "tmp"), "inflates to more than the 5,000 bytes"
        )
    result = sheetkit_cli("refresh", str(path), "--engine", "openpyxl", tmp=tmp_path / "tmp")
    assert result.returncode == 2 and "unexpected error" not in result.stderr


def test_shared_strings_that_announce_a_trillion_strings_are_refused(tmp_path: Path) -> None:
    """calamine reserves room for <sst uniqueCount> strings up front: 10**12 aborted the process."""
    honest = hostile.shared_strings(tmp_path / "honest.xlsx")
    assert sheetkit_cli("validate", str(honest), tmp=tmp_path / "tmp").returncode == 0
    path = hostile.shared_strings(tmp_path / "contacts.xlsx", unique_count=10**12)
    assert_one_line_refusal(
        sheetkit_cli("validate", str(path), tmp=tmp_path / "tmp"), "announces 1,000,000,000,000 shared strings"
    )


# -- 3. ambiguous packages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda p: hostile.duplicate_member(p, "xl/worksheets/sheet1.xml"), "two zip members named 'xl/worksheets/sheet1.xml'"),
        (lambda p: hostile.duplicate_member(p, "xl/workbook.xml"), "two zip members named 'xl/workbook.xml'"),
    ],
    ids=["duplicate sheet", "duplicate workbook"],
)
def test_ambiguous_packages_are_refused_by_every_command(tmp_path: Path, build: object, needle: str) -> None:
    path = build(tmp_path / "contacts.xlsx")  # type: ignore[operator]
    before = path.read_bytes()
    for args in (["validate"], ["refresh"], ["refresh", "--engine", "openpyxl"]):
        assert_one_line_refusal(sheetkit_cli(args[0], str(path), *args[1:], tmp=tmp_path / "tmp"), needle)
    assert path.read_bytes() == before


def _case_twin(path: Path) -> Path:
    """``contacts`` plus xl/worksheets/Sheet1.xml, a case-only twin of the sheet with other names in it."""
    hostile.contacts(path)
    with zipfile.ZipFile(path) as package:
        members = [(info.filename, package.read(info)) for info in package.infolist()]
    twin = dict(members)["xl/worksheets/sheet1.xml"].replace(b"Ana", b"Zed")
    entries = []
    for member, data in [*members, ("xl/worksheets/Sheet1.xml", twin)]:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((member, packer.compress(data) + packer.flush(), len(data), zlib.crc32(data), zipfile.ZIP_DEFLATED))
    hostile.write_raw_zip(path, entries)
    return path


@pytest.mark.parametrize("build", [_case_twin, hostile.backslash_names], ids=["case twin", "backslashes"])
def test_case_twins_and_backslash_names_are_read_by_the_part_the_workbook_names(tmp_path: Path, build: object) -> None:
    """sheetkit finds parts by the exact name a relationship gives: the twin is never read, '\\' reads as '/';
    openpyxl, which may resolve them differently, is still refused."""
    path = build(tmp_path / "contacts.xlsx")  # type: ignore[operator]
    validated = sheetkit_cli("validate", str(path), tmp=tmp_path / "tmp")
    assert validated.returncode == 0 and "2 rows" in validated.stdout, validated.stderr
    assert [row[0] for row in read_grid(path).rows[1:]] == ["Ana0", "Ana1"]
    before = path.read_bytes()
    assert_one_line_refusal(sheetkit_cli("refresh", str(path), "--engine", "openpyxl", tmp=tmp_path / "tmp"))
    assert path.read_bytes() == before
    out = tmp_path / "out.xlsx"
    refreshed = sheetkit_cli("refresh", str(path), "--output", str(out), tmp=tmp_path / "tmp")
    assert refreshed.returncode == 0, refreshed.stderr
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
    assert "xl/worksheets/sheet1.xml" in names and "xl/worksheets/Sheet1.xml" not in names
    assert not any("\\" in name for name in names)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[1:]] == ["Ana0", "Ana1"] and len(rows[0]) > len(hostile.HEADERS)
    assert path.read_bytes() == before


# -- 4. mislabelled and unusual workbooks: a clear line, or success ---------------------------------------


def test_a_binary_workbook_with_an_xlsx_name_says_so(tmp_path: Path) -> None:
    path = hostile.binary_workbook(tmp_path / "contacts.xlsx")
    for command in ("validate", "refresh"):
        assert_one_line_refusal(
            sheetkit_cli(command, str(path), tmp=tmp_path / "tmp"), "binary Excel workbook (.xlsb)", "rename it to .xlsb"
        )


def test_a_strict_open_xml_workbook_reads_and_refresh_says_how_to_save_it(tmp_path: Path) -> None:
    path = hostile.strict_workbook(tmp_path / "contacts.xlsx")
    validated = sheetkit_cli("validate", str(path), tmp=tmp_path / "tmp")
    assert validated.returncode == 0 and "2 rows" in validated.stdout, validated.stderr
    before = path.read_bytes()
    for args in (["refresh"], ["refresh", "--engine", "openpyxl"]):
        assert_one_line_refusal(
            sheetkit_cli(*args, str(path), tmp=tmp_path / "tmp"), "Strict Open XML", "Excel Workbook (*.xlsx)"
        )
    assert path.read_bytes() == before


def test_the_openpyxl_engine_writes_a_workbook_without_calc_pr(tmp_path: Path) -> None:
    """About 1 real workbook in 11 has no <calcPr>: openpyxl's book.calculation is None then."""
    path = hostile.without_calc_pr(tmp_path / "contacts.xlsx")
    result = sheetkit_cli("refresh", str(path), "--engine", "openpyxl", tmp=tmp_path / "tmp")
    assert result.returncode == 0, result.stderr
    assert "via openpyxl" in result.stdout and result.stderr == ""
    with zipfile.ZipFile(path) as package:
        assert re.search(rb'<calcPr[^>]*fullCalcOnLoad="1"', package.read("xl/workbook.xml"))


def test_openpyxl_warnings_stay_out_of_the_terminal(tmp_path: Path) -> None:
    """openpyxl warns that it drops an Excel 2010 extension; the user sees sheetkit's output only."""
    path = hostile.with_extension(tmp_path / "contacts.xlsx")
    result = sheetkit_cli("refresh", str(path), "--engine", "openpyxl", tmp=tmp_path / "tmp")
    assert result.returncode == 0 and "via openpyxl" in result.stdout, result.stderr
    assert result.stderr == ""
    path = hostile.with_extension(tmp_path / "again.xlsx")  # with --verbose, they are in sheetkit's log
    verbose = sheetkit_cli("refresh", str(path), "--engine", "openpyxl", "--verbose", tmp=tmp_path / "tmp")
    assert "via openpyxl" in verbose.stdout, verbose.stderr
    assert "UserWarning" not in verbose.stderr and "extension is not supported" in verbose.stderr


# -- 5. the reader's copies -------------------------------------------------------------------------------

_KILLED_WHILE_PARSING = """
import os, signal, stat, sys
import python_calamine
from sheetkit.excel import parallel_read
from sheetkit.excel.read import read_grid

parallel_read.MIN_SHEET_BYTES = 0  # cut even this small sheet in two, as a big one is
parallel_read.usable_cores = lambda: 2
real = python_calamine.CalamineWorkbook

class Killed:
    @staticmethod
    def from_path(path, *args, **kwargs):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        folder = sorted(os.listdir(os.environ["TMPDIR"]))
        with open(sys.argv[2], "w") as report:
            report.write(f"{mode:o} {folder}")
        os.kill(os.getpid(), signal.SIGKILL)

    from_filelike = from_path

python_calamine.CalamineWorkbook = Killed
read_grid(__import__("pathlib").Path(sys.argv[1]))
"""


def test_a_reader_killed_mid_parse_leaves_nothing_behind(tmp_path: Path) -> None:
    """kill -9 while calamine parses: the copies of the user's data had no name and go with the process."""
    path = hostile.contacts(tmp_path / "contacts.xlsx", rows=200)
    tmp, report = tmp_path / "tmp", tmp_path / "report.txt"
    tmp.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_PARSING, str(path), str(report)],
        capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp)}, timeout=120,
    )  # fmt: skip
    assert result.returncode == -signal.SIGKILL, result.stderr
    mode, listing = report.read_text().split(" ", 1)
    assert mode == "600"  # readable by the user only, like the workbook's own folder should be
    assert listing == "[]"  # nothing named in the temporary folder even while parsing
    assert list(tmp.iterdir()) == []
