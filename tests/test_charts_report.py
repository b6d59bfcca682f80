"""Charts, the HTML report, the styled DataFrame and the sync plan's HTML: counted by hand, parsed back."""

from __future__ import annotations

import base64
import datetime as dt
import os
import pickle
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import AS_OF, contact

from sheetkit.api import check, enrich
from sheetkit.core.checked import Checked
from sheetkit.core.display import BOTH_COLOUR, NON_RESPONSIVE_COLOUR, OVERDUE_COLOUR, checked_html, due_table
from sheetkit.core.facts import summary_counts
from sheetkit.errors import UsageError
from sheetkit.syncing.merge import merge
from sheetkit.syncing.plan import Snapshot, _plan_html
from sheetkit.views.charts import (
    contacts_by_status,
    due_per_week,
    figure_data_uri,
    figure_png,
    status_counts,
    week_counts,
)
from sheetkit.views.html_report import render_html_report, write_html_report
from sheetkit.views.notebook import styled

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "recruiter_contacts.xlsx"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SCRIPT = "<script>alert('x')</script>"


def day(month: int, date: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, date)


# AS_OF is Saturday 2026-11-21; its ISO week (W47) starts Monday 16 Nov. Frame row i is sheet row i + 2.
ROWS = [
    contact(**{"Last Contacted": day(11, 1)}),  # 2: contacted +3 -> 4 Nov: overdue 17 days
    contact(**{"Last Contacted": day(11, 19)}),  # 3: -> Sun 22 Nov: W47
    contact(Status="Engaged", **{"Last Contacted": day(11, 20)}),  # 4: -> 23 Nov: W48
    contact(Status="New", **{"Last Contacted": None, "Follow-ups": 0}),  # 5: due today: W47
    contact(Status="Not looking", **{"Last Contacted": day(11, 1)}),  # 6: +180 -> 2027: after the chart
    contact(Status="Do not contact", Notes=SCRIPT),  # 7: never: no check-in
    contact(
        **{"Follow-ups": 3, "Channels Tried": "email, phone", "Last Contacted": day(5, 1)}
    ),  # 8: non-resp. +180 -> 28 Oct: overdue
    contact(Status="Silver medalist", **{"Last Contacted": day(9, 1)}),  # 9: keep_warm +90 -> 30 Nov: W49
    contact(Status="Non-responsive", **{"Last Contacted": day(11, 10)}),  # 10: +180 -> 2027: after the chart
    contact(Status="Maybe later", Email="not-an-email"),  # 11: unknown status and a bad email: errors
]
for number, row in enumerate(ROWS):  # emails must be unique
    row["Email"] = f"candidate{number}@example.com" if row["Email"] == contact()["Email"] else row["Email"]
OVERDUE_ROWS = {2, 8}
NON_RESPONSIVE_ROWS = {8, 10}


@pytest.fixture(scope="module")
def small() -> Checked:
    return check(pd.DataFrame(ROWS), as_of=AS_OF)


@pytest.fixture(scope="module")
def example() -> Checked:
    return check(EXAMPLE, as_of="2026-11-21")


# -- charts ------------------------------------------------------------------------------------------


def test_due_per_week_bars_are_the_hand_counted_weeks(small: Checked) -> None:
    fig = due_per_week(small, weeks=4)
    (ax,) = fig.axes
    heights = [int(p.get_height()) for p in ax.patches]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["overdue", "W47\n16 Nov", "W48\n23 Nov", "W49\n30 Nov", "W50\n7 Dec"]
    assert heights == [2, 2, 1, 1, 0]
    assert "2 more due after 2026-12-13" in ax.get_xlabel()
    assert "2026-11-21" in ax.get_title(loc="left")


def test_due_per_week_on_the_example_matches_the_next_check_in_column(example: Checked) -> None:
    next_check_in = example.frame()["Next Check-In"].dropna()
    today = pd.Timestamp(AS_OF)
    monday = today - pd.Timedelta(days=today.weekday())
    expected = [int((next_check_in < today).sum())]
    for week in range(12):
        start, end = monday + pd.Timedelta(weeks=week), monday + pd.Timedelta(weeks=week + 1)
        expected.append(int(((next_check_in >= max(start, today)) & (next_check_in < end)).sum()))
    fig = due_per_week(example)
    (ax,) = fig.axes
    assert [int(p.get_height()) for p in ax.patches] == expected
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()  # overdue stands out
    labels, counts, later = week_counts(example)
    assert counts == expected and len(labels) == 13
    assert sum(counts) + later == len(next_check_in)


