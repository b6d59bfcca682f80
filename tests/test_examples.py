"""The ready-to-copy examples: examples/refresh.py (run as a user would), the crontab, systemd and
GitHub Actions samples (parsed and checked for the keys that matter)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import AS_OF, HEADERS, WorkbookFactory, contact

import sheetkit
from sheetkit.testing import SheetsEmulator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WORKBOOK = EXAMPLES / "recruiter_contacts.xlsx"
SCRIPT = EXAMPLES / "refresh.py"
COMPUTED = ["Days Since Contact", "Non-Responsive", "Next Check-In"]


# ---------------------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def expected() -> Any:
    """The example's rows with their computed columns, as sheetkit computes them (read only)."""
    return sheetkit.enrich(WORKBOOK, as_of=AS_OF)


@pytest.fixture
def emulator() -> Iterator[SheetsEmulator]:
    emu = SheetsEmulator().start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    target = tmp_path / "contacts.xlsx"
    shutil.copyfile(WORKBOOK, target)
    return target


def script_env(tmp_path: Path, api_url: str | None = None) -> dict[str, str]:
    """The environment of a run with no Google credentials (and, given api_url, the emulator)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SHEETKIT_CREDENTIALS", "SHEETKIT_SHEETS_API_URL")}
    config = tmp_path / "gspread-config"
    config.mkdir(exist_ok=True)
    env["GSPREAD_CONFIG_DIR"] = str(config)
    if api_url is not None:
        env["SHEETKIT_SHEETS_API_URL"] = api_url
    return env


def run_script(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sheet_rows(path: Path, sheet: str = "Contacts") -> list[list[Any]]:
    workbook = openpyxl.load_workbook(path)
    try:
        return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


def google_rows(path: Path) -> list[list[Any]]:
    """A workbook's Contacts rows as values to seed the emulator with (midnight datetimes as dates)."""
    return [
        [v.date() if isinstance(v, dt.datetime) and v.time() == dt.time(0) else v for v in row]
        for row in sheet_rows(path)
    ]


