"""Lists of people (who is due, who fits a role): one set of outputs for the terminal, files and notebooks.

A list holds frozen row dataclasses; its columns (attribute, header, kind) say how each output
shows them, so the text table, the CSV, the JSON, the DataFrame, the HTML and the "Due" worksheet
all agree on the same values.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import numpy as np
import pandas as pd

from sheetkit.core.cells import CellValue
from sheetkit.core.schema import Schema

if TYPE_CHECKING:
    from sheetkit.api import Checked

Kind = Literal["text", "int", "date"]
_CELL_LIMIT = 40  # characters of one cell shown in the text table before it is cut


@dataclass(frozen=True)
class Column:
    """How one row attribute is shown: its header, and whether it is text, a whole number or a date."""

    attr: str
    header: str
    kind: Kind = "text"


Row = TypeVar("Row")


class RowList(Generic[Row]):
    """Rows plus what produced them (``meta``: as-of date, filters), with every output format."""

    columns: ClassVar[tuple[Column, ...]] = ()
    row_type: ClassVar[type[Any] | None] = None  # the row dataclass, for the DataFrame's columns
    noun: ClassVar[str] = "row"
    empty_text: ClassVar[str] = "No rows."

    def __init__(self, rows: Sequence[Row], *, meta: dict[str, Any]) -> None:
        self.rows: list[Row] = list(rows)
        self.meta = meta

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> Row:
        return self.rows[index]

    def __repr__(self) -> str:
        plural = "" if len(self) == 1 else "s"
        return f"<{type(self).__name__}: {len(self)} {self.noun}{plural}, {self.title()}>"

    def title(self) -> str:
        """One line saying what the list is (shown above the text and HTML tables)."""
        return ", ".join(f"{k} {v}" for k, v in self.meta.items() if v is not None)

    # -- data ---------------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every row as a JSON-ready dict of all its attributes (dates as YYYY-MM-DD)."""
        return [
            {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in dataclasses.asdict(row).items()}  # type: ignore[call-overload]
            for row in self.rows
        ]

    def to_frame(self) -> pd.DataFrame:
        """A DataFrame, one column per row attribute; dates as datetime64, whole numbers as Int64."""
        row_type = self.row_type
        names = [f.name for f in dataclasses.fields(row_type)] if row_type else [c.attr for c in self.columns]
        data = {name: [getattr(row, name) for row in self.rows] for name in names}
        frame = pd.DataFrame(data, columns=names)
        for column in self.columns:
            if column.attr not in frame:
                continue
            if column.kind == "date":
                frame[column.attr] = pd.to_datetime(frame[column.attr]).astype("datetime64[ns]")
            elif column.kind == "int":
                frame[column.attr] = frame[column.attr].astype("Int64")
        return frame

    def table_rows(self) -> list[list[CellValue]]:
        """The header row then one row of cell values per row: what a worksheet or CSV holds."""
        out: list[list[CellValue]] = [[c.header for c in self.columns]]
        out.extend([getattr(row, c.attr) for c in self.columns] for row in self.rows)
        return out

    def date_columns(self) -> list[int]:
        """1-based positions of the date columns (they need a date format in a sheet)."""
        return [i + 1 for i, c in enumerate(self.columns) if c.kind == "date"]

    # -- outputs ------------------------------------------------------------------------------
    def to_json(self, indent: int | None = 2) -> str:
        """``{...meta, "count": n, "rows": [...]}``: what produced the list, then every row."""
        meta = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in self.meta.items()}
        return json.dumps({**meta, "count": len(self), "rows": self.records()}, indent=indent, ensure_ascii=False)

    def to_csv(self, path_or_buffer: str | Path | IO[str] | None = None) -> str | None:
        """CSV with the headers of the text table (dates as YYYY-MM-DD): to a path, a text buffer, or returned."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in self.table_rows():
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
        text = buffer.getvalue()
        if path_or_buffer is None:
            return text
        if isinstance(path_or_buffer, (str, Path)):
            Path(path_or_buffer).write_text(text, encoding="utf-8", newline="")
        else:
            path_or_buffer.write(text)
        return None

    def to_text(self) -> str:
        """An aligned table for a terminal, under a title line; a plain sentence when empty."""
        if not self.rows:
            return f"{self.title()}\n{self.empty_text}"
        last = len(self.columns) - 1  # the last column is not cut: nothing is aligned after it
        cells = [
            [_shown(v, None if i == last else _CELL_LIMIT) for i, v in enumerate(row)] for row in self.table_rows()
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        numeric = [c.kind == "int" for c in self.columns]
        lines = [
            "  ".join(
                cell.rjust(w) if num and r else cell.ljust(w) for cell, w, num in zip(row, widths, numeric, strict=True)
            ).rstrip()
            for r, row in enumerate(cells)
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([self.title(), *lines])

    def _repr_html_(self) -> str:
        """A plain HTML table for Jupyter; every value escaped (a note may hold markup)."""
        head = "".join(f"<th>{html.escape(c.header)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_shown(v, limit=None))}</td>" for v in row) + "</tr>"
            for row in self.table_rows()[1:]
        )
        caption = html.escape(self.title())
        if not self.rows:
            return f"<p>{caption}: {html.escape(self.empty_text)}</p>"
        return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _shown(value: Any, limit: int | None = _CELL_LIMIT) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


# -- who each row is: the facts every list shows ----------------------------------------------------


def person_facts(checked: Checked) -> pd.DataFrame:
    """Per data row: sheet row, cell, name, email, phone, owner, status; indexed like the typed frame.

    The name is First + Last Name (or a ``name`` field); a schema with neither uses its first
    text field (a job search sheet: the company), and a blank one reads "row N".
    """
    typed = checked.normalized.frame
    schema = checked.normalized.schema
    table = checked.table
    blank = pd.Series("", index=typed.index, dtype=object)
    name_fields: list[str] = [f for f in ("first_name", "last_name", "name") if f in schema.fields]
    if not name_fields:
        name_fields = [f.name for f in schema.fields.values() if f.type == "text"][:1]
    parts = [_text(typed[f]) for f in name_fields if f in typed]
    names = blank.copy()
    for part in parts:
        names = names.str.cat(part, sep=" ")
    names = names.str.split().str.join(" ")
    rows = pd.Series(table.rows, index=typed.index)
    names = names.where(names != "", "row " + rows.astype(str))
    anchor = checked.normalized.positions.get(name_fields[0], 0) if name_fields else 0
    return pd.DataFrame(
        {
            "row": rows.astype(int),
            "cell": [table.cell(anchor, int(r)) for r in table.rows] if table.columns else "",
            "name": names,
            "email": _optional(typed, _field_like(schema, typed, "email")),
            "phone": _optional(typed, _field_like(schema, typed, "phone")),
            "owner": _optional(typed, "owner"),
            "status": _optional(typed, "status"),
        },
        index=typed.index,
    )


def never_contact(schema: Schema, status: pd.Series) -> np.ndarray:
    """Rows whose status says never contact again: do_not_contact, and any status with no cadence."""
    never = {"do_not_contact"} | {
        s.name for s in schema.statuses.values() if s.cadence_days is None and not s.due_now and not s.suggestion
    }
    return status.isin(sorted(never)).to_numpy(dtype=bool)


def _field_like(schema: Schema, typed: pd.DataFrame, word: str) -> str | None:
    """The field named ``word``, else the first one whose name ends with it (recruiter_email)."""
    if word in typed:
        return word
    return next((f for f in schema.fields if f.endswith(word) and f in typed), None)


def _optional(typed: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None or name not in typed:
        return pd.Series(None, index=typed.index, dtype=object)
    column = typed[name].astype(object)
    return column.where(column.notna() & (column.astype(str).str.strip() != ""), None)


def _text(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), "").astype(str)


def date_or_none(value: Any) -> dt.date | None:
    """A pandas timestamp (or NaT) as a date (or None)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def text_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None
