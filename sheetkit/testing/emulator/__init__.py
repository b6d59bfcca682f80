"""The Sheets API emulator: ``from sheetkit.testing.emulator import SheetsEmulator``.

A package (the server is in sheetkit/testing/server.py) so that ``python -m sheetkit.testing.emulator``
runs its ``__main__`` without the RuntimeWarning Python gives for running a module the package
had imported already.
"""

from sheetkit.testing.cli import main
from sheetkit.testing.server import CellInfo, RecordedRequest, SheetsEmulator

__all__ = ["CellInfo", "RecordedRequest", "SheetsEmulator", "main"]
