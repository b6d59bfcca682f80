"""Safe replacement of a user's file: temporary file, backup, rename.

At every moment the target holds either its old content or its complete new content: the new
content goes to a temporary file in the same folder, the old file is kept as a backup (a hard
link when the file system allows, so it costs nothing), and one rename puts the new file in place.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sheetkit.errors import FileLockedError, WriteError


def backup_path(target: Path) -> Path:
    """Where the previous version of ``target`` is kept: contacts.xlsx -> contacts.sheetkit-backup.xlsx."""
    return target.with_name(f"{target.stem}.sheetkit-backup{target.suffix}")


def lock_files(target: Path) -> list[Path]:
    """Lock files that Excel (~$name) and LibreOffice (.~lock.name#) leave while a file is open."""
    return [target.with_name("~$" + target.name), target.with_name(f".~lock.{target.name}#")]


def check_writable(target: Path) -> None:
    """Raise FileLockedError if ``target`` is open in a spreadsheet program or cannot be written.

    Checked before any work is written, so a refresh never half-finishes against a locked file.
    """
    for lock in lock_files(target):
        if lock.exists():
            program = "Excel" if lock.name.startswith("~$") else "LibreOffice"
            raise FileLockedError(
                f"{target.name} is open in {program} (lock file {lock.name}); close it and run again",
                path=str(target),
            )
    if target.exists():
        mode = target.stat().st_mode
        if not mode & stat.S_IWUSR or (os.geteuid() != 0 and not os.access(target, os.W_OK)):
            raise FileLockedError(
                f"{target.name} is read-only; make it writable or write elsewhere with --output", path=str(target)
            )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(f"cannot write {target}: the folder {folder} does not exist", path=str(target))
    if not os.access(folder, os.W_OK):
        raise FileLockedError(f"cannot write {target.name}: the folder {folder} is not writable", path=str(target))


@contextlib.contextmanager
def atomic_replace(target: Path, *, backup: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write the new content to; on success it replaces ``target``.

    If the block raises, the temporary file is removed and ``target`` is untouched. If
    ``backup`` and the target exists, its old content is kept at :func:`backup_path`.

    Raises:
        WriteError: the new file could not be put in place (the original is left as it was).
    """
    check_writable(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".sheetkit-tmp", dir=target.parent or ".")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        if target.exists():
            shutil.copymode(target, temporary)
            if backup:
                _keep_backup(target)
        else:  # a new file gets the permissions any new file would (mkstemp makes it owner-only)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except PermissionError as exc:
        raise FileLockedError(f"cannot write {target.name}: {exc.strerror}", path=str(target)) from None
    except OSError as exc:
        raise WriteError(f"cannot write {target.name}: {exc.strerror or exc}", path=str(target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _keep_backup(target: Path) -> None:
    """Make backup_path(target) hold target's current content, replacing an older backup atomically."""
    destination = backup_path(target)
    staging = destination.with_name(f".{destination.name}.sheetkit-tmp")
    with contextlib.suppress(FileNotFoundError):
        staging.unlink()
    try:
        os.link(target, staging)
    except OSError:
        shutil.copy2(target, staging)
    os.replace(staging, destination)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
