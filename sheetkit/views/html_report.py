"""A self-contained HTML report of a checked sheet: counts, charts, problems by column, who is due.

One file, no external assets: inline CSS, charts embedded as PNG data URIs, so it can be mailed
or opened offline. The page is rendered by Jinja2 with autoescaping on: every value from the
sheet (a candidate's note may hold ``<script>``) is escaped.

    >>> checked = sheetkit.api.check("contacts.xlsx", as_of="2026-11-21")
    >>> write_html_report(checked, "contacts-report.html")
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetkit.api import as_checked
from sheetkit.core.checked import Checked
from sheetkit.core.display import due_table
from sheetkit.core.facts import due_text, summary_counts
from sheetkit.core.schema import DateLike, SchemaLike

if TYPE_CHECKING:
    import jinja2

PROBLEMS_PER_GROUP = 500  # a sheet with an error in every row stays a page one can open

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sheetkit">
<title>{{ title }}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1em; margin: 1.2em 0 0.3em; }
.meta { color: #666; margin-top: 0; }
.counts { display: flex; flex-wrap: wrap; gap: 0.8em; padding: 0; list-style: none; }
.counts li { border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 0.9em; min-width: 7em; }
.counts .n { display: block; font-size: 1.6em; font-weight: 600; }
.counts .bad .n { color: #b00020; }
.charts img { max-width: 100%; height: auto; display: block; margin: 1em 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f6; }
td.num { text-align: right; }
.error { color: #b00020; }
.warning { color: #8a6d00; }
tr.overdue td { background: #fde2e1; }
code { font-size: 0.95em; }
.more { color: #666; font-style: italic; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">{{ source }}, sheet “{{ sheet }}” · schema {{ schema }} · as of {{ as_of }}</p>

<ul class="counts">
{% for label, n, bad in counts %}
  <li{% if bad and n %} class="bad"{% endif %}><span class="n">{{ n }}</span>{{ label }}</li>
{% endfor %}
</ul>

<h2>Charts</h2>
<div class="charts">
{% for alt, uri in charts %}
  <img src="{{ uri }}" alt="{{ alt }}">
{% endfor %}
</div>

<h2>Due: overdue and the next 7 days ({{ due|length }})</h2>
{% if due %}
<table>
<thead><tr><th>Row</th><th>Name</th><th>Status</th><th>Last contacted</th><th>Next check-in</th>
<th>Days overdue</th></tr></thead>
<tbody>
{% for r in due %}
<tr{% if r.overdue %} class="overdue"{% endif %}><td class="num">{{ r.row }}</td><td>{{ r.name }}</td>
<td>{{ r.status }}</td><td>{{ r.last }}</td><td>{{ r.next }}</td><td>{{ r.when }}</td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>Nobody is overdue or due in the next 7 days.</p>
{% endif %}

<h2>Problems ({{ problem_count }})</h2>
{% for group in groups %}
<h3>{{ group.title }} ({{ group.total }})</h3>
<table>
<thead><tr><th>Severity</th><th>Cells</th><th>Value</th><th>Problem</th></tr></thead>
<tbody>
{% for p in group.problems %}
<tr><td class="{{ p.severity }}">{{ p.severity }}</td><td><code>{{ p.where }}</code></td>
<td>{{ p.problems[0].value }}</td><td>{{ p.message }}</td></tr>
{% endfor %}
</tbody>
</table>
{% if group.total > group.problems|length %}
<p class="more">... and {{ group.total - group.problems|length }} more in this column
(see <code>sheetkit validate --format json</code>)</p>
{% endif %}
{% else %}
<p>No problems found.</p>
{% endfor %}
{% if not_computed %}
<p>Rows left without computed values because of errors: {{ not_computed }}</p>
{% endif %}
</body>
</html>
"""


def render_html_report(
    checked: Checked | Any, *, title: str | None = None, as_of: DateLike = None, schema: SchemaLike = None
) -> str:
    """The report as one self-contained HTML page (a str).

    Args:
        checked: a :class:`~sheetkit.Checked`, or a path, DataFrame or sheet URL to check first.
        title: the page title (default: "Contacts report: <source>").
        as_of, schema: for a source that is not yet checked.
    """
    from sheetkit.views.charts import contacts_by_status, due_per_week, figure_data_uri

    checked = as_checked(checked, as_of=as_of, schema=schema)
    report = checked.report
    counts = summary_counts(checked)
    charts = []
    for alt, make in (("Check-ins due per week", due_per_week), ("Contacts by status", contacts_by_status)):
        charts.append((alt, figure_data_uri(make(checked))))
    due = [
        {
            "row": int(row["Row"]),
            "name": row["Name"],
            "status": "" if row["Status"] is None else row["Status"],
            "last": row["Last Contacted"].isoformat() if row["Last Contacted"] else "",
            "next": row["Next Check-In"].isoformat(),
            "when": str(row["Days Overdue"]) if row["Days Overdue"] > 0 else due_text(int(row["Days Overdue"])),
            "overdue": int(row["Days Overdue"]) > 0,
        }
        for row in due_table(checked, within=7).to_dict("records")
    ]
    groups = [
        {"title": group_title, "total": len(alike), "problems": alike[:PROBLEMS_PER_GROUP]}
        for group_title, alike in report.grouped()
    ]
    return _template().render(
        title=title or f"Contacts report: {report.source}",
        source=report.source,
        sheet=report.sheet,
        schema=report.schema,
        as_of=checked.as_of.isoformat(),
        counts=[
            ("rows", counts["rows"], False),
            ("errors", counts["errors"], True),
            ("warnings", counts["warnings"], True),
            ("non-responsive", counts["non_responsive"], False),
            ("due today", counts["due_today"], False),
            ("overdue", counts["overdue"], True),
        ],
        charts=charts,
        due=due,
        problem_count=len(report.problems),
        groups=groups,
        not_computed=", ".join(str(row) for row in report.not_computed),
    )


def write_html_report(
    checked: Checked | Any,
    path: str | Path,
    *,
    title: str | None = None,
    as_of: DateLike = None,
    schema: SchemaLike = None,
) -> Path:
    """Write :func:`render_html_report` to ``path`` (UTF-8) atomically: a reader never sees half a page.

    Returns the path written. Raises WriteError/FileLockedError when it cannot be written.
    """
    from sheetkit.runtime.atomic import atomic_replace

    page = render_html_report(checked, title=title, as_of=as_of, schema=schema)
    target = Path(path)
    with atomic_replace(target, backup=False) as temporary:
        temporary.write_text(page, encoding="utf-8")
    return target


@functools.cache
def _template() -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )
    return environment.from_string(_TEMPLATE)
