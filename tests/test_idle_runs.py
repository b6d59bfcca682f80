"""Idle scheduled runs: an unchanged source with the same as-of date is answered from the last run.

A Google Sheet costs one Drive request (its modifiedTime); a workbook whose size, mtime and hash
match is not parsed at all. A new as-of date, an edit, or --force always recomputes.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import WorkbookFactory, contact

import sheetkit.excel.read
from sheetkit.cli import main
from sheetkit.config import state_path
from sheetkit.google.client import connect

HEADER = ["First Name", "Email", "Status", "Last Contacted", "Follow-ups", "Channels Tried", "Notes"]
ROWS = [
    ["Ana", "ana@example.com", "Contacted", dt.date(2026, 11, 1), 1, "email", "x"],
    ["Bo", "bo@example.com", "Ghosted", dt.date(2026, 5, 1), 4, "email, phone", ""],
]


def write_config(folder: Path, source: str) -> Path:
    path = folder / "sheetkit.toml"
    path.write_text(f'[sheetkit]\nschema = "recruiter_contacts"\n\n[[sheetkit.sources]]\nname = "team"\n{source}\n')
    return path


def run_config(config: Path, as_of: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["refresh", "--config", str(config), "--as-of", as_of, "--format", "json", *extra])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every workbook sheetkit parses from now on (the reader is wrapped, not replaced)."""
    seen: list[Path] = []
    real = sheetkit.excel.read.read_workbook

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(sheetkit.excel.read, "read_workbook", counted)
    return seen


def test_an_unchanged_workbook_is_not_parsed_again(
    make_workbook: WorkbookFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str], parses: list[Path]
) -> None:
    path = make_workbook([contact(), contact(Email="not-an-email")], name="team.xlsx")
    config = write_config(tmp_path, 'path = "team.xlsx"')
    code, first = run_config(config, "2026-11-21", capsys)
    assert code == 1 and first["status"] == "problems" and first["cells_changed"] > 0 and len(parses) == 1
    written = (path.read_bytes(), path.stat().st_mtime_ns)

    code, again = run_config(config, "2026-11-21", capsys)
    assert len(parses) == 1  # not parsed at all
    assert code == 1 and again["status"] == "problems" and again["idle"] is True  # the problems still count
    assert again["engine"] == "unchanged" and again["cells_changed"] == 0 and again["written"] is None
    assert again["report"]["errors"] == first["report"]["errors"] == 1
    assert (path.read_bytes(), path.stat().st_mtime_ns) == written

    code, forced = run_config(config, "2026-11-21", capsys, "--force")
    assert len(parses) == 2 and "idle" not in forced

    # state beside the config, owner-only (it holds cell values of the problems)
    state = state_path(config)
    assert state.parent == config.parent and stat.S_IMODE(state.stat().st_mode) == 0o600


def test_a_new_as_of_date_or_an_edit_recomputes(
    make_workbook: WorkbookFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str], parses: list[Path]
) -> None:
    path = make_workbook([contact()], name="team.xlsx")
    config = write_config(tmp_path, 'path = "team.xlsx"')
    run_config(config, "2026-11-21", capsys)
    run_config(config, "2026-11-21", capsys)
    assert len(parses) == 1
    _, next_day = run_config(config, "2026-11-22", capsys)
    assert len(parses) == 2 and "idle" not in next_day and next_day["cells_changed"] > 0  # a new day, new values

    # same size and mtime, other bytes: the hash tells
    info = path.stat()
    data = bytearray(path.read_bytes())
    run_config(config, "2026-11-22", capsys)
    assert len(parses) == 2
    at = data.rfind(b"docProps")  # a byte in a zip member name: still the same size
    data[at] = ord("D")
    path.write_bytes(bytes(data))
    import os

    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    _, edited = run_config(config, "2026-11-22", capsys)
    assert len(parses) == 3 and "idle" not in edited and edited["status"] == "ok", edited


def test_an_unchanged_output_copy_must_still_be_there(
    make_workbook: WorkbookFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str], parses: list[Path]
) -> None:
    make_workbook([contact()], name="team.xlsx")
    config = write_config(tmp_path, 'path = "team.xlsx"\noutput = "team-out.xlsx"')
    run_config(config, "2026-11-21", capsys)
    run_config(config, "2026-11-21", capsys)
    assert len(parses) == 1
    (tmp_path / "team-out.xlsx").unlink()
    _, again = run_config(config, "2026-11-21", capsys)
    assert len(parses) == 2 and (tmp_path / "team-out.xlsx").exists() and "idle" not in again


def test_an_unchanged_google_sheet_costs_one_request(
    google_env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    config = write_config(tmp_path, f'url = "https://docs.google.com/spreadsheets/d/{key}/edit"')
    code, first = run_config(config, "2026-11-21", capsys)
    assert code == 0 and first["cells_changed"] > 0

    google_env.clear_requests()
    code, again = run_config(config, "2026-11-21", capsys)
    assert code == 0 and again["idle"] is True and again["engine"] == "unchanged"
    assert [(r.method, r.path.rsplit("/", 2)[-2]) for r in google_env.requests] == [("GET", "files")]
    assert again["requests"] == 1

    # a person edits the sheet: the next run reads it again and sees the edit
    connect().client.open_by_key(key).sheet1.update_acell("D3", "2026-11-20")  # type: ignore[union-attr]
    google_env.clear_requests()
    code, edited = run_config(config, "2026-11-21", capsys)
    assert "idle" not in edited and edited["cells_changed"] > 0
    assert any("values" in r.path for r in google_env.requests)

    # then idle again; and a new as-of date recomputes
    google_env.clear_requests()
    assert run_config(config, "2026-11-21", capsys)[1]["idle"] is True and len(google_env.requests) == 1
    google_env.clear_requests()
    _, next_day = run_config(config, "2026-11-22", capsys)
    assert "idle" not in next_day and len(google_env.requests) > 1


def test_other_sheet_aids_recompute_and_a_digest_reads_every_source(
    make_workbook: WorkbookFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str], parses: list[Path]
) -> None:
    """--aids changes what is written, so it is part of the idle key; a digest lists who is due, so a
    config with [sheetkit.notify] never answers from the last run."""
    make_workbook([contact()], name="team.xlsx")
    config = write_config(tmp_path, 'path = "team.xlsx"')
    run_config(config, "2026-11-21", capsys)
    run_config(config, "2026-11-21", capsys)
    assert len(parses) == 1
    _, with_aids = run_config(config, "2026-11-21", capsys, "--aids")
    assert len(parses) == 2 and "idle" not in with_aids

    text = config.read_text().replace(
        "[[sheetkit.sources]]", '[sheetkit.notify]\nwebhook_url = "http://127.0.0.1:9/hook"\n\n[[sheetkit.sources]]'
    )
    config.write_text(text)
    for count in (3, 4):
        main(["refresh", "--config", str(config), "--as-of", "2026-11-21", "--format", "json", "--notify-dry-run"])
        source, digest = (json.loads(line) for line in capsys.readouterr().out.splitlines())
        assert len(parses) == count and "idle" not in source and "digest" in digest
