"""examples/quickstart.ipynb runs from top to bottom, headless, offline and without Google credentials.

The kernel is this interpreter: a "python3" kernel spec written by ipykernel for sys.executable
into a temporary JUPYTER_PATH (searched before the user's and the system's kernel folders, whose
python3 spec may name another Python), checked before the run and again from inside the kernel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import openpyxl
import pytest
from conftest import AS_OF

import sheetkit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOK = EXAMPLES / "quickstart.ipynb"
WORKBOOK = EXAMPLES / "recruiter_contacts.xlsx"
COMPUTED = ["Days Since Contact", "Non-Responsive", "Next Check-In"]
CELL_TIMEOUT = 120

KERNEL_CHECK = "import json, sys\nprint(json.dumps({'executable': sys.executable, 'prefix': sys.prefix}))"


@dataclass
class Executed:
    notebook: Any
    outputs: dict[str, str]  # cell id -> all its text, plain and HTML
    images: dict[str, int]  # cell id -> number of PNG outputs
    workdir: Path
    tmpdir: Path  # the kernel's TMPDIR: the notebook's temporary folders are in it
    seconds: float


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cell_text(cell: Any) -> str:
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            for mime in ("text/plain", "text/html"):
                if mime in output["data"]:
                    parts.append(output["data"][mime])
        elif output["output_type"] == "error":
            parts.append("\n".join(output["traceback"]))
    return "\n".join(parts)


def png_count(cell: Any) -> int:
    return sum(1 for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))


def write_kernel_spec(jupyter_path: Path) -> Path:
    """A python3 kernel spec for this interpreter (ipykernel writes sys.executable into argv)."""
    from ipykernel.kernelspec import write_kernel_spec as write

    return Path(write(str(jupyter_path / "kernels" / "python3")))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Executed]:
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    base = tmp_path_factory.mktemp("notebook")
    workdir, tmpdir, jupyter_path, gspread_config = (base / n for n in ("work", "tmp", "jupyter", "gspread-config"))
    for folder in (workdir, tmpdir, gspread_config):
        folder.mkdir()
    write_kernel_spec(jupyter_path)
    shutil.copy2(WORKBOOK, workdir / WORKBOOK.name)  # the notebook reads recruiter_contacts.xlsx from its folder
    before = sha256(WORKBOOK)

    with pytest.MonkeyPatch.context() as env:
        # the kernel inherits this environment: no credentials, no emulator URL, temporary folders
        env.setenv("JUPYTER_PATH", str(jupyter_path))
        env.setenv("GSPREAD_CONFIG_DIR", str(gspread_config))
        env.setenv("TMPDIR", str(tmpdir))
        env.setenv("IPYTHONDIR", str(base / "ipython"))
        for name in ("SHEETKIT_CREDENTIALS", "SHEETKIT_SHEETS_API_URL", "MPLBACKEND"):
            env.delenv(name, raising=False)
        spec = KernelSpecManager().get_kernel_spec("python3")
        assert Path(spec.resource_dir) == jupyter_path / "kernels" / "python3"
        assert spec.argv[0] == sys.executable, spec.argv

        notebook = nbformat.read(NOTEBOOK, as_version=4)
        check = nbformat.v4.new_code_cell(KERNEL_CHECK)
        check.id = "kernel-check"
        notebook.cells.insert(0, check)
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(workdir)}},
        )
        started = time.perf_counter()
        client.execute()  # raises CellExecutionError on the first cell that fails
        seconds = time.perf_counter() - started

    assert sha256(WORKBOOK) == before, "the notebook changed the repository's example workbook"
    assert sha256(workdir / WORKBOOK.name) == before, "the notebook changed its SOURCE workbook"
    yield Executed(
        notebook=notebook,
        outputs={cell.id: cell_text(cell) for cell in notebook.cells},
        images={cell.id: png_count(cell) for cell in notebook.cells},
        workdir=workdir,
        tmpdir=tmpdir,
        seconds=seconds,
    )


@pytest.fixture(scope="module")
def expected() -> Any:
    """What the notebook should find, computed here from the example (read only)."""
    return sheetkit.enrich(WORKBOOK, as_of=AS_OF)


def working_folder(run: Executed) -> Path:
    (folder,) = run.tmpdir.glob("sheetkit-quickstart-*")
    return folder


def computed_columns(path: Path, header_row: int = 3) -> list[list[Any]]:
    """Columns P-R of the Contacts sheet from the header row down, as stored in the file."""
    workbook = openpyxl.load_workbook(path)
    try:
        sheet = workbook["Contacts"]
        return [list(row) for row in sheet.iter_rows(min_row=header_row, min_col=16, max_col=18, values_only=True)]
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------- tests
def test_kernel_is_this_interpreter(executed: Executed) -> None:
    seen = json.loads(executed.outputs["kernel-check"])
    assert seen == {"executable": sys.executable, "prefix": sys.prefix}


def test_no_cell_failed_and_every_code_cell_ran(executed: Executed) -> None:
    for cell in executed.notebook.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, cell.id
            assert not any(o["output_type"] == "error" for o in cell.outputs), cell.id
            assert cell.metadata["execution"]["iopub.status.idle"]  # nbclient's timing record
            stderr = "".join(o["text"] for o in cell.outputs if o.get("name") == "stderr")
            assert "Warning" not in stderr, f"{cell.id}: {stderr}"  # a recruiter should not see warnings
    assert executed.seconds < 10 * CELL_TIMEOUT


def test_validation_report_shows_the_messy_rows(executed: Executed) -> None:
    report = executed.outputs["validate"]
    assert "next tuesday" in report
    assert "7 errors, 2 warnings" in report
    errors = executed.outputs["errors"]
    for cell in ("Contacts!J19", "Contacts!C41", "Contacts!K77", "Contacts!K95", "Contacts!I118", "Contacts!J171"):
        assert cell in errors
    assert "Contacts!H58" not in errors  # the LinkedIn company page is a warning: filtered out


def test_due_and_non_responsive_counts(executed: Executed, expected: Any) -> None:
    due = (expected["Next Check-In"] <= AS_OF.isoformat()).sum()
    assert f"{due} people are due today or overdue" in executed.outputs["due"]
    silent = expected["Non-Responsive"].fillna(False).sum()
    assert f"{silent} non-responsive people" in executed.outputs["silent"]
    assert 0 < silent < due < len(expected)


def test_refresh_wrote_the_computed_columns_into_the_copy(executed: Executed, expected: Any) -> None:
    match = re.search(r"Wrote (\d+) cells to (\S+recruiter_contacts\.xlsx)", executed.outputs["refresh"])
    assert match, executed.outputs["refresh"]
    assert "Up to date as of 2026-11-21: nothing to write." in executed.outputs["refresh-again"]
    copy = working_folder(executed) / WORKBOOK.name
    assert Path(match.group(2)) == copy
    columns = computed_columns(copy)
    assert columns[0] == COMPUTED
    days, flag, next_check_in = columns[1]  # row 4
    assert days == expected.loc[4, "Days Since Contact"]
    assert flag is bool(expected.loc[4, "Non-Responsive"])
    assert next_check_in.date() == expected.loc[4, "Next Check-In"].date()
    assert columns[19 - 3] == [None, None, None]  # row 19 ('next tuesday') is left blank
    assert (copy.parent / "recruiter_contacts.sheetkit-backup.xlsx").exists()


def test_charts_are_drawn(executed: Executed) -> None:
    assert executed.images["charts"] == 2


def test_google_section_ran_against_the_emulator(executed: Executed) -> None:
    assert "Practice Google Sheets running" in executed.outputs["google-setup"]
    assert re.search(r"push: changed \d+ cells", executed.outputs["push"])
    assert "via sheets-api" in executed.outputs["google-refresh"]
    pulled = executed.outputs["pull"]
    assert re.search(r"pull: changed \d+ cells in from_google\.xlsx", pulled)
    for header in COMPUTED:
        assert header in pulled
    assert "Practice Google Sheets stopped." in executed.outputs["stop"]


def test_google_copy_read_back_matches_the_local_refresh(executed: Executed) -> None:
    folder = working_folder(executed)
    from_google = computed_columns(folder / "from_google.xlsx")
    local = computed_columns(folder / WORKBOOK.name)
    assert from_google[0] == COMPUTED

    def plain(rows: list[list[Any]]) -> list[list[Any]]:
        return [[v.date() if isinstance(v, dt.datetime) else v for v in row] for row in rows]

    assert plain(from_google) == plain(local)
    assert sum(1 for row in from_google[1:] if row[0] is not None) > 250


def test_committed_notebook_is_what_the_generator_writes_and_has_no_outputs(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_quickstart", EXAMPLES / "make_quickstart.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.main([str(tmp_path / "quickstart.ipynb")]) == 0
    assert (tmp_path / "quickstart.ipynb").read_text(encoding="utf-8") == NOTEBOOK.read_text(encoding="utf-8"), (
        "examples/quickstart.ipynb is out of date: run python examples/make_quickstart.py"
    )
    committed = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(committed)
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
