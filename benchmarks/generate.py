"""Deterministic benchmark workbooks: the example's columns and formatting, N rows.

    python -m benchmarks.generate 100000        # writes (or reuses) benchmarks/out/contacts-v1-100000.xlsx

Each workbook looks like examples/recruiter_contacts.xlsx grown to N rows: a title row, a blank row,
the bold filled header on row 3 (column widths, frozen panes, autofilter, a header comment), a Status
dropdown (data validation), conditional formats, a date format on Last Contacted and a second sheet
(Notes, with a formula). Values come from the example's own row generator (seeded), with a few messy
rows (about 0.4%: text that is not a date, a bad email, a negative count, an unknown status, a date in
the future, a duplicate email...). The three computed columns exist: the first 80% of the rows hold
values computed a week earlier (stale now), the newest 20% have none yet, as in a workbook that is
refreshed weekly while rows keep being added.

Files are written with openpyxl's write-only mode, then re-zipped with fixed timestamps (same N and
GENERATOR_VERSION give the same bytes), and cached under benchmarks/out/.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
import random
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

GENERATOR_VERSION = 1
REPO = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
EXAMPLE = REPO / "examples" / "make_example_workbook.py"

COMPUTED_HEADERS = ["Days Since Contact", "Non-Responsive", "Next Check-In"]
COMPUTED_WIDTHS = [12, 12, 14]
COMPUTED_FRACTION = 0.8  # rows that already carry computed values (from the previous refresh)
MESS_EVERY = 250  # one messy row in this many
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1


@cache
def example() -> ModuleType:
    """examples/make_example_workbook.py, imported by path (its headers, vocabulary and row generator)."""
    spec = importlib.util.spec_from_file_location("make_example_workbook", EXAMPLE)
    assert spec is not None and spec.loader is not None, EXAMPLE
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def today() -> dt.date:
    """The example's "today": the previous refresh ran then. Benchmarks refresh as of a week later (AS_OF)."""
    return example().TODAY


AS_OF = dt.date(2026, 11, 27)


def headers() -> list[str]:
    return [*example().HEADERS, *COMPUTED_HEADERS]


# Days from Last Contacted to the next check-in, by the example's status words (None: never; 0: due now).
CADENCE = {
    "New": 0, "Contacted": 3, "Left voicemail": 3, "Replied": 3, "Interviewing": 3, "Not this role": 60,
    "Not interested right now": 180, "Silver medalist": 90, "Placed": 180, "Bounced": 0, "Ghosted": 180,
    "DNC": None, "Opted out": None,
}  # fmt: skip


def _messes(rng: random.Random, previous_email: str) -> list[tuple[str, Any]]:
    """The kinds of mess the example has, as (header, value) (one is picked per messy row)."""
    future = today() + dt.timedelta(days=rng.randint(5, 40))
    return [
        ("Last Contacted", rng.choice(["next tuesday", "asap", "last week?"])),
        ("Email", "someone.example.com"),
        ("LinkedIn URL", "https://www.linkedin.com/company/northwind-analytics/"),
        ("# Follow Ups", -1),
        ("# Follow Ups", "two"),
        ("Status", "Maybe later"),
        ("Email", previous_email),  # the same person entered twice
        ("Last Contacted", future),
        ("Email", f"  {previous_email.replace('@', '.x@')}  "),  # leading and trailing spaces
        ("Last Contacted", "3/4/2026"),  # a date typed as text (valid)
    ]


def _computed(row: dict[str, Any], as_of: dt.date) -> list[Any]:
    """Days Since Contact, Non-Responsive and Next Check-In roughly as sheetkit computes them."""
    status, last = row.get("Status"), row.get("Last Contacted")
    follow_ups = row.get("# Follow Ups")
    if status not in CADENCE or not isinstance(follow_ups, int) or follow_ups < 0:
        return [None, None, None]
    if last is not None and not isinstance(last, dt.date):
        return [None, None, None]
    channels = {c.strip().lower() for c in str(row.get("Channels Tried") or "").split(",") if c.strip()}
    flagged = status == "Ghosted" or (follow_ups >= 3 and len(channels) >= 2 and status not in ("DNC", "Placed"))
    days = (as_of - last).days if last is not None else None
    cadence = 180 if flagged else CADENCE[status]
    if cadence is None:
        due = None
    elif cadence == 0 or last is None:
        due = as_of
    else:
        due = last + dt.timedelta(days=cadence)
    return [days, flagged, due]