def test_contacts_by_status_in_schema_order_with_counts(small: Checked, example: Checked) -> None:
    fig = contacts_by_status(small)
    (ax,) = fig.axes
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == [s.replace("_", " ") for s in small.normalized.schema.statuses]
    widths = dict(zip(names, (int(p.get_width()) for p in ax.patches), strict=True))
    assert widths == {
        "new": 1,
        "contacted": 3,
        "engaged": 1,
        "not this role": 0,
        "not looking": 1,
        "keep warm": 1,
        "placed": 0,
        "wrong contact": 0,
        "non responsive": 1,
        "do not contact": 1,
    }
    assert [t.get_text() for t in ax.texts] == [str(w) for w in widths.values()]  # counts written on the bars
    assert "1 row has a status the schema does not know" in ax.get_xlabel()

    statuses, counts, unknown = status_counts(example)
    expected = example.normalized.frame["status"].value_counts()
    assert counts == [int(expected.get(s, 0)) for s in statuses]
    assert sum(counts) + unknown == example.report.rows


def test_figures_as_png_and_data_uri(small: Checked) -> None:
    fig = due_per_week(small)
    assert figure_png(fig).startswith(PNG_MAGIC)
    uri = figure_data_uri(fig)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(PNG_MAGIC)
    assert fig._repr_png_().startswith(PNG_MAGIC)  # shows itself in a notebook
    assert pickle.loads(pickle.dumps(fig))._repr_png_().startswith(PNG_MAGIC)


def test_charts_never_touch_pyplot() -> None:
    """Library code must not pick a GUI backend, open windows or keep figures in pyplot's list."""
    code = (
        "import sys, sheetkit.views.charts as c, sheetkit.api as a;"
        f"c.figure_png(c.due_per_week(a.check({str(EXAMPLE)!r}, as_of='2026-11-21')));"
        "assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "MPLBACKEND": "TkAgg", "DISPLAY": ""})


def test_charts_accept_a_path_and_refuse_a_different_as_of(small: Checked) -> None:
    fig = contacts_by_status(EXAMPLE, as_of="2026-11-21")
    assert sum(int(p.get_width()) for p in fig.axes[0].patches) == 299  # one row has an unknown status
    with pytest.raises(UsageError, match="checked as of 2026-11-21"):
        due_per_week(small, as_of="2026-12-01")
    with pytest.raises(ValueError, match="weeks"):
        due_per_week(small, weeks=0)


# -- the HTML report ---------------------------------------------------------------------------------


class PageParser(HTMLParser):
    """Collects text, <img> sources and <li> texts; fails on a closing tag that closes nothing."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})
    BREAKS = frozenset({"td", "th", "tr", "li", "p", "h1", "h2", "h3", "h4", "div", "caption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.images: list[str] = []
        self.items: list[str] = []
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        if tag == "li":
            self.items.append("")
        if tag not in self.VOID:
            self.open.append(tag)
        if tag in self.BREAKS:
            self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    @property
    def plain(self) -> str:
        """The page's text, one space between cells and words."""
        return " ".join("".join(self.text).split())

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "li" in self.open:
            self.items[-1] += data


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    assert parser.open == [], f"unclosed: {parser.open}"
    return parser


def test_report_counts_charts_problems_and_due_table(small: Checked) -> None:
    page = render_html_report(small, title="Morning <check>")
    parsed = parse(page)
    assert parsed.scripts == 0
    assert SCRIPT not in page  # the note is not in the report at all; names and values are escaped
    assert "<title>Morning &lt;check&gt;</title>" in page
    assert parsed.items == ["10rows", "2errors", "0warnings", "2non-responsive", "1due today", "2overdue"]
    assert summary_counts(small) == {
        "rows": 10,
        "errors": 2,
        "warnings": 0,
        "non_responsive": 2,
        "due_today": 1,
        "overdue": 2,
        "due_next_7_days": 2,
    }
    assert len(parsed.images) == 2
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)
    text = parsed.plain
    assert "DataFrame!C11" in text and "DataFrame!I11" in text  # problems by cell address
    assert "Email (column C)" in text and "Status (column I)" in text  # grouped by column
    assert "'Maybe later' is not a known status" in text
    assert "http" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)  # no external assets


def test_report_due_table_lists_overdue_and_next_seven_days(small: Checked) -> None:
    due = due_table(small)
    assert due["Row"].tolist() == [8, 2, 5, 3, 4]  # most overdue first; row 9 is due in 9 days: not listed
    assert due["Days Overdue"].tolist() == [24, 17, 0, -1, -2]
    page = render_html_report(small)
    parsed = parse(page)
    for cells in ("2026-05-01 2026-10-28 24", "2026-11-01 2026-11-04 17", "due today", "in 1 day", "in 2 days"):
        assert cells in parsed.plain, cells


def test_report_escapes_a_script_in_any_value() -> None:
    rows = [contact(**{"First Name": SCRIPT, "Email": SCRIPT, "Last Contacted": day(11, 1)})]
    checked = check(pd.DataFrame(rows), as_of=AS_OF)
    page = render_html_report(checked)
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page
    assert parse(page).scripts == 0


