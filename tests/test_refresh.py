"""Refresh end to end on real workbooks: only computed cells change, atomically, with a backup."""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import AS_OF, HEADERS, WorkbookFactory, contact, set_cached_values
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

import sheetkit
from sheetkit.core.values import shows
from sheetkit.core.writeplan import _UNEQUAL_MEANS_CHANGED
from sheetkit.errors import FileLockedError, WriteError
from sheetkit.runtime.atomic import backup_path

COMPUTED = ["Days Since Contact", "Non-Responsive", "Next Check-In"]
ENGINES = ["package", "openpyxl"]


def formatted_workbook(make_workbook: WorkbookFactory) -> Path:
    """A workbook with everything a person adds: styles, widths, filter, panes, validation, ..."""
    rows = [
        contact(),
        contact(
            Email="bo@example.com",
            Status="Ghosted",
            **{"First Name": "Bo", "Follow-ups": 4, "Channels Tried": "email, phone"},
        ),
        contact(Email="cy@example.com", Status="DNC", **{"First Name": "Cy"}),
        contact(Email="di@example.com", Status="Contacted", **{"First Name": "Di", "Last Contacted": "next tuesday"}),
        contact(Email="ed@example.com", Status="New", **{"First Name": "Ed", "Last Contacted": None}),
    ]
    path = make_workbook(rows)
    workbook = openpyxl.load_workbook(path)
    ws = workbook["Contacts"]
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = "A1:O6"
    status_list = DataValidation(type="list", formula1='"New,Contacted,Ghosted,DNC"', allow_blank=True)
    ws.add_data_validation(status_list)
    status_list.add("I2:I6")
    ws.conditional_formatting.add(
        "I2:I6", CellIsRule(operator="equal", formula=['"DNC"'], fill=PatternFill("solid", fgColor="FFC7CE"))
    )
    ws["N2"].comment = Comment("met at PyData", "Sam")
    ws["N3"] = "=LEN(A3)"
    ws["D2"].font = Font(italic=True, color="FF0000")
    ws.column_dimensions["N"].width = 40
    workbook.defined_names["Pipeline"] = DefinedName("Pipeline", attr_text="Contacts!$A$1:$O$6")
    workbook.save(path)
    set_cached_values(path, {"N3": "2"})
    return path


