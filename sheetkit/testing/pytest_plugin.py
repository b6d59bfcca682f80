"""Fixtures for the Sheets emulator; enable with ``pytest_plugins = ["sheetkit.testing.pytest_plugin"]``.

- ``sheets_emulator``: a fresh :class:`~sheetkit.testing.server.SheetsEmulator` on 127.0.0.1 (free
  port) for one test, stopped afterwards.
- ``gspread_client``: a real ``gspread.Client`` whose session is redirected to that emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sheetkit.testing.server import SheetsEmulator
from sheetkit.testing.sessions import emulator_session


@pytest.fixture
def sheets_emulator() -> Iterator[SheetsEmulator]:
    """A running emulator for one test; its state, faults and request log die with the test."""
    emulator = SheetsEmulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def gspread_client(sheets_emulator: SheetsEmulator) -> Iterator[Any]:
    """A real gspread.Client (no mocks) talking HTTP to ``sheets_emulator``."""
    import gspread

    session = emulator_session(sheets_emulator.url)
    try:
        yield gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    finally:
        session.close()
