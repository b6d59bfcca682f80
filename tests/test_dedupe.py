"""Duplicates: planted ones of each kind are found with their evidence, namesakes are not, nothing is changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
from conftest import AS_OF, WorkbookFactory, contact

import sheetkit
from sheetkit.core.schema_file import load_schema
from sheetkit.lists.dedupe import dedupe

D = dt.datetime


_SERIAL = itertools.count(100)


def person(first: str, last: str, **cells: Any) -> dict[str, Any]:
    """A row with its own email, phone and profile unless given (so rows share only what a test plants)."""
    n = next(_SERIAL)
    slug = f"{first}-{last}-{n}".lower()
    base = {
        "First Name": first,
        "Last Name": last,
        "Email": f"{slug}@example.com",
        "Phone": f"+1 212 555 {n:04d}",
        "LinkedIn URL": f"https://www.linkedin.com/in/{slug}",
        "Location": "Boston",
    }
    return contact(**{**base, **cells})


def planted() -> list[dict[str, Any]]:
    return [
        person("Ana", "Ng", Email="ana.ng@Example.org", **{"Last Contacted": D(2026, 10, 1)}),  # row 2
        person("Ana", "Ng", Email=" ANA.NG@example.org ", Phone=None, **{"LinkedIn URL": None}),  # 3: email
        person("Bo", "Li", **{"LinkedIn URL": "https://linkedin.com/in/bo-li-42/"}),  # 4
        person("Bo", "Li", **{"LinkedIn URL": "www.linkedin.com/in/Bo-Li-42?trk=people"}, Email=None),  # 5: URL
        person("Cy", "Wu", Phone="(617) 555-0142"),  # 6
        person("Cy", "Wu", Phone="+1 617.555.0142", Email=None, **{"Last Contacted": D(2026, 11, 15)}),  # 7: phone
        person("Dee", "Park", Email="dee.park@gmail.com"),  # 8
        person("Dee", "Park", Email="deepark+jobs@gmail.com", **{"LinkedIn URL": None}, Phone=None),  # 9: gmail
        person("José", "Lima", Location="Lisbon"),  # 10
        person("Jose", "Lima", Location="Lisbon", Email=None, Phone=None, **{"LinkedIn URL": None}),  # 11: name+place
        # namesakes: same name and place, their own email, phone and profile: two people
        person("Sam", "Lee", Email="sam.lee@one.com"),  # 12
        person("Sam", "Lee", Email="sam.lee@two.com", Phone="+1 617 555 0999"),  # 13
        # a name alone (no place in common) is not enough
        person("Kim", "Ho", Location="Austin", Email=None, Phone=None, **{"LinkedIn URL": None}),  # 14
        person("Kim", "Ho", Location="Denver", Email=None, Phone=None, **{"LinkedIn URL": None}),  # 15
    ]


def test_planted_duplicates_of_each_kind_and_no_namesakes(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(planted())
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    listed = dedupe(path, as_of=AS_OF)
    by_rows = {g.rows: g for g in listed}
    assert set(by_rows) == {(2, 3), (4, 5), (6, 7), (8, 9), (10, 11)}
    assert "same email (ana.ng@example.org)" in by_rows[2, 3].evidence[0]
    assert "same LinkedIn profile (linkedin.com/in/bo-li-42)" in by_rows[4, 5].evidence[0]
    assert "same phone number (+16175550142)" in by_rows[6, 7].evidence[0]
    assert "same Gmail inbox (deepark@gmail.com" in by_rows[8, 9].evidence[0]
    assert "same location (Lisbon)" in by_rows[10, 11].evidence[0]
    # strong evidence is surer than the weak kinds, and the list is most certain first
    assert by_rows[2, 3].confidence > by_rows[8, 9].confidence > by_rows[10, 11].confidence >= 0.5
    assert [g.confidence for g in listed] == sorted((g.confidence for g in listed), reverse=True)
    # which row to keep, and why
    assert (by_rows[2, 3].keep, by_rows[2, 3].why) == (3, "contacted most recently (2026-11-01)")
    assert (by_rows[6, 7].keep, by_rows[6, 7].why) == (7, "contacted most recently (2026-11-15)")
    assert by_rows[4, 5].keep == 4 and by_rows[4, 5].why.startswith("most complete (")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # nothing merged or deleted


def test_a_shared_phone_with_different_names_is_not_one_person(make_workbook: WorkbookFactory) -> None:
    rows = [person("Al", "Stone", Phone="+1 617 555 0100"), person("Zoe", "Marsh", Phone="(617) 555-0100")]
    assert len(dedupe(make_workbook(rows), as_of=AS_OF)) == 0


def test_two_namesakes_and_a_bare_row_of_the_name_group_with_neither(make_workbook: WorkbookFactory) -> None:
    rows = [
        person("Sam", "Lee", Email="sam.lee@one.com"),
        person("Sam", "Lee", Email="sam.lee@two.com"),
        person("Sam", "Lee", Email=None, Phone=None, **{"LinkedIn URL": None}),  # which Sam? cannot tell
    ]
    assert len(dedupe(make_workbook(rows), as_of=AS_OF)) == 0


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "sheetkit", *argv, "--as-of", "2026-11-21"]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_cli_json_text_and_csv(make_workbook: WorkbookFactory) -> None:
    path = make_workbook(planted()[:7])
    done = _run("dedupe", str(path), "--format", "json")
    assert done.returncode == 1, done.stderr  # like due and match: the sheet has problems (the repeated email)
    groups = json.loads(done.stdout)["groups"]
    assert [g["rows"] for g in groups] == [[2, 3], [4, 5], [6, 7]]
    assert all(isinstance(g["evidence"], list) and 0.5 <= g["confidence"] <= 1 for g in groups)
    text = _run("dedupe", str(path)).stdout
    assert "row 2 (Ana Ng), row 3 (Ana Ng)" in text and "keep row 3: contacted most recently (2026-11-01)" in text
    assert "nothing was changed" in text
    rows = _run("dedupe", str(path), "--format", "csv").stdout.splitlines()
    assert rows[0] == "Rows,Keep,Confidence,Why keep,Evidence" and rows[1].startswith('"2, 3",3,')


def test_duplicate_of_column_names_the_first_row(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    schema = tmp_path / "contacts.yaml"
    text = Path(load_schema().path).read_text(encoding="utf-8")
    schema.write_text(
        text.replace(
            "  duplicate_of:\n    header: Duplicate Of\n    enabled: false", "  duplicate_of:\n    header: Duplicate Of"
        ),
        encoding="utf-8",
    )
    path = make_workbook(planted())
    sheetkit.refresh(path, schema=schema, as_of=AS_OF)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    column = header.index("Duplicate Of")
    written = {row[0].row: row[column].value for row in sheet.iter_rows(min_row=2)}
    assert {r: v for r, v in written.items() if v} == {
        3: "Contacts!A2",
        5: "Contacts!A4",
        7: "Contacts!A6",
        9: "Contacts!A8",
        11: "Contacts!A10",
    }
    assert "Duplicate Of" not in [
        c.value for c in openpyxl.load_workbook(make_workbook(planted(), name="b.xlsx")).active[1]
    ]
