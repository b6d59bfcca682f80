"""Write examples/recruiter_contacts.xlsx: a recruiter's contact workbook, formatted like a person made it.

Deterministic: a seeded random generator, a fixed "today" (2026-11-20) and fixed zip timestamps, so
running it again gives the same bytes (with the same openpyxl and zlib). No network.

    python examples/make_example_workbook.py [OUTPUT]

A few rows are messy on purpose (see MESSY_ROWS and examples/README.md).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

TODAY = dt.date(2026, 11, 20)
SEED = 20261120
OUTPUT = Path(__file__).with_name("recruiter_contacts.xlsx")
FIXED_ZIP_TIME = (2026, 11, 20, 9, 30, 0)

TITLE = "Candidate pipeline - Data team"
HEADER_ROW = 3
N_ROWS = 300
FIRST_ROW = HEADER_ROW + 1
LAST_ROW = HEADER_ROW + N_ROWS
HEADERS = [
    "First Name", "Last Name", "Email", "Phone", "Contact Method", "Channels Tried", "Location",
    "LinkedIn URL", "Status", "Last Contacted", "# Follow Ups", "Desired Title", "Desired Location",
    "Notes", "Owner",
]  # fmt: skip
WIDTHS = [13, 16, 32, 18, 15, 20, 16, 46, 24, 15, 12, 24, 18, 48, 10]
DATE_FORMAT = "d mmm yyyy"

# The recruiter's own status words (all spellings from schemas/recruiter_contacts.yaml), with weights.
STATUS_WEIGHTS = {
    "New": 30, "Contacted": 60, "Left voicemail": 8, "Replied": 22, "Interviewing": 12,
    "Not this role": 22, "Not interested right now": 30, "Silver medalist": 16, "Placed": 10,
    "Bounced": 8, "Ghosted": 18, "DNC": 6, "Opted out": 4,
}  # fmt: skip
DROPDOWN = list(STATUS_WEIGHTS)
# Days between Last Contacted and today, by status.
DAYS_AGO = {
    "Contacted": (0, 30), "Left voicemail": (0, 20), "Replied": (0, 20), "Interviewing": (0, 25),
    "Not this role": (10, 160), "Not interested right now": (10, 320), "Silver medalist": (20, 200),
    "Placed": (30, 330), "Bounced": (1, 60), "Ghosted": (20, 220), "DNC": (10, 300), "Opted out": (10, 300),
}  # fmt: skip
FOLLOW_UPS = {"Contacted": (0, 5), "Left voicemail": (1, 3), "Ghosted": (3, 5), "Bounced": (0, 1)}

FIRST_NAMES = [
    "Ana", "Liam", "Priya", "Chen", "Fatima", "Mateo", "Aisha", "Noah", "Yuki", "Olga", "Kwame", "Sofia",
    "Arjun", "Emma", "Diego", "Hana", "Tomasz", "Amara", "Lucas", "Mei", "Omar", "Ingrid", "Rahul", "Chloe",
    "Jamal", "Elif", "Nikolai", "Camila", "Kofi", "Leila", "Sven", "Aaliyah", "Hiroshi", "Gabriela",
    "Ibrahim", "Maya", "Dmitri", "Zainab", "Pedro", "Astrid", "Tunde", "Siobhan", "Rajesh", "Valentina",
    "Jae-won", "Nadia", "Björn", "Zoë", "José", "Chloé", "François", "Łukasz", "Søren", "Ngozi", "Thảo",
    "Marcus", "Rebecca", "Daniel", "Grace", "Ahmed", "Lucía", "Wei", "Anjali", "Erik", "Maryam",
]  # fmt: skip
LAST_NAMES = [
    "Lima", "O'Brien", "Nguyen", "Okafor", "García", "Kowalski", "Tanaka", "Schmidt", "Patel", "Silva",
    "Müller", "Ivanova", "Mensah", "Rossi", "Kim", "Andersson", "Cohen", "Hernández", "Singh", "Novak",
    "Yilmaz", "Dubois", "Adeyemi", "Murphy", "Chen", "Park", "Costa", "Fischer", "Rahman", "Lindqvist",
    "Papadopoulos", "van der Berg", "Johnson", "Williams", "Brown", "Martins", "Sato", "Khan", "Haddad",
    "Wójcik", "Ferreira", "Jensen", "Osei", "Sharma", "Bauer", "Moreau", "Reyes", "Walsh", "Ali", "Ito",
]  # fmt: skip
# People whose names are not in Latin script: (first, last, email local part), at fixed rows.
NON_LATIN = {
    8: ("伟", "张", "wei.zhang"),
    23: ("Мария", "Иванова", "maria.ivanova"),
    47: ("محمد", "الحداد", "mohammed.alhaddad"),
    89: ("さくら", "田中", "sakura.tanaka"),
    142: ("Σοφία", "Παπαδοπούλου", "sofia.papadopoulou"),
    199: ("지훈", "김", "jihoon.kim"),
    251: ("अनन्या", "शर्मा", "ananya.sharma"),
}
DOMAINS = ["example.com", "example.org", "example.net"]
CHANNELS = ["email", "phone", "LinkedIn", "text"]
METHOD = {"email": "Email", "phone": "Phone", "LinkedIn": "LinkedIn", "text": "Text"}
LOCATIONS = [
    "Boston", "Boston", "Cambridge, MA", "Remote", "Remote", "New York", "Berlin", "London", "Toronto",
    "Austin, TX", "Lisbon", "Bangalore", "São Paulo", "Warsaw", "Seattle", "Zürich", "Amsterdam", "Chicago",
]  # fmt: skip
AREA_CODES = {
    "Boston": "617", "Cambridge, MA": "617", "New York": "212", "Austin, TX": "512", "Seattle": "206",
    "Chicago": "312", "Toronto": "416", "Remote": "857",
}  # fmt: skip
TITLES = [
    "Data Engineer", "Senior Data Engineer", "Analytics Engineer", "ML Engineer", "Data Scientist",
    "Staff Data Engineer", "Data Platform Engineer", "BI Developer", "MLOps Engineer", "Head of Data",
    "Senior Analytics Engineer", "Machine Learning Scientist",
]  # fmt: skip
DESIRED_LOCATIONS = [
    "Remote", "Remote", "Boston", "Hybrid - Boston", "Berlin", "Anywhere in EU", "New York", "London",
]  # fmt: skip
OWNERS = ["Sam", "Sam", "Priya", "Jordan"]
NOTES = [
    "Prefers email after 6pm", "Strong dbt + Snowflake", "Referred by Priya", "Wants remote only",
    "Open to contract work", "Needs visa sponsorship", "Spark/Databricks, some Kafka", "Met at PyData Boston",
    "Salary expectations above band", "Moving to Berlin next spring", "Only interested in Staff+ roles",
    "Relocating, wants hybrid", "Found via GitHub (dbt packages)",
]  # fmt: skip
STATUS_NOTES = {
    "Replied": ["Phone screen went well", "Talked 20 min, call back about the platform team"],
    "Interviewing": ["Onsite next week", "Take-home submitted"],
    "Silver medalist": ["Final round for Sr DE, lost to internal candidate", "Great onsite, rehire later"],
    "Not interested right now": ["Happy at current co, ping in Q2", "Reconnect after parental leave"],
    "Not this role": ["Wants ML platform, not analytics", "Only Berlin or remote EU"],
    "Bounced": ["Bounced from old work address", "Number disconnected"],
    "Opted out": ["Unsubscribed from the newsletter too"],
    "DNC": ["Asked us not to contact again", "Works at a client - hands off"],
    "Placed": ["Started at Northwind, check in at 6 months"],
}

# Rows that are messy on purpose: sheet row -> (header, value). Everything else in the row is valid.
MESSY_ROWS: dict[int, tuple[str, Any]] = {
    19: ("Last Contacted", "next tuesday"),  # text that is not a date
    41: ("Email", "dana.kowalski.example.com"),  # no @
    58: ("LinkedIn URL", "https://www.linkedin.com/company/northwind-analytics/"),  # a company page
    77: ("# Follow Ups", -1),  # negative count
    95: ("# Follow Ups", "two"),  # a word, not a number
    118: ("Status", "Maybe later"),  # not in the status vocabulary
    150: ("Email", "grace.okafor@example.com"),  # same as row 36: the same person entered twice
    171: ("Last Contacted", dt.date(2026, 12, 15)),  # in the future
    206: ("Email", "  omar.haddad@example.org  "),  # leading and trailing spaces
}
DUPLICATE_OF = {150: 36}
# Dates typed as text, all read as 2026-03-04; the ambiguous 3/4/2026 (nothing else in its column
# decides the day/month order) is read month first and reported as a warning naming both readings.
TEXT_DATES = {27: "2026-03-04", 64: "3/4/2026", 133: "4 Mar 2026"}
FORMULA_LIKE_NOTE = (288, "=HYPERLINK is not a formula here")
EMOJI_NOTE = (12, "Great first call 🎉 wants Staff-level roles, ping after Thanksgiving")


def slug(text: str) -> str:
    """ASCII lower-case letters and digits of a name ("Łukasz" -> "lukasz", "O'Brien" -> "obrien")."""
    text = text.replace("Ł", "L").replace("ł", "l").replace("ø", "o").replace("Ø", "O")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def phone(rng: random.Random, location: str) -> str:
    """A fictional phone number (555-01xx, Ofcom drama and similar ranges), written several ways."""
    if location in ("London",):
        return f"+44 20 7946 0{rng.randint(100, 999)}"
    if location in ("Berlin",):
        return f"+49 30 5555 {rng.randint(1000, 9999)}"
    area = AREA_CODES.get(location, rng.choice(["617", "857", "781"]))
    last = rng.randint(100, 199)
    style = rng.randrange(3)
    if style == 0:
        return f"+1 {area} 555 0{last}"
    if style == 1:
        return f"({area}) 555-0{last}"
    return f"{area}.555.0{last}"


class Generator:
    """Random but valid candidate rows (unique emails, real statuses, dates not in the future)."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.emails: set[str] = set()

    def email(self, first: str, last: str, local: str | None = None) -> str:
        rng = self.rng
        if local is None:
            f, l_ = slug(first) or "x", slug(last) or "x"
            local = rng.choice([f"{f}.{l_}", f"{f[0]}{l_}", f"{f}{l_}", f"{f}_{l_}"])
        candidate = f"{local}@{rng.choice(DOMAINS)}"
        number = 2
        while candidate in self.emails:
            candidate = f"{local}{number}@{candidate.split('@')[1]}"
            number += 1
        self.emails.add(candidate)
        return candidate

    def row(self) -> dict[str, Any]:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        location = rng.choice(LOCATIONS)
        row: dict[str, Any] = {
            "First Name": first,
            "Last Name": last,
            "Email": self.email(first, last),
            "Phone": phone(rng, location) if rng.random() < 0.75 else None,
            "Location": location,
            "Status": status,
            "Owner": rng.choice(OWNERS),
        }
        if rng.random() < 0.8:
            handle = f"{slug(first)}-{slug(last)}-{rng.randint(10, 9999)}"
            row["LinkedIn URL"] = f"https://www.linkedin.com/in/{handle}"
        if status == "New":
            row["# Follow Ups"] = 0
            row["Contact Method"] = rng.choice(["Email", "LinkedIn", None])
        else:
            low, high = DAYS_AGO[status]
            row["Last Contacted"] = TODAY - dt.timedelta(days=rng.randint(low, high))
            low, high = FOLLOW_UPS.get(status, (0, 2))
            follow_ups = rng.randint(low, high)
            row["# Follow Ups"] = follow_ups
            if follow_ups == 0:
                n_channels = 1
            else:
                n_channels = rng.choice([2, 3]) if status == "Ghosted" else rng.choice([1, 2, 2, 3])
            channels = rng.sample(CHANNELS[:3] if rng.random() < 0.8 else CHANNELS, n_channels)
            row["Channels Tried"] = ", ".join(channels)
            row["Contact Method"] = METHOD[channels[0]]
        known = status not in ("New", "Bounced")  # the recruiter has talked to them
        if status == "Not this role" or (known and rng.random() < 0.75):
            row["Desired Title"] = rng.choice(TITLES)
        if status == "Not this role" or (known and rng.random() < 0.6):
            row["Desired Location"] = rng.choice(DESIRED_LOCATIONS)
        if rng.random() < 0.4:
            row["Notes"] = rng.choice(STATUS_NOTES.get(status, []) + NOTES)
        return row