def test_write_report_is_atomic_and_leaves_no_backup(tmp_path: Path, example: Checked) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    assert write_html_report(example, target) == target
    page = target.read_text(encoding="utf-8")
    parsed = parse(page)
    assert parsed.items[:1] == ["300rows"] and "144overdue" in parsed.items
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


# -- the styled DataFrame --------------------------------------------------------------------------------


def row_colours(html_text: str) -> dict[int, str]:
    """Styler row position -> background colour, read back from the generated <style> block."""
    style = html_text.split("</style>", 1)[0]
    colours: dict[int, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", style):
        found = re.search(r"background-color:\s*(#[0-9a-f]{6})", body)
        if found:
            for row in re.findall(r"_row(\d+)_col0\b", selectors):
                colours[int(row)] = found.group(1)
    return colours


def expected_colours(sheet_rows: list[int]) -> dict[int, str]:
    colours = {}
    for position, row in enumerate(sheet_rows):
        overdue, silent = row in OVERDUE_ROWS, row in NON_RESPONSIVE_ROWS
        if overdue or silent:
            colours[position] = (
                BOTH_COLOUR if overdue and silent else OVERDUE_COLOUR if overdue else NON_RESPONSIVE_COLOUR
            )
    return colours


def test_styled_highlights_exactly_non_responsive_and_overdue_rows(small: Checked) -> None:
    styler = styled(small)
    page = styler.to_html()
    assert row_colours(page) == expected_colours(list(small.table.rows))
    assert row_colours(page) == {0: OVERDUE_COLOUR, 6: BOTH_COLOUR, 8: NON_RESPONSIVE_COLOUR}
    assert "Next Check-In before 2026-11-21" in page and "non-responsive" in page  # legend in the caption
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert "2026-11-04" in page and "2026-11-04 00:00:00" not in page  # dates shown as dates


def test_styled_reads_an_enriched_frame_and_checks_a_plain_one(small: Checked) -> None:
    enriched = enrich(pd.DataFrame(ROWS), as_of=AS_OF)
    assert row_colours(styled(enriched, as_of=AS_OF).to_html()) == expected_colours(list(range(2, 12)))
    # A blank row in a plain frame is not a table row: colours must still land on the right rows.
    blank = {key: None for key in ROWS[0]}
    plain = pd.DataFrame([*ROWS[:3], blank, *ROWS[3:]])
    colours = row_colours(styled(plain, as_of=AS_OF).to_html())
    assert colours == {0: OVERDUE_COLOUR, 7: BOTH_COLOUR, 9: NON_RESPONSIVE_COLOUR}


def test_checked_html_for_notebooks(small: Checked) -> None:
    page = checked_html(small)
    parse(page)
    assert "2 overdue, 1 due today, 2 due in the next 7 days, 2 non-responsive" in page
    assert "24 days overdue" in page and "DataFrame!C11" in page


def test_example_styled_counts(example: Checked) -> None:
    colours = row_colours(styled(example).to_html())
    computed = example.computed
    overdue = (computed["next_check_in"] < pd.Timestamp(AS_OF)).to_numpy()
    silent = computed["non_responsive"].fillna(False).to_numpy(dtype=bool)
    assert len(colours) == int((overdue | silent).sum())
    assert sum(c == BOTH_COLOUR for c in colours.values()) == int((overdue & silent).sum())


# -- the sync plan ----------------------------------------------------------------------------------------


def test_plan_html_shows_changes_and_conflicts() -> None:
    columns = ("name", "phone", "stage")
    base = Snapshot(
        columns, {"ana": {"name": "Ana", "phone": "100", "stage": "new"}, "bo": {"name": "Bo", "stage": "new"}}
    )
    local = Snapshot(
        columns,
        {
            "ana": {"name": "Ana", "phone": "<b>111</b>", "stage": "engaged"},
            "bo": {"name": "Bo", "stage": "new"},
            "cy": {"name": "<b>Cy</b>", "stage": "new"},
        },
    )
    remote = Snapshot(columns, {"ana": {"name": "Ana", "phone": "222", "stage": "new"}})
    plan = merge(base, local, remote)
    page = _plan_html(plan)
    parsed = parse(page)
    text = parsed.plain
    assert "Conflicts (1)" in text
    assert "ana phone 100 <b>111</b> 222 open: left as is on both sides" in text
    assert "<b>" not in page and "&lt;b&gt;111&lt;/b&gt;" in page
    assert "rows added – 1: cy" in text  # the remote copy gains cy
    assert "rows deleted 1: bo –" in text  # bo deleted remotely, unedited locally: deleted locally
    assert "ana stage new engaged" in text  # the remote copy's cell becomes the local edit

    resolved = _plan_html(merge(base, local, remote, prefer="remote"))
    assert "remote wins" in resolved
    empty = merge(base, base, base)
    assert "Nothing to do" in _plan_html(empty)
