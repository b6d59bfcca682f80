"""Nothing the user had is lost: another program's save, symlinks, a killed run's leftovers, permissions."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF, WorkbookFactory, contact

import sheetkit
from sheetkit.cli import main
from sheetkit.runtime import atomic
from sheetkit.runtime.atomic import TEMP_SUFFIX, backup_path


def _cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def test_a_save_by_another_program_just_before_the_rename_is_not_overwritten(
    make_workbook: WorkbookFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_workbook([contact()])
    theirs = make_workbook([contact(Notes="typed in Excel meanwhile")], name="theirs.xlsx").read_bytes()

    def excel_saves(target: Path) -> None:  # the deterministic moment: after sheetkit wrote, before it renames
        target.write_bytes(theirs)

    monkeypatch.setattr(atomic, "_before_replace", excel_saves)
    code, err = _cli("refresh", str(path), "--as-of", AS_OF.isoformat())
    assert code == 2
    assert "contacts.xlsx changed since sheetkit read it (another program saved it meanwhile)" in err
    assert path.read_bytes() == theirs  # their save survives, in place
    assert not backup_path(path).exists()


def test_a_save_between_reading_and_writing_is_refused_for_a_copy_too(
    make_workbook: WorkbookFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = make_workbook([contact()])
    real_check = sheetkit.api.check

    def check_then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        checked = real_check(*args, **kwargs)
        book = openpyxl.load_workbook(path)
        book.active["N2"] = "edited"  # type: ignore[index]
        book.save(path)
        return checked

    monkeypatch.setattr(sheetkit.api, "check", check_then_someone_saves)
    out = tmp_path / "copy.xlsx"
    with pytest.raises(sheetkit.WriteError, match="changed since sheetkit read it"):
        sheetkit.refresh(path, as_of=AS_OF, output=out)
    assert not out.exists()


def test_a_symlinked_workbook_is_written_through_and_backed_up_for_real(
    make_workbook: WorkbookFactory, tmp_path: Path
) -> None:
    real = make_workbook([contact()])
    before = real.read_bytes()
    link_folder = tmp_path / "shortcuts"
    link_folder.mkdir()
    link = link_folder / "contacts.xlsx"
    link.symlink_to(real)
    result = sheetkit.refresh(link, as_of=AS_OF)
    assert result.cells_changed > 0
    assert link.is_symlink() and link.resolve() == real  # the link is still a link
    assert real.read_bytes() != before  # the file it points to was updated
    backup = backup_path(real)
    assert result.backup == backup and not backup.is_symlink() and backup.read_bytes() == before
    assert sorted(p.name for p in link_folder.iterdir()) == ["contacts.xlsx"]  # nothing beside the link


def test_temporaries_of_a_killed_run_are_removed_by_the_next(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = path.with_name(f".{path.name}.p{dead.pid}.abc123{TEMP_SUFFIX}")
        stale_backup = path.with_name(f".{backup_path(path).name}.p{dead.pid}.backup{TEMP_SUFFIX}")
        running = path.with_name(f".{path.name}.p{alive.pid}.def456{TEMP_SUFFIX}")
        for leftover in (stale, stale_backup, running):
            leftover.write_bytes(b"half a workbook")
        sheetkit.refresh(path, as_of=AS_OF)
        assert not stale.exists() and not stale_backup.exists()
        assert running.exists()  # another run's, still working: not ours to remove
    finally:
        alive.kill()
        alive.wait()


def test_lock_temporary_backup_and_copies_are_never_wider_than_the_workbook(
    make_workbook: WorkbookFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = make_workbook([contact()])
    path.chmod(0o600)
    seen: dict[str, int] = {}

    def look(target: Path) -> None:
        for candidate in target.parent.iterdir():
            if candidate.name.endswith((TEMP_SUFFIX, ".sheetkit-lock")):
                seen[candidate.name.rsplit(".", 1)[-1]] = stat.S_IMODE(candidate.stat().st_mode)

    monkeypatch.setattr(atomic, "_before_replace", look)
    old_umask = os.umask(0o022)
    try:
        sheetkit.refresh(path, as_of=AS_OF)
        copy = tmp_path / "copies" / "out.xlsx"
        copy.parent.mkdir()
        sheetkit.refresh(path, as_of="2026-11-25", output=copy)
    finally:
        os.umask(old_umask)
    assert seen == {"sheetkit-tmp": 0o600, "sheetkit-lock": 0o600}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup_path(path).stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # a copy of the data is as private as the data


def test_a_read_only_folder_is_a_clear_error(make_workbook: WorkbookFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_workbook([contact()])
    folder = path.parent
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root writes anywhere: make the lock file's creation fail as it would for a user
            real_open = os.open

            def refuse(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
                if str(file).endswith(".sheetkit-lock") and flags & os.O_CREAT:
                    raise PermissionError(13, "Permission denied", str(file))
                return real_open(file, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", refuse)
        code, err = _cli("refresh", str(path), "--as-of", AS_OF.isoformat())
    finally:
        folder.chmod(0o755)
    assert code == 2
    assert "is not writable (sheetkit needs to put its run lock there)" in err
    assert "unexpected error" not in err and path.read_bytes() == before


def test_pull_into_a_workbook_saved_meanwhile_is_refused(
    google_env: Any, monkeypatch: pytest.MonkeyPatch, make_workbook: WorkbookFactory
) -> None:
    path = make_workbook([contact()])
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [["First Name"], ["Zed"]]})
    theirs = make_workbook([contact(Notes="saved meanwhile")], name="theirs.xlsx").read_bytes()
    monkeypatch.setattr(atomic, "_before_replace", lambda target: target.write_bytes(theirs))
    with pytest.raises(sheetkit.WriteError, match="contacts.xlsx changed since sheetkit read it"):
        sheetkit.pull(key, path)
    assert path.read_bytes() == theirs
