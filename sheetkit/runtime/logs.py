"""Logging setup for the CLI: readable lines for people, JSON lines for log collectors."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

from sheetkit.runtime.text import printable

_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["error"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    """Readable lines; a cell's control characters are shown escaped, never sent to the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def configure(*, verbose: bool = False, quiet: bool = False, fmt: str = "text") -> None:
    """Send sheetkit's logs to stderr: warnings by default (--quiet too: a problem is never silent),
    everything with --verbose."""
    level = logging.DEBUG if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("sheetkit").setLevel(level)
