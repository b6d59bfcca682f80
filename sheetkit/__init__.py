"""sheetkit: validate a contact spreadsheet, compute its follow-up columns, write them back.

    >>> import sheetkit
    >>> report = sheetkit.validate("contacts.xlsx")          # every problem, by cell
    >>> result = sheetkit.refresh("contacts.xlsx")           # computed columns written back
    >>> frame = sheetkit.enrich("contacts.xlsx")             # a DataFrame with them, no write

Names are imported lazily (pandas and pandera load on first use), so ``import sheetkit`` and
``sheetkit --help`` are instant.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "Problem",
    "RefreshResult",
    "Report",
    "Schema",
    "SheetkitError",
    "enrich",
    "load_schema",
    "refresh",
    "validate",
]

_HOMES = {
    "Problem": "sheetkit.core.report",
    "RefreshResult": "sheetkit.api",
    "Report": "sheetkit.core.report",
    "Schema": "sheetkit.core.schema",
    "SheetkitError": "sheetkit.errors",
    "enrich": "sheetkit.api",
    "load_schema": "sheetkit.core.schema",
    "refresh": "sheetkit.api",
    "validate": "sheetkit.api",
}

if TYPE_CHECKING:
    from sheetkit.api import RefreshResult, enrich, refresh, validate
    from sheetkit.core.report import Problem, Report
    from sheetkit.core.schema import Schema, load_schema
    from sheetkit.errors import SheetkitError


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sheetkit' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
