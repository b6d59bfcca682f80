"""sheetkit: validate a contact spreadsheet, compute its follow-up columns, write them back.

    >>> import sheetkit
    >>> report = sheetkit.validate("contacts.xlsx")          # every problem, by cell
    >>> result = sheetkit.refresh("contacts.xlsx")           # computed columns written back
    >>> frame = sheetkit.enrich("contacts.xlsx")             # a DataFrame with them, no write
    >>> checked = sheetkit.check("contacts.xlsx")            # everything but the write
    >>> print(sheetkit.due(checked, within_days=7).to_text())  # who to contact this week

Everything a script or notebook needs is a name here (``__all__``); the subpackages below are
the implementation. Names are imported lazily (pandas and pandera load on first use), so
``import sheetkit`` and ``sheetkit --help`` are instant.
"""

import importlib as _importlib
import typing as _typing

# name -> the module that defines it
_HOMES = {
    # the verbs
    "check": "sheetkit.api",
    "validate": "sheetkit.api",
    "enrich": "sheetkit.api",
    "refresh": "sheetkit.api",
    "due": "sheetkit.lists.due",
    "match": "sheetkit.lists.match",
    "dedupe": "sheetkit.lists.dedupe",
    "import_connections": "sheetkit.lists.linkedin",
    "pull": "sheetkit.transfer",
    "push": "sheetkit.transfer",
    "sync": "sheetkit.syncing.engine",
    "load_schema": "sheetkit.core.schema_file",
    "due_per_week": "sheetkit.views.charts",
    "contacts_by_status": "sheetkit.views.charts",
    "write_html_report": "sheetkit.views.html_report",
    "write_cells": "sheetkit.workbook",
    # what they return
    "Checked": "sheetkit.core.checked",
    "Report": "sheetkit.core.report",
    "Problem": "sheetkit.core.report",
    "Schema": "sheetkit.core.schema",
    "RefreshResult": "sheetkit.api",
    "DueList": "sheetkit.lists.due",
    "DueRow": "sheetkit.lists.due",
    "MatchList": "sheetkit.lists.match",
    "MatchRow": "sheetkit.lists.match",
    "DuplicateList": "sheetkit.lists.dedupe",
    "ImportResult": "sheetkit.lists.linkedin",
    "TransferResult": "sheetkit.transfer",
    "SyncResult": "sheetkit.syncing.engine",
    "SyncPlan": "sheetkit.syncing.plan",
    "CellsWritten": "sheetkit.workbook",
    # every error sheetkit raises (the tree is drawn in sheetkit/errors.py)
    "SheetkitError": "sheetkit.errors",
    "UsageError": "sheetkit.errors",
    "ConfigError": "sheetkit.errors",
    "SchemaFileError": "sheetkit.errors",
    "SourceError": "sheetkit.errors",
    "WorkbookFormatError": "sheetkit.errors",
    "SheetNotFoundError": "sheetkit.errors",
    "HeaderError": "sheetkit.errors",
    "WriteError": "sheetkit.errors",
    "FileLockedError": "sheetkit.errors",
    "PackageUnsupported": "sheetkit.errors",
    "LockedError": "sheetkit.errors",
    "SyncLockedError": "sheetkit.errors",
    "CredentialsError": "sheetkit.errors",
    "GoogleAPIError": "sheetkit.errors",
    "SyncStateError": "sheetkit.errors",
    "MassDeleteError": "sheetkit.errors",
}

__all__ = [
    "CellsWritten",
    "Checked",
    "ConfigError",
    "CredentialsError",
    "DueList",
    "DueRow",
    "DuplicateList",
    "FileLockedError",
    "GoogleAPIError",
    "HeaderError",
    "ImportResult",
    "LockedError",
    "MassDeleteError",
    "MatchList",
    "MatchRow",
    "PackageUnsupported",
    "Problem",
    "RefreshResult",
    "Report",
    "Schema",
    "SchemaFileError",
    "SheetNotFoundError",
    "SheetkitError",
    "SourceError",
    "SyncLockedError",
    "SyncPlan",
    "SyncResult",
    "SyncStateError",
    "TransferResult",
    "UsageError",
    "WorkbookFormatError",
    "WriteError",
    "check",
    "contacts_by_status",
    "dedupe",
    "due",
    "due_per_week",
    "enrich",
    "import_connections",
    "load_schema",
    "match",
    "pull",
    "push",
    "refresh",
    "sync",
    "validate",
    "write_cells",
    "write_html_report",
]

if _typing.TYPE_CHECKING:
    from sheetkit.api import RefreshResult, check, enrich, refresh, validate
    from sheetkit.core.checked import Checked
    from sheetkit.core.report import Problem, Report
    from sheetkit.core.schema import Schema
    from sheetkit.core.schema_file import load_schema
    from sheetkit.errors import (
        ConfigError,
        CredentialsError,
        FileLockedError,
        GoogleAPIError,
        HeaderError,
        LockedError,
        MassDeleteError,
        PackageUnsupported,
        SchemaFileError,
        SheetkitError,
        SheetNotFoundError,
        SourceError,
        SyncLockedError,
        SyncStateError,
        UsageError,
        WorkbookFormatError,
        WriteError,
    )
    from sheetkit.lists.dedupe import DuplicateList, dedupe
    from sheetkit.lists.due import DueList, DueRow, due
    from sheetkit.lists.linkedin import ImportResult, import_connections
    from sheetkit.lists.match import MatchList, MatchRow, match
    from sheetkit.syncing.engine import SyncResult, sync
    from sheetkit.syncing.plan import SyncPlan
    from sheetkit.transfer import TransferResult, pull, push
    from sheetkit.views.charts import contacts_by_status, due_per_week
    from sheetkit.views.html_report import write_html_report
    from sheetkit.workbook import CellsWritten, write_cells


def __getattr__(name: str) -> _typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sheetkit' has no attribute {name!r}")
    value = getattr(_importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names only: the subpackages and this module's helpers are not the API."""
    return list(__all__)
