"""Who to contact today: the recruiter's morning list, most overdue first, with the channel to use.

    >>> import sheetkit
    >>> print(sheetkit.due("contacts.xlsx", within_days=7, as_of="2026-11-21").to_text())

The list is read off the computed Next Check-In (so it agrees with the sheet), never lists a
person who must not be contacted, and suggests the next channel the way the Suggested Channel
column does (DOMAIN.md: try another channel before giving up), even where that column is off.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from sheetkit.api import as_checked
from sheetkit.core.checked import Checked
from sheetkit.core.computed import suggested_channels
from sheetkit.core.facts import date_or_none, due_rows, due_text, text_or_none
from sheetkit.core.schema import DateLike, SchemaLike
from sheetkit.errors import UsageError
from sheetkit.lists.rowlist import Column, RowList

__all__ = ["DueList", "DueRow", "due", "parse_window", "write_due_sheet"]

_WINDOW = re.compile(r"^(\d+)\s*(d|day|days|w|wk|week|weeks)?$")


@dataclass(frozen=True)
class DueRow:
    """One person to contact: where they are in the sheet, how to reach them, and how late it is.

    ``days_overdue`` is 0 for due today, positive when late, negative when due later in the window.
    """

    row: int
    cell: str
    name: str
    email: str | None
    phone: str | None
    status: str | None
    last_contacted: dt.date | None
    next_check_in: dt.date
    days_overdue: int
    suggested_channel: str | None
    owner: str | None
    when: str = ""  # days_overdue as a person says it: "3 days overdue", "due today", "in 2 days"


class DueList(RowList[DueRow]):
    """The people due for contact, most overdue first (see :func:`due`)."""

    row_type = DueRow
    not_in_text: ClassVar[frozenset[str]] = frozenset({"days_overdue"})  # "When" says it in words there
    noun = "person"
    empty_text = "Nobody is due."
    columns: ClassVar[tuple[Column, ...]] = (
        Column("row", "Row", "int"),
        Column("name", "Name"),
        Column("email", "Email"),
        Column("phone", "Phone"),
        Column("status", "Status"),
        Column("last_contacted", "Last Contacted", "date"),
        Column("next_check_in", "Next Check-In", "date"),
        Column("when", "When"),
        Column("days_overdue", "Days Overdue", "int"),
        Column("suggested_channel", "Suggested Channel"),
        Column("owner", "Owner"),
    )

    def __repr__(self) -> str:
        plural = "person" if len(self) == 1 else "people"
        return f"<DueList: {len(self)} {plural} due, {self.title()}>"

    def title(self) -> str:
        as_of = self.meta["as_of"]
        window = self.meta["within_days"]
        line = f"Due as of {as_of.isoformat()}" if not window else f"Due by {as_of + dt.timedelta(days=window)}"
        line += f" (within {window} days)" if window else ""
        return line + (f", owner {self.meta['owner']}" if self.meta.get("owner") else "")


def due(
    source: Checked | Any,
    *,
    within_days: int | str = 0,
    owner: str | None = None,
    schema: SchemaLike = None,
    sheet: str | None = None,
    as_of: DateLike = None,
    client: Any = None,
) -> DueList:
    """Who to contact by the as-of date (or within ``within_days`` after it), most overdue first.

    Rows with a blank Next Check-In (do not contact, or inputs with errors) never appear, and
    neither does any row whose status means never contact again. ``owner`` keeps the rows of
    one owner (case and surrounding spaces ignored).

    Args:
        source: a :class:`~sheetkit.Checked`, or anything :func:`sheetkit.check` reads (a path,
            DataFrame, Google Sheets URL or gspread Worksheet), checked with ``schema``, ``sheet``,
            ``as_of`` and ``client``.
        within_days: days after the as-of date, or a window as a person types it ("7d", "2w", "today").

    Raises:
        UsageError: a bad window, or an owner filter on a sheet or schema without an owner field.
    """
    checked = as_checked(source, schema=schema, sheet=sheet, as_of=as_of, client=client)
    within_days = parse_window(within_days)
    chosen = due_rows(checked, within_days=within_days, owner=owner)
    channels = suggested_channels(checked.normalized.frame, checked.schema).loc[chosen.index].tolist()
    rows = [
        DueRow(
            row=int(fact["row"]),
            cell=str(fact["cell"]),
            name=str(fact["name"]),
            email=text_or_none(fact["email"]),
            phone=text_or_none(fact["phone"]),
            status=text_or_none(fact["status"]),
            last_contacted=date_or_none(fact["last_contacted"]),
            next_check_in=pd.Timestamp(fact["next_check_in"]).date(),
            days_overdue=int(fact["days_overdue"]),
            when=due_text(int(fact["days_overdue"])),
            suggested_channel=channels[k],
            owner=text_or_none(fact["owner"]),
        )
        for k, fact in enumerate(chosen.to_dict("records"))
    ]
    return DueList(rows, meta={"as_of": checked.as_of, "within_days": within_days, "owner": owner})


def parse_window(text: str | int) -> int:
    """Days in a window typed by a person: "today" or "0" -> 0, "7", "7d" -> 7, "2w" -> 14.

    Raises:
        UsageError: the text is not one of those forms.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise UsageError(f"the due window must be 0 days or more, got {text}")
        return text
    spoken = str(text).strip().casefold()
    if spoken in ("today", "now"):
        return 0
    if spoken == "tomorrow":
        return 1
    match = _WINDOW.match(spoken)
    if match is None:
        raise UsageError(
            f"{text!r} is not a time window; expected a number of days or weeks such as 0, today, 7, 7d or 2w"
        )
    days = int(match.group(1))
    return days * 7 if (match.group(2) or "d").startswith("w") else days


def write_due_sheet(
    checked: Checked,
    due_list: DueList,
    *,
    sheet_name: str = "Due",
    path: str | Path | None = None,
    backup: bool = True,
) -> str:
    """Write the list as worksheet ``sheet_name`` into the source workbook or Google Sheet; return where.

    See :func:`sheetkit.lists.sheet.write_list_sheet` (``path`` is the workbook file: a checked
    table knows only its file name).
    """
    from sheetkit.lists.sheet import write_list_sheet

    return write_list_sheet(checked, due_list, sheet_name=sheet_name, path=path, backup=backup)
