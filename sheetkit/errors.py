"""Every error sheetkit raises on purpose, under one base class.

The tree::

    SheetkitError                 base: catch this to handle any expected failure
    ├── UsageError                a bad option or argument (CLI exit code 2)
    ├── SchemaFileError           a schema YAML that cannot be used; names the line and key
    ├── SourceError               a file or sheet that cannot be read as a table
    │   ├── WorkbookFormatError   not a workbook, corrupt, encrypted, old .xls, empty
    │   ├── SheetNotFoundError    the named worksheet does not exist
    │   └── HeaderError           no header row found
    └── WriteError                the result could not be written; the original is untouched
        └── FileLockedError       the file is open in Excel/LibreOffice, or read-only

Errors carry the data a caller needs (path, sheet, cell) and a message that says what was
expected and how to fix it; the CLI prints ``str(error)`` on one line and exits with 2.
"""

from __future__ import annotations


class SheetkitError(Exception):
    """Base class of every error sheetkit raises on purpose."""

    exit_code = 2


class UsageError(SheetkitError):
    """A command-line option or function argument that cannot be used."""


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
    """The file is not a readable workbook: corrupt, encrypted, empty, or an unsupported format."""


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
