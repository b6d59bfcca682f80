"""What one cell write costs each way on the real-world corpus: sheetkit.write_cells against openpyxl
load + save (what pandas ``to_excel(mode="a", if_sheet_exists="overlay")`` does).

    python benchmarks/writer_vs_openpyxl.py [tests/data/realworld]

For every workbook both can open: the cells other readers see changed (python-calamine, every
cell but the one written), zip parts dropped, and formula cells that lost their cached result
(what pandas and calamine read until Excel recalculates). Prints one summary table.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

_CACHED_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*<(?:\w+:)?v>")


def _grids(path: Path) -> dict[str, dict[tuple[int, int], Any]] | None:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        grids = {}
        for name in book.sheet_names:
            try:
                sheet = book.get_sheet_by_name(name)
                if sheet.total_height * sheet.total_width > 2_000_000:
                    return None
                rows = sheet.to_python(skip_empty_area=False)
            except Exception:
                continue
            grids[name] = {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}
        return grids
    except Exception:
        return None


def _parts(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as package:
        return {name.replace("\\", "/").lower() for name in package.namelist() if "calcchain" not in name.lower()}


def _cached_formulas(path: Path) -> int:
    with zipfile.ZipFile(path) as package:
        return sum(
            len(_CACHED_FORMULA.findall(package.read(n)))
            for n in package.namelist()
            if "worksheets/" in n.replace("\\", "/")
        )


def _changed(before: dict[str, Any], after: dict[str, Any] | None, sheet: str) -> bool:
    if after is None:
        return True
    for name, grid in before.items():
        new = {k: v for k, v in after.get(name, {}).items() if not (name == sheet and k == (1, 1))}
        if new != {k: v for k, v in grid.items() if not (name == sheet and k == (1, 1))}:
            return True
    return False


def main(folder: Path) -> None:
    import openpyxl

    import sheetkit
    from sheetkit.excel.parts import read_workbook

    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))
    totals = {"files": 0, "sheetkit": [0, 0, 0, 0.0], "openpyxl": [0, 0, 0, 0.0]}  # changed, dropped, formulas, s
    formulas = refused = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            before = _grids(path)
            try:
                with zipfile.ZipFile(path) as package:
                    book = read_workbook(package)
                sheet = book.sheet_names[0] if book is not None else None
            except Exception:
                continue
            if before is None or sheet is None or sheet not in before:
                continue
            ours, theirs = Path(tmp) / f"ours{path.suffix}", Path(tmp) / f"theirs{path.suffix}"
            start = time.perf_counter()
            try:
                sheetkit.write_cells(path, {"A1": "written"}, sheet=sheet, output=ours)
            except sheetkit.SheetkitError:
                refused += 1
                continue
            ours_seconds = time.perf_counter() - start
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    workbook = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
                    workbook[sheet]["A1"] = "written"
                    workbook.save(theirs)
            except Exception:
                failed += 1
                continue
            theirs_seconds = time.perf_counter() - start
            totals["files"] += 1  # type: ignore[operator]
            cached = _cached_formulas(path)
            formulas += cached
            original_parts = _parts(path)
            for key, out, seconds in (("sheetkit", ours, ours_seconds), ("openpyxl", theirs, theirs_seconds)):
                row = totals[key]
                assert isinstance(row, list)
                row[0] += _changed(before, _grids(out), sheet)
                row[1] += bool(original_parts - _parts(out))
                row[2] += cached - min(cached, _cached_formulas(out))
                row[3] += seconds
    n = totals["files"]
    print(f"{n} workbooks both wrote ({refused} refused by sheetkit, {failed} openpyxl could not open or save)")
    print(f"{'':10} {'values changed':>15} {'parts dropped':>14} {'cached results lost':>20} {'total time':>11}")
    for key in ("sheetkit", "openpyxl"):
        changed, dropped, lost, seconds = totals[key]  # type: ignore[misc]
        print(f"{key:10} {changed:>9} files {dropped:>8} files {lost:>8,} of {formulas:,} {seconds:>10.1f}s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "tests" / "data" / "realworld")
