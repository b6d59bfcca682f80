"""Safe replacement of a user's file: temporary file, backup, rename.

At every moment the target holds either its old content or its complete new content: the new
content goes to a temporary file in the same folder, the old file is kept as a backup (a hard
link when the file system allows, so it costs nothing), and one rename puts the new file in place.

Also, because a user's file is not only sheetkit's:
- a symlink is written through: the file it points to is replaced (and backed up), the link stays;
- just before the rename, the file must still be the one that was read (:class:`FileStamp`):
  a save by another program in the meantime is refused, never overwritten;
- temporary and backup files are never readable by more people than the file itself;
- temporaries a killed run left behind (their pid is in the name) are removed by the next run.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sheetkit.errors import FileLockedError, WriteError

TEMP_SUFFIX = ".sheetkit-tmp"
_TEMP_PID = re.compile(r"\.p(\d+)\.[^.]*" + re.escape(TEMP_SUFFIX) + "$")


@dataclass(frozen=True)
class FileStamp:
    """What a file was when sheetkit read it: size, modification time and a hash of its bytes."""

    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        """The stamp of ``path`` now (the file is read once, in blocks, to hash it)."""
        info = path.stat()
        digest = hashlib.blake2b(digest_size=20)
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(info.st_size, info.st_mtime_ns, digest.hexdigest())

    def matches(self, path: Path) -> bool:
        """Whether ``path`` still holds what was stamped (cheap checks first, then the hash)."""
        try:
            info = path.stat()
        except FileNotFoundError:
            return False
        if (info.st_size, info.st_mtime_ns) != (self.size, self.mtime_ns):
            return False
        return FileStamp.of(path).digest == self.digest


def real_path(path: Path) -> Path:
    """The file a path names, through any symlinks (the one to replace, back up and lock)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def private_mode(like: Path | None) -> int | None:
    """Permission bits for a file holding ``like``'s data: its own, never wider (None: no such file)."""
    try:
        return stat.S_IMODE(like.stat().st_mode) & 0o666 if like is not None else None
    except FileNotFoundError:
        return None


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


@dataclass
class Replaced:
    """Whether an :func:`atomic_replace` with ``if_changed`` put a new file in place."""

    replaced: bool = False


def _nothing(target: Path) -> None:
    return None


# Called with the target just before the rename; tests put another program's save here.
_before_replace: Callable[[Path], None] = _nothing


@contextlib.contextmanager
def atomic_replace(
    target: Path,
    *,
    backup: bool = True,
    expect: FileStamp | None = None,
    like: Path | None = None,
    if_changed: Replaced | None = None,
) -> Iterator[Path]:
    """Yield a temporary path to write the new content to; on success it replaces ``target``.

    If the block raises, the temporary file is removed and ``target`` is untouched. If
    ``backup`` and the target exists, its old content is kept at :func:`backup_path`. A symlink
    ``target`` is written through to the file it names.

    Args:
        expect: what ``target`` was when it was read; if it changed since (another program
            saved it), nothing is replaced and WriteError says so.
        like: the file whose data this is (the workbook of a state file or a copy): a new
            ``target`` gets its permissions, never wider. Default: an existing target keeps
            its own; a new one gets what any new file would.
        if_changed: when given, a target that already holds exactly the new bytes is left alone
            (same mtime, no backup) and ``if_changed.replaced`` says which happened.

    Raises:
        WriteError: the new file could not be put in place (the original is left as it was).
    """
    target = real_path(Path(target))
    check_writable(target)
    remove_stale_temporaries(target)
    remove_stale_temporaries(backup_path(target))
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.p{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent or "."
    )
    os.close(handle)  # mkstemp makes it owner-only: nothing readable leaks while it is written
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        if if_changed is not None:
            if target.exists() and filecmp.cmp(temporary, target, shallow=False):
                return  # the finally below removes the temporary
            if_changed.replaced = True
        _before_replace(target)
        if expect is not None and not expect.matches(target):
            raise WriteError(
                f"{target.name} changed since sheetkit read it (another program saved it meanwhile); "
                "nothing was written: run again to work on the new version",
                path=str(target),
            )
        mode = private_mode(target) if target.exists() else private_mode(like)
        if mode is None:  # a new file with no source: the permissions any new file would get
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        if backup and target.exists():
            _keep_backup(target)
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except PermissionError as exc:
        raise FileLockedError(f"cannot write {target.name}: {exc.strerror}", path=str(target)) from None
    except OSError as exc:
        raise WriteError(f"cannot write {target.name}: {exc.strerror or exc}", path=str(target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove temporaries of ``target`` that a killed run left (its pid no longer runs); return them."""
    removed = []
    folder = target.parent if str(target.parent) else Path(".")
    for candidate in folder.glob(f".{glob_escape(target.name)}.p*{TEMP_SUFFIX}"):
        found = _TEMP_PID.search(candidate.name)
        if found is None or _alive(int(found.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError, PermissionError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _keep_backup(target: Path) -> None:
    """Make backup_path(target) hold target's current content, replacing an older backup atomically."""
    destination = backup_path(target)
    staging = destination.with_name(f".{destination.name}.p{os.getpid()}.backup{TEMP_SUFFIX}")
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
