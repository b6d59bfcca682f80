"""The cell writer on real workbooks from public projects' test data (tests/data/realworld, SOURCES.md).

Files written by Excel (Windows, Mac), LibreOffice, the OpenXML SDK / ClosedXML, Apache POI,
Google Sheets, Numbers and more, many from bug reports. For each: sheetkit.write_cells either
writes it or refuses it with a one-line sheetkit error (never another exception, never a file
left behind); when it writes, every cell it was not asked to write reads the same with
python-calamine (every file) and LibreOffice (a sample, converted in one soffice call), and every
zip member outside the few the edit must change is kept byte for byte.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from soffice import read_many_with_libreoffice, soffice_available

import sheetkit
from sheetkit.core.cells import column_letter
from sheetkit.errors import SheetkitError
from sheetkit.excel.parts import mend_names, read_workbook, relationships, rels_path

REALWORLD = Path(__file__).parent / "data" / "realworld"
CORPUS = sorted(p for p in REALWORLD.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))
MAX_CELLS = 2_000_000  # a used range calamine may materialise here (PITFALLS: one far cell = GBs)
Grids = dict[str, dict[tuple[int, int], Any]]


def read_all(path: Path) -> Grids | None:
    """Every worksheet's non-empty cells as calamine reads them; None when calamine cannot read the file."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception:
        return None
    grids: Grids = {}
    try:
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
                if sheet.total_height * sheet.total_width > MAX_CELLS:
                    return None
                rows = sheet.to_python(skip_empty_area=False)
            except Exception:
                continue  # a chart sheet or a sheet calamine cannot read: left out on both sides
            grids[name] = {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}
    finally:
        workbook.close()
    return grids


