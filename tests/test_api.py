"""The public Python surface: a small sorted __all__, lazy imports, readable reprs."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pandas as pd
from conftest import AS_OF, WorkbookFactory, contact

import sheetkit

EXPECTED_API = {
    # what the README teaches: the verbs, their results, the schema, every error
    "check", "validate", "enrich", "refresh", "due", "match", "pull", "push", "sync", "load_schema",
    "due_per_week", "contacts_by_status", "write_html_report",
    "Checked", "Report", "Problem", "Schema", "RefreshResult", "DueList", "DueRow", "MatchList", "MatchRow",
    "TransferResult", "SyncResult", "SyncPlan", "write_cells", "CellsWritten",
    "dedupe", "DuplicateList", "import_connections", "ImportResult",
}  # fmt: skip


def _exceptions_in_errors_module() -> set[str]:
    import sheetkit.errors as errors

    return {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == errors.__name__
    }


def test_exported_members_are_exactly_the_public_names() -> None:
    """As httpx's tests/test_exported_members.py: __all__ is what the module offers, no more, no less."""
    assert sheetkit.__all__ == sorted(sheetkit.__all__)
    assert set(sheetkit.__all__) == EXPECTED_API | _exceptions_in_errors_module()
    for name in sheetkit.__all__:
        assert getattr(sheetkit, name) is not None
    importlib.import_module("sheetkit.cli")  # subpackages imported: still not in dir()

    assert dir(sheetkit) == sheetkit.__all__
    # After every name was resolved, the module holds the API plus its submodules, and nothing else.
    public = {n for n, v in vars(sheetkit).items() if not n.startswith("_") and not isinstance(v, type(sheetkit))}
    assert public == set(sheetkit.__all__)


def test_every_error_is_a_sheetkit_error_and_defined_in_errors() -> None:
    import ast
    from pathlib import Path

    for name in _exceptions_in_errors_module():
        assert issubclass(getattr(sheetkit, name), sheetkit.SheetkitError)
    assert issubclass(sheetkit.SyncLockedError, sheetkit.LockedError)
    package = Path(sheetkit.__file__).parent
    elsewhere = []
    for path in package.rglob("*.py"):
        if path.name == "errors.py" or "testing" in path.parts:  # the emulator's own errors are Google's answers
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # a private signal caught in its own module (_Unsplittable: read in one parse instead) is no error
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and any(
                isinstance(b, ast.Name) and (b.id.endswith(("Error", "Exception")) or b.id == "PackageUnsupported")
                for b in node.bases
            ):
                elsewhere.append(f"{path.relative_to(package)}:{node.name}")
    assert elsewhere == []


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
    assert repr(result) == "<RefreshResult contacts.xlsx: 1 row, 0 problems, 6 cells changed>"
    assert "Dry run" in result._repr_html_()
    assert repr(sheetkit.load_schema()) == "<Schema recruiter_contacts: 17 fields, 10 statuses>"


def test_readme_examples_and_notebook_use_only_public_names() -> None:
    """What people copy from must keep working when the implementation moves: only `sheetkit.<public name>`.

    ``sheetkit.testing`` (the emulator for trying sheetkit offline) is its own public package;
    ``sheetkit.toml``, ``[sheetkit.sources]``, ``[sheetkit.rules]`` and ``[sheetkit.notify]`` are the config file's names.
    """
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [root / "README.md", *sorted((root / "examples").rglob("*.py")), root / "examples" / "quickstart.ipynb"]
    files += [root / "examples" / "README.md"]
    allowed = set(sheetkit.__all__) | {"testing", "toml", "sources", "rules", "notify"}
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\bsheetkit\.(\w+)", text):
            if match.group(1) not in allowed:
                found.append(f"{path.name}: sheetkit.{match.group(1)}")
        for match in re.finditer(r"from sheetkit(\.\w+)* import", text):
            if not match.group(0).startswith("from sheetkit.testing"):
                found.append(f"{path.name}: {match.group(0)}")
    assert found == []
