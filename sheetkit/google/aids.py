"""Sheet aids in Google Sheets: not written yet (the .xlsx path came first)."""

from __future__ import annotations

from sheetkit.core.aids import AidsOutcome, SheetAids
from sheetkit.errors import UsageError
from sheetkit.google.sheets import GoogleSheet


def apply_google_aids(origin: GoogleSheet, aids: SheetAids) -> AidsOutcome:
    """Refused for now: say so rather than half-do it."""
    raise UsageError(f"sheet aids are written into .xlsx/.xlsm workbooks only for now, not into {origin.url}")
