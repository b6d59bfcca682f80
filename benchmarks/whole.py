"""Whole-process rows: sheetkit's commands as users run them, side by side with whole-process anchors.

cron starts a fresh `sheetkit refresh` every few minutes, so the time a user waits includes the
interpreter, every import and the output written to a file. Each command here is one fresh process
(the `sheetkit` console script; the anchors are `python -c` one-liners), started through
`/usr/bin/time` so that its peak RSS is the child's own: a child forked straight from this parent
would inherit the parent's high-water mark in `ru_maxrss` (Linux keeps it across fork and exec),
and the parent may hold the emulator's spreadsheets. /usr/bin/time is a small C program, so the
mark it passes on is its own (~2 MB).

Runs alternate between the members of a group (A B, then B A, ...) so that a minute when the
shared machine is busy slows both sides of a ratio alike; medians are reported.

sheetkit runs from its compiled bytecode, as an installed package does (pip compiles it on
install, and an editable install writes it on the first run): :func:`compile_bytecode` makes sure
of it first, since an environment with PYTHONDONTWRITEBYTECODE set never writes it, and every
process would then compile sheetkit's ~50 modules from source (~0.2 s of each run, measured on
2026-12-04) while the anchors' libraries ran from the bytecode pip wrote.
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measured import find

TIME = "/usr/bin/time"
CALAMINE_ONLY = (
    "import sys; from python_calamine import CalamineWorkbook; "
    "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()"
)
OPENPYXL_LOAD_SAVE = "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])"

VALIDATE = "sheetkit validate --format json (process)"
REFRESH = "sheetkit refresh --output (process)"
CALAMINE = "python -c calamine to_python (process)"
OPENPYXL = "python -c openpyxl load+save (process)"

# (operation, anchor, what is compared, limit): the goals of issue 18, defined at 100,000 rows.
WHOLE_TARGETS: list[tuple[str, str, str, float]] = [
    (VALIDATE, CALAMINE, "time", 1.5),
    (REFRESH, OPENPYXL, "time", 0.08),
    (REFRESH, OPENPYXL, "mem", 0.5),
    (REFRESH, CALAMINE, "time", 2.5),
]
# records on rows 4..1,048,576: the title, a blank row and the header above them fill Excel's grid
BIGGEST_ROWS = 1_048_573
BIGGEST_GROWTH_LIMIT = 12.0
BIGGEST_PEAK_MB = 1536.0


@dataclass
class ProcessRun:
    """One fresh process: wall seconds (from the parent), its own peak RSS and its exit code."""

    seconds: float
    peak_mb: float
    exit_code: int


def available() -> bool:
    return Path(TIME).exists()


def timed_process(argv: list[str], stdout_path: Path | None = None, cwd: Path | None = None) -> ProcessRun:
    """Run argv to the end under /usr/bin/time; exit codes 0 and 1 (problems found) count as done."""
    with tempfile.NamedTemporaryFile(suffix=".time") as report:
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            start = time.perf_counter()
            done = subprocess.run(
                [TIME, "-f", "%M %x", "-o", report.name, *argv],
                stdout=out,
                stderr=subprocess.PIPE,
                cwd=cwd,
                check=False,
            )
            seconds = time.perf_counter() - start
        finally:
            if stdout_path:
                out.close()  # type: ignore[union-attr]
        fields = Path(report.name).read_text().split()
    if done.returncode not in (0, 1):
        stderr = done.stderr.decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}:\n{stderr}")
    # the last line is ours (a command killed by a signal gets a "Command terminated" line before it)
    peak_kib, code = int(fields[-2]), int(fields[-1])
    return ProcessRun(seconds, peak_kib / 1024, code)


def compile_bytecode() -> bool:
    """Compile sheetkit's modules to bytecode where it is missing or stale, as pip does when it
    installs a package; whether every module compiled. Returns at once when it is all there."""
    import sheetkit

    package = Path(sheetkit.__file__).parent
    return bool(compileall.compile_dir(package, quiet=1, workers=1))


def bytecode_note() -> str:
    """What the tables should say about how sheetkit ran: from bytecode, and why that was made sure of."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return "sheetkit compiled to bytecode first (PYTHONDONTWRITEBYTECODE is set here, so no run writes it)"
    return "sheetkit compiled to bytecode first"


def sheetkit_command() -> list[str]:
    script = Path(sys.executable).with_name("sheetkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sheetkit"]


def commands(path: Path, as_of: str, work: Path) -> dict[str, Any]:
    """name -> a function running that command once (on a fresh copy where the command writes)."""
    sheetkit = sheetkit_command()

    def validate() -> ProcessRun:
        return timed_process([*sheetkit, "validate", str(path), "--format", "json", "--as-of", as_of], work / "v.json")

    def refresh() -> ProcessRun:
        output = work / "refreshed.xlsx"
        output.unlink(missing_ok=True)
        argv = [*sheetkit, "refresh", str(path), "--output", str(output), "--as-of", as_of, "--quiet"]
        return timed_process(argv, work / "refresh.out")

    def calamine() -> ProcessRun:
        return timed_process([sys.executable, "-c", CALAMINE_ONLY, str(path)])

    def openpyxl() -> ProcessRun:
        output = work / "openpyxl.xlsx"
        output.unlink(missing_ok=True)
        return timed_process([sys.executable, "-c", OPENPYXL_LOAD_SAVE, str(path), str(output)])

    return {VALIDATE: validate, REFRESH: refresh, CALAMINE: calamine, OPENPYXL: openpyxl}


