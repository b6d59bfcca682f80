"""LibreOffice headless as an independent reader of .xlsx files (a test helper, not product code).

`read_with_libreoffice(path)` converts a workbook to CSV with `soffice --convert-to csv` and returns
the rows as lists of strings, so a test can check that LibreOffice sees the values sheetkit wrote.

Every call runs with a private LibreOffice profile, created once per process, that
- recalculates formulas on load (OOXMLRecalcMode = always), so a formula saved without a cached
  value, or with a stale one, shows its real result;
- pins the locale to en-US, so numbers ("3.5"), booleans ("TRUE") and dates do not depend on $LANG.

What the CSV shows (LibreOffice 7.4, "save cell contents as shown" off): numbers in general
format ("3.5", "1234567.125"), booleans as TRUE/FALSE, dates with an ISO number format
(yyyy-mm-dd) as "2026-11-01" but dates with other formats as MM/DD/YYYY, date-times as
"2026-03-04 13:05:00", empty cells as "". Each call costs ~1-1.5 s (one soffice start), so
convert several sheets in one call with `read_sheets_with_libreoffice`.

LibreOffice converts damaged files without complaint: a successful read proves "LibreOffice reads
these values", not "Excel accepts the file".
"""

from __future__ import annotations

import atexit
import csv
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "CALL_SECONDS",
    "LibreOfficeError",
    "read_many_with_libreoffice",
    "read_sheets_with_libreoffice",
    "read_with_libreoffice",
    "resave_with_libreoffice",
    "soffice_available",
    "soffice_path",
]

TIMEOUT_SECONDS = 60.0
# Filter options of "Text - txt - csv (StarCalc)" (LibreOffice 7.4), comma separated:
# 1 field separator (44 = ","), 2 text delimiter (34 = '"'), 3 charset (76 = UTF-8), 4 first line (1),
# 5 cell formats (import only), 6 language (0 = UI locale), 7 quoted field as text (false),
# 8 detect special numbers (true), 9 save cell contents as shown (false), 10 export formulas (false),
# 11 remove spaces (false), 12 sheet: 1-based sheet number, or -1 = every sheet to its own file
# named "<stem>-<sheet name>.csv".
_FILTER = "Text - txt - csv (StarCalc)"
_OPTIONS = "44,34,76,1,,0,false,true,false,false,false"

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>en-US</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">\
<value>en-US</value></prop></item>
</oor:items>
"""

_WRITING = re.compile(r"^Writing sheet (?P<sheet>.*) -> (?P<file>.*\.csv)\s*$")

# Wall-clock seconds of every soffice call made by this process (for timing reports).
CALL_SECONDS: list[float] = []

_lock = threading.Lock()  # one soffice at a time per profile: a second one would hand off to the first
_profile: tuple[int, Path] | None = None  # (pid that created it, directory)


class LibreOfficeError(RuntimeError):
    """soffice is missing, failed, timed out, or produced no CSV."""


def soffice_path() -> str | None:
    """Path of the soffice (or libreoffice) executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """True when LibreOffice can be run (use for pytest skip decisions)."""
    return soffice_path() is not None


def _profile_dir() -> Path:
    """The private LibreOffice profile of this process, created on first use and removed at exit."""
    global _profile
    if _profile is not None and _profile[0] == os.getpid() and _profile[1].is_dir():
        return _profile[1]
    root = Path(tempfile.mkdtemp(prefix="sheetkit-lo-profile-"))
    user = root / "user"
    user.mkdir()
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    _profile = (os.getpid(), root)
    atexit.register(shutil.rmtree, root, True)
    return root


