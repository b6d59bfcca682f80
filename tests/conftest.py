"""Shared fixtures: real .xlsx workbooks built with openpyxl, the way a recruiter's sheet looks."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

pytest_plugins = ["sheetkit.testing.pytest_plugin"]

AS_OF = dt.date(2026, 11, 21)

HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Contact Method",
    "Channels Tried",
    "Location",
    "LinkedIn URL",
    "Status",
    "Last Contacted",
    "Follow-ups",
    "Desired Title",
    "Desired Location",
    "Notes",
    "Owner",
]


def contact(**overrides: Any) -> dict[str, Any]:
    """One valid candidate row, by header; override any cell."""
    row: dict[str, Any] = {
        "First Name": "Ana",
        "Last Name": "Lima",
        "Email": "ana.lima@example.com",
        "Phone": "+1 617 555 0100",
        "Contact Method": "Email",
        "Channels Tried": "email",
        "Location": "Boston",
        "LinkedIn URL": "https://www.linkedin.com/in/ana-lima",
        "Status": "Contacted",
        "Last Contacted": dt.datetime(2026, 11, 1),
        "Follow-ups": 1,
        "Desired Title": "Data Engineer",
        "Desired Location": "Remote",
        "Notes": "",
        "Owner": "Sam",
    }
    row.update(overrides)
    return row


WorkbookFactory = Callable[..., Path]


@pytest.fixture
def make_workbook(tmp_path: Path) -> WorkbookFactory:
    """Build a formatted contacts workbook: make_workbook(rows, headers=..., title_rows=0, name=...)."""

    def build(
        rows: Sequence[dict[str, Any]] = (),
        *,
        headers: Sequence[str] = HEADERS,
        title_rows: Sequence[Sequence[Any]] = (),
        name: str = "contacts.xlsx",
        sheet: str = "Contacts",
        extra_sheet: bool = True,
    ) -> Path:
        workbook = openpyxl.Workbook()
        ws = workbook.active
        assert ws is not None
        ws.title = sheet
        for title in title_rows:
            ws.append(list(title))
        ws.append(list(headers))
        header_row = ws.max_row if rows or headers else 1
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for row in rows:
            ws.append([row.get(h, "") if row.get(h) is not None else None for h in headers])
        for letter, width in (("A", 14), ("C", 28)):
            ws.column_dimensions[letter].width = width
        if "Last Contacted" in headers:
            column = list(headers).index("Last Contacted") + 1
            for r in range(header_row + 1, ws.max_row + 1):
                ws.cell(r, column).number_format = "yyyy-mm-dd"
        if extra_sheet:
            notes = workbook.create_sheet("Notes")
            notes["A1"] = "Pipeline notes"
        path = tmp_path / name
        workbook.save(path)
        return path

    return build


def soffice_required() -> bool:
    return os.environ.get("SHEETKIT_REQUIRE_SOFFICE", "") not in ("", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Interop tests need LibreOffice: skipped (and named) without it, failed if CI requires it."""
    if shutil.which("soffice") or shutil.which("libreoffice"):
        return
    if soffice_required():
        raise pytest.UsageError("SHEETKIT_REQUIRE_SOFFICE is set but LibreOffice (soffice) is not installed")
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    for item in items:
        if "interop" in item.keywords:
            item.add_marker(skip)


def set_cached_values(path: Path, values: dict[str, str], member: str = "xl/worksheets/sheet1.xml") -> None:
    """Give formula cells the cached values Excel would have saved (openpyxl writes none)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as package:
        parts = {info.filename: (info, package.read(info.filename)) for info in package.infolist()}
    info, xml = parts[member]
    text = xml.decode("utf-8")
    for ref, cached in values.items():
        pattern = re.compile(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>[^<]*</v>)?')
        text, count = pattern.subn(lambda m, v=cached: f"{m.group(1)}<v>{v}</v>", text)
        assert count == 1, f"no formula cell {ref} in {member}"
    parts[member] = (info, text.encode("utf-8"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for item, data in parts.values():
            package.writestr(item, data)


@pytest.fixture
def google_env(sheets_emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Point sheetkit at the emulator the way a user would: SHEETKIT_SHEETS_API_URL, no credentials."""
    monkeypatch.setenv("SHEETKIT_SHEETS_API_URL", sheets_emulator.url)
    monkeypatch.delenv("SHEETKIT_CREDENTIALS", raising=False)
    monkeypatch.setenv("GSPREAD_CONFIG_DIR", str(tmp_path / "no-gspread-config"))
    return sheets_emulator


def run_sheetkit(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI (``python -m sheetkit``) in a child process; ``env`` is added to this one's environment."""
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
