"""A workbook read started early (while the command imports pandas) gives what reading it then gives.

The command line starts :func:`sheetkit.excel.grid.prefetch` before its heavy imports; the
``read_grid`` that follows takes those rows only when the file is still the one that was read,
and raises what a read of it would raise.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetkit.errors import SourceError, WorkbookFormatError
from sheetkit.excel import grid
from sheetkit.excel.grid import prefetch, read_grid
from tests.conftest import run_sheetkit
from tests.xlsx_factory import build_contacts

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Path]]]:
    """Every real read of a grid, and which thread made it."""
    import threading

    seen: list[tuple[str, Path]] = []
    real = grid._read_grid_now

    def counted(path: Path, sheet: str | None) -> Any:
        seen.append((threading.current_thread().name, path))
        return real(path, sheet)

    monkeypatch.setattr(grid, "_read_grid_now", counted)
    yield seen
    grid._PREFETCHED.clear()


def test_the_rows_read_early_are_the_rows_a_read_gives(tmp_path: Path, reads: list[tuple[str, Path]]) -> None:
    path = shutil.copy(EXAMPLE, tmp_path / "contacts.xlsx")
    direct = read_grid(Path(path))
    reads.clear()
    prefetch(path)
    early = read_grid(Path(path))
    assert (early.sheet, early.rows, early.merged, early.sheet_names) == (
        direct.sheet,
        direct.rows,
        direct.merged,
        direct.sheet_names,
    )
    assert [thread for thread, _ in reads] == ["sheetkit-prefetch"]  # read once, on the thread
    read_grid(Path(path))  # taken once: the next read reads the file again
    assert [thread for thread, _ in reads][1:] == ["MainThread"]


def test_a_file_replaced_after_the_early_read_is_read_again(tmp_path: Path, reads: list[tuple[str, Path]]) -> None:
    path = build_contacts(tmp_path / "contacts.xlsx", rows=3)
    prefetch(path)
    other = build_contacts(tmp_path / "other.xlsx", rows=7)
    grid._PREFETCHED[(os.path.realpath(path), None)][1].result(timeout=60)  # the early read is done
    os.replace(other, path)  # as Excel saves: a new file under the old name
    rows = read_grid(path).rows
    assert len(rows) == len(read_grid(path).rows)
    assert len(rows) > 7
    assert [thread for thread, _ in reads][:2] == ["sheetkit-prefetch", "MainThread"]


def test_another_sheet_is_not_taken_from_the_early_read(tmp_path: Path, reads: list[tuple[str, Path]]) -> None:
    path = shutil.copy(EXAMPLE, tmp_path / "contacts.xlsx")
    prefetch(path, sheet="Contacts")
    assert read_grid(Path(path), sheet="Notes").sheet == "Notes"
    assert ("MainThread", Path(path)) in reads


def test_a_refusal_found_early_is_raised_by_the_read_that_takes_it(
    tmp_path: Path, reads: list[tuple[str, Path]]
) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(WorkbookFormatError) as direct:
        read_grid(bad)
    reads.clear()
    prefetch(bad)
    with pytest.raises(WorkbookFormatError) as early:
        read_grid(bad)
    assert str(early.value) == str(direct.value)
    assert [thread for thread, _ in reads] == ["sheetkit-prefetch"]


def test_nothing_is_started_for_what_is_not_a_local_workbook(tmp_path: Path, reads: list[tuple[str, Path]]) -> None:
    prefetch(tmp_path / "missing.xlsx")
    prefetch(tmp_path / "contacts.csv")
    prefetch("https://docs.google.com/spreadsheets/d/abc/edit")
    assert grid._PREFETCHED == {}
    with pytest.raises(SourceError, match="file not found"):
        read_grid(tmp_path / "missing.xlsx")


def test_the_command_reads_the_workbook_once(tmp_path: Path) -> None:
    """The console command starts the early read and uses it: one read, same report as the library's."""
    path = shutil.copy(EXAMPLE, tmp_path / "contacts.xlsx")
    result = run_sheetkit("validate", str(path), "--format", "json", "--as-of", "2026-11-21", "-v")
    assert result.returncode == 1, result.stderr
    assert '"problems"' in result.stdout
    assert "contacts.xlsx, sheet 'Contacts': the rows read early are used" in result.stderr


def test_it_returns_once_calamine_parses_so_imports_do_not_slow_the_copy(
    tmp_path: Path, reads: list[tuple[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy and check before the parse hold the GIL: the caller's imports wait until it is parsing."""
    import time

    from sheetkit.excel import parallel_read

    path = shutil.copy(EXAMPLE, tmp_path / "contacts.xlsx")
    started: list[float] = []
    real = parallel_read._parse_started

    def noted() -> None:
        started.append(time.perf_counter())
        real()

    monkeypatch.setattr(parallel_read, "_parse_started", noted)
    prefetch(path, wait=30)
    returned = time.perf_counter()
    assert len(started) == 1 and started[0] <= returned  # returned after the parse began, not before
    read_grid(Path(path))

    def slow(path: Path, sheet: str | None) -> Any:  # a read that never gets to parsing in time
        time.sleep(3)
        raise OSError("gone")

    monkeypatch.setattr(grid, "_read_grid_now", slow)
    began = time.perf_counter()
    prefetch(path, wait=0.2)
    assert time.perf_counter() - began < 2  # it waits at most `wait`
