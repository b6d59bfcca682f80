"""One run at a time per sheet: an OS file lock, released by the OS even if the run crashes.

A workbook's lock sits beside it (``.NAME.sheetkit-lock``); a Google Sheet's lock sits in the
user's cache folder, keyed by spreadsheet id. Refresh and sync of the same target share the
lock, so a cron refresh never overlaps a sync.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from sheetkit.errors import FileLockedError, LockedError
from sheetkit.runtime.atomic import private_mode, real_path


def workbook_lock_path(workbook: Path) -> Path:
    """The lock beside the workbook (beside the file itself when the path is a symlink to it)."""
    workbook = real_path(workbook)
    return workbook.with_name(f".{workbook.name}.sheetkit-lock")


def sheet_lock_path(spreadsheet_id: str) -> Path:
    """Lock file for a Google spreadsheet, in $XDG_CACHE_HOME/sheetkit/locks (or ~/.cache/...)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sheetkit" / "locks"
    digest = hashlib.sha1(spreadsheet_id.encode()).hexdigest()[:16]
    return base / f"{digest}.lock"


@contextlib.contextmanager
def exclusive(path: Path, what: str, *, like: Path | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the block, or raise LockedError at once.

    The lock file is removed on release, so no trace is left beside the user's workbook. (A run
    that opened the file just before it was removed finds, after locking, that the path is gone
    or is another file, and locks again.)

    Args:
        path: the lock file (created if needed).
        what: the target's name for the message ("contacts.xlsx").
        like: the file it guards: the lock gets its permissions, never wider (default: owner only).

    Raises:
        LockedError: another run holds it.
        FileLockedError: the lock file cannot be made (a read-only folder).
    """
    import fcntl

    mode = private_mode(like)
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600 if mode is None else mode)
        except PermissionError:
            raise FileLockedError(
                f"cannot write {what}: the folder {path.parent} is not writable (sheetkit needs to put its run "
                "lock there); make the folder writable, or write a copy elsewhere with --output",
                path=str(path),
            ) from None
        handle = os.fdopen(descriptor, "r+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise LockedError(
                f"another sheetkit run on {what} is in progress ({holder}); this run stopped without changing anything"
            ) from None
        try:
            same = os.fstat(handle.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}")
        handle.flush()
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        handle.close()
