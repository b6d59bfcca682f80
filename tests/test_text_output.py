"""What sheetkit prints and writes for people cannot be turned against them by a cell's content.

CSV for people is safe to open in a spreadsheet (OWASP CSV injection); text output never passes
a cell's control characters to the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from conftest import AS_OF, WorkbookFactory, contact

from sheetkit.runtime.text import printable, spreadsheet_safe

ESC = "\x1b"
HOSTILE = {
    "First Name": "=HYPERLINK(\"http://evil.example\",\"click\")",
    "Last Name": "+cmd|' /C calc'!A0",
    "Owner": "@SUM(1)",
    "Desired Title": "-2+3 Data Engineer",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sheetkit", *args], capture_output=True, text=True, timeout=120)


def csv_source(tmp_path: Path, **cells: str) -> Path:
    """A one-person CSV (openpyxl would store "=..." as a formula and refuses control characters)."""
    person = contact(**cells)
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(person))
        writer.writerow(["2026-11-01" if k == "Last Contacted" else v for k, v in person.items()])
    return path


def test_csv_for_people_never_starts_a_formula(tmp_path: Path) -> None:
    path = csv_source(tmp_path, **HOSTILE, Phone="-2")
    for command in (["due", str(path)], ["match", str(path), "--title", "Data Engineer"]):
        result = run(*command, "--as-of", AS_OF.isoformat(), "--format", "csv")
        assert result.returncode in (0, 1), result.stderr
        rows = list(csv.reader(io.StringIO(result.stdout)))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells, result.stdout
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c != "-2")]
        assert "'=HYPERLINK(\"http://evil.example\",\"click\") +cmd|' /C calc'!A0" in cells  # the name, readable


def test_plain_numbers_and_ordinary_text_are_left_alone() -> None:
    assert [spreadsheet_safe(c) for c in ("-2", "+3.5", "1e5", "Ana", "", "a=b")] == ["-2", "+3.5", "1e5", "Ana", "", "a=b"]
    assert [spreadsheet_safe(c) for c in ("=1+1", "-2+3", "@x", "\tx", "\rx", "+ 1")] == [
        "'=1+1",
        "'-2+3",
        "'@x",
        "'\tx",
        "'\rx",
        "'+ 1",
    ]


def test_text_output_shows_control_characters_escaped(tmp_path: Path, make_workbook: WorkbookFactory) -> None:
    path = csv_source(tmp_path, **{"First Name": f"{ESC}[31mRed{ESC}[0m", "Email": f"x{ESC}]0;title\x07@bad"})
    book = make_workbook([contact()])
    for command in (["validate", str(path)], ["due", str(path)], ["validate", str(book), "--sheet", f"{ESC}[2J"]):
        result = run(*command, "--as-of", AS_OF.isoformat())
        assert ESC not in result.stdout and ESC not in result.stderr, command
        assert "\x07" not in result.stdout + result.stderr
    due = run("due", str(path), "--as-of", AS_OF.isoformat())
    assert "\\x1b[31mRed" in due.stdout
    missing_sheet = run("validate", str(book), "--sheet", f"{ESC}[2J")
    assert missing_sheet.returncode == 2 and "\\x1b[2J" in missing_sheet.stderr


def test_json_keeps_the_data_exact(tmp_path: Path) -> None:
    path = csv_source(tmp_path, **{"First Name": f"{ESC}[31mRed"})
    result = run("due", str(path), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert ESC not in result.stdout  # JSON escapes it as \u001b ...
    assert json.loads(result.stdout)["rows"][0]["name"].startswith(f"{ESC}[31mRed")  # ... and the value is exact


def test_printable() -> None:
    assert printable("a\nb") == "a\nb"
    assert printable("a\nb", keep_newlines=False) == "a\\x0ab"
    assert printable("\u202eevil") == "\\u202eevil"  # a right-to-left override cannot reorder a line
    assert printable("Zoë 😀\tx") == "Zoë 😀\\x09x"
    assert printable("\x9b31m") == "\\x9b31m"  # a one-byte CSI


def test_logs_show_control_characters_escaped(tmp_path: Path) -> None:
    path = csv_source(tmp_path, Status=f"{ESC}[5mblink")
    result = run("--verbose", "validate", str(path), "--as-of", AS_OF.isoformat())
    assert ESC not in result.stderr and ESC not in result.stdout


def test_counts_agree_with_their_nouns() -> None:
    from sheetkit.core.report import Problem, Report
    from sheetkit.runtime.text import counted

    assert [counted(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert counted(1, "person", "people") == "1 person" and counted(3, "person", "people") == "3 people"
    one = Report(source="team.xlsx", sheet="Contacts", rows=1, problems=[], not_computed=[18])
    assert one.summary() == "team.xlsx, sheet 'Contacts': 1 row, 0 errors, 0 warnings"
    assert "1 row left without computed values because of errors: 18" in one.to_text()
    error = Problem(severity="error", rule="r", cell="Contacts!C2", message="m")
    two = Report(source="team.xlsx", sheet="Contacts", rows=2, problems=[error], not_computed=[])
    assert two.summary() == "team.xlsx, sheet 'Contacts': 2 rows, 1 error, 0 warnings"
