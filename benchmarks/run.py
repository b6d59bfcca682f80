"""The sheetkit benchmark suite: each operation against its anchor, in the same run, on the same machine.

    python -m benchmarks.run                     # 1,000, 10,000 and 100,000 rows (several minutes)
    python -m benchmarks.run --quick             # 1,000 and 10,000 rows (under two minutes)
    python -m benchmarks.run --sizes 1000,10000 --repeat 3 --json benchmarks/out/results.json --only check
    nox -s bench -- --quick
    nox -s bench -- --only google-10m            # only Google's limit: a 10,000,000-cell worksheet read and checked
    nox -s bench -- --only google --google-10m   # the Google rows at every size, and that one

Every measurement runs in a fresh subprocess (no imports or caches shared): the child imports what
the operation needs, then times the call alone with perf_counter and reports its own peak RSS
(getrusage ru_maxrss, which includes the interpreter and its imports). The --help commands are timed
as whole processes (wall clock, from the parent). Each measurement is repeated (--repeat, 3 by
default; an anchor whose first run takes over --slow seconds runs once, and the table says so) and
the median is reported. Google Sheets operations run against sheetkit's loopback Sheets emulator,
served from this (parent) process; requests and request-body bytes are counted from its log.

This suite is not part of the test run and asserts nothing: it prints a table, and writes it as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import google_10m, whole
from benchmarks.measured import find

REPO = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
AS_OF = "2026-11-27"  # a week after the generated workbooks were last "refreshed"
FULL_SIZES = [1_000, 10_000, 100_000]
QUICK_SIZES = [1_000, 10_000]
TARGET_ROWS = 100_000
CHANGED_FRACTION = 0.01  # Google benchmarks: this share of the rows is edited on one side
RESULT_MARK = "BENCH-RESULT "
HWM_PROBE = (
    "import atexit\n"
    "atexit.register(lambda: print('" + RESULT_MARK + "' + str(next(int(x.split()[1]) / 1024 for x in "
    "open('/proc/self/status') if x.startswith('VmHWM:'))), flush=True))\n"
)

# ============================================================================ child side
# Each child op imports what it needs, then returns the call to time. Runs as
# `python -m benchmarks.run --child NAME --spec JSON` and prints one RESULT_MARK line.

ChildOp = Callable[[dict[str, Any]], Callable[[], dict[str, Any] | None]]
CHILD_OPS: dict[str, ChildOp] = {}


def child_op(name: str) -> Callable[[ChildOp], ChildOp]:
    def register(function: ChildOp) -> ChildOp:
        CHILD_OPS[name] = function
        return function

    return register


def _peak_mb() -> float:
    """This process's peak RSS in MB.

    VmHWM (Linux) belongs to the process's own address space, so it starts afresh at exec. ru_maxrss
    does not: on Linux a child inherits the parent's high-water mark at fork/exec, so a child of a
    big parent (this one holds the emulator's spreadsheets) would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _import_sheetkit(*extra: str) -> None:
    """sheetkit's module-level imports plus those it makes lazily inside a call (pandera, calamine...)."""
    import importlib

    for name in (
        "sheetkit",
        "sheetkit.api",
        "sheetkit.excel.read",
        "sheetkit.core.validation",
        "sheetkit.core.writeplan",
        "sheetkit.runtime.atomic",
        "sheetkit.runtime.locks",
        "sheetkit.runtime.progress",
        "pandera.pandas",
        # pandera imports its check backends (and, through them, hypothesis when it is
        # installed: ~0.3 s) on the first validate call; that is import time too
        "pandera.backends.pandas.builtin_checks",
        "python_calamine",
        *extra,
    ):
        importlib.import_module(name)


@child_op("check")
def _child_check(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    _import_sheetkit()
    from sheetkit.api import check

    def call() -> dict[str, Any]:
        checked = check(spec["path"], as_of=spec["as_of"])
        return {"rows": checked.report.rows, "problems": len(checked.report.problems)}

    return call


@child_op("refresh")
def _child_refresh(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    _import_sheetkit("sheetkit.excel.package", "sheetkit.excel.write")
    import sheetkit

    def call() -> dict[str, Any]:
        result = sheetkit.refresh(spec["path"], as_of=spec["as_of"], output=None)
        return {"engine": result.engine, "cells_changed": result.cells_changed, "fallback": result.fallback_reason}

    return call


@child_op("read_excel")
def _child_read_excel(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    import openpyxl  # noqa: F401
    import pandas as pd

    def call() -> dict[str, Any]:
        frame = pd.read_excel(spec["path"], engine="openpyxl")
        return {"shape": list(frame.shape)}

    return call


@child_op("calamine")
def _child_calamine(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    from python_calamine import CalamineWorkbook

    def call() -> dict[str, Any]:
        rows = CalamineWorkbook.from_path(spec["path"]).get_sheet_by_index(0).to_python()
        return {"rows": len(rows)}

    return call


@child_op("openpyxl_load_save")
def _child_openpyxl(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    import openpyxl

    def call() -> dict[str, Any]:
        start = time.perf_counter()
        workbook = openpyxl.load_workbook(spec["path"])
        loaded = time.perf_counter()
        load_peak = _peak_mb()
        workbook.save(spec["path"])
        return {"load_s": loaded - start, "load_peak_mb": load_peak, "save_s": time.perf_counter() - loaded}

    return call


@child_op("google_refresh")
def _child_google_refresh(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    _import_sheetkit(
        "sheetkit.google.sheets", "sheetkit.google.client", "sheetkit.google.transport", "gspread", "requests"
    )
    import sheetkit

    def call() -> dict[str, Any]:
        result = sheetkit.refresh(spec["url"], as_of=spec["as_of"])
        return {"engine": result.engine, "cells_changed": result.cells_changed, "sheetkit_requests": result.requests}

    return call


@child_op("google_push")
def _child_google_push(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    _import_sheetkit(
        "sheetkit.transfer", "sheetkit.google.sheets", "sheetkit.google.client", "sheetkit.google.transport", "gspread"
    )
    from sheetkit.transfer import push

    def call() -> dict[str, Any]:
        result = push(spec["path"], spec["url"])
        return {"cells_changed": result.cells_changed, "sheetkit_requests": result.requests}

    return call


@child_op("google_sync")
def _child_google_sync(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """A two-way sync of a workbook and a Google Sheet that both changed since the last one.

    Its exit code is 1 on the generated sheet (its messy rows are validation problems); the
    parent checks that nothing conflicted and both sides were written.
    """
    _import_sheetkit(
        "sheetkit.syncing.engine",
        "sheetkit.google.sheets",
        "sheetkit.google.client",
        "sheetkit.google.transport",
        "gspread",
    )
    from sheetkit.syncing.engine import sync

    def call() -> dict[str, Any]:
        result = sync(spec["path"], spec["url"], as_of=spec["as_of"])
        return {
            "exit_code": result.exit_code,
            "conflicts": len(result.plan.conflicts),
            "local_written": result.local_written,
            "remote_written": result.remote_written,
            "sheetkit_requests": result.requests,
        }

    return call


def _scale_read_blocks(spec: dict[str, Any]) -> None:
    """A scaled-down --google-10m run (a smoke test) reads in as many blocks as the full one."""
    if spec.get("block_scale"):
        from sheetkit.google import sheets

        sheets.READ_CHUNK_CELLS = max(1, int(sheets.READ_CHUNK_CELLS * float(spec["block_scale"])))


@child_op("google_read_grid")
def _child_google_read_grid(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """Every value of the 10-million-cell worksheet: sheetkit.google.sheets.read_google_grid(url)."""
    import importlib

    for name in ("sheetkit.google.sheets", "sheetkit.google.client", "sheetkit.google.transport", "gspread"):
        importlib.import_module(name)
    from sheetkit.google.sheets import read_google_grid

    _scale_read_blocks(spec)

    def call() -> dict[str, Any]:
        grid = read_google_grid(spec["url"])
        return {
            "rows": len(grid.rows),
            "columns": len(grid.rows[0]) if grid.rows else 0,
            "sheetkit_requests": grid.sheet.stats.requests,
        }

    return call


@child_op("google_check")
def _child_google_check(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """sheetkit.check(url, as_of=...) of the 10-million-cell worksheet: read, validate, compute."""
    _import_sheetkit(
        "sheetkit.google.sheets", "sheetkit.google.client", "sheetkit.google.transport", "gspread", "requests"
    )
    from sheetkit.api import check

    _scale_read_blocks(spec)

    def call() -> dict[str, Any]:
        checked = check(spec["url"], as_of=spec["as_of"])
        return {"rows": checked.report.rows, "problems": len(checked.report.problems)}

    return call


@child_op("gspread_dataframe")
def _child_gspread_dataframe(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """The anchor: gspread_dataframe.set_with_dataframe of the same table (built before the timer)."""
    import gspread
    import pandas as pd
    import requests
    from gspread_dataframe import set_with_dataframe
    from python_calamine import CalamineWorkbook

    from sheetkit.google.transport import redirect_session

    rows = CalamineWorkbook.from_path(spec["path"]).get_sheet_by_index(0).to_python(skip_empty_area=False)
    header = spec["header_row"] - 1
    frame = pd.DataFrame(rows[header + 1 :], columns=rows[header])
    session = redirect_session(requests.Session(), os.environ["SHEETKIT_SHEETS_API_URL"])

    def call() -> dict[str, Any]:
        client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
        worksheet = client.open_by_key(spec["spreadsheet_id"]).get_worksheet_by_id(0)
        set_with_dataframe(worksheet, frame, row=spec["header_row"], include_index=False, resize=False)
        return {"shape": list(frame.shape)}

    return call


def child_main(name: str, spec: dict[str, Any]) -> int:
    import_start = time.perf_counter()
    call = CHILD_OPS[name](spec)
    imported = time.perf_counter()
    base_mb = _peak_mb()
    extra = call() or {}
    seconds = time.perf_counter() - imported
    result = {
        "seconds": seconds,
        "import_s": imported - import_start,
        "base_mb": base_mb,
        "peak_mb": _peak_mb(),
        **extra,
    }
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)
    return 0


# ============================================================================ parent side


@dataclass
class Run:
    """One process: the op's time (inside the child, or wall for whole-process ops) and its peak RSS."""

    seconds: float
    peak_mb: float
    wall_s: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Measurement:
    """An operation (or anchor) at one size, repeated."""

    name: str
    rows: int | None
    runs: list[Run]
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return statistics.median(r.peak_mb for r in self.runs)

    def median_extra(self, key: str) -> float:
        return statistics.median(float(r.extra[key]) for r in self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rows": self.rows,
            "reps": len(self.runs),
            "median_s": self.seconds,
            "median_peak_mb": self.peak_mb,
            "note": self.note,
            "runs": [asdict(r) for r in self.runs],
        }


def spawn(argv: Sequence[str], env: dict[str, str] | None = None, *, check: bool = True) -> tuple[float, float, str]:
    """Run a process to the end: (wall seconds, its ru_maxrss in MB from wait4, stdout). Raises on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), stdout=out, stderr=err, cwd=REPO, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if check and process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {process.returncode}:\n{stderr[-3000:]}")
    return wall, usage.ru_maxrss / 1024, stdout


def run_child(name: str, spec: dict[str, Any], env: dict[str, str] | None = None) -> Run:
    argv = [sys.executable, "-m", "benchmarks.run", "--child", name, "--spec", json.dumps(spec)]
    wall, rss, stdout = spawn(argv, env)
    line = next(x for x in reversed(stdout.splitlines()) if x.startswith(RESULT_MARK))
    result = json.loads(line[len(RESULT_MARK) :])
    seconds, peak = result.pop("seconds"), result.pop("peak_mb")
    result["wait4_peak_mb"] = rss
    return Run(seconds, peak, wall, result)


class Bench:
    """The suite's state: sizes, repeats, the emulator (started on first use), the measurements."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.repeat: int = args.repeat
        self.results: list[Measurement] = []
        self.emulator: Any = None
        self.emulator_seconds = 0.0
        self.answers: list[tuple[int, float]] = []  # (body bytes, emulator seconds) of each answer
        self.largest_answer = b""
        self.workdir = Path(tempfile.mkdtemp(prefix="sheetkit-bench-"))
        self.started = time.perf_counter()

    def close(self) -> None:
        if self.emulator is not None:
            self.emulator.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f}s] {text}", file=sys.stderr, flush=True)

    def wanted(self, group: str) -> bool:
        return not self.args.only or group in self.args.only

    def measure(
        self,
        name: str,
        rows: int | None,
        once: Callable[[], Run],
        *,
        anchor: bool = False,
        repeat: int | None = None,
        note: str = "",
    ) -> Measurement:
        """Repeat ``once``; an anchor slower than --slow seconds on its first run is not repeated."""
        runs: list[Run] = []
        for i in range(repeat or self.repeat):
            run = once()
            runs.append(run)
            self.log(f"{name} rows={rows}: {run.seconds:.3f} s, peak {run.peak_mb:.0f} MB")
            if anchor and i == 0 and (repeat or self.repeat) > 1 and run.seconds > self.args.slow:
                note = f"1 run (> {self.args.slow:g} s)"
                break
        measurement = Measurement(name, rows, runs, note)
        self.results.append(measurement)
        return measurement

    def record(self, name: str, rows: int | None, runs: list[tuple[float, float, dict[str, Any]]], note: str) -> None:
        """Keep runs measured elsewhere (seconds, peak MB, details) as one Measurement."""
        self.results.append(Measurement(name, rows, [Run(s, mb, s, extra) for s, mb, extra in runs], note))

    # -------------------------------------------------------------- file operations
    def fresh_copy(self, source: Path) -> Path:
        folder = Path(tempfile.mkdtemp(dir=self.workdir))
        target = folder / source.name
        shutil.copyfile(source, target)
        return target

    def files(self, n: int) -> None:
        from benchmarks.generate import workbook_path

        path = workbook_path(n)
        spec = {"path": str(path), "as_of": AS_OF}
        if self.wanted("check"):
            self.measure("check", n, lambda: run_child("check", spec))
            self.measure("pandas.read_excel", n, lambda: run_child("read_excel", spec), anchor=True)
            self.measure("calamine to_python", n, lambda: run_child("calamine", spec), anchor=True)
        if self.wanted("refresh"):
            self.measure("refresh", n, lambda: self._in_copy("refresh", path))
            self.measure("openpyxl load+save", n, lambda: self._in_copy("openpyxl_load_save", path), anchor=True)

    def _in_copy(self, op: str, source: Path) -> Run:
        copy = self.fresh_copy(source)
        try:
            return run_child(op, {"path": str(copy), "as_of": AS_OF})
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)

    # -------------------------------------------------------------- Google Sheets
    def google(self, n: int) -> None:
        from benchmarks.generate import HEADER_ROW

        if not self.wanted("google"):
            return
        base, edited, local = self.google_data(n)
        env = self.google_env()
        url = "https://docs.google.com/spreadsheets/d/{}/edit#gid=0"

        def remote_run(rows: list[list[Any]], op: str, spec: dict[str, Any]) -> Run:
            key = self.seed(rows)
            spec = {
                key_name: value.format(key) if isinstance(value, str) else value for key_name, value in spec.items()
            }
            run = run_child(op, spec, env)
            self.count_requests(run, key)
            return run

        # Quick mode runs these once: the emulator's own time dominates their wall time, and their request
        # and byte counts do not vary between runs.
        repeat, note = (1, "1 run (quick mode)") if self.args.quick else (None, "")
        # The sheet was edited in Google (1% of rows): refresh recomputes and writes those rows' cells.
        refresh_spec = {"url": url, "as_of": AS_OF}
        self.measure(
            "google refresh", n, lambda: remote_run(edited, "google_refresh", refresh_spec), repeat=repeat, note=note
        )
        # The workbook was edited (1% of rows): push sends them to the in-sync Google copy.
        push_spec = {"path": str(local), "url": url}
        self.measure("google push", n, lambda: remote_run(base, "google_push", push_spec), repeat=repeat, note=note)
        self.google_sync(n, base, env, repeat=repeat, note=note)
        # The anchor: the same edited table sent with gspread_dataframe.set_with_dataframe.
        spec = {"path": str(local), "spreadsheet_id": "{}", "header_row": HEADER_ROW}

        def anchor_once() -> Run:
            return remote_run(base, "gspread_dataframe", spec)

        # Its bytes and requests are what the target compares; they do not vary, so it runs once.
        self.measure("gspread_dataframe.set_with_dataframe", n, anchor_once, repeat=1, note="1 run (byte count)")

    def google_sync(self, n: int, base: list[list[Any]], env: dict[str, str], *, repeat: int | None, note: str) -> None:
        """Two-way sync: 1% of the rows edited in the workbook (date and note), another 1% in Google (note).

        The pair is set up once, outside the timing: the refreshed workbook and ``base`` in the
        emulator, a first sync (which adds the ID column on both sides and writes the state), then
        the edits. Each run restores the workbook, the state and the spreadsheet as they were.
        """
        import copy
        from unittest import mock

        from gspread import Client

        from benchmarks.generate import GENERATOR_VERSION, HEADER_ROW
        from sheetkit.core.cells import CellUpdate, column_letter
        from sheetkit.excel.write import write_cells
        from sheetkit.syncing.engine import sync
        from sheetkit.syncing.state import state_path
        from sheetkit.testing import emulator_session

        start = time.perf_counter()
        folder = self.workdir / f"sync-{n}"
        folder.mkdir(exist_ok=True)
        book = folder / "contacts.xlsx"
        shutil.copyfile(OUT / f"synced-v{GENERATOR_VERSION}-{n}.xlsx", book)
        key = self.seed(base)
        url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
        with mock.patch.dict(os.environ, env):  # the emulator, as the children see it; restored after
            os.environ.pop("SHEETKIT_CREDENTIALS", None)
            first = sync(book, url, as_of=AS_OF)
        if first.plan.conflicts or first.key_problems:  # exit 1 alone: the generated sheet's messy rows
            raise RuntimeError(f"the first sync of the benchmark pair left conflicts:\n{first.summary()}")
        header = base[HEADER_ROW - 1]
        contacted, notes = header.index("Last Contacted") + 1, header.index("Notes") + 1
        changed = max(1, int(n * CHANGED_FRACTION))
        rows = random.Random(n + 1).sample(range(HEADER_ROW + 1, len(base) + 1), 2 * changed)
        day = dt.date.fromisoformat(AS_OF) - dt.timedelta(days=1)
        local = [
            CellUpdate(row, column, value)
            for row in sorted(rows[:changed])
            for column, value in ((contacted, day), (notes, f"Called back {day:%d %b}: sent the role"))
        ]
        edited = folder / "edited.xlsx"
        sheet = first.view.workbook.sheet if first.view is not None else "Contacts"
        write_cells(book, edited, sheet, local, header_row=HEADER_ROW)
        os.replace(edited, book)
        client = Client(auth=None, session=emulator_session(self.emulator.url))  # type: ignore[arg-type]
        worksheet = client.open_by_key(key).get_worksheet_by_id(0)
        emailed = [["Emailed: waiting for an answer"]]
        worksheet.batch_update(
            [{"range": f"{column_letter(notes)}{row}", "values": emailed} for row in rows[changed:]],
            value_input_option="RAW",
        )
        files = {path: path.read_bytes() for path in (book, state_path(book))}
        spreadsheet = copy.deepcopy(self.emulator.books[key])
        self.log(f"google sync rows={n}: pair set up in {time.perf_counter() - start:.0f} s")

        def once() -> Run:
            for path, data in files.items():
                path.write_bytes(data)
            self.emulator.books[key] = copy.deepcopy(spreadsheet)
            self.reset_log()
            run = run_child("google_sync", {"path": str(book), "url": url, "as_of": AS_OF}, env)
            self.count_requests(run, key, keep=True)
            extra = run.extra
            both = extra["local_written"] and extra["remote_written"]
            if extra["conflicts"] or not both:
                raise RuntimeError(f"the benchmark sync did not write both sides cleanly: {extra}")
            return run

        try:
            self.measure("google sync", n, once, repeat=repeat, note=note)
        finally:
            self.emulator.books.pop(key, None)
            shutil.rmtree(folder, ignore_errors=True)

    def google_10m(self) -> None:
        """Google's limit, 10,000,000 cells in one worksheet, read and checked once each (--google-10m)."""
        rows = self.args.google_10m_rows
        env = self.google_env()
        start = time.perf_counter()
        key = google_10m.seed(self.emulator, rows)
        self.log(
            f"seeded the emulator: one worksheet of {rows:,} x {google_10m.GRID_COLUMNS} = "
            f"{rows * google_10m.GRID_COLUMNS:,} cells in {time.perf_counter() - start:.0f} s"
        )
        spec: dict[str, Any] = {"url": f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0", "as_of": AS_OF}
        if rows != google_10m.GRID_ROWS:
            spec["block_scale"] = rows / google_10m.GRID_ROWS  # a smoke run: the same number of blocks
        columns = google_10m.GRID_COLUMNS
        grid = {"grid_rows": rows, "grid_columns": columns, "grid_cells": rows * columns}

        def once(op: str) -> Run:
            self.reset_log()
            run = run_child(op, spec, env)
            gzipped = google_10m.gzip_size(self.largest_answer)
            self.count_requests(run, key, keep=True)
            run.extra.update(grid, max_response_gzip_bytes=gzipped)
            self.log(
                f"{op}: {run.extra['http_requests']} requests, largest URL {run.extra['max_url_chars']} chars, "
                f"largest answer {run.extra['max_response_bytes']:,} B, emulator {run.extra['emulator_s']:.1f} s"
            )
            return run

        try:
            note = "1 run (10 million cells)"
            self.measure(google_10m.READ, rows, lambda: once("google_read_grid"), repeat=1, note=note)
            self.measure(google_10m.CHECK, rows, lambda: once("google_check"), repeat=1, note=note)
        finally:
            self.emulator.books.pop(key, None)

    def google_env(self) -> dict[str, str]:
        if self.emulator is None:
            from sheetkit.testing.emulator import SheetsEmulator

            self.emulator = emulator = SheetsEmulator().start()
            handle = emulator.handle

            def timed_handle(*args: Any, **kwargs: Any) -> Any:
                # The emulator runs in this process and is slower than Google on big sheets (reading a
                # 100,000-row sheet takes it seconds): its time is counted here and taken out of the client's.
                # Each answer's size is kept too (the request log holds requests only).
                start = time.perf_counter()
                answer = None
                try:
                    answer = handle(*args, **kwargs)
                    return answer
                finally:
                    seconds = time.perf_counter() - start
                    self.emulator_seconds += seconds
                    payload = answer[2] if answer is not None else b""
                    self.answers.append((len(payload), seconds))
                    if len(payload) > len(self.largest_answer):
                        self.largest_answer = payload

            setattr(emulator, "handle", timed_handle)  # noqa: B010  (an instance attribute shadows the method)
        env = {k: v for k, v in os.environ.items() if k != "SHEETKIT_CREDENTIALS"}
        env["SHEETKIT_SHEETS_API_URL"] = self.emulator.url
        env["GSPREAD_CONFIG_DIR"] = str(self.workdir / "no-gspread-config")
        return env

    def seed(self, rows: list[list[Any]]) -> str:
        """A fresh spreadsheet holding rows (the previous ones are dropped to keep memory flat)."""
        emulator = self.emulator
        emulator.books.clear()
        self.reset_log()
        return str(emulator.create_spreadsheet("Candidate pipeline", {"Contacts": rows}))

    def reset_log(self) -> None:
        """Forget the requests, answers and emulator time counted so far."""
        self.emulator.clear_requests()
        self.emulator_seconds = 0.0
        self.answers = []
        self.largest_answer = b""

    def count_requests(self, run: Run, key: str, *, keep: bool = False) -> None:
        """The emulator's log of one run into ``run``; its time out of the run's. ``keep``: leave the spreadsheet."""
        requests = self.emulator.requests
        run.extra["http_requests"] = len(requests)
        run.extra["request_body_bytes"] = sum(len(r.body) for r in requests)
        run.extra["request_bytes_with_headers"] = sum(
            len(r.body)
            + len(r.method)
            + len(r.path)
            + len(r.query)
            + 12
            + sum(len(k) + len(v) + 4 for k, v in r.headers.items())
            for r in requests
        )
        run.extra["request_kinds"] = [_request_kind(r.method, r.path) for r in requests]
        run.extra.update(google_10m.request_sizes(requests, run.extra["request_kinds"], self.answers))
        run.extra["raw_s"] = run.seconds
        run.extra["emulator_s"] = self.emulator_seconds
        run.seconds = max(0.0, run.seconds - self.emulator_seconds)
        if not keep:
            self.emulator.books.pop(key, None)
        self.reset_log()

    def google_data(self, n: int) -> tuple[list[list[Any]], list[list[Any]], Path]:
        """(base, edited, local): the in-sync sheet, the same with 1% of rows edited, and edited as a workbook.

        base: the generated workbook refreshed as of AS_OF (computed columns current), as calamine reads it.
        edited: base with CHANGED_FRACTION of the rows given a new Last Contacted and a new note.
        local: edited written as a formatted workbook (what a push sends from).
        """
        from python_calamine import CalamineWorkbook

        import sheetkit
        from benchmarks.generate import GENERATOR_VERSION, HEADER_ROW, workbook_path, write_workbook

        synced = OUT / f"synced-v{GENERATOR_VERSION}-{n}.xlsx"
        if not synced.exists():
            self.log(f"writing {synced.name} (the workbook refreshed as of {AS_OF})")
            sheetkit.refresh(workbook_path(n), as_of=AS_OF, output=synced, backup=False, progress=False)
        base = CalamineWorkbook.from_path(str(synced)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        header = base[HEADER_ROW - 1]
        contacted, notes = header.index("Last Contacted"), header.index("Notes")
        day = dt.date.fromisoformat(AS_OF) - dt.timedelta(days=1)
        edited = [list(r) for r in base]
        rng = random.Random(n)
        for index in sorted(rng.sample(range(HEADER_ROW, len(base)), max(1, int(n * CHANGED_FRACTION)))):
            edited[index][contacted] = day
            edited[index][notes] = f"Called back {day:%d %b}: wants a call in January"
        local = OUT / f"edited-v{GENERATOR_VERSION}-{n}.xlsx"
        if not local.exists():
            self.log(f"writing {local.name} (1% of the rows edited)")
            write_workbook(local, edited)
        return base, edited, local

    # -------------------------------------------------------------- --help
    def help(self) -> None:
        if not self.wanted("help"):
            return
        script = Path(sys.executable).with_name("sheetkit")
        sheetkit_cmd = [str(script)] if script.exists() else [sys.executable, "-m", "sheetkit"]
        commands = {
            "sheetkit --help": [*sheetkit_cmd, "--help"],
            "sheetkit validate --help": [*sheetkit_cmd, "validate", "--help"],
            'python -c "import pandas"': [sys.executable, "-c", "import pandas"],
        }
        probes = {
            "sheetkit --help": "import sys; sys.argv = ['sheetkit', '--help']; from sheetkit.cli import main; main()",
            "sheetkit validate --help": (
                "import sys; sys.argv = ['sheetkit', 'validate', '--help']; from sheetkit.cli import main; main()"
            ),
            'python -c "import pandas"': "import pandas",
        }
        for name, argv in commands.items():
            # Wall time of the real command; its peak RSS from a twin process that reports its own VmHWM
            # at exit (wait4's ru_maxrss would include this parent's size, inherited at fork/exec).
            probe = [sys.executable, "-c", HWM_PROBE + probes[name]]

            def once(argv: list[str] = argv, probe: list[str] = probe) -> Run:
                wall, rss, _ = spawn(argv)
                _, _, stdout = spawn(probe, check=False)
                line = next(x for x in reversed(stdout.splitlines()) if x.startswith(RESULT_MARK))
                return Run(wall, float(line[len(RESULT_MARK) :]), wall, {"wait4_peak_mb": rss})

            self.measure(name, None, once)


# ============================================================================ report

TARGETS: list[dict[str, Any]] = [
    {"id": 1, "op": "check", "anchor": "pandas.read_excel", "kind": "time", "limit": 0.15},
    {"id": 1, "op": "check", "anchor": "calamine to_python", "kind": "time", "limit": 1.3},
    {"id": 2, "op": "refresh", "anchor": "openpyxl load+save", "kind": "time", "limit": 0.10},
    {"id": 3, "op": "refresh", "anchor": "openpyxl load_workbook", "kind": "mem", "limit": 0.5},
    {
        "id": 4,
        "op": "google refresh",
        "anchor": "gspread_dataframe.set_with_dataframe",
        "kind": "google",
        "limit": 0.03,
    },
    {"id": 4, "op": "google push", "anchor": "gspread_dataframe.set_with_dataframe", "kind": "google", "limit": 0.03},
    # Issue 18 item 4. The anchor sends the edited table without the sync's ID column: the smaller
    # denominator, so the ratio is, if anything, overstated.
    {
        "id": 4,
        "op": "google sync",
        "anchor": "gspread_dataframe.set_with_dataframe",
        "kind": "google",
        "limit": 0.03,
        "requests": 4,
    },
    {"id": 5, "op": "sheetkit --help", "anchor": 'python -c "import pandas"', "kind": "time", "limit": 0.5},
    {"id": 5, "op": "sheetkit validate --help", "anchor": 'python -c "import pandas"', "kind": "time", "limit": 0.5},
]
GROWTH_OPS = ["check", "refresh", "google refresh", "google push", "google sync"]
GROWTH_LIMIT = 11.0
MAX_GOOGLE_REQUESTS = 3


def comparisons(results: list[Measurement]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    sizes = sorted({m.rows for m in results if m.rows is not None})
    for target in TARGETS:
        for n in [None] if target["op"].startswith("sheetkit") else sizes:
            op = find(results, target["op"], n)
            anchor_name = "openpyxl load+save" if target["anchor"] == "openpyxl load_workbook" else target["anchor"]
            anchor = find(results, anchor_name, n)
            if op is None or anchor is None:
                continue
            row: dict[str, Any] = {
                "target": target["id"],
                "operation": target["op"],
                "rows": n,
                "reps": len(op.runs),
                "median_s": op.seconds,
                "peak_mb": op.peak_mb,
                "anchor": target["anchor"],
                "anchor_reps": len(anchor.runs),
                "anchor_note": anchor.note,
                "anchor_s": anchor.seconds,
                "anchor_peak_mb": anchor.peak_mb,
            }
            if target["anchor"] == "openpyxl load_workbook":
                row["anchor_s"] = anchor.median_extra("load_s")
                row["anchor_peak_mb"] = anchor.median_extra("load_peak_mb")
            row["ratio_time"] = row["median_s"] / row["anchor_s"]
            row["ratio_mem"] = row["peak_mb"] / row["anchor_peak_mb"]
            if target["kind"] == "time":
                row["target_text"] = f"time <= {target['limit']:g}x"
                row["met"] = row["ratio_time"] <= target["limit"]
            elif target["kind"] == "mem":
                row["target_text"] = f"peak <= {target['limit']:g}x"
                row["met"] = row["ratio_mem"] <= target["limit"]
            else:
                requests = op.median_extra("http_requests")
                sent, anchor_sent = op.median_extra("request_body_bytes"), anchor.median_extra("request_body_bytes")
                row.update(
                    http_requests=requests,
                    request_bytes=sent,
                    anchor_http_requests=anchor.median_extra("http_requests"),
                    anchor_request_bytes=anchor_sent,
                    ratio_bytes=sent / anchor_sent if anchor_sent else float("inf"),
                    request_kinds=op.runs[0].extra.get("request_kinds"),
                )
                most = target.get("requests", MAX_GOOGLE_REQUESTS)
                row["target_text"] = f"<= {most} req, bytes <= {target['limit']:g}x"
                row["met"] = requests <= most and row["ratio_bytes"] <= target["limit"]
            if "engine" in op.runs[0].extra:
                row["engine"] = op.runs[0].extra["engine"]
            rows.append(row)
    return rows


def growth(results: list[Measurement]) -> list[dict[str, Any]]:
    out = []
    for name in GROWTH_OPS:
        small, large = find(results, name, 10_000), find(results, name, 100_000)
        if small is None or large is None:
            continue
        ratio = large.seconds / small.seconds
        out.append(
            {"operation": name, "s_10000": small.seconds, "s_100000": large.seconds, "ratio": ratio,
             "met": ratio <= GROWTH_LIMIT}
        )  # fmt: skip
    return out


def _request_kind(method: str, path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    if ":" in last and not last.startswith("values"):
        last = "spreadsheets:" + last.split(":", 1)[1]
    elif "/values" not in path:
        last = "spreadsheets.get"
    return f"{method} {last}"


def _rows(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _mb(value: float) -> str:
    return f"{value:,.0f}"


def _s(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def markdown_tables(results: list[Measurement], compared: list[dict[str, Any]], grown: list[dict[str, Any]]) -> str:
    lines = [
        "| # | operation | rows | median s | peak MB | anchor | anchor median s | anchor peak MB | time x | mem x "
        "| target | met? |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for row in compared:
        anchor = row["anchor"] + (f" ({row['anchor_note']})" if row["anchor_note"] else "")
        lines.append(
            f"| {row['target']} | {row['operation']} | {_rows(row['rows'])} | {_s(row['median_s'])} "
            f"| {_mb(row['peak_mb'])} | {anchor} | {_s(row['anchor_s'])} | {_mb(row['anchor_peak_mb'])} "
            f"| {row['ratio_time']:.3f} | {row['ratio_mem']:.2f} | {row['target_text']} "
            f"| {'yes' if row['met'] else '**NO**'} |"
        )
    google = [r for r in compared if "http_requests" in r]
    if google:
        lines += [
            "",
            "| operation | rows | HTTP requests | request body bytes | anchor requests | anchor body bytes | bytes x "
            "| requests sent |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in google:
            kinds = ", ".join(row["request_kinds"] or [])
            lines.append(
                f"| {row['operation']} | {_rows(row['rows'])} | {row['http_requests']:.0f} "
                f"| {row['request_bytes']:,.0f} | {row['anchor_http_requests']:.0f} "
                f"| {row['anchor_request_bytes']:,.0f} | {row['ratio_bytes']:.4f} | {kinds} |"
            )
    if grown:
        lines += ["", "| operation | median s, 10,000 rows | median s, 100,000 rows | growth | target | met? |"]
        lines.append("|---|---:|---:|---:|---|---|")
        for row in grown:
            lines.append(
                f"| {row['operation']} | {_s(row['s_10000'])} | {_s(row['s_100000'])} | {row['ratio']:.2f} "
                f"| <= {GROWTH_LIMIT:g} | {'yes' if row['met'] else '**NO**'} |"
            )
    lines += ["", "All measurements (median of the runs; peak = the process's max RSS):", ""]
    lines += ["| measurement | rows | runs | median s | peak MB | details |", "|---|---:|---:|---:|---:|---|"]
    for m in results:
        details = _details(m)
        lines.append(f"| {m.name} | {_rows(m.rows)} | {len(m.runs)} | {_s(m.seconds)} | {_mb(m.peak_mb)} | {details} |")
    return "\n".join(lines)


def _details(m: Measurement) -> str:
    extra = m.runs[0].extra
    parts = []
    if "import_s" in extra:
        parts.append(f"imports {statistics.median(r.extra['import_s'] for r in m.runs):.2f} s")
        parts.append(f"after imports {statistics.median(r.extra['base_mb'] for r in m.runs):.0f} MB")
    for key in ("engine", "cells_changed", "problems", "fallback"):
        if extra.get(key) not in (None, ""):
            parts.append(f"{key} {extra[key]}")
    if "load_s" in extra:
        parts.append(f"load {m.median_extra('load_s'):.2f} s, peak after load {m.median_extra('load_peak_mb'):.0f} MB")
        parts.append(f"save {m.median_extra('save_s'):.2f} s")
    if "http_requests" in extra:
        parts.append(f"{m.median_extra('http_requests'):.0f} requests, {m.median_extra('request_body_bytes'):,.0f} B")
    if m.note:
        parts.append(m.note)
    return "; ".join(parts)


def machine() -> dict[str, Any]:
    from importlib import metadata

    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor()
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions: dict[str, str | None] = {}
    for package in (
        "sheetkit", "pandas", "numpy", "pandera", "openpyxl", "python-calamine", "gspread", "gspread-dataframe",
        "requests",
    ):  # fmt: skip
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "versions": versions,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git": git_state(),
    }


def git_state() -> str:
    """The commit measured, with "+dirty" when sheetkit/ has uncommitted changes (others may be editing)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sheetkit", "schemas"], cwd=REPO, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if head.returncode == 0 else "unknown"


def summary(compared: list[dict[str, Any]], grown: list[dict[str, Any]]) -> list[str]:
    """One line per target: met or not, at 100,000 rows (or the largest size measured)."""
    lines = []
    for number in sorted({t["id"] for t in TARGETS}):
        rows = [r for r in compared if r["target"] == number]
        if not rows:
            continue
        sized = [r for r in rows if r["rows"] is not None]
        if sized:
            largest = max(r["rows"] for r in sized)
            rows = [r for r in sized if r["rows"] == largest]
        where = (
            "" if rows[0]["rows"] in (None, TARGET_ROWS) else f" (at {rows[0]['rows']:,} rows; target is at 100,000)"
        )
        verdict = "met" if all(r["met"] for r in rows) else "NOT met"
        lines.append(f"target {number}: {verdict}{where}")
    if grown:
        verdict = "met" if all(g["met"] for g in grown) else "NOT met"
        lines.append(f"target 6 (growth <= {GROWTH_LIMIT:g}): {verdict}")
    return lines


@contextmanager
def _bench(args: argparse.Namespace) -> Iterator[Bench]:
    bench = Bench(args)
    try:
        yield bench
    finally:
        bench.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The suite's options; ``--only`` split into group names (naming google-10m opts into it)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 rows only")
    parser.add_argument("--sizes", help="comma-separated row counts (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--slow", type=float, default=30.0, help="an anchor slower than this runs once")
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="where to write the results")
    parser.add_argument("--markdown", type=Path, help="also write the tables as markdown here")
    parser.add_argument(
        "--only",
        action="append",
        help="only these groups, each with its anchors: check, refresh, google, help, whole, google-10m "
        "(comma-separated or repeated; google-10m: that read alone)",
    )
    parser.add_argument(
        "--biggest",
        action="store_true",
        help="also the workbook at Excel's row limit (generated once and cached: ~10 minutes the first time)",
    )
    parser.add_argument(
        "--google-10m",
        action="store_true",
        help="also read and check a Google worksheet of 10 million cells (Google's limit: 400,000 x 25) in the "
        "emulator, and hold every request to Google's request-size limits (~1 GB of memory in this process, "
        "~90 s)",
    )
    parser.add_argument("--google-10m-rows", type=int, default=google_10m.GRID_ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only:
        args.only = [o.strip() for part in args.only for o in part.split(",") if o.strip()]
        args.google_10m = args.google_10m or "google-10m" in args.only
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args.child, json.loads(args.spec))
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
    info = machine()
    whole.compile_bytecode()  # the fresh processes run sheetkit as an installed package does (see whole)
    with _bench(args) as bench:
        bench.log(
            f"sizes {sizes}, {args.repeat} runs each; {info['cpu']} x{info['cpu_count']}, Python {info['python']}"
        )
        bench.help()
        for n in sizes:
            if bench.wanted("whole"):
                whole.run_whole(bench, n, AS_OF)
            bench.files(n)
            bench.google(n)
        if args.biggest:
            whole.run_biggest(bench, AS_OF)
        if args.google_10m:
            bench.google_10m()
        elapsed = time.perf_counter() - bench.started
    info["git_at_end"] = git_state()
    compared, grown = comparisons(bench.results), growth(bench.results)
    processes, biggest = whole.whole_comparisons(bench.results), whole.biggest_rows(bench.results)
    ten_million = google_10m.rows(bench.results)
    tables = "\n\n".join(
        part
        for part in (
            whole.markdown(processes, biggest),
            google_10m.markdown(ten_million),
            markdown_tables(bench.results, compared, grown),
        )
        if part
    )
    verdicts = summary(compared, grown) + google_10m.summary(ten_million)
    print(tables)
    print()
    print("\n".join(verdicts))
    print(f"\n{info['platform']}; {info['cpu']} x{info['cpu_count']}, {info['memory']}; Python {info['python']}")
    print(", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(f"sheetkit commit {info['git']} at start, {info['git_at_end']} at end")
    print(f"suite took {elapsed:.0f} s")
    payload = {
        "machine": info,
        "as_of": AS_OF,
        "sizes": sizes,
        "repeat": args.repeat,
        "elapsed_s": elapsed,
        "results": [m.to_dict() for m in bench.results],
        "comparisons": compared,
        "growth": grown,
        "whole_processes": processes,
        "biggest": biggest,
        "google_10m": ten_million,
        "summary": verdicts,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"results written to {args.json}")
    if args.markdown:
        args.markdown.write_text(tables + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