def contact_grid(n: int, seed: int = 20261127) -> list[list[Any]]:
    """The Contacts sheet as rows of values (title row, blank row, header, then n candidate rows)."""
    ex = example()
    generator = ex.Generator(seed)
    rng = random.Random(seed + 1)
    names = ex.HEADERS
    computed_rows = int(n * COMPUTED_FRACTION)
    rows: list[list[Any]] = [[ex.TITLE], [], headers()]
    previous_email = "first.person@example.com"
    for i in range(n):
        row = generator.row()
        if i % MESS_EVERY == MESS_EVERY // 2:
            header, value = rng.choice(_messes(rng, previous_email))
            row[header] = value
        previous_email = row["Email"] if isinstance(row["Email"], str) and "@" in row["Email"] else previous_email
        values = [row.get(name) for name in names]
        values += _computed(row, today()) if i < computed_rows else [None, None, None]
        rows.append(values)
    return rows


def write_workbook(path: Path, rows: Sequence[Sequence[Any]]) -> None:
    """Write a Contacts grid (as from contact_grid) as a formatted workbook, deterministically.

    Row 1 is the title, the header is on row 3; date values get the example's date format.
    """
    ex = example()
    names = [str(h) for h in rows[HEADER_ROW - 1]]
    widths = [*ex.WIDTHS, *COMPUTED_WIDTHS]
    last_row = max(len(rows), FIRST_ROW)
    last_letter = get_column_letter(len(names))
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Contacts")
    for column, width in enumerate(widths[: len(names)], start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_letter}{last_row}"
    status = get_column_letter(names.index("Status") + 1)
    dropdown = DataValidation(
        type="list",
        formula1='"' + ",".join(ex.DROPDOWN) + '"',
        allow_blank=True,
        errorStyle="warning",
        errorTitle="Unknown status",
        error="Pick a status from the list (DNC = do not contact).",
        promptTitle="Status",
        prompt="Pick from the list",
    )
    dropdown.add(f"{status}{FIRST_ROW}:{status}{last_row}")
    ws.data_validations.append(dropdown)
    ws.conditional_formatting.add(
        f"A{FIRST_ROW}:{last_letter}{last_row}",
        FormulaRule(
            formula=[f'OR(${status}{FIRST_ROW}="DNC",${status}{FIRST_ROW}="Opted out")'],
            font=Font(color="808080", strike=True),
            fill=PatternFill("solid", bgColor="EDEDED"),
        ),
    )
    follow_index = names.index("# Follow Ups")
    follow = get_column_letter(follow_index + 1)
    ws.conditional_formatting.add(
        f"{follow}{FIRST_ROW}:{follow}{last_row}",
        CellIsRule(operator="greaterThanOrEqual", formula=["3"], fill=PatternFill("solid", bgColor="FCE4D6")),
    )

    title = WriteOnlyCell(ws, rows[0][0] if rows and rows[0] else ex.TITLE)
    title.font = Font(size=14, bold=True, color="1F3864")
    ws.append([title])
    ws.append([])
    header_fill = PatternFill("solid", fgColor="1F4E78")
    header_font = Font(bold=True, color="FFFFFF")
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_border = Border(bottom=Side(style="thin", color="BFBFBF"))
    header_cells = []
    for index, name in enumerate(names):
        cell = WriteOnlyCell(ws, name)
        cell.font, cell.fill, cell.alignment, cell.border = header_font, header_fill, header_alignment, header_border
        if index == follow_index:
            cell.comment = Comment(
                "Follow-ups sent after the first message, with no reply. After 3 on two channels, mark Ghosted.",
                "Sam Rivera",
                width=260,
                height=80,
            )
        header_cells.append(cell)
    ws.append(header_cells)
    centered = Alignment(horizontal="center")
    for values in rows[HEADER_ROW:]:
        ws.append(list(_styled(ws, values, follow_index, centered, ex.DATE_FORMAT)))
    write_notes(workbook.create_sheet("Notes"))
    workbook.properties.creator = "Sam Rivera"
    workbook.properties.lastModifiedBy = "Sam Rivera"
    workbook.properties.title = ex.TITLE
    stamp = dt.datetime(*ex.FIXED_ZIP_TIME)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    _save_deterministic(buffer, path, ex.FIXED_ZIP_TIME)


