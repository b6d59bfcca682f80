"""Charts of a checked sheet: check-ins due per week, contacts per status; PNG bytes for embedding.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``), never pyplot: no
display or GUI backend is needed (PNGs are drawn by Agg), nothing is shown, and no figure is left
in pyplot's global list. matplotlib is imported on first use, so ``import sheetkit`` stays fast.
In a notebook a returned figure displays itself as a PNG.

    >>> checked = sheetkit.api.check("contacts.xlsx", as_of="2026-11-21")
    >>> fig = due_per_week(checked)
    >>> open("due.png", "wb").write(figure_png(fig))
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import io
from typing import TYPE_CHECKING, Any

from sheetkit.api import as_checked
from sheetkit.core.checked import Checked
from sheetkit.core.facts import row_facts
from sheetkit.core.schema import DateLike, SchemaLike
from sheetkit.runtime.text import counted

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

OVERDUE_COLOUR = "#c8553d"
BAR_COLOUR = "#4a6fa5"
_TEXT_COLOUR = "#333333"


def due_per_week(
    source: Checked | Any, *, as_of: DateLike = None, weeks: int = 12, schema: SchemaLike = None
) -> Figure:
    """Bar chart of check-ins due per ISO week (Monday to Sunday), overdue ones in one bar first.

    The first week is the as-of date's week, counted from the as-of date (earlier days are overdue).
    Rows without a Next Check-In (do not contact, rows with errors) are not counted; check-ins
    after the last week shown are counted in a note under the chart.

    Args:
        source: a :class:`~sheetkit.Checked`, or a path, DataFrame or sheet URL to check.
        as_of: "today" (default: the Checked's date, or today for a source).
        weeks: how many weeks to show after the overdue bar.
        schema: the schema for a source that is not yet checked.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1 (got {weeks})")
    checked = as_checked(source, as_of=as_of, schema=schema)
    labels, counts, later = week_counts(checked, weeks=weeks)
    fig = _new_figure(max(6.0, 0.62 * len(labels) + 1.2), 3.8)
    ax = fig.add_subplot()
    colours = [OVERDUE_COLOUR] + [BAR_COLOUR] * weeks
    bars = ax.bar(range(len(labels)), counts, color=colours, width=0.7)
    ax.bar_label(bars, labels=[str(n) if n else "" for n in counts], padding=2, fontsize=9, color=_TEXT_COLOUR)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylabel("check-ins due")
    ax.set_title(f"Check-ins due per week, as of {checked.as_of.isoformat()}", loc="left", fontsize=11)
    if later:
        last_day = _week_start(checked.as_of) + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
        ax.set_xlabel(f"{later} more due after {last_day.isoformat()} (not shown)", fontsize=8, color="#666666")
    _tidy(ax, axis="y")
    fig.tight_layout()
    return fig


def week_counts(checked: Checked, *, weeks: int = 12) -> tuple[list[str], list[int], int]:
    """(labels, counts, later): "overdue" then one label per week ("W47\\n16 Nov"), and how many fall after."""
    facts = row_facts(checked)
    due = facts["next_check_in"][~facts["empty"]].dropna()
    start = _week_start(checked.as_of)
    today = dt.datetime.combine(checked.as_of, dt.time())
    overdue = int((due < today).sum())
    offsets = ((due[due >= today] - dt.datetime.combine(start, dt.time())).dt.days // 7).to_numpy()
    counts = [overdue] + [int((offsets == week).sum()) for week in range(weeks)]
    labels = ["overdue"]
    for week in range(weeks):
        monday = start + dt.timedelta(weeks=week)
        labels.append(f"W{monday.isocalendar().week}\n{monday.day} {monday:%b}")
    return labels, counts, int((offsets >= weeks).sum())


def contacts_by_status(source: Checked | Any, *, as_of: DateLike = None, schema: SchemaLike = None) -> Figure:
    """Horizontal bars of contacts per canonical status, in the schema's order, each bar's count written on it.

    Rows whose status is not in the schema (a validation error) are counted in a note, not a bar.
    """
    checked = as_checked(source, as_of=as_of, schema=schema)
    names, counts, unknown = status_counts(checked)
    fig = _new_figure(6.4, 0.34 * len(names) + 1.3)
    ax = fig.add_subplot()
    bars = ax.barh(range(len(names)), counts, color=BAR_COLOUR, height=0.65)
    ax.bar_label(bars, padding=3, fontsize=9, color=_TEXT_COLOUR)
    ax.set_yticks(range(len(names)), [name.replace("_", " ") for name in names], fontsize=9)
    ax.invert_yaxis()  # schema order, top to bottom
    ax.set_xlim(0, max([*counts, 1]) * 1.12)  # room for the count right of the longest bar
    ax.set_title(f"Contacts by status ({counted(sum(counts) + unknown, 'row')})", loc="left", fontsize=11)
    if unknown:
        noun = "row has" if unknown == 1 else "rows have"
        ax.set_xlabel(f"{unknown} {noun} a status the schema does not know (not shown)", fontsize=8, color="#666666")
    _tidy(ax, axis="x")
    ax.tick_params(axis="x", bottom=False, labelbottom=False)  # counts are written on the bars
    ax.tick_params(axis="y", left=False)
    fig.tight_layout()
    return fig


def status_counts(checked: Checked) -> tuple[list[str], list[int], int]:
    """(statuses in schema order, rows per status, rows with a status the schema does not know)."""
    statuses = list(checked.normalized.schema.statuses)
    facts = row_facts(checked)
    found = facts["status"][~facts["empty"]].value_counts(dropna=False)
    counts = [int(found.get(name, 0)) for name in statuses]
    return statuses, counts, int(found.sum()) - sum(counts)


def figure_png(fig: Figure, *, dpi: int = 144) -> bytes:
    """The figure as PNG bytes (Agg renderer; works without a display)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def figure_data_uri(fig: Figure, *, dpi: int = 144) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, for an ``<img src>`` in a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(figure_png(fig, dpi=dpi)).decode("ascii")


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _new_figure(width: float, height: float) -> Figure:
    return _figure_class()(figsize=(width, height))


@functools.cache
def _figure_class() -> type[Figure]:
    """A Figure that shows itself as a PNG in Jupyter, with or without ``%matplotlib inline``."""
    from matplotlib.figure import Figure

    class ChartFigure(Figure):
        def _repr_png_(self) -> bytes:
            return figure_png(self, dpi=100)

    ChartFigure.__module__, ChartFigure.__qualname__ = __name__, "ChartFigure"  # pickle finds it via __getattr__
    return ChartFigure


def __getattr__(name: str) -> Any:
    if name == "ChartFigure":
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _tidy(ax: Axes, *, axis: str) -> None:
    """No box, no grid: only the axis the values are read on, with whole-number ticks."""
    from matplotlib.ticker import MaxNLocator

    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if axis == "y":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax.spines["bottom"].set_visible(False)
    ax.tick_params(colors=_TEXT_COLOUR)
