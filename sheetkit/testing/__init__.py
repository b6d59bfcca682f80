"""Test support for sheetkit: a loopback emulator of Google Sheets API v4 (and Drive calls gspread makes).

Typical use, with the real gspread client over real HTTP::

    from sheetkit.testing import SheetsEmulator, emulator_session

    with SheetsEmulator() as emu:
        sid = emu.create_spreadsheet("Contacts", {"Sheet1": [["Name", "Email"], ["Ana", "ana@example.com"]]})
        client = gspread.Client(auth=None, session=emulator_session(emu.url))
        client.open_by_key(sid).sheet1.get_all_values()

In pytest, ``pytest_plugins = ["sheetkit.testing.pytest_plugin"]`` gives the ``sheets_emulator``
and ``gspread_client`` fixtures. ``python -m sheetkit.testing.emulator --port N`` runs it standalone.
:func:`emulator_session` and :class:`AnonymousCredentials` build clients by hand.
"""

from sheetkit.testing.model import ApiError
from sheetkit.testing.server import CellInfo, RecordedRequest, SheetsEmulator
from sheetkit.testing.sessions import AnonymousCredentials, emulator_session

__all__ = ["AnonymousCredentials", "ApiError", "CellInfo", "RecordedRequest", "SheetsEmulator", "emulator_session"]