def measure_group(bench: Any, n: int, path: Path, as_of: str, names: list[str]) -> None:
    """Alternate the commands of one group round by round; record one Measurement per command.

    An anchor slower than --slow on its first run leaves the rotation after it (the table says so).
    """
    work = Path(tempfile.mkdtemp(dir=bench.workdir))
    run_once = commands(path, as_of, work)
    runs: dict[str, list[tuple[float, float, dict[str, Any]]]] = {name: [] for name in names}
    notes: dict[str, str] = {}
    try:
        for round_number in range(bench.repeat):
            order = names if round_number % 2 == 0 else list(reversed(names))
            for name in order:
                if name in notes:
                    continue
                done = run_once[name]()
                runs[name].append((done.seconds, done.peak_mb, {"exit_code": done.exit_code}))
                bench.log(f"{name} rows={n}: {done.seconds:.3f} s, peak {done.peak_mb:.0f} MB")
                anchor = name in (CALAMINE, OPENPYXL)
                if anchor and round_number == 0 and bench.repeat > 1 and done.seconds > bench.args.slow:
                    notes[name] = f"1 run (> {bench.args.slow:g} s)"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name in names:
        bench.record(name, n, runs[name], notes.get(name, ""))


def run_whole(bench: Any, n: int, as_of: str) -> None:
    """The whole-process group at n rows: validate, refresh and both anchors, alternating."""
    from benchmarks.generate import workbook_path

    if not available():
        bench.log(f"whole-process rows skipped: {TIME} is not installed (it reports each child's own peak RSS)")
        return
    measure_group(bench, n, workbook_path(n), as_of, [VALIDATE, CALAMINE, REFRESH, OPENPYXL])


def run_biggest(bench: Any, as_of: str) -> None:
    """Excel's row limit: validate and refresh as processes, beside the calamine-only parse (generated once)."""
    from benchmarks.generate import workbook_path

    if not available():
        return
    measure_group(bench, BIGGEST_ROWS, workbook_path(BIGGEST_ROWS), as_of, [VALIDATE, CALAMINE, REFRESH])


def whole_comparisons(results: list[Any]) -> list[dict[str, Any]]:
    """Each (command, anchor) pair at every size measured: medians, peaks and ratios."""
    out: list[dict[str, Any]] = []
    sizes = sorted({m.rows for m in results if m.name == VALIDATE and m.rows is not None})
    for n in sizes:
        for op_name, anchor_name, kind, limit in WHOLE_TARGETS:
            op, anchor = find(results, op_name, n), find(results, anchor_name, n)
            if op is None or anchor is None:
                continue
            ratio_time, ratio_mem = op.seconds / anchor.seconds, op.peak_mb / anchor.peak_mb
            ratio = ratio_time if kind == "time" else ratio_mem
            out.append(
                {
                    "operation": op_name, "rows": n, "reps": len(op.runs), "median_s": op.seconds,
                    "peak_mb": op.peak_mb, "anchor": anchor_name, "anchor_reps": len(anchor.runs),
                    "anchor_note": anchor.note, "anchor_s": anchor.seconds, "anchor_peak_mb": anchor.peak_mb,
                    "ratio_time": ratio_time, "ratio_mem": ratio_mem, "kind": kind,
                    "target_text": f"{kind} <= {limit:g}x", "met": ratio <= limit,
                }
            )  # fmt: skip
    return out


def biggest_rows(results: list[Any]) -> list[dict[str, Any]]:
    """Growth from 100,000 rows to Excel's limit, and the peak there."""
    out = []
    for name in (VALIDATE, REFRESH):
        small, big = find(results, name, 100_000), find(results, name, BIGGEST_ROWS)
        if big is None:
            continue
        growth = big.seconds / small.seconds if small is not None else None
        out.append(
            {
                "operation": name, "s_100000": small.seconds if small else None, "s_biggest": big.seconds,
                "peak_mb": big.peak_mb, "growth": growth,
                "met": (growth is None or growth < BIGGEST_GROWTH_LIMIT) and big.peak_mb < BIGGEST_PEAK_MB,
            }
        )  # fmt: skip
    return out


def markdown(compared: list[dict[str, Any]], biggest: list[dict[str, Any]]) -> str:
    if not compared and not biggest:
        return ""
    lines = [
        "Whole processes (fresh process per run, alternating with its anchor; peak RSS of the child from "
        f"/usr/bin/time; {bytecode_note()}):",
        "",
        "| command | rows | runs | median s | peak MB | anchor | runs | anchor median s | anchor peak MB | time x "
        "| mem x | goal | met? |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in compared:
        anchor = row["anchor"] + (f" ({row['anchor_note']})" if row["anchor_note"] else "")
        lines.append(
            f"| {row['operation']} | {row['rows']:,} | {row['reps']} | {row['median_s']:.2f} | {row['peak_mb']:,.0f} "
            f"| {anchor} | {row['anchor_reps']} | {row['anchor_s']:.2f} | {row['anchor_peak_mb']:,.0f} "
            f"| {row['ratio_time']:.3f} | {row['ratio_mem']:.2f} | {row['target_text']} "
            f"| {'yes' if row['met'] else '**NO**'} |"
        )
    if biggest:
        lines += [
            "",
            f"| command | median s, 100,000 rows | median s, {BIGGEST_ROWS:,} rows | growth | peak MB | goal | met? |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for row in biggest:
            small = f"{row['s_100000']:.2f}" if row["s_100000"] is not None else "-"
            growth = f"{row['growth']:.2f}" if row["growth"] is not None else "-"
            lines.append(
                f"| {row['operation']} | {small} | {row['s_biggest']:.1f} | {growth} | {row['peak_mb']:,.0f} "
                f"| growth < {BIGGEST_GROWTH_LIMIT:g}, peak < {BIGGEST_PEAK_MB:,.0f} MB "
                f"| {'yes' if row['met'] else '**NO**'} |"
            )
    return "\n".join(lines)
