"""Workbook parts are inflated by ISA-L where its wheel is installed (a dependency) and by zlib where
it is not; both read the same bytes and refuse the same broken streams."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

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


def test_isal_inflates_here_and_zlib_reads_the_same_without_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    data = bytearray(EXAMPLE.read_bytes())
    with zipfile.ZipFile(EXAMPLE) as package:
        info = package.getinfo(SHEET)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        text = read_member(package, SHEET).decode()
    data[info.header_offset + 30 + len(info.filename) + len(info.extra)] = 0xFF  # a reserved block type
    broken.write_bytes(bytes(data))
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