def first_sheet(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as package:
            mend_names(package)
            book = read_workbook(package)
            return book.sheet_names[0] if book is not None and book.sheet_names else None
    except Exception:
        return None


def plan(path: Path, grids: Grids | None, *, outside_only: bool = False) -> tuple[str | None, dict[str, Any]]:
    """The sheet to write and the cells: a corner, one inside the used range, new ones beside it."""
    sheet = first_sheet(path)
    cells = grids.get(sheet, {}) if grids and sheet else {}
    rows = max((r for r, _ in cells), default=1)
    columns = max((c for _, c in cells), default=1)
    beside = column_letter(min(columns + 2, 16_000))
    planned: dict[str, Any] = {f"{beside}1": "sheetkit", f"{beside}2": 12.5, f"{beside}3": dt.date(2024, 5, 6)}
    if not outside_only:
        planned |= {"A1": "written", f"{column_letter(max(1, columns // 2))}{max(2, rows // 2)}": 7}
        planned[f"B{rows + 2}"] = dt.datetime(2025, 1, 2, 3, 4, 5)
    return sheet, planned


def coordinates(key: str) -> tuple[int, int]:
    letters = key.rstrip("0123456789")
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return int(key[len(letters) :]), number


def changeable(path: Path, sheet: str | None) -> set[str]:
    """The members an edit of ``sheet`` may change: its part, the workbook, styles, workbook rels,
    content types (calcChain dropped) and the sheet's tables."""
    with zipfile.ZipFile(path) as package:
        mend_names(package)
        book = read_workbook(package)
        assert book is not None
        index = book.index(sheet or "")
        part = book.worksheet_part(index) if index is not None else None
        tables = [r.part for r in relationships(package, part).values() if r.is_a("table")] if part else []
        return {
            book.part,
            *(p for p in (part, book.target("styles")) if p),
            rels_path(book.part),
            "[Content_Types].xml",
            *tables,
        }


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        mend_names(package)
        return {info.filename: package.read(info) for info in package.infolist()}


def same_value(got: Any, want: Any) -> bool:
    if isinstance(want, dt.datetime) and isinstance(got, dt.datetime):
        return abs((got - want).total_seconds()) < 1
    if isinstance(want, dt.date) and not isinstance(want, dt.datetime):
        return got == want or got == dt.datetime.combine(want, dt.time())
    return bool(got == want)


def check_written(path: Path, out: Path, sheet: str, cells: dict[str, Any], before: Grids) -> None:
    """Asked-for cells read back; every other cell of every sheet reads as before; parts kept."""
    after = read_all(out)
    assert after is not None, f"calamine cannot read what sheetkit wrote from {path.name}"
    assert set(after) == set(before)
    written = {coordinates(key): value for key, value in cells.items()}
    for name, grid in before.items():
        touched = written if name == sheet else {}
        kept = {k: v for k, v in after[name].items() if k not in touched}
        assert kept == {k: v for k, v in grid.items() if k not in touched}, f"{path.name} sheet {name!r} changed"
        for key, value in touched.items():
            assert same_value(after[name].get(key), value), (path.name, name, key, after[name].get(key), value)
    old, new = members(path), members(out)
    allowed = changeable(path, sheet)
    for name, data in new.items():
        if name not in allowed and name in old:
            assert data == old[name], f"{path.name}: {name} changed"
    assert {n.lower() for n in old} - {n.lower() for n in new} <= {n.lower() for n in old if "calcchain" in n.lower()}


def write_or_refuse(path: Path, out: Path, sheet: str | None, cells: dict[str, Any]) -> bool:
    """True when written; a refusal must be one sheetkit error line with nothing left behind."""
    try:
        sheetkit.write_cells(path, cells, sheet=sheet, output=out)
    except SheetkitError as error:
        assert "\n" not in str(error) and str(error), f"{path.name}: {error!r}"
        assert not out.exists() and list(out.parent.iterdir()) == [], f"{path.name}: something left behind"
        return False
    return True


def ident(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_corpus_is_real_and_sourced() -> None:
    assert len(CORPUS) >= 300
    assert sum(p.stat().st_size for p in CORPUS) < 25 << 20
    sources = (REALWORLD / "SOURCES.md").read_text(encoding="utf-8")
    for folder in {p.parent.name for p in CORPUS}:
        assert f"`{folder}/`" in sources


@pytest.mark.parametrize("path", CORPUS, ids=ident)
def test_a_real_workbook_is_written_or_refused_clearly(path: Path, tmp_path: Path) -> None:
    before = read_all(path)
    sheet, cells = plan(path, before)
    out = tmp_path / f"out{path.suffix}"
    if write_or_refuse(path, out, sheet, cells) and before is not None and sheet in before:
        check_written(path, out, sheet, cells, before)


def written_cleanly() -> Iterator[Path]:
    """Corpus files the writer writes and calamine reads, without volatile formulas (for LibreOffice)."""
    volatile = (b"NOW(", b"TODAY(", b"RAND", b"OFFSET(", b"INDIRECT(", b"CELL(", b"INFO(")
    for path in CORPUS:
        try:
            with zipfile.ZipFile(path) as package:
                xml = b"".join(package.read(n) for n in package.namelist() if n.endswith(".xml"))
        except Exception:
            continue
        if any(word in xml for word in volatile) or first_sheet(path) is None or read_all(path) is None:
            continue
        yield path


@pytest.mark.interop
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_every_unwritten_cell_the_same(tmp_path: Path) -> None:
    """A sample of 15 written files and their originals, converted in one soffice call."""
    candidates = list(written_cleanly())
    sample = candidates[:: max(1, len(candidates) // 15)][:15]
    originals, outputs, plans = [], [], {}
    for index, path in enumerate(sample):
        sheet, cells = plan(path, read_all(path), outside_only=True)
        original = tmp_path / f"o{index}{path.suffix}"
        original.write_bytes(path.read_bytes())
        out = tmp_path / f"w{index}{path.suffix}"
        sheetkit.write_cells(original, cells, sheet=sheet, output=out)
        originals.append(original)
        outputs.append(out)
        plans[index] = (sheet, cells)
    read = read_many_with_libreoffice(originals + outputs)
    compared = 0
    for index, (original, out) in enumerate(zip(originals, outputs, strict=True)):
        sheet, cells = plans[index]
        before, after = read[original.resolve()], read[out.resolve()]
        assert set(after) == set(before), sample[index].name
        written = {coordinates(key) for key in cells}
        for name in before:
            old = {(r, c): v for r, row in enumerate(before[name], 1) for c, v in enumerate(row, 1) if v}
            new = {(r, c): v for r, row in enumerate(after[name], 1) for c, v in enumerate(row, 1) if v}
            if name == sheet:
                assert [new.get(k) for k in sorted(written)] == ["sheetkit", "12.5", "2024-05-06"], sample[index].name
                new = {k: v for k, v in new.items() if k not in written}
            assert new == old, f"{sample[index].name} sheet {name!r}"
            compared += 1
    assert len(sample) == 15 and compared >= 15


PROPERTY_FILES = [p for p in CORPUS if p.parent.name in ("sheetjs", "calamine")][::4]
VALUES = st.one_of(
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.dates(dt.date(1950, 1, 1), dt.date(2090, 1, 1)),
    st.none(),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    path=st.sampled_from(PROPERTY_FILES),
    cells=st.dictionaries(st.tuples(st.integers(1, 40), st.integers(1, 12)), VALUES, min_size=1, max_size=12),
)
def test_random_writes_into_real_files_never_change_an_unwritten_cell(
    tmp_path_factory: pytest.TempPathFactory, path: Path, cells: dict[tuple[int, int], Any]
) -> None:
    before = read_all(path)
    sheet = first_sheet(path)
    keys = {f"{column_letter(c)}{r}": v for (r, c), v in cells.items()}
    out = tmp_path_factory.mktemp("prop") / f"out{path.suffix}"
    if not write_or_refuse(path, out, sheet, keys) or before is None or sheet not in before:
        return
    after = read_all(out)
    assert after is not None and set(after) == set(before)
    for name, grid in before.items():
        touched = set(cells) if name == sheet else set()
        assert {k: v for k, v in after[name].items() if k not in touched} == {
            k: v for k, v in grid.items() if k not in touched
        }, f"{path.name} sheet {name!r}"