def sheet_url(spreadsheet_id: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit#gid=0"


def plain(value: Any) -> Any:
    """A cell or DataFrame value as a plain Python value: None for blanks/NA, dates as dates."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def as_date(serial: float) -> dt.date:
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))


# ---------------------------------------------------------------------------------------- refresh.py
def test_refresh_script_writes_the_workbook_and_exits_1_for_problems(
    tmp_path: Path, example_copy: Path, expected: Any
) -> None:
    done = run_script(str(example_copy), "--as-of", AS_OF.isoformat(), env=script_env(tmp_path))

    assert done.returncode == 1, done.stderr
    assert "7 errors, 2 warnings" in done.stdout
    assert re.search(r"Wrote \d+ cells to .*contacts\.xlsx", done.stdout)
    assert "Contacts!J19" in done.stderr and "next tuesday" in done.stderr  # problems are logged
    assert "Traceback" not in done.stderr
    rows = sheet_rows(example_copy)
    header = rows[2]  # the example's header is on row 3
    assert header[15:18] == COMPUTED
    for sheet_row in (4, 8, 19, 303):
        got = [plain(v) for v in rows[sheet_row - 1][15:18]]
        assert got == [plain(expected.loc[sheet_row, c]) for c in COMPUTED], f"row {sheet_row}"
    assert rows[18][15:18] == [None, None, None]  # row 19: 'next tuesday' is not a date
    assert (tmp_path / "contacts.sheetkit-backup.xlsx").exists()

    again = run_script(str(example_copy), "--as-of", AS_OF.isoformat(), env=script_env(tmp_path))
    assert again.returncode == 1
    assert "Up to date as of 2026-11-21: nothing to write." in again.stdout


def test_refresh_script_exits_0_for_a_clean_workbook(tmp_path: Path, make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact(), contact(Email="bo.chen@example.com", **{"First Name": "Bo"})])

    done = run_script(str(path), "--as-of", AS_OF.isoformat(), env=script_env(tmp_path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 0 warnings" in done.stdout
    assert done.stderr == ""  # nothing to warn about, nothing logged
    header = sheet_rows(path)[0]
    assert header[-3:] == COMPUTED


def test_refresh_script_error_is_one_line_and_other_sources_still_run(
    tmp_path: Path, make_workbook: WorkbookFactory
) -> None:
    good = make_workbook([contact()])
    missing = tmp_path / "missing.xlsx"

    done = run_script(str(missing), str(good), "--as-of", AS_OF.isoformat(), env=script_env(tmp_path))

    assert done.returncode == 2
    error_lines = done.stderr.strip().splitlines()
    assert len(error_lines) == 1 and error_lines[0].startswith(f"{missing}: error: ")
    assert "Traceback" not in done.stderr
    assert sheet_rows(good)[0][-3:] == COMPUTED  # the good workbook was refreshed anyway
    assert not missing.exists()


def test_refresh_script_usage_error_exits_2(tmp_path: Path) -> None:
    done = run_script(env=script_env(tmp_path))
    assert done.returncode == 2  # argparse: SOURCE is required
    bad_date = run_script(str(WORKBOOK), "--as-of", "next tuesday", "--dry-run", env=script_env(tmp_path))
    assert bad_date.returncode == 2
    assert "is not a date" in bad_date.stderr and "Traceback" not in bad_date.stderr


def test_refresh_script_refreshes_a_google_sheet_and_a_workbook(
    tmp_path: Path, example_copy: Path, emulator: SheetsEmulator, expected: Any
) -> None:
    sheet_id = emulator.create_spreadsheet("Contacts", {"Contacts": google_rows(WORKBOOK)})
    url = sheet_url(sheet_id)

    done = run_script(str(example_copy), url, "--as-of", AS_OF.isoformat(), env=script_env(tmp_path, emulator.url))

    assert done.returncode == 1, done.stderr  # the example has problems, in both copies
    assert "via sheets-api" in done.stdout and "via package" in done.stdout
    assert emulator.get_values(sheet_id, "Contacts!P3:R3") == [COMPUTED]
    days, flag, next_serial = emulator.get_values(sheet_id, "Contacts!P4:R4")[0]
    assert days == expected.loc[4, "Days Since Contact"]
    assert flag is bool(expected.loc[4, "Non-Responsive"])
    assert as_date(next_serial) == expected.loc[4, "Next Check-In"].date()
    assert emulator.get_values(sheet_id, "Contacts!P19:R19") == []  # not computed: 'next tuesday'
    assert sheet_rows(example_copy)[2][15:18] == COMPUTED

    requests_before = len(emulator.requests)
    again = run_script(url, "--as-of", AS_OF.isoformat(), env=script_env(tmp_path, emulator.url))
    assert again.returncode == 1
    assert "nothing to write" in again.stdout
    assert all(r.method == "GET" for r in emulator.requests[requests_before:])  # no write at all


def test_refresh_script_clean_google_sheet_exits_0(tmp_path: Path, emulator: SheetsEmulator) -> None:
    rows = [HEADERS, [contact()[h] for h in HEADERS]]
    rows[1][HEADERS.index("Last Contacted")] = dt.date(2026, 11, 1)
    sheet_id = emulator.create_spreadsheet("Small", {"Contacts": rows})

    done = run_script(sheet_url(sheet_id), "--as-of", AS_OF.isoformat(), env=script_env(tmp_path, emulator.url))

    assert done.returncode == 0, done.stdout + done.stderr
    values = emulator.get_values(sheet_id, "Contacts!P1:R2")
    assert values[0] == COMPUTED
    days, flag, next_serial = values[1]
    assert (days, flag, as_date(next_serial)) == (20, False, dt.date(2026, 11, 4))  # contacted: +3 days


def test_refresh_script_unknown_google_sheet_exits_2(tmp_path: Path, emulator: SheetsEmulator) -> None:
    url = sheet_url("1" + "x" * 43)
    done = run_script(url, "--as-of", AS_OF.isoformat(), env=script_env(tmp_path, emulator.url))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------------------- GitHub Actions
WORKFLOW = EXAMPLES / "github-actions" / "refresh-sheet.yml"


def load_workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_workflow_is_scheduled_and_never_overlaps() -> None:
    workflow = load_workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(triggers, dict)
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert crons and all(len(c.split()) == 5 for c in crons)
    assert workflow["concurrency"]["group"]
    assert workflow["concurrency"].get("cancel-in-progress") is False  # never kill a run mid-write
    steps = workflow["jobs"]["refresh"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "pip install" in runs
    assert 'sheetkit refresh "$SHEET_URL" --log-format json' in runs


def test_workflow_never_echoes_the_secret() -> None:
    workflow = load_workflow()
    steps = workflow["jobs"]["refresh"]["steps"]
    secret_vars = {
        name for step in steps for name, value in (step.get("env") or {}).items() if "secrets." in str(value)
    }
    assert secret_vars, "the key should reach the script through an environment variable"
    for step in steps:
        script = step.get("run", "")
        assert "secrets." not in script, "secrets go through env:, never into the script text"
        assert "set -x" not in script
        for line in script.splitlines():
            for name in secret_vars:
                if f"${name}" in line or f"${{{name}}}" in line:
                    # the only use of the secret: written straight to a file, not echoed or logged
                    assert re.match(rf"""\s*printf '%s' "\${name}" > "\$[A-Za-z_]+"\s*$""", line), line
    key_step = next(s for s in steps if secret_vars & set((s.get("env") or {}).keys()))
    assert "umask 077" in key_step["run"] or "chmod 600" in key_step["run"]
    assert "SHEETKIT_CREDENTIALS=" in key_step["run"]


# ---------------------------------------------------------------------------------------- systemd
SYSTEMD = EXAMPLES / "systemd"


def unit_settings(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file's [Section] -> key -> values (comments skipped), checked for trailing comments."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None, f"{path.name}: {raw!r} outside a section"
        key, _, value = line.partition("=")
        assert " #" not in value, f"{path.name}: systemd has no end-of-line comments: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_systemd_service_runs_sheetkit_once_as_a_user() -> None:
    unit = unit_settings(SYSTEMD / "sheetkit-refresh.service")
    service = unit["Service"]
    assert service["Type"] == ["oneshot"]
    assert service["User"] and service["User"] != ["root"]
    environment = service["Environment"]
    assert any(e.startswith("SHEETKIT_CREDENTIALS=") for e in environment)
    assert any(e.startswith("TZ=") for e in environment)
    (command,) = service["ExecStart"]
    assert command.startswith("/") and "sheetkit refresh --config " in command and "--log-format json" in command
    assert "Description" in unit["Unit"]


def test_systemd_timer_every_15_minutes_persistent() -> None:
    timer = unit_settings(SYSTEMD / "sheetkit-refresh.timer")
    (calendar,) = timer["Timer"]["OnCalendar"]
    assert "/15" in calendar
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Timer"]["Unit"] == ["sheetkit-refresh.service"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_units_pass_systemd_analyze(tmp_path: Path) -> None:
    for name in ("sheetkit-refresh.service", "sheetkit-refresh.timer"):
        text = (SYSTEMD / name).read_text(encoding="utf-8")
        # verify wants ExecStart's program to exist: swap in one that does
        text = re.sub(r"^ExecStart=\S+", "ExecStart=/bin/true", text, flags=re.M)
        (tmp_path / name).write_text(text, encoding="utf-8")
    timer = unit_settings(SYSTEMD / "sheetkit-refresh.timer")["Timer"]["OnCalendar"][0]
    calendar = subprocess.run(["systemd-analyze", "calendar", timer], capture_output=True, text=True, check=False)
    assert calendar.returncode == 0, calendar.stderr
    verify = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            str(tmp_path / "sheetkit-refresh.timer"),
            str(tmp_path / "sheetkit-refresh.service"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr


# ---------------------------------------------------------------------------------------- cron
def test_crontab_lines_are_commented_and_valid() -> None:
    lines = (EXAMPLES / "cron" / "crontab.txt").read_text(encoding="utf-8").splitlines()
    entries = [(i, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    assert entries
    for i, line in entries:
        assert lines[i - 1].lstrip().startswith("#"), f"line {i + 1} has no comment above it: {line!r}"
        assert " #" not in line, f"cron has no end-of-line comments: {line!r}"
    variables = dict(line.split("=", 1) for _, line in entries if re.match(r"^[A-Z_]+=", line))
    assert variables["TZ"] == variables["CRON_TZ"] == "America/New_York"
    assert "SHEETKIT_CREDENTIALS" in variables
    (job,) = [line for _, line in entries if not re.match(r"^[A-Z_]+=", line)]
    minute, hour, day, month, weekday, command = job.split(maxsplit=5)
    assert (minute, hour, day, month, weekday) == ("*/15", "8-18", "*", "*", "1-5")
    assert "%" not in command  # cron would turn it into a newline
    assert re.search(r"^/\S+/sheetkit refresh --config /\S+\.toml ", command)
    assert "--log-format json" in command
    assert re.search(r">> /\S+\.log 2>&1$", command)
