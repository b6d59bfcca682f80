"""Write examples/quickstart.ipynb: the notebook tour of sheetkit for a recruiter.

The notebook is generated from this script so that a change to it is a readable diff here, not
in the notebook's JSON. It is written without outputs and with fixed cell ids (so regenerating it
gives the same file). Edit this script, then run::

    python examples/make_quickstart.py [OUTPUT]

tests/test_notebook.py runs the notebook from top to bottom and checks that the committed
notebook is what this script writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "quickstart.ipynb"

# (cell id, kind, source). Ids are fixed so the file is stable and tests can find a cell.
CELLS: list[tuple[str, str, str]] = [
    (
        "intro",
        "markdown",
        """\
# sheetkit quickstart

This notebook checks a contact sheet, shows who you should get back to, and fills in three
columns for you: **Days Since Contact**, **Non-Responsive** and **Next Check-In**.

It uses the example workbook `recruiter_contacts.xlsx` (300 made-up candidates, a few of them
typed in messily on purpose). It works on a copy, so the example itself never changes.

Run the cells from top to bottom (in Jupyter: *Run > Run All Cells*).""",
    ),
    (
        "setup",
        "code",
        """\
import shutil
import tempfile
from pathlib import Path

import pandas as pd

import sheetkit

# The workbook to use. To try your own, put its path here, e.g. Path("~/Documents/contacts.xlsx").expanduser()
SOURCE = Path("recruiter_contacts.xlsx")