def rename(row: dict[str, Any], first: str, last: str, profile: str | None = None) -> None:
    """Give a generated row another person's name (and a matching LinkedIn profile)."""
    row.update({"First Name": first, "Last Name": last})
    if row.get("LinkedIn URL") or profile:
        row["LinkedIn URL"] = f"https://www.linkedin.com/in/{profile or slug(first) + '-' + slug(last)}"


def contact_rows() -> dict[int, dict[str, Any]]:
    """The 300 candidate rows by sheet row number, with the fixed special and messy rows applied."""
    generator = Generator()
    rows = {number: generator.row() for number in range(FIRST_ROW, LAST_ROW + 1)}
    for number, (first, last, local) in NON_LATIN.items():
        rename(rows[number], first, last, local.replace(".", "-"))
        rows[number]["Email"] = generator.email(first, last, local)
    # The person entered twice (row 36, then row 150 by another recruiter).
    rename(rows[36], "Grace", "Okafor", "grace-okafor-2210")
    rows[36].update({"Status": "Replied", "Owner": "Sam"})
    rows[36].update({"Last Contacted": dt.date(2026, 11, 12), "# Follow Ups": 1, "Channels Tried": "email"})
    rows[36].update({"Contact Method": "Email", "Email": "grace.okafor@example.com"})
    rows[150].update({k: rows[36][k] for k in ("First Name", "Last Name", "LinkedIn URL", "Location")})
    rows[150].update({"Status": "Contacted", "Owner": "Jordan", "Last Contacted": dt.date(2026, 11, 3)})
    rows[150].update({"# Follow Ups": 0, "Channels Tried": "LinkedIn", "Contact Method": "LinkedIn"})
    rename(rows[41], "Dana", "Kowalski")
    rename(rows[206], "Omar", "Haddad")
    rows[EMOJI_NOTE[0]].update({"Status": "Replied", "Last Contacted": TODAY - dt.timedelta(days=2)})
    rows[EMOJI_NOTE[0]].update({"# Follow Ups": 0, "Channels Tried": "phone", "Contact Method": "Phone"})
    # Rows whose mess is in one cell keep a status that makes the rest of the row plain and valid.
    for number in (19, 77, 95, 171):
        rows[number].update({"Status": "Contacted", "Channels Tried": "email", "Contact Method": "Email"})
        rows[number].update({"Last Contacted": TODAY - dt.timedelta(days=9), "# Follow Ups": 1})
    rows[118].update({"Last Contacted": dt.date(2026, 10, 2), "# Follow Ups": 1, "Channels Tried": "phone"})
    rows[118].update({"Contact Method": "Phone", "Notes": "Said to call back in the new year"})
    for number, text in TEXT_DATES.items():
        rows[number].update({"Status": "Not interested right now", "Last Contacted": text, "# Follow Ups": 0})
        rows[number].update({"Channels Tried": "phone", "Contact Method": "Phone"})
    for number, (header, value) in MESSY_ROWS.items():
        rows[number][header] = value
    rows[EMOJI_NOTE[0]]["Notes"] = EMOJI_NOTE[1]
    rows[FORMULA_LIKE_NOTE[0]]["Notes"] = FORMULA_LIKE_NOTE[1]
    check_only_planned_mess(rows)
    return rows