def _styled(ws: Any, values: Iterable[Any], follow_index: int, centered: Alignment, date_format: str) -> Iterable[Any]:
    for index, value in enumerate(values):
        if value == "":
            value = None
        if isinstance(value, dt.date):
            cell = WriteOnlyCell(ws, value)  # type: ignore[arg-type]  # openpyxl takes dates
            cell.number_format = date_format
            yield cell
        elif index == follow_index:
            cell = WriteOnlyCell(ws, value)
            cell.alignment = centered
            yield cell
        elif isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"  # text, not a formula (as if typed with a leading apostrophe)
            cell.quotePrefix = True
            yield cell
        else:
            yield value


def write_notes(ws: Any) -> None:
    """The second sheet: free text, then the example's table of open roles with a total formula."""
    ex = example()
    bold = Font(bold=True)
    title = WriteOnlyCell(ws, "Notes")
    title.font = Font(size=14, bold=True)
    ws.append([title])
    ws.append([])
    for line in (
        "Sourcing plan for the data team, Q4 2026 - Q1 2027.",
        "Statuses: use the dropdown on Contacts. DNC = never contact again (their request or ours).",
        "Follow-up rule: stop after 3 follow-ups on 2 channels, mark Ghosted.",
    ):
        ws.append([line])
    ws.append([])
    header = []
    for text in ["Role", "Team", "Location", "Hiring manager", "Openings", "Target start"]:
        cell = WriteOnlyCell(ws, text)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        header.append(cell)
    ws.append(header)
    first = 8
    for role in ex.ROLES:
        start = WriteOnlyCell(ws, role[5])
        start.number_format = "yyyy-mm-dd"
        ws.append([*role[:5], start])
    total = WriteOnlyCell(ws, f"=SUM(E{first}:E{first + len(ex.ROLES) - 1})")
    total.font = bold
    ws.append([None, None, None, "Total openings", total])
    for letter, width in zip("ABCDEF", (24, 18, 16, 16, 10, 13), strict=True):
        ws.column_dimensions[letter].width = width


def _save_deterministic(buffer: io.BytesIO, path: Path, zip_time: tuple[int, int, int, int, int, int]) -> None:
    """Re-zip with fixed entry times and document dates, atomically (a temp file renamed into place)."""
    stamp = dt.datetime(*zip_time).strftime("%Y-%m-%dT%H:%M:%SZ")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{stamp}", data.decode("utf-8"))
                data = text.encode("utf-8")
            item = zipfile.ZipInfo(info.filename, date_time=zip_time)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            target.writestr(item, data)
    os.replace(temporary, path)


def workbook_path(n: int, *, out: Path = OUT) -> Path:
    """The cached benchmark workbook of n rows (generated on first use)."""
    path = out / f"contacts-v{GENERATOR_VERSION}-{n}.xlsx"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        write_workbook(path, contact_grid(n))
    return path


def main(argv: list[str] | None = None) -> int:
    """Generate (or find cached) workbooks for the row counts given (default 1000 10000 100000)."""
    import time

    sizes = [int(a.replace("_", "").replace(",", "")) for a in (argv if argv is not None else sys.argv[1:])]
    for n in sizes or [1_000, 10_000, 100_000]:
        start = time.perf_counter()
        path = workbook_path(n)
        print(f"{path} ({path.stat().st_size:,} bytes, {n:,} rows, {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
