"""The benchmark suite itself still runs end to end (tiny sizes; no timing is asserted here).

`nox -s bench` is not part of the test run, so without this a change could break the suite
unnoticed until someone needs the numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_the_suite_measures_each_operation_against_its_anchor(tmp_path: Path) -> None:
    results, tables = tmp_path / "results.json", tmp_path / "results.md"
    argv = [sys.executable, "-m", "benchmarks.run", "--sizes", "300", "--repeat", "1", "--only", "check,refresh"]
    done = subprocess.run(
        [*argv, "--json", str(results), "--markdown", str(tables)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(results.read_text())
    measured = {m["name"]: m for m in payload["results"]}
    assert {"check", "pandas.read_excel", "calamine to_python", "refresh", "openpyxl load+save"} <= set(measured)
    check, refresh = measured["check"]["runs"][0], measured["refresh"]["runs"][0]
    assert check["extra"]["problems"] >= 1  # the generated workbook has messy rows on purpose
    assert refresh["extra"]["engine"] == "package" and refresh["extra"]["cells_changed"] > 0
    compared = {(c["target"], c["anchor"]) for c in payload["comparisons"] if c["rows"] == 300}
    assert compared == {
        (1, "pandas.read_excel"),
        (1, "calamine to_python"),
        (2, "openpyxl load+save"),
        (3, "openpyxl load_workbook"),
    }
    assert all(c["ratio_time"] > 0 and c["ratio_mem"] > 0 for c in payload["comparisons"])
    assert "| 1 | check | 300 |" in tables.read_text()
    assert payload["machine"]["versions"]["pandera"]


def test_the_whole_process_rows_pair_each_command_with_its_anchor(tmp_path: Path) -> None:
    if not Path("/usr/bin/time").exists():
        pytest.skip("/usr/bin/time is not installed (it reports each child's own peak RSS)")
    results = tmp_path / "results.json"
    argv = [sys.executable, "-m", "benchmarks.run", "--sizes", "300", "--repeat", "2", "--only", "whole"]
    done = subprocess.run([*argv, "--json", str(results)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(results.read_text())
    runs = {m["name"]: m["runs"] for m in payload["results"]}
    assert len(runs) == 4 and all(len(r) == 2 for r in runs.values())  # alternating rounds, each command twice
    assert all(r["peak_mb"] > 5 and r["extra"]["exit_code"] in (0, 1) for rs in runs.values() for r in rs)
    pairs = {(c["operation"], c["anchor"], c["kind"]) for c in payload["whole_processes"]}
    assert len(pairs) == 4 and all(c["ratio_time"] > 0 for c in payload["whole_processes"])
    assert "Whole processes" in done.stdout


def test_the_google_10m_read_is_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO))
    from benchmarks.run import parse_args

    assert parse_args([]).google_10m is False
    assert parse_args(["--only", "google"]).google_10m is False
    args = parse_args(["--only", "google", "--google-10m"])
    assert args.google_10m and args.only == ["google"] and args.google_10m_rows == 400_000
    args = parse_args(["--only", "check,google-10m"])  # naming the group opts into it, and runs it alone
    assert args.google_10m and args.only == ["check", "google-10m"]


def test_the_google_10m_read_runs_scaled_down(tmp_path: Path) -> None:
    """The 10-million-cell benchmark at 2,000 x 25 (blocks scaled alike: five reads, as at full size)."""
    results = tmp_path / "results.json"
    argv = [sys.executable, "-m", "benchmarks.run", "--only", "google-10m", "--google-10m-rows", "2000"]
    done = subprocess.run([*argv, "--json", str(results)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    read, check = json.loads(results.read_text())["google_10m"]
    assert read["grid"] == "2,000 x 25" and read["result"]["rows"] == 2000 and read["result"]["columns"] == 25
    assert read["request_kinds"] == ["GET spreadsheets.get"] + ["GET values:batchGet"] * 5
    assert check["request_kinds"] == read["request_kinds"] and check["result"]["problems"] >= 1
    for row in (read, check):
        assert row["within_limits"] and 0 < row["max_url_chars"] < 2_048 and row["max_request_body_bytes"] == 0
        assert 0 < row["max_response_bytes"] < row["response_bytes"] and row["peak_mb"] > 0
    assert "every request under Google's request-size limits: met" in done.stdout


def test_the_google_rows_include_a_two_way_sync(tmp_path: Path) -> None:
    """Issue 18 item 4 at 300 rows: the sync of a pair edited on both sides costs 4 requests."""
    results = tmp_path / "results.json"
    argv = [sys.executable, "-m", "benchmarks.run", "--sizes", "300", "--repeat", "1", "--only", "google"]
    done = subprocess.run([*argv, "--json", str(results)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(results.read_text())
    (run,) = next(m for m in payload["results"] if m["name"] == "google sync")["runs"]
    extra = run["extra"]
    assert extra["http_requests"] == extra["sheetkit_requests"] == 4 and extra["request_body_bytes"] > 0
    assert extra["local_written"] and extra["remote_written"] and extra["conflicts"] == 0
    assert extra["request_kinds"][-1].startswith("POST") and extra["request_kinds"][:3] == [
        "GET spreadsheets.get",
        "GET values:batchGet",
        "GET values:batchGet",
    ]
    (row,) = [c for c in payload["comparisons"] if c["operation"] == "google sync"]
    assert row["anchor"] == "gspread_dataframe.set_with_dataframe" and row["target_text"].startswith("<= 4 req")
    assert 0 < row["ratio_bytes"] <= 0.03 and row["met"]  # deterministic bytes: 0.0273 at 300 rows


def test_the_processes_run_sheetkit_from_its_bytecode_as_an_installed_package_does() -> None:
    import importlib.util

    import sheetkit
    from benchmarks import whole

    assert whole.compile_bytecode()
    sources = sorted(Path(sheetkit.__file__).parent.rglob("*.py"))
    assert len(sources) > 40
    for source in sources:
        cached = importlib.util.cache_from_source(str(source))
        header = Path(cached).read_bytes()[:16]  # what an import checks: flags, then the source's mtime and size
        stat = source.stat()
        assert int.from_bytes(header[4:8], "little") == 0, source
        assert int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF, source
        assert int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF, source
