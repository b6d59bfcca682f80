"""Workbook parts are inflated by ISA-L where its wheel is installed (a dependency) and by zlib where
it is not; both read the same bytes and refuse the same broken streams."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sheetkit.excel import limits
from sheetkit.excel.limits import read_member

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
SHEET = "xl/worksheets/sheet1.xml"

READ_BOTH = """
import json, sys, zipfile
from sheetkit.errors import WorkbookFormatError
from sheetkit.excel import limits
good, broken = sys.argv[1:3]
with zipfile.ZipFile(good) as package:
    text = limits.read_member(package, sys.argv[3]).decode()
try:
    with zipfile.ZipFile(broken) as package:
        limits.read_member(package, sys.argv[3])
    refusal = None
except WorkbookFormatError as error:
    refusal = str(error)
print(json.dumps([limits.inflating.__name__, text, refusal]))
"""


def broken_copy(path: Path, member: str) -> Path:
    """The example with ``member``'s deflate stream broken from its first bit (a reserved block type)."""
    data = bytearray(EXAMPLE.read_bytes())
    with zipfile.ZipFile(EXAMPLE) as package:
        info = package.getinfo(member)
        assert info.compress_type == zipfile.ZIP_DEFLATED
    data[info.header_offset + 30 + len(info.filename) + len(info.extra)] = 0xFF
    path.write_bytes(bytes(data))
    return path


def test_isal_inflates_here_and_zlib_reads_the_same_without_it(tmp_path: Path) -> None:
    broken = broken_copy(tmp_path / "broken.xlsx", SHEET)
    with zipfile.ZipFile(EXAMPLE) as package:
        text = read_member(package, SHEET).decode()
    assert limits.inflating.__name__ == "isal.isal_zlib"
    runs = {}
    for name, block in (("isal", ""), ("zlib", "sys.modules['isal'] = None\n")):
        code = "import sys\n" + block + READ_BOTH
        done = subprocess.run(
            [sys.executable, "-c", code, str(EXAMPLE), str(broken), SHEET], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        runs[name] = json.loads(done.stdout)
    assert runs["isal"][0] == "isal.isal_zlib" and runs["zlib"][0] == "zlib"
    assert runs["isal"][1] == runs["zlib"][1] == text
    for name in runs:  # the same refusal; only the library's own words for the fault differ
        refusal = runs[name][2]
        assert f"(zip member {SHEET}: its deflate stream is broken: " in refusal, refusal
        assert refusal.startswith("broken.xlsx is damaged and cannot be read (")
        assert refusal.endswith("open it in Excel and save it again")


@pytest.mark.parametrize("without_isal", [False, True], ids=["isal", "zlib"])
def test_a_broken_member_the_refresh_copies_is_refused_and_nothing_is_written(
    tmp_path: Path, without_isal: bool
) -> None:
    """The Notes sheet is not read, only copied into the new file, checked as it goes: a broken
    stream there stops the write with one line naming it, and the workbook stays as it was."""
    member = "xl/worksheets/sheet2.xml"
    path = broken_copy(tmp_path / "contacts.xlsx", member)
    before = path.read_bytes()
    code = (
        ("import sys\nsys.modules['isal'] = None\n" if without_isal else "import sys\n")
        + "sys.argv = ['sheetkit', 'refresh', sys.argv[1], '--as-of', '2026-11-21', '--quiet']\n"
        + "from sheetkit.cli import console\nconsole()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(
        f"sheetkit: error: contacts.xlsx is damaged and cannot be written (zip member {member}: "
    )
    assert "its deflate stream is broken" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.xlsx"]  # no backup, no temporary left
