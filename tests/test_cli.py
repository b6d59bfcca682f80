"""The CLI through its real entry points (console script and python -m), in subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WorkbookFactory, contact

SCRIPT = Path(sys.executable).with_name("sheetkit")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "sheetkit", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_console_script_and_module_agree(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    assert SCRIPT.exists(), "the console script is installed next to the interpreter"
    by_script = subprocess.run(
        [str(SCRIPT), "validate", str(path), "--as-of", "2026-11-21"], capture_output=True, text=True
    )
    by_module = run("validate", str(path), "--as-of", "2026-11-21")
    assert by_script.returncode == by_module.returncode == 0
    assert by_script.stdout == by_module.stdout
    assert "No problems found." in by_module.stdout


def test_validate_exit_1_and_json(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact(), contact(Email="bo@", **{"Last Contacted": "next tuesday"})])
    text = run("validate", str(path), "--as-of", "2026-11-21")
    assert text.returncode == 1
    assert "Contacts!J3" in text.stdout and "'next tuesday' is a relative date" in text.stdout
    result = run("validate", str(path), "--as-of", "2026-11-21", "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert {p["cell"] for p in data["problems"]} == {"Contacts!C3", "Contacts!J3"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "{missing}"], "file not found"),
        (["validate", "{book}", "--sheet", "Nope"], "has no sheet named 'Nope'"),
        (["validate", "{book}", "--schema", "{missing}"], "file not found"),
        (["validate", "{book}", "--as-of", "tomorrow"], "as-of date 'tomorrow' is not a date; expected YYYY-MM-DD"),
        (["validate", "{notzip}"], "is not an Excel workbook"),
        (["refresh", "{xls}"], "cannot write computed columns into old_format.xls"),
    ],
)
def test_errors_are_one_line_with_exit_2(
    make_workbook: WorkbookFactory, tmp_path: Path, args: list[str], message: str
) -> None:
    book = make_workbook([contact()])
    notzip = tmp_path / "fake.xlsx"
    notzip.write_text("hello")
    xls = tmp_path / "old_format.xls"
    shutil.copy(Path(__file__).parent / "data" / "old_format.xls", xls)
    names = {"book": book, "missing": tmp_path / "missing.xlsx", "notzip": notzip, "xls": xls}
    before = {p: p.read_bytes() for p in (book, notzip, xls)}
    result = run(*[a.format(**names) for a in args])
    assert result.returncode == 2
    assert_no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sheetkit: error: ") and message in lines[0]
    assert {p: p.read_bytes() for p in before} == before  # nothing written


def test_usage_errors_exit_2() -> None:
    assert run().returncode == 2
    assert run("validate").returncode == 2
    assert run("validate", "x.xlsx", "--format", "yaml").returncode == 2


def test_json_error_output(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "none.xlsx"), "--format", "json")
    assert result.returncode == 2
    assert "file not found" in json.loads(result.stdout)["error"]


def test_help_lists_commands_and_exit_codes() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "refresh" in result.stdout and "exit codes" in result.stdout
    refresh_help = run("refresh", "--help").stdout
    for option in ("--schema", "--sheet", "--as-of", "--output", "--dry-run", "--format", "--no-backup", "--engine"):
        assert option in refresh_help


def test_refresh_csv_then_nothing_to_do(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("First Name,Status,Last Contacted,Follow-ups\nAna,Contacted,2026-11-01,1\nBo,DNC,2026-10-01,0\n")
    first = run("refresh", str(path), "--as-of", "2026-11-21")
    assert first.returncode == 0, first.stderr
    assert path.read_text().splitlines() == [
        "First Name,Status,Last Contacted,Follow-ups,Days Since Contact,Non-Responsive,Next Check-In",
        "Ana,Contacted,2026-11-01,1,20,FALSE,2026-11-04",
        "Bo,DNC,2026-10-01,0,51,FALSE,",
    ]
    stamp = path.stat().st_mtime_ns
    second = run("refresh", str(path), "--as-of", "2026-11-21", "--format", "json")
    assert json.loads(second.stdout)["cells_changed"] == 0
    assert path.stat().st_mtime_ns == stamp


def test_every_option_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    from sheetkit.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
        assert f"sheetkit {name}" in readme
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in readme, f"{name} {option} is not in the README"


def _bad_inputs(make_workbook: WorkbookFactory, tmp_path: Path) -> dict[str, tuple[Path, int, str]]:
    from conftest import HEADERS
    from msoffcrypto.format.ooxml import OOXMLFile

    corrupt = make_workbook([contact()], name="corrupt.xlsx")
    corrupt.write_bytes(corrupt.read_bytes()[:400])
    locked = tmp_path / "locked.xlsx"
    with make_workbook([contact()], name="plain.xlsx").open("rb") as source, locked.open("wb") as out:
        OOXMLFile(source).encrypt("secret", out)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    no_header = make_workbook([{"x": 1}], headers=["Nom", "Town"], name="noheader.xlsx")
    return {
        "corrupt": (corrupt, 2, "is damaged and cannot be read"),
        "password": (locked, 2, "is password-protected"),
        "empty": (empty, 2, "is empty (0 bytes)"),
        "no header": (no_header, 2, "no header row found"),
        "missing column": (
            make_workbook([contact()], headers=[h for h in HEADERS if h != "Status"], name="nostatus.xlsx"),
            1,
            "required column 'Status' is missing",
        ),
        "duplicated header": (
            make_workbook([contact()], headers=[*HEADERS, "Email"], name="dup.xlsx"), 1, "duplicates Contacts!C1"
        ),
        "wrong types": (
            make_workbook([contact(**{"Last Contacted": "soon", "Follow-ups": "many", "Status": "??"})], name="types.xlsx"),
            1,
            "'soon' is not a date",
        ),
        "future date": (
            make_workbook([contact(**{"Last Contacted": "2030-01-01"})], name="future.xlsx"), 1, "after the as-of date"
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["corrupt", "password", "empty", "no header", "missing column", "duplicated header", "wrong types", "future date"],
)
def test_bad_input_through_the_cli(make_workbook: WorkbookFactory, tmp_path: Path, case: str) -> None:
    path, code, message = _bad_inputs(make_workbook, tmp_path)[case]
    before = path.read_bytes()
    command = "refresh" if code == 2 else "validate"
    result = run(command, str(path), "--as-of", "2026-11-21")
    assert result.returncode == code
    assert_no_traceback(result)
    assert message in (result.stderr if code == 2 else result.stdout)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "sheetkit-tmp" in p.name or "sheetkit-backup" in p.name]


def test_the_console_script_runs_exit_handlers_and_flushes_before_it_leaves() -> None:
    """console() ends with os._exit (no teardown of millions of objects): exit handlers and
    output must still come first, and the exit code is main's."""
    example = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        f"sys.argv = ['sheetkit', 'validate', {str(example)!r}, '--format', 'json', '--as-of', '2026-11-21']\n"
        "from sheetkit.cli import console\n"
        "console()\n"
        "print('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # the example has problems
    report, _, tail = done.stdout.rpartition("}")
    assert json.loads(report + "}")["rows"] == 300
    assert tail.strip() == "exit handler ran"
    assert "not reached" not in done.stdout and done.stderr == ""


def test_a_command_runs_without_the_cyclic_collector_and_the_library_leaves_it_alone() -> None:
    """console() turns the cyclic collector off for the one command its process runs (walking a big
    sheet's millions of cells cost ~0.2 s of a 100,000-row refresh); importing and calling the
    library keeps it on, pausing it only while a sheet is built."""
    example = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
    code = (
        "import atexit, gc, sys\n"
        "import sheetkit\n"
        "sheetkit.check(sys.argv[1], as_of='2026-11-21')\n"
        "print('library', gc.isenabled())\n"
        "atexit.register(lambda: print('command', gc.isenabled()))\n"
        "sys.argv = ['sheetkit', 'validate', sys.argv[1], '--format', 'json', '--as-of', '2026-11-21']\n"
        "from sheetkit.cli import console\n"
        "console()\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(example)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # the example has problems: the command ran to its end
    assert done.stdout.startswith("library True\n")
    assert done.stdout.rstrip().endswith("command False")