def check_only_planned_mess(rows: dict[int, dict[str, Any]]) -> None:
    """Fail loudly if the random rows made a problem that is not in MESSY_ROWS (e.g. a second duplicate)."""
    seen: dict[str, int] = {}
    for number, row in rows.items():
        email = str(row["Email"]).strip().lower()
        if email in seen and DUPLICATE_OF.get(number) != seen[email]:
            raise AssertionError(f"unplanned duplicate email {email!r} in rows {seen[email]} and {number}")
        seen.setdefault(email, number)
        if number not in MESSY_ROWS:
            assert row["Status"] in STATUS_WEIGHTS, (number, row["Status"])
            assert "@" in email and email == row["Email"], (number, email)
            assert isinstance(row["# Follow Ups"], int) and row["# Follow Ups"] >= 0, number
            contacted = row.get("Last Contacted")
            assert contacted is None or number in TEXT_DATES or contacted <= TODAY, number
            url = row.get("LinkedIn URL")
            assert url is None or url.startswith("https://www.linkedin.com/in/"), number


def write_contacts(ws: Worksheet) -> None:
    """The Contacts sheet: title, blank row, styled header on row 3, 300 rows, filter, validation, formats."""
    ws["A1"] = TITLE
    ws["A1"].font = Font(size=14, bold=True, color="1F3864")
    header_fill = PatternFill("solid", fgColor="1F4E78")
    thin = Side(style="thin", color="BFBFBF")
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(HEADER_ROW, column, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=thin)
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[HEADER_ROW].height = 30
    date_column = HEADERS.index("Last Contacted") + 1
    follow_column = HEADERS.index("# Follow Ups") + 1
    for number, row in contact_rows().items():
        for column, header in enumerate(HEADERS, start=1):
            value = row.get(header)
            cell = ws.cell(number, column, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, not a formula (as if typed with a leading apostrophe)
                cell.quotePrefix = True
        ws.cell(number, date_column).number_format = DATE_FORMAT
        ws.cell(number, follow_column).alignment = Alignment(horizontal="center")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    table = f"A{HEADER_ROW}:{ws.cell(HEADER_ROW, len(HEADERS)).column_letter}{LAST_ROW}"
    ws.auto_filter.ref = table
    ws.cell(HEADER_ROW, follow_column).comment = Comment(
        "Follow-ups sent after the first message, with no reply. After 3 on two channels, mark Ghosted.",
        "Sam Rivera",
        width=260,
        height=80,
    )
    status = ws.cell(HEADER_ROW, HEADERS.index("Status") + 1).column_letter
    dropdown = DataValidation(
        type="list",
        formula1='"' + ",".join(DROPDOWN) + '"',
        allow_blank=True,
        errorStyle="warning",
        errorTitle="Unknown status",
        error="Pick a status from the list (DNC = do not contact).",
        promptTitle="Status",
        prompt="Pick from the list",
    )
    dropdown.add(f"{status}{FIRST_ROW}:{status}{LAST_ROW}")
    ws.add_data_validation(dropdown)
    rows_range = f"A{FIRST_ROW}:{ws.cell(FIRST_ROW, len(HEADERS)).column_letter}{LAST_ROW}"
    ws.conditional_formatting.add(
        rows_range,
        FormulaRule(
            formula=[f'OR(${status}{FIRST_ROW}="DNC",${status}{FIRST_ROW}="Opted out")'],
            font=Font(color="808080", strike=True),
            fill=PatternFill("solid", bgColor="EDEDED"),
        ),
    )
    follow = ws.cell(FIRST_ROW, follow_column).column_letter
    ws.conditional_formatting.add(
        f"{follow}{FIRST_ROW}:{follow}{LAST_ROW}",
        CellIsRule(operator="greaterThanOrEqual", formula=["3"], fill=PatternFill("solid", bgColor="FCE4D6")),
    )


ROLES = [
    ("Senior Data Engineer", "Platform", "Boston / hybrid", "R. Alvarez", 2, dt.date(2027, 1, 15)),
    ("Analytics Engineer", "Finance analytics", "Remote (US)", "K. Osei", 1, dt.date(2027, 2, 1)),
    ("ML Engineer", "Search", "Berlin", "L. Weber", 1, dt.date(2027, 3, 1)),
    ("Data Platform Engineer", "Platform", "Remote (EU)", "R. Alvarez", 1, dt.date(2027, 1, 15)),
]
TOTAL_CELL = "E15"


def write_notes(ws: Worksheet) -> None:
    """The Notes sheet: free text, then a small table of open roles with a total formula."""
    ws["A1"] = "Notes"
    ws["A1"].font = Font(size=14, bold=True)
    lines = [
        "Sourcing plan for the data team, Q4 2026 - Q1 2027.",
        "Ask every 'not this role' person: if I called you about a role in the future, "
        "where would it be and what would the title be? Put it in Desired Title / Desired Location.",
        "Statuses: use the dropdown on Contacts. DNC = never contact again (their request or ours).",
        "Follow-up rule: stop after 3 follow-ups on 2 channels, mark Ghosted, "
        "try again in 6 months on a new channel.",
        "Last cleaned up: 2 Nov 2026 (Sam). Jordan owns the Berlin pipeline.",
    ]
    for offset, line in enumerate(lines):
        ws.cell(3 + offset, 1, line)
    ws["A9"] = "Open roles"
    ws["A9"].font = Font(bold=True, size=12)
    headers = ["Role", "Team", "Location", "Hiring manager", "Openings", "Target start"]
    for column, header in enumerate(headers, start=1):
        cell = ws.cell(10, column, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for offset, role in enumerate(ROLES):
        for column, value in enumerate(role, start=1):
            ws.cell(11 + offset, column, value)
        ws.cell(11 + offset, 6).number_format = "yyyy-mm-dd"
    ws["D15"] = "Total openings"
    ws["D15"].font = Font(bold=True)
    ws[TOTAL_CELL] = "=SUM(E11:E14)"
    ws[TOTAL_CELL].font = Font(bold=True)
    for letter, width in zip("ABCDEF", (24, 18, 16, 16, 10, 13), strict=True):
        ws.column_dimensions[letter].width = width


def build_workbook() -> Workbook:
    """The whole workbook, in memory."""
    workbook = Workbook()
    contacts = workbook.active
    assert contacts is not None
    contacts.title = "Contacts"
    write_contacts(contacts)
    write_notes(workbook.create_sheet("Notes"))
    workbook.active = 0
    stamp = dt.datetime(*FIXED_ZIP_TIME)
    workbook.properties.creator = "Sam Rivera"
    workbook.properties.lastModifiedBy = "Sam Rivera"
    workbook.properties.title = TITLE
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    return workbook


def save_deterministic(workbook: Workbook, path: Path) -> None:
    """Save with fixed zip timestamps and document dates, and the total's cached value (as Excel would)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = dt.datetime(*FIXED_ZIP_TIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    total = sum(role[4] for role in ROLES)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{stamp}", data.decode("utf-8"))
                data = text.encode("utf-8")
            elif info.filename == "xl/worksheets/sheet2.xml":
                pattern = rf'(<c r="{TOTAL_CELL}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>[^<]*</v>)?'
                text, count = re.subn(pattern, rf"\g<1><v>{total}</v>", data.decode("utf-8"))
                assert count == 1, "total formula not found"
                data = text.encode("utf-8")
            item = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            target.writestr(item, data)
    path.write_bytes(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    """Write the example workbook (default: examples/recruiter_contacts.xlsx) and print its size."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else OUTPUT
    save_deterministic(build_workbook(), path)
    print(f"wrote {path} ({path.stat().st_size:,} bytes, {N_ROWS} contacts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
