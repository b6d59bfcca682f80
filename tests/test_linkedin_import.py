"""LinkedIn import: a real Connections export (preamble, unicode, blank emails) into .xlsx and a Google Sheet."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF, WorkbookFactory, contact

from sheetkit.errors import SourceError
from sheetkit.lists.linkedin import import_connections, read_connections

EXPORT = """\ufeffNotes:
"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ana,Lima,https://www.linkedin.com/in/ana-lima,,Acme,Data Engineer,01 Nov 2026
José,Núñez,https://www.linkedin.com/in/jose-nunez-42,jose@example.es,"Banco, S.A.",Analista,15 Oct 2026
Zoë,O'Brien,https://www.linkedin.com/in/zoe-obrien,,,,03 Sep 2025
李,娜,https://www.linkedin.com/in/li-na-8a1b2c,li.na@example.cn,,,20 Nov 2026
Bo,Stone,https://de.linkedin.com/in/Bo-Stone/,,Acme,CTO,02 Nov 2026
"""


def export(tmp_path: Path, text: str = EXPORT) -> Path:
    path = tmp_path / "Connections.csv"
    path.write_text(text, encoding="utf-8")
    return path


def sheet_rows(path: Path) -> list[list[Any]]:
    return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


def test_reading_the_export(tmp_path: Path) -> None:
    people = read_connections(export(tmp_path))
    assert [p.name for p in people] == ["Ana Lima", "José Núñez", "Zoë O'Brien", "李 娜", "Bo Stone"]
    assert people[0].email is None and people[1].company == "Banco, S.A." and people[0].line == 5
    assert people[1].connected_on == dt.date(2026, 10, 15)
    (tmp_path / "bad.csv").write_text("Name,Mail\nAna,a@x.com\n", encoding="utf-8")
    with pytest.raises(SourceError, match="bad.csv: no LinkedIn header row found .* First Name, Last Name, URL"):
        read_connections(tmp_path / "bad.csv")


def test_import_into_a_workbook_adds_only_new_people_and_twice_adds_nobody(
    make_workbook: WorkbookFactory, tmp_path: Path
) -> None:
    # Ana is there (her profile URL, written differently); Bo is there by his email-less profile URL.
    rows = [
        contact(**{"LinkedIn URL": "linkedin.com/in/Ana-Lima/"}),
        contact(
            **{"First Name": "Bo", "Last Name": "Stone", "Email": "bo@example.com", "Phone": "+1 617 555 0101"},
            **{"LinkedIn URL": "https://www.linkedin.com/in/bo-stone"},
        ),
    ]
    path = make_workbook(rows)
    before = sheet_rows(path)
    plans: list[str] = []
    result = import_connections(export(tmp_path), path, as_of=AS_OF, show_plan=lambda p: plans.append(p.to_text()))
    assert [(r, p.name) for r, p in result.added] == [(4, "José Núñez"), (5, "Zoë O'Brien"), (6, "李 娜")]
    assert [(p.name, row) for p, row, _ in result.present] == [("Ana Lima", 2), ("Bo Stone", 3)]
    assert "same LinkedIn profile (linkedin.com/in/ana-lima)" in result.present[0][2]
    assert plans and "would add 3, already there 2" in plans[0] and "+ row 4: José Núñez" in plans[0]
    assert result.backup is not None and Path(result.backup).exists()

    after = sheet_rows(path)
    assert after[:3] == before[:3]  # the people already there are not changed
    header = after[0]
    added = [dict(zip(header, r, strict=True)) for r in after[3:]]
    assert [(a["First Name"], a["Last Name"], a["Email"], a["Status"]) for a in added] == [
        ("José", "Núñez", "jose@example.es", "New"),
        ("Zoë", "O'Brien", None, "New"),
        ("李", "娜", "li.na@example.cn", "New"),
    ]
    assert added[1]["LinkedIn URL"] == "https://www.linkedin.com/in/zoe-obrien"

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    again = import_connections(export(tmp_path), path, as_of=AS_OF)
    assert again.added == [] and len(again.present) == 5 and again.written is None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # nothing written the second time


def test_dry_run_and_cli(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    path = make_workbook([contact()])
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    argv = [sys.executable, "-m", "sheetkit", "import", str(export(tmp_path)), str(path)]
    done = subprocess.run([*argv, "--dry-run"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "would add 4, already there 1" in done.stdout and "Dry run: nothing was written." in done.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("would add 4") < done.stdout.index("Wrote ")  # the plan first
    assert len(sheet_rows(path)) == 6
    bad = subprocess.run([*argv[:4], str(tmp_path / "missing.csv"), str(path)], capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "missing.csv" in bad.stderr


def test_import_into_a_google_sheet_on_the_emulator(google_env: Any, tmp_path: Path) -> None:
    header = ["First Name", "Last Name", "Email", "LinkedIn URL", "Status", "Last Contacted"]
    key = google_env.create_spreadsheet(
        "Pipeline",
        {
            "Contacts": [
                header,
                [
                    "Ana",
                    "Lima",
                    "ana@example.com",
                    "https://www.linkedin.com/in/ana-lima",
                    "Contacted",
                    dt.date(2026, 11, 1),
                ],
            ]
        },
    )
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit"
    result = import_connections(export(tmp_path), url, as_of=AS_OF)
    assert [p.name for _, p in result.added] == ["José Núñez", "Zoë O'Brien", "李 娜", "Bo Stone"]
    posts = [r for r in google_env.requests if r.method != "GET"]
    assert sum("values:batchUpdate" in r.path for r in posts) == 1
    stored = google_env.get_values(key, "Contacts!A2:E6")
    assert stored[1] == ["José", "Núñez", "jose@example.es", "https://www.linkedin.com/in/jose-nunez-42", "New"]
    assert stored[2][:2] == ["Zoë", "O'Brien"] and stored[2][2] == ""
    assert stored[3][:2] == ["李", "娜"]
    again = import_connections(export(tmp_path), url, as_of=AS_OF)
    assert again.added == [] and len(again.present) == 5
