"""sheetkit's own table of built-in number formats and date rule agree with openpyxl's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.styles import numbers as openpyxl_numbers

from sheetkit.excel.number_formats import BUILTIN_FORMATS, is_date_format

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "recruiter_contacts.xlsx"

SEEN = [
    "yyyy-mm-dd",
    "dd/mm/yyyy",
    '[$-409]mmmm d, yyyy;@',
    "[h]:mm:ss",
    "[Red]0.00",
    '"Days: "0',
    r"0\d",
    "_d0",
    "General",
    "0.00%;[Red]-0.00%",
    '#,##0 "kg";"due" d',  # only the first section counts
    "@",
    "",
    None,
]


def test_the_builtin_table_is_openpyxls() -> None:
    assert BUILTIN_FORMATS == openpyxl_numbers.BUILTIN_FORMATS


def test_formats_seen_in_workbooks_are_judged_as_openpyxl_judges_them() -> None:
    for code in [*SEEN, *BUILTIN_FORMATS.values()]:
        assert is_date_format(code) == openpyxl_numbers.is_date_format(code), code
    assert is_date_format("yyyy-mm-dd") and not is_date_format("[Red]0.00") and not is_date_format('"Days: "0')


@given(st.text(alphabet='dmyhsDMYHS0#.,;:"[]\\_-@ $%Red', max_size=20))
def test_any_format_code_is_judged_as_openpyxl_judges_it(code: str) -> None:
    assert is_date_format(code) == openpyxl_numbers.is_date_format(code)


def test_a_package_write_does_not_import_openpyxl(tmp_path: Path) -> None:
    """A refresh of the example, cells written by the package editor, in a fresh process."""
    out = tmp_path / "out.xlsx"
    code = (
        "import sys, sheetkit\n"
        f"result = sheetkit.refresh({str(EXAMPLE)!r}, as_of='2026-11-21', output={str(out)!r}, progress=False)\n"
        "print(result.engine, result.cells_changed > 0, 'openpyxl' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["package", "True", "False"] and out.exists()
