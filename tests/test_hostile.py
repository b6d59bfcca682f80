"""Hostile workbooks get one clear line and exit 2, in bounded memory, disk and time.

Each file is a few KB (tests/hostile.py builds them in milliseconds) and is run through the real
CLI in a child process whose address space is capped at 1 GiB and whose files cannot grow past
64 MiB: a reader that inflates a zip bomb or writes uncompressed copies of it is killed, and the
test fails. Before these checks, each of these files either ran past gigabytes or ended in
"unexpected error".
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

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


# -- 3. ambiguous packages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda p: hostile.duplicate_member(p, "xl/worksheets/sheet1.xml"), "two zip members named 'xl/worksheets/sheet1.xml'"),
        (lambda p: hostile.duplicate_member(p, "xl/workbook.xml"), "two zip members named 'xl/workbook.xml'"),
        (
            lambda p: hostile.duplicate_member(p, "xl/worksheets/sheet1.xml", rename="xl/worksheets/Sheet1.xml"),
            "members 'xl/worksheets/sheet1.xml' and 'xl/worksheets/Sheet1.xml'",
        ),
        (hostile.backslash_names, "with backslashes"),
    ],
    ids=["duplicate sheet", "duplicate workbook", "names differing in case", "backslashes"],
)
def test_ambiguous_packages_are_refused_by_every_command(tmp_path: Path, build: object, needle: str) -> None:
    path = build(tmp_path / "contacts.xlsx")  # type: ignore[operator]
    before = path.read_bytes()
    for args in (["validate"], ["refresh"], ["refresh", "--engine", "openpyxl"]):
        assert_one_line_refusal(sheetkit_cli(args[0], str(path), *args[1:], tmp=tmp_path / "tmp"), needle)
    assert path.read_bytes() == before
