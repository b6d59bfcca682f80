"""CSV files people have: strict decoding, broken quotes named by line, every other byte kept on write."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetkit.core.cells import CellUpdate
from sheetkit.core.schema_file import load_schema
from sheetkit.core.writeplan import WritePlan
from sheetkit.errors import WorkbookFormatError
from sheetkit.excel.csv import decode_text, parse_rows, write_csv

HEADER = "First Name,Status,Last Contacted,Follow-ups"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sheetkit", *args], capture_output=True, text=True, timeout=120)


def test_a_utf8_file_with_one_damaged_byte_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    raw = f"{HEADER}\nÁngel,Contacted,2026-11-01,1\nBo\x81,Contacted,2026-11-01,1\n".encode().replace(b"\xc2\x81", b"\x81")
    path.write_bytes(raw)
    for command in ("validate", "refresh"):
        result = run(command, str(path), "--as-of", "2026-11-21")
        assert result.returncode == 2, result.stderr
        assert "not valid UTF-8 text: line 3, byte 3 of the line (0x81" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]  # no backup, no temporary


def test_a_windows_1252_file_is_read_and_written_back_in_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(f'{HEADER}\r\n"Ángel",Contacted,2026-11-01,1\r\n'.encode("cp1252"))
    result = run("refresh", str(path), "--as-of", "2026-11-21")
    assert result.returncode == 0, result.stderr
    raw = path.read_bytes()
    assert raw.decode("cp1252").splitlines()[1] == '"Ángel",Contacted,2026-11-01,1,20,FALSE,2026-11-04'
    assert raw.count(b"\r\n") == 2 and b"\xc1ngel" in raw  # the line endings and the encoding kept
    assert decode_text(raw) == (raw.decode("cp1252"), "cp1252")


def test_quoting_and_line_endings_of_untouched_cells_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    text = (
        'Title: "Candidates"\r\n'
        f"{HEADER},Notes\r\n"
        '"Ana" ,"Contacted","2026-11-01",1,"said ""call me"", later"\r\n'
        "\r\n"
        'Bo,Contacted,2026-11-01,1,"two\nlines"\r\n'
    )
    path.write_bytes(text.encode())
    result = run("refresh", str(path), "--as-of", "2026-11-21")
    assert result.returncode in (0, 1), result.stderr
    lines = path.read_bytes().decode().split("\r\n")
    assert lines[0] == 'Title: "Candidates"'
    assert lines[1] == f"{HEADER},Notes,Days Since Contact,Non-Responsive,Next Check-In"
    assert lines[2] == '"Ana" ,"Contacted","2026-11-01",1,"said ""call me"", later",20,FALSE,2026-11-04'
    assert lines[3] == ""  # a blank line stays blank (no padding for a row that is not data)
    assert lines[4] == 'Bo,Contacted,2026-11-01,1,"two\nlines",20,FALSE,2026-11-04'


def test_an_unterminated_quote_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    raw = f'{HEADER}\nAna,Contacted,2026-11-01,1\n"Bo,Contacted,2026-11-01,1\nCy,Contacted,2026-11-01,1\n'.encode()
    path.write_bytes(raw)
    result = run("refresh", str(path), "--as-of", "2026-11-21")
    assert result.returncode == 2
    assert "contacts.csv, line 3: a quoted cell starts here and its closing quote" in result.stderr
    assert path.read_bytes() == raw


def test_a_very_long_cell_is_read() -> None:
    note = "x" * 200_000
    rows = parse_rows(f'{HEADER},Notes\nAna,Contacted,2026-11-01,1,"{note}"\n', ",")
    assert rows[1][4] == note
    assert csv.field_size_limit() == 131072  # the process-wide setting is restored


def test_a_cell_past_the_limit_is_a_clear_error() -> None:
    with pytest.raises(WorkbookFormatError, match="line 2: a cell is longer than 16 MB"):
        parse_rows(f"{HEADER}\n" + "x" * (16 * 2**20 + 1) + "\n", ",", name="big.csv")


cells = st.text(alphabet=st.sampled_from(['a', 'B', ' ', ',', '"', '\n', 'é', '1']), max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(cells, min_size=2, max_size=4), min_size=2, max_size=6),
    newline=st.sampled_from(["\n", "\r\n"]),
    changes=st.lists(st.tuples(st.integers(2, 6), st.integers(1, 5), cells), max_size=5),
)
def test_write_back_changes_exactly_the_planned_cells(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], newline: str, changes: list[tuple[int, int, str]]
) -> None:
    rows[0] = ["First Name", "Status", *rows[0][2:]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline, quoting=csv.QUOTE_MINIMAL).writerows(rows)
    source = tmp_path_factory.mktemp("csv") / "book.csv"
    source.write_bytes(buffer.getvalue().encode())
    expected = [list(r) for r in csv.reader(io.StringIO(buffer.getvalue()))]
    updates = [CellUpdate(r, c, v) for r, c, v in changes if r <= len(expected)]
    for update in updates:
        row = expected[update.row - 1]
        row.extend([""] * (update.column - len(row)))
        row[update.column - 1] = update.value
    target = source.with_name("out.csv")
    write_csv(WritePlan(tuple(updates), (), 1), source, target, load_schema())
    written = target.read_bytes().decode()
    assert [list(r) for r in csv.reader(io.StringIO(written))] == expected
    touched = {u.row for u in updates}
    before = buffer.getvalue().split(newline)
    after = written.split(newline)
    texts = [c for r in rows for c in r] + [str(u.value) for u in updates]
    if not any("\n" in text for text in texts):  # one record per line: untouched lines are byte-identical
        assert [a for i, a in enumerate(after, 1) if i not in touched] == [b for i, b in enumerate(before, 1) if i not in touched]
