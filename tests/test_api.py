"""The public Python surface: a small sorted __all__, lazy imports, readable reprs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from conftest import AS_OF, WorkbookFactory, contact

import sheetkit


def test_exported_members_are_sorted_and_importable() -> None:
    assert sheetkit.__all__ == sorted(sheetkit.__all__)
    for name in sheetkit.__all__:
        assert getattr(sheetkit, name) is not None
    public = {n for n in dir(sheetkit) if not n.startswith("_")}
    assert set(sheetkit.__all__) <= public


def test_import_is_light() -> None:
    code = "import sys, sheetkit, sheetkit.cli; print(sorted(m for m in ('pandas', 'pandera', 'openpyxl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_dataframe_in_dataframe_out() -> None:
    frame = pd.DataFrame(
        {
            "First Name": ["Ana", "Bo"],
            "Status": ["Contacted", "Keep warm"],
            "Last Contacted": ["2026-11-01", "2026-10-01"],
        },
        index=["a", "b"],
    )
    out = sheetkit.enrich(frame, as_of=AS_OF)
    assert list(out.index) == ["a", "b"]
    assert out["Next Check-In"].dt.date.tolist() == [
        pd.Timestamp("2026-11-04").date(),
        pd.Timestamp("2026-12-30").date(),
    ]
    assert frame.columns.tolist() == ["First Name", "Status", "Last Contacted"]  # the input is not modified


def test_reprs_for_notebooks(make_workbook: WorkbookFactory) -> None:
    path = make_workbook([contact()])
    result = sheetkit.refresh(path, as_of=AS_OF, dry_run=True)
    assert repr(result) == "<RefreshResult contacts.xlsx: 1 rows, 0 problems, 6 cells changed>"
    assert "Dry run" in result._repr_html_()
    assert repr(sheetkit.load_schema()) == "<Schema recruiter_contacts: 15 fields, 10 statuses>"
