"""Every error sheetkit raises on purpose, under one base class.

The tree::

    SheetkitError                 base: catch this to handle any expected failure
    ├── UsageError                a bad option or argument (CLI exit code 2)
    ├── ConfigError               a sheetkit.toml / [tool.sheetkit] that cannot be used; names the key
    ├── SchemaFileError           a schema YAML that cannot be used; names the line and key
    ├── SourceError               a file or sheet that cannot be read as a table
    │   ├── WorkbookFormatError   not a workbook, corrupt, encrypted, old .xls, empty
    │   ├── SheetNotFoundError    the named worksheet does not exist
    │   └── HeaderError           no header row found
    ├── WriteError                the result could not be written; the original is untouched
    │   ├── FileLockedError       the file is open in Excel/LibreOffice, or read-only
    │   └── PackageUnsupported    the workbook package cannot be edited in place safely; names why
    ├── LockedError               another sheetkit run holds this target (CLI: skipped, exit 0)
    │   └── SyncLockedError       ... found by a sync
    ├── CredentialsError          no usable Google credentials: missing, unreadable, expired, revoked
    ├── GoogleAPIError            Google Sheets answered an error sheetkit cannot work around
    ├── SyncStateError            the sync state file exists but cannot be used
    └── MassDeleteError           a sync would delete more rows than the schema allows

Errors carry the data a caller needs (path, sheet, cell) and a message that says what was
expected and how to fix it; the CLI prints ``str(error)`` on one line and exits with 2
(a LockedError is not a failure: a scheduled run that finds another in progress skips, exit 0).
"""

from __future__ import annotations

from collections.abc import Mapping


class SheetkitError(Exception):
    """Base class of every error sheetkit raises on purpose."""

    exit_code = 2


class UsageError(SheetkitError):
    """A command-line option or function argument that cannot be used."""


class ConfigError(SheetkitError):
    """A config file that cannot be used (the message names the file and key)."""


class SchemaFileError(SheetkitError):
    """A schema file that is not valid YAML or breaks the schema format.

    Attributes:
        path: the schema file.
        line: 1-based line of the offending key or value, when known.
        key: dotted path of the offending key (``fields.email.checks[0]``), when known.
    """

    def __init__(self, message: str, *, path: str = "", line: int | None = None, key: str = "") -> None:
        self.path = path
        self.line = line
        self.key = key
        where = path or "schema"
        if line is not None:
            where += f", line {line}"
        if key:
            where += f" ({key})"
        super().__init__(f"{where}: {message}")


class SourceError(SheetkitError):
    """A source that cannot be read as a table."""

    def __init__(self, message: str, *, path: str = "", sheet: str = "") -> None:
        self.path = path
        self.sheet = sheet
        super().__init__(message)


class WorkbookFormatError(SourceError):
    """The file is not a readable workbook: corrupt, encrypted, empty, or an unsupported format.

    Also a workbook sheetkit refuses to read to keep memory, disk and time bounded, for every
    command (see sheetkit.excel.limits): a zip part that claims or inflates too much, a sheet
    whose used range is absurd for its content, a package readers would disagree about.
    """


class SheetNotFoundError(SourceError):
    """The requested worksheet does not exist."""


class HeaderError(SourceError):
    """No row in the searched area looks like the schema's header row."""


class WriteError(SheetkitError):
    """The result could not be written; the original file is left as it was."""

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        super().__init__(message)


class FileLockedError(WriteError):
    """The target file is open in a spreadsheet program or not writable."""


class PackageUnsupported(WriteError):
    """The package editor cannot make this edit safely; nothing was written.

    Attributes:
        reason: what in the workbook made it refuse ("strict OOXML namespace", ...).
    """

    def __init__(self, reason: str, *, path: str = "") -> None:
        self.reason = reason
        super().__init__(reason, path=path)


class LockedError(SheetkitError):
    """Another sheetkit run holds the lock on this workbook or sheet; nothing was changed."""


class SyncLockedError(LockedError):
    """Another sync (or refresh) of the same workbook is running."""


class CredentialsError(SheetkitError):
    """No usable Google credentials: missing, unreadable, expired or revoked."""


class GoogleAPIError(SheetkitError):
    """Google Sheets answered with an error sheetkit cannot work around (after retries).

    Attributes:
        status: the HTTP status, when there was an answer.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class SyncStateError(SheetkitError):
    """The sync state file exists but cannot be used."""


class MassDeleteError(SheetkitError):
    """A sync would delete more rows from a copy than ``max_delete_fraction`` of the base allows.

    Usually one copy was read wrong (an empty or truncated sheet), so nothing is written.

    Attributes:
        deletions: rows the plan would delete, by copy (only the copies over the limit).
        base_rows: rows in the base.
        max_delete_fraction: the limit that was exceeded.
    """

    def __init__(self, deletions: Mapping[str, int], base_rows: int, max_delete_fraction: float) -> None:
        self.deletions = dict(deletions)
        self.base_rows = base_rows
        self.max_delete_fraction = max_delete_fraction
        parts = [
            f"{count} of {base_rows} rows ({count / base_rows:.0%}) from the {side} copy"
            for side, count in self.deletions.items()
        ]
        super().__init__(
            f"sync would delete {' and '.join(parts)}, more than the {max_delete_fraction:.0%} limit; "
            "check that both copies were read correctly, or pass --allow-mass-delete if the deletions are intended"
        )