def snapshot(path: Path) -> dict:
    """Everything a refresh must not change, as openpyxl sees it (values, styles, sheet features)."""
    workbook = openpyxl.load_workbook(path)
    ws = workbook["Contacts"]
    cells = {}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=len(HEADERS)):
        for cell in row:
            cells[cell.coordinate] = (
                cell.value,
                cell.font.b,
                cell.font.i,
                cell.font.color and cell.font.color.rgb,
                cell.fill.fgColor.rgb,
                cell.number_format,
                cell.comment and cell.comment.text,
            )
    return {
        "cells": cells,
        "widths": {k: v.width for k, v in ws.column_dimensions.items() if k <= "O"},
        "freeze": ws.freeze_panes,
        "validations": [(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation],
        "conditional": [str(r.sqref) for r in ws.conditional_formatting],
        "names": {n: d.attr_text for n, d in workbook.defined_names.items()},
        "sheets": workbook.sheetnames,
        "notes": workbook["Notes"]["A1"].value,
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_refresh_appends_computed_columns_and_preserves_everything_else(
    make_workbook: WorkbookFactory, engine: str
) -> None:
    path = formatted_workbook(make_workbook)
    before = snapshot(path)
    result = sheetkit.refresh(path, as_of=AS_OF, engine=engine)
    assert result.engine == engine and result.written == path
    assert snapshot(path) == before
    ws = openpyxl.load_workbook(path)["Contacts"]
    assert [ws.cell(1, c).value for c in (16, 17, 18)] == COMPUTED
    assert ws.cell(1, 16).font.b  # the header style is copied from the table's header
    got = [[ws.cell(r, c).value for c in (16, 17, 18)] for r in range(2, 7)]
    assert got == [
        [20, False, dt.datetime(2026, 11, 4)],  # contacted: +3
        [20, True, dt.datetime(2027, 4, 30)],  # ghosted, 4 follow-ups on 2 channels: +180
        [20, False, None],  # do not contact: never
        [None, None, None],  # invalid date: blank, listed in the report
        [None, False, dt.datetime(2026, 11, 21)],  # new, never contacted: due now
    ]
    assert ws.cell(2, 18).is_date and "yy" in ws.cell(2, 18).number_format
    assert result.report.not_computed == [5]


def test_package_engine_keeps_formula_cached_values_and_other_parts(make_workbook: WorkbookFactory) -> None:
    path = formatted_workbook(make_workbook)
    with zipfile.ZipFile(path) as package:
        before = {i.filename: package.read(i.filename) for i in package.infolist()}
    sheetkit.refresh(path, as_of=AS_OF)
    with zipfile.ZipFile(path) as package:
        after = {i.filename: package.read(i.filename) for i in package.infolist()}
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml"}
    assert (
        "xl/worksheets/sheet2.xml" in before and before["xl/worksheets/sheet2.xml"] == after["xl/worksheets/sheet2.xml"]
    )
    frame = sheetkit.enrich(path, as_of=AS_OF)  # calamine still sees the formula's cached value
    assert frame.loc[3, "Notes"] == "2"  # a text field shows the number as the text it reads as


@pytest.mark.parametrize("engine", ENGINES)
def test_second_refresh_changes_nothing(make_workbook: WorkbookFactory, engine: str) -> None:
    path = formatted_workbook(make_workbook)
    sheetkit.refresh(path, as_of=AS_OF, engine=engine)
    content, stamp = path.read_bytes(), path.stat().st_mtime_ns
    again = sheetkit.refresh(path, as_of=AS_OF, engine=engine)
    assert again.cells_changed == 0 and again.written is None
    assert path.read_bytes() == content and path.stat().st_mtime_ns == stamp
    later = sheetkit.refresh(path, as_of=AS_OF + dt.timedelta(days=1), engine=engine)
    assert later.cells_changed == 4  # Days Since Contact +1 on rows 2-4, and Ed is due on the new day


def test_existing_computed_columns_are_updated_in_place(make_workbook: WorkbookFactory) -> None:
    headers = [*HEADERS[:3], "next check-in", *HEADERS[3:]]  # the user put it early, in lower case
    path = make_workbook([contact()], headers=headers)
    sheetkit.refresh(path, as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Contacts"]
    assert ws["D1"].value == "next check-in" and ws["D2"].value == dt.datetime(2026, 11, 4)
    assert [ws.cell(1, c).value for c in (17, 18)] == ["Days Since Contact", "Non-Responsive"]
    assert ws.max_column == 18


def test_backup_keeps_the_previous_version(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    original = path.read_bytes()
    result = sheetkit.refresh(path, as_of=AS_OF)
    assert result.backup == backup_path(path) == path.with_name("contacts.sheetkit-backup.xlsx")
    assert result.backup.read_bytes() == original
    assert "Previous version kept at" in result.summary()
    assert not [p for p in path.parent.iterdir() if "sheetkit-tmp" in p.name]


def test_output_and_dry_run_leave_the_source_alone(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    path = make_workbook([contact()])
    original = path.read_bytes()
    dry = sheetkit.refresh(path, as_of=AS_OF, dry_run=True)
    assert dry.cells_changed == 6 and dry.written is None and path.read_bytes() == original
    assert dry.summary().startswith("Dry run: would change 6 cells")
    out = tmp_path / "out" / "refreshed.xlsx"
    out.parent.mkdir()
    result = sheetkit.refresh(path, as_of=AS_OF, output=out)
    assert result.written == out and path.read_bytes() == original
    assert openpyxl.load_workbook(out)["Contacts"]["P2"].value == 20


def test_failure_during_write_leaves_the_original_untouched(
    make_workbook: WorkbookFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sheetkit.excel.write as xlsx_write

    path = make_workbook([contact()])
    original = path.read_bytes()

    def half_write(src: Path, dst: Path, *args: object, **kwargs: object) -> None:
        dst.write_bytes(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx_write, "write_cells", half_write)
    with pytest.raises(WriteError, match="cannot write contacts.xlsx: No space left on device"):
        sheetkit.refresh(path, as_of=AS_OF)
    assert path.read_bytes() == original
    assert sorted(p.name for p in path.parent.iterdir()) == ["contacts.xlsx"]


def test_open_in_excel_or_libreoffice(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    original = path.read_bytes()
    lock = path.with_name("~$contacts.xlsx")
    lock.write_bytes(b"\x00" * 162)
    with pytest.raises(
        FileLockedError, match=r"contacts.xlsx is open in Excel \(lock file ~\$contacts.xlsx\); close it"
    ):
        sheetkit.refresh(path, as_of=AS_OF)
    lock.unlink()
    lock = path.with_name(".~lock.contacts.xlsx#")
    lock.write_text("user,host,...")
    with pytest.raises(FileLockedError, match="is open in LibreOffice"):
        sheetkit.refresh(path, as_of=AS_OF)
    assert path.read_bytes() == original


def test_read_only_file(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    original = path.read_bytes()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    try:
        with pytest.raises(FileLockedError, match="contacts.xlsx is read-only"):
            sheetkit.refresh(path, as_of=AS_OF)
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    assert path.read_bytes() == original


def test_bad_input_files_are_not_changed(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    corrupt = make_workbook([contact()], name="corrupt.xlsx")
    corrupt.write_bytes(corrupt.read_bytes()[:300])
    snapshot_bytes = corrupt.read_bytes()
    with pytest.raises(sheetkit.SheetkitError):
        sheetkit.refresh(corrupt, as_of=AS_OF)
    assert corrupt.read_bytes() == snapshot_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.xlsx"]


def test_formulas_in_data_cells_are_kept(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    workbook = openpyxl.load_workbook(path)
    workbook["Contacts"]["K2"] = "=1+2"
    workbook.save(path)
    set_cached_values(path, {"K2": "3"})
    sheetkit.refresh(path, as_of=AS_OF)
    assert openpyxl.load_workbook(path)["Contacts"]["K2"].value == "=1+2"
    assert sheetkit.enrich(path, as_of=AS_OF)["Follow-ups"].tolist() == [3.0]


def test_xlsm_keeps_its_macros(make_workbook: WorkbookFactory) -> None:
    xlsx = make_workbook([contact()])
    xlsm = xlsx.with_suffix(".xlsm")
    with zipfile.ZipFile(xlsx) as source, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
                )
            target.writestr(info, data)
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake macro storage")
    sheetkit.refresh(xlsm, as_of=AS_OF)
    with zipfile.ZipFile(xlsm) as package:
        assert package.read("xl/vbaProject.bin") == b"\xd0\xcf\x11\xe0 fake macro storage"
    assert sheetkit.enrich(xlsm, as_of=AS_OF)["Days Since Contact"].tolist() == [20]


# -- the write plan's shortcut -----------------------------------------------------------------


_PLAIN_CELLS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
)


@given(old=_PLAIN_CELLS, new=_PLAIN_CELLS)
def test_plan_skips_shows_only_where_inequality_already_decides(old: object, new: object) -> None:
    """plan_writes does not ask shows for these type pairs when old != new: that must be
    exactly what shows would have answered."""
    if (type(old), type(new)) in _UNEQUAL_MEANS_CHANGED and old != new:
        assert not shows(old, new)  # type: ignore[arg-type]


def test_a_plan_holds_its_cells_a_column_at_a_time_and_reads_as_cell_updates(make_workbook: WorkbookFactory) -> None:
    """The plan keeps (column, rows, values) per computed column; iterated it is the CellUpdates
    in plan order (an appended column's header first), and the package writer's mapping taken
    from the columns is the one the CellUpdates give."""
    from sheetkit.core.cells import CellUpdate
    from sheetkit.core.writeplan import PlannedCells, plan_writes
    from sheetkit.excel.write import latest_values

    headers = [*HEADERS[:3], "Next Check-In", *HEADERS[3:]]  # one computed column there, two appended
    path = make_workbook([contact(), contact(Email="b@example.com"), contact(Email="c@example.com")], headers=headers)
    checked = sheetkit.check(path, as_of=AS_OF)
    plan = plan_writes(checked.normalized, checked.computed, checked.schema)
    cells = plan.updates
    assert isinstance(cells, PlannedCells) and len(cells.columns) == 3
    expected = tuple(
        CellUpdate(row, column, value)
        for column, rows, values in cells.columns
        for row, value in zip(rows, values, strict=True)
    )
    assert tuple(cells) == expected and cells == expected and cells == list(expected)
    assert len(cells) == len(expected) == plan.cells_changed and bool(plan)
    assert cells[0] == expected[0] and cells[-2:] == expected[-2:]
    appended = [(column, rows[0], values[0]) for column, rows, values in cells.columns if column > len(headers)]
    assert appended == [(17, 1, "Days Since Contact"), (18, 1, "Non-Responsive")]
    # Next Check-In's cells held no date: each new date may need a date format
    assert [(u.row, u.column) for u in plan.new_date_cells] == [(2, 4), (3, 4), (4, 4)]
    assert latest_values(cells, path) == latest_values(expected, path)
    # a value a cell cannot hold is refused by the same check, whichever way the cells come
    odd = PlannedCells([(17, [2], [float("nan")])])
    with pytest.raises(WriteError) as by_columns:
        latest_values(odd, path)
    with pytest.raises(WriteError) as one_by_one:
        latest_values(tuple(odd), path)
    assert str(by_columns.value) == str(one_by_one.value)


def _plan_cell_by_cell(norm: Any, computed: Any, schema: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """plan_writes as it was before the plan held its cells a column at a time (before a88328d):
    the reference the column-at-a-time plan must equal, cell for cell and in order."""
    from sheetkit.core.cells import CellUpdate
    from sheetkit.core.writeplan import _cell_values

    table = norm.table
    updates: list[CellUpdate] = []
    new_dates: list[CellUpdate] = []
    next_free = table.last_column + 1
    for kind in computed.columns:
        values = _cell_values(computed[kind])
        position = norm.computed_positions.get(kind)
        if position is None:
            column = next_free
            next_free += 1
            updates.append(CellUpdate(table.header_row, column, schema.computed[kind].header))
            existing: list[Any] = [""] * len(values)
        else:
            column = table.columns[position]
            existing = table.values[position].tolist()
        rows = table.rows.tolist()
        for i, (old, new) in enumerate(zip(existing, values, strict=True)):
            if new is None and (position is None or old == ""):
                continue
            if position is None or (old != new and not shows(old, new, table.epoch)) or (type(old) is str and not old):
                update = CellUpdate(int(rows[i]), column, new)
                updates.append(update)
                if isinstance(new, dt.date) and not isinstance(old, (int, float, dt.date)):
                    new_dates.append(update)
    return tuple(updates), tuple(new_dates)


def test_the_column_at_a_time_plan_is_the_cell_by_cell_one(make_workbook: WorkbookFactory) -> None:
    """Every kind of old cell a computed column meets: up to date, stale, blank, text, a number
    where a date belongs, a value that must be cleared (no Last Contacted any more), and an
    appended column."""
    from sheetkit.core.writeplan import plan_writes

    headers = [*HEADERS, "Days Since Contact", "Next Check-In"]  # Non-Responsive is appended
    rows = [
        contact(**{"Days Since Contact": 20, "Next Check-In": dt.datetime(2026, 11, 15)}),  # up to date
        contact(Email="b@example.com", **{"Days Since Contact": 3, "Next Check-In": "soon"}),  # stale, text
        contact(Email="c@example.com", **{"Days Since Contact": None, "Next Check-In": 46340}),  # blank, serial
        contact(Email="d@example.com", **{"Last Contacted": None, "Days Since Contact": 7, "Next Check-In": "x"}),
        contact(Email="e@example.com", **{"Last Contacted": "next tuesday", "Days Since Contact": 1}),  # blocked
        contact(Email="f@example.com", Status="Do not contact", **{"Next Check-In": "call in May"}),  # none now
    ]
    path = make_workbook(rows, headers=headers)
    checked = sheetkit.check(path, as_of=AS_OF)
    plan = plan_writes(checked.normalized, checked.computed, checked.schema)
    updates, new_dates = _plan_cell_by_cell(checked.normalized, checked.computed, checked.schema)
    assert tuple(plan.updates) == updates and plan.new_date_cells == new_dates
    cleared = [(u.row, u.column) for u in updates if u.value is None]
    assert (7, 17) in cleared  # a do-not-contact row's Next Check-In text is cleared, and is no new date
    assert new_dates and all(isinstance(u.value, dt.date) for u in new_dates)