def _run_soffice(
    path: Path | Sequence[Path], outdir: Path, sheet_number: int, convert_to: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one conversion (to CSV unless ``convert_to`` says otherwise) of one file or several in one
    soffice start; kill the whole soffice process group on timeout."""
    paths = [path] if isinstance(path, Path) else list(path)
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    command = [
        exe,
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation={_profile_dir().as_uri()}",
        "--convert-to",
        convert_to or f"csv:{_FILTER}:{_OPTIONS},{sheet_number}",
        "--outdir",
        str(outdir),
        *map(str, paths),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so a timeout can kill soffice.bin too
    )
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS * len(paths))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LibreOfficeError(f"soffice did not convert {path} within {TIMEOUT_SECONDS:.0f} s") from None
    finally:
        CALL_SECONDS.append(time.perf_counter() - start)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _parse_csv(file: Path) -> list[list[str]]:
    """Rows of one CSV written by LibreOffice (a blank line is a row with one empty cell); an empty sheet gives []."""
    with file.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row or [""] for row in csv.reader(handle)]
    return [] if rows == [[""]] else rows


def _convert(path: Path, sheet_number: int) -> dict[str, list[list[str]]]:
    """Convert sheet `sheet_number` (1-based, -1 = all) of `path`; rows by sheet name, in sheet order."""
    path = Path(path).resolve()
    if not path.is_file():
        raise LibreOfficeError(f"no such file: {path}")
    with _lock, tempfile.TemporaryDirectory(prefix="sheetkit-lo-out-") as tmp:
        outdir = Path(tmp)
        for attempt in (1, 2):
            result = _run_soffice(path, outdir, sheet_number)
            files = sorted(outdir.glob("*.csv"))
            if files:
                break
            loaded = "could not be loaded" not in result.stderr
            if attempt == 2 or not loaded or result.returncode != 0:
                raise LibreOfficeError(
                    f"LibreOffice produced no CSV for {path.name} (sheet {sheet_number}, exit {result.returncode}):\n"
                    f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}"
                )
            # A fresh profile occasionally swallows its first conversion: try once more.
        sheets: dict[str, list[list[str]]] = {}
        for line in result.stdout.splitlines():
            match = _WRITING.match(line.strip())
            if match and Path(match["file"]).is_file():
                sheets[match["sheet"]] = _parse_csv(Path(match["file"]))
        if not sheets:  # a LibreOffice that does not report sheet names: name them from the files
            prefix = f"{path.stem}-"
            for file in files:
                name = file.stem[len(prefix) :] if file.stem.startswith(prefix) else file.stem
                sheets[name] = _parse_csv(file)
        return sheets


def read_sheets_with_libreoffice(
    path: Path, sheets: Sequence[str] | None = None
) -> dict[str, list[list[str]]]:
    """Read several (default: all) sheets of `path` with ONE soffice call: {sheet name: rows}."""
    found = _convert(path, -1)
    if sheets is None:
        return found
    missing = [name for name in sheets if name not in found]
    if missing:
        raise LibreOfficeError(f"sheet(s) {missing} not in {Path(path).name}; LibreOffice saw {list(found)}")
    return {name: found[name] for name in sheets}


def read_with_libreoffice(path: Path, sheet: str | None = None) -> list[list[str]]:
    """Rows of one sheet (default: the first) of `path` as LibreOffice reads them, as strings."""
    if sheet is None:
        found = _convert(path, 1)
        return next(iter(found.values()))
    return read_sheets_with_libreoffice(path, [sheet])[sheet]


def resave_with_libreoffice(path: Path, outdir: Path) -> Path:
    """Open ``path`` in LibreOffice and save it as a new .xlsx in ``outdir`` (so another program wrote it)."""
    path = Path(path).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{path.stem}.xlsx"
    if target.resolve() == path:
        raise LibreOfficeError(f"resaving {path.name} into its own folder would overwrite it; give another outdir")
    with _lock:
        for _attempt in (1, 2):  # a fresh profile occasionally swallows its first conversion
            result = _run_soffice(path, outdir, 1, convert_to="xlsx:Calc MS Excel 2007 XML")
            if target.is_file():
                break
    if not target.is_file():
        raise LibreOfficeError(
            f"LibreOffice wrote no {target.name} (exit {result.returncode}):\n"
            f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}"
        )
    return target


def read_many_with_libreoffice(paths: Sequence[Path]) -> dict[Path, dict[str, list[list[str]]]]:
    """Every sheet of several workbooks in ONE soffice call (each start costs ~1.5 s): {path: {sheet: rows}}.

    The files' stems must differ (LibreOffice names its CSVs "<stem>-<sheet>.csv"); a file
    LibreOffice cannot load maps to {}.
    """
    paths = [Path(p).resolve() for p in paths]
    stems = {p.stem: p for p in paths}
    if len(stems) != len(paths):
        raise LibreOfficeError("read_many_with_libreoffice needs files with different stems")
    with _lock, tempfile.TemporaryDirectory(prefix="sheetkit-lo-out-") as tmp:
        outdir = Path(tmp)
        result = _run_soffice(paths, outdir, -1)
        found: dict[Path, dict[str, list[list[str]]]] = {p: {} for p in paths}
        for line in result.stdout.splitlines():
            match = _WRITING.match(line.strip())
            if match and Path(match["file"]).is_file():
                stem = Path(match["file"]).stem
                owner = next((p for s, p in stems.items() if stem.startswith(f"{s}-")), None)
                if owner is not None:
                    found[owner][match["sheet"]] = _parse_csv(Path(match["file"]))
        return found
