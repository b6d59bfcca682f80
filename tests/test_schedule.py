"""Scheduled runs through the real CLI: config files, locks, JSON logs, exit codes, init, progress."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import WorkbookFactory, contact, run_sheetkit

from sheetkit.config import load_config
from sheetkit.errors import ConfigError
from sheetkit.runtime.locks import exclusive, workbook_lock_path

run = run_sheetkit  # the real CLI in a child process (conftest)


def write_config(folder: Path, body: str) -> Path:
    path = folder / "sheetkit.toml"
    path.write_text('[sheetkit]\nschema = "recruiter_contacts"\ntimezone = "America/New_York"\n' + body)
    return path


def test_config_with_two_sources_one_failing(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    good = make_workbook([contact()], name="good.xlsx")
    config = write_config(
        tmp_path,
        '[[sheetkit.sources]]\nname = "broken"\npath = "missing.xlsx"\n\n'
        '[[sheetkit.sources]]\nname = "team"\npath = "good.xlsx"\n',
    )
    result = run("refresh", "--config", str(config), "--as-of", "2026-11-21", "--format", "json")
    assert result.returncode == 2  # the worst result
    sources = [json.loads(line) for line in result.stdout.splitlines()]  # one object per source per line
    statuses = {s["source"]: s["status"] for s in sources}
    assert statuses == {"broken": "error", "team": "ok"}  # the failure did not stop the other source
    assert "file not found" in sources[0]["message"]
    assert openpyxl.load_workbook(good)["Contacts"]["P1"].value == "Days Since Contact"


def test_config_exit_code_reflects_problems_and_text_output(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    make_workbook([contact(Email="not-an-email")], name="team.xlsx")
    config = write_config(tmp_path, '[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\n')
    result = run("refresh", "--config", str(config), "--as-of", "2026-11-21")
    assert result.returncode == 1
    assert result.stdout.startswith("team: problems: Wrote 6 cells")


def test_config_found_in_the_folder_or_pyproject(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    make_workbook([contact()], name="team.xlsx")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.sheetkit]\nschema = "recruiter_contacts"\n\n'
        '[[tool.sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\n'
    )
    result = run("refresh", "--as-of", "2026-11-21", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("team: ok:")


def test_rule_overrides_from_the_config(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    make_workbook([contact()], name="team.xlsx")
    config = write_config(
        tmp_path, '[sheetkit.rules]\ncadence_days = { contacted = 5 }\n\n[[sheetkit.sources]]\npath = "team.xlsx"\n'
    )
    loaded = load_config(config)
    assert loaded.schema.statuses["contacted"].cadence_days == 5 and loaded.schema.timezone == "America/New_York"
    assert run("refresh", "--config", str(config), "--as-of", "2026-11-21").returncode == 0
    cell = openpyxl.load_workbook(tmp_path / "team.xlsx")["Contacts"]["R2"].value
    assert cell.date().isoformat() == "2026-11-06"  # 2026-11-01 + 5, not + 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[[sheetkit.sources]]\npath = 'a.xlsx'\ncolour = 'red'\n", "unknown key sheetkit.sources[0].colour"),
        ("[[sheetkit.sources]]\npath = 'a.xlsx'\nurl = 'https://x'\n", "needs exactly one of 'path'"),
        ("[sheetkit.rules]\ncadence_days = { maybe = 3 }\n[[sheetkit.sources]]\npath = 'a.xlsx'\n", "unknown status"),
        ("[sheetkit.rules]\nnon_responsive_follow_ups = -1\n[[sheetkit.sources]]\npath = 'a.xlsx'\n", "whole number"),
        ("day_first = 'yes'\n[[sheetkit.sources]]\npath = 'a.xlsx'\n", "sheetkit.day_first must be true, false or"),
        ("sources = 3 = 4\n", "not valid TOML"),
        ("", "add at least one [[sheetkit.sources]]"),
    ],
)
def test_config_mistakes_are_named(tmp_path: Path, body: str, message: str) -> None:
    config = write_config(tmp_path, body)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_config(config)
    result = run("refresh", "--config", str(config))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_second_run_on_a_locked_workbook_exits_cleanly(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    before = path.read_bytes()
    with exclusive(workbook_lock_path(path), path.name):
        result = run("refresh", str(path), "--as-of", "2026-11-21")
    assert result.returncode == 0
    assert "skipped: another sheetkit run on contacts.xlsx is in progress" in result.stderr
    assert path.read_bytes() == before
    assert not workbook_lock_path(path).exists()


def test_lock_skips_one_config_source_not_the_others(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    busy = make_workbook([contact()], name="busy.xlsx")
    make_workbook([contact()], name="free.xlsx")
    config = write_config(
        tmp_path, '[[sheetkit.sources]]\npath = "busy.xlsx"\n\n[[sheetkit.sources]]\npath = "free.xlsx"\n'
    )
    with exclusive(workbook_lock_path(busy), busy.name):
        result = run("refresh", "--config", str(config), "--as-of", "2026-11-21", "--format", "json")
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["skipped", "ok"] and result.returncode == 0


def test_json_logs_are_one_object_per_line(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    make_workbook([contact()], name="team.xlsx")
    config = write_config(tmp_path, '[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\n')
    result = run("--log-format", "json", "--verbose", "refresh", "--config", str(config), "--as-of", "2026-11-21")
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(r) for r in lines)
    assert any(r.get("source") == "team" and "Wrote 6 cells" in r["message"] for r in lines)
    quiet = run("refresh", "--config", str(config), "--as-of", "2026-11-21", "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_init_writes_a_config_that_works(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    result = run("init", "--copy-schema", "--timezone", "Europe/Berlin", cwd=folder)
    assert result.returncode == 0 and "Wrote sheetkit.toml and recruiter_contacts.yaml" in result.stdout
    config = load_config(folder / "sheetkit.toml")
    assert config.schema.timezone == "Europe/Berlin" and config.schema.path.endswith("recruiter_contacts.yaml")
    shutil.copy(make_workbook([contact()]), folder / "contacts.xlsx")
    assert run("refresh", "--as-of", "2026-11-21", cwd=folder).returncode == 0
    again = run("init", cwd=folder)
    assert again.returncode == 2 and "already exists; use --force" in again.stderr
    assert run("init", "--timezone", "Mars/Base", "--force", cwd=folder).returncode == 2


def test_progress_bar_on_a_terminal_only(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])

    def stderr_on_a_terminal(*extra: str) -> str:
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real terminal's size
        process = subprocess.Popen(
            [sys.executable, "-m", "sheetkit", *extra, "refresh", str(path), "--as-of", "2026-11-21", "--dry-run"],
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env={**os.environ, "TERM": "xterm"},
        )
        os.close(follower)
        output = b""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        process.wait(timeout=60)
        os.close(leader)
        return output.decode(errors="replace")

    assert "refresh contacts.xlsx" in stderr_on_a_terminal()
    assert "refresh contacts.xlsx" not in stderr_on_a_terminal("--quiet")
    piped = run("refresh", str(path), "--as-of", "2026-11-21", "--dry-run")
    assert "refresh contacts.xlsx" not in piped.stderr


def test_report_command_text_json_html_and_charts(tmp_path: Path) -> None:
    example = Path(__file__).parent.parent / "examples" / "recruiter_contacts.xlsx"
    page, charts = tmp_path / "report.html", tmp_path / "charts"
    text = run("report", str(example), "--as-of", "2026-11-21", "--html", str(page), "--charts", str(charts))
    assert text.returncode == 1  # the example has problems
    assert "300 rows, 7 errors, 2 warnings" in text.stdout and "overdue: 144" in text.stdout
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 2 and "Contacts!J19" in html
    assert {p.name for p in charts.iterdir()} == {"due_per_week.png", "contacts_by_status.png"}
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in charts.iterdir())
    assert oct(page.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # a new file, normal permissions
    data = json.loads(run("report", str(example), "--as-of", "2026-11-21", "--format", "json").stdout)
    assert data["counts"]["overdue"] == 144 and data["due"][0]["Days Overdue"] == 142


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_cron_run_logs_one_line_per_source_at_the_right_level(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    make_workbook([contact()], name="clean.xlsx")
    make_workbook([contact(Email="not-an-email", Status="Ghosted maybe")], name="messy.xlsx")
    config = write_config(
        tmp_path,
        '[[sheetkit.sources]]\nname = "clean"\npath = "clean.xlsx"\n\n'
        '[[sheetkit.sources]]\nname = "messy"\npath = "messy.xlsx"\n\n'
        '[[sheetkit.sources]]\nname = "gone"\npath = "gone.xlsx"\n',
    )
    args = ("refresh", "--config", str(config), "--as-of", "2026-11-21", "--quiet", "--log-format", "json")
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    by_source = {line["source"]: line for line in lines if "source" in line}
    assert by_source["messy"]["level"] == "warning"
    assert (by_source["messy"]["errors"], by_source["messy"]["status"]) == (2, "problems")
    assert by_source["gone"]["level"] == "error" and "file not found" in by_source["gone"]["message"]
    assert "clean" not in by_source  # done, nothing to note: an info line, below the default level
    verbose = run("--verbose", *args[:-3], "--log-format", "json")
    assert any(json.loads(x).get("source") == "clean" and json.loads(x)["level"] == "info" for x in verbose.stderr.splitlines())


def test_a_quiet_run_with_problems_says_why(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    path = make_workbook([contact(Email="not-an-email")], name="team.xlsx")
    single = run("refresh", str(path), "--as-of", "2026-11-21", "--quiet")
    assert single.returncode == 1 and single.stdout == ""
    assert "team.xlsx, sheet 'Contacts': 1 row, 1 error, 0 warnings; run `sheetkit validate team.xlsx`" in single.stderr
    config = write_config(tmp_path, '[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\n')
    quiet = run("refresh", "--config", str(config), "--as-of", "2026-11-21", "--quiet")
    assert quiet.returncode == 1 and "team: team.xlsx, sheet 'Contacts': 1 row, 1 error" in quiet.stderr
    assert "1 of 1 source need a look: team" in quiet.stderr


def test_an_output_copy_is_not_rewritten_when_nothing_changed(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    make_workbook([contact()], name="team.xlsx")
    config = write_config(tmp_path, '[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\noutput = "out/team.xlsx"\n')
    (tmp_path / "out").mkdir()
    assert run("refresh", "--config", str(config), "--as-of", "2026-11-21").returncode == 0
    out = tmp_path / "out" / "team.xlsx"
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    time.sleep(0.02)
    again = run("refresh", "--config", str(config), "--as-of", "2026-11-21", "--format", "json")
    assert json.loads(again.stdout)["engine"] == "unchanged"
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    assert not (tmp_path / "out" / "team.sheetkit-backup.xlsx").exists()
    later = run("refresh", "--config", str(config), "--as-of", "2026-11-22", "--format", "json")
    assert json.loads(later.stdout)["written"] and out.stat().st_mtime_ns != before[1]  # a new day: new values