# "Today" for the computed columns. A fixed date gives the same answers every time;
# use AS_OF = None for the real today.
AS_OF = "2026-11-21\"""",
    ),
    (
        "copy-md",
        "markdown",
        """\
## 1. Work on a copy

Everything below happens in a copy of the workbook, in a temporary folder.""",
    ),
    (
        "copy",
        "code",
        """\
work = Path(tempfile.mkdtemp(prefix="sheetkit-quickstart-"))
copy = work / SOURCE.name
shutil.copy2(SOURCE, copy)
print("Working copy:", copy)""",
    ),
    (
        "validate-md",
        "markdown",
        """\
## 2. Check the sheet

sheetkit reads every row and lists each problem with its cell, so you can jump straight to it.
An **error** means sheetkit could not use the value (for example a date it cannot read); a
**warning** is worth a look but does not stop anything.""",
    ),
    (
        "validate",
        "code",
        """\
report = sheetkit.validate(copy, as_of=AS_OF)
report""",
    ),
    (
        "errors-md",
        "markdown",
        """\
The same problems as a table, keeping only the errors:""",
    ),
    (
        "errors",
        "code",
        """\
problems = report.to_frame()
problems[problems["severity"] == "error"][["cell", "header", "value", "message"]]""",
    ),
    (
        "enrich-md",
        "markdown",
        """\
## 3. Who is due?

`enrich` adds the three computed columns to a table, without changing the workbook.
Rows with an error in Status, Last Contacted or # Follow Ups are left blank there.""",
    ),
    (
        "enrich",
        "code",
        """\
contacts = sheetkit.enrich(copy, as_of=AS_OF)
contacts[["First Name", "Last Name", "Status", "Days Since Contact", "Non-Responsive", "Next Check-In"]].head()""",
    ),
    (
        "due-md",
        "markdown",
        """\
People to contact today, and those you are late for (oldest first):""",
    ),
    (
        "due",
        "code",
        """\
today = pd.Timestamp(AS_OF) if AS_OF else pd.Timestamp.today().normalize()
due = contacts[contacts["Next Check-In"] <= today].sort_values("Next Check-In")
print(f"{len(due)} people are due today or overdue")
due[["First Name", "Last Name", "Status", "Owner", "Next Check-In"]].head(15)""",
    ),
    (
        "silent-md",
        "markdown",
        """\
People who went silent (several follow-ups with no answer). Stop chasing them for now and try
again later on a different channel:""",
    ),
    (
        "silent",
        "code",
        """\
silent = contacts[contacts["Non-Responsive"].fillna(False)]
print(f"{len(silent)} non-responsive people")
silent[["First Name", "Last Name", "Channels Tried", "# Follow Ups", "Next Check-In"]].head(10)""",
    ),
    (
        "refresh-md",
        "markdown",
        """\
## 4. Write the columns into the workbook

`refresh` writes the three columns into the workbook (added on the right of your table the
first time) and changes nothing else. The previous version is kept next to it as a backup.""",
    ),
    (
        "refresh",
        "code",
        """\
result = sheetkit.refresh(copy, as_of=AS_OF)
print(result.summary())""",
    ),
    (
        "refresh-again-md",
        "markdown",
        """\
Run it again with the same date and there is nothing left to write:""",
    ),
    (
        "refresh-again",
        "code",
        """\
print(sheetkit.refresh(copy, as_of=AS_OF).summary())""",
    ),
    (
        "charts-md",
        "markdown",
        """\
## 5. Charts

How many check-ins fall in each of the coming weeks, and how many people are at each status.
`sheetkit report contacts.xlsx --html report.html` puts the same charts in a page you can share.""",
    ),
    (
        "charts",
        "code",
        """\
from IPython.display import display

checked = sheetkit.check(copy, as_of=AS_OF)  # the sheet read and computed, once, for both charts
display(sheetkit.due_per_week(checked))
display(sheetkit.contacts_by_status(checked))""",
    ),
    (
        "google-md",
        "markdown",
        """\
## 6. Google Sheets

The same works with a Google Sheet: give its address (URL) instead of a file.

**Without a Google login** (as here, the first time), the cell below starts a practice
"Google Sheets" that runs only on this computer, so you can try everything safely.

**With your Google login:** save your service-account key as
`~/.config/gspread/service_account.json` (or set `SHEETKIT_CREDENTIALS` to its path), share a
new, empty Google Sheet with the key's `client_email`, and paste that sheet's URL into
`SHEET_URL` below. Nothing else changes. Use an empty sheet: step "push" replaces its contents.""",
    ),
    (
        "google-setup",
        "code",
        """\
import os

SHEET_URL = ""  # with your Google login: paste the URL of an empty Google Sheet here

gspread_folder = Path(os.environ.get("GSPREAD_CONFIG_DIR") or "~/.config").expanduser() / "gspread"
logged_in = bool(os.environ.get("SHEETKIT_CREDENTIALS")) or any(
    (gspread_folder / name).is_file() for name in ("service_account.json", "authorized_user.json")
)

emulator = None
if not logged_in:
    from sheetkit.testing import SheetsEmulator

    emulator = SheetsEmulator().start()
    os.environ["SHEETKIT_SHEETS_API_URL"] = emulator.url  # send sheetkit's Google requests to it
    sheet_id = emulator.create_spreadsheet("Recruiter contacts (practice)", {"Contacts": []})
    SHEET_URL = f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit#gid=0"
    print("Practice Google Sheets running; using an empty practice sheet.")
elif not SHEET_URL:
    raise ValueError("You are logged in to Google: paste the URL of an empty Google Sheet into SHEET_URL above.")
print("Sheet:", SHEET_URL)""",
    ),
    (
        "push-md",
        "markdown",
        """\
Copy the example workbook into the Google Sheet (this reads the workbook and never changes it):""",
    ),
    (
        "push",
        "code",
        """\
pushed = sheetkit.push(SOURCE, SHEET_URL)
print(pushed.summary())""",
    ),
    (
        "google-refresh-md",
        "markdown",
        """\
Fill in the three columns in the Google Sheet itself:""",
    ),
    (
        "google-refresh",
        "code",
        """\
google_result = sheetkit.refresh(SHEET_URL, as_of=AS_OF)
print(google_result.summary())""",
    ),
    (
        "pull-md",
        "markdown",
        """\
Copy the Google Sheet back into a new workbook and look at what it holds now:""",
    ),
    (
        "pull",
        "code",
        """\
from_google = work / "from_google.xlsx"
pulled = sheetkit.pull(SHEET_URL, from_google)
print(pulled.summary())

# Read the new workbook back. The example's header is on row 3 (rows 1-2 hold a title), hence header=2.
back = pd.read_excel(
    from_google, header=2, engine="openpyxl", dtype={"Days Since Contact": "Int64", "Non-Responsive": "boolean"}
)
back[["First Name", "Status", "Days Since Contact", "Non-Responsive", "Next Check-In"]].head()""",
    ),
    (
        "stop-md",
        "markdown",
        """\
Finally, stop the practice Google Sheets (nothing to do with a real Google login):""",
    ),
    (
        "stop",
        "code",
        """\
if emulator is not None:
    emulator.stop()
    os.environ.pop("SHEETKIT_SHEETS_API_URL", None)
    print("Practice Google Sheets stopped.")""",
    ),
]


def build() -> NotebookNode:
    """The quickstart notebook, without outputs."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for cell_id, kind, source in CELLS:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.id = cell_id
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return notebook


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    with output.open("w", encoding="utf-8", newline="\n") as handle:
        nbformat.write(build(), handle)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
