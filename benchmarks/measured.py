"""Looking up a measurement among a run's results (shared by run.py, whole.py and google_10m.py)."""

from __future__ import annotations

from typing import Any

ANY_ROWS: Any = object()


def find(results: list[Any], name: str, rows: Any = ANY_ROWS) -> Any:
    """The measurement called ``name`` (at ``rows`` rows, unless any will do), or None."""
    return next((m for m in results if m.name == name and (rows is ANY_ROWS or m.rows == rows)), None)
