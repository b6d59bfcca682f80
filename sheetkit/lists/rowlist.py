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
from typing import IO, Any, ClassVar, Generic, Literal, TypeVar

import pandas as pd

from sheetkit.core.cells import CellValue
from sheetkit.runtime.text import printable, spreadsheet_safe

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
    not_in_text: ClassVar[frozenset[str]] = frozenset()  # attributes the terminal table leaves out

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
        """CSV with the headers of the text table (dates as YYYY-MM-DD): to a path, a text buffer, or returned.

        Safe to open in a spreadsheet: text that would start a formula gets a leading quote.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in self.table_rows():
            writer.writerow([_csv_cell(v) for v in row])
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
        shown = [i for i, c in enumerate(self.columns) if c.attr not in self.not_in_text]
        columns = [self.columns[i] for i in shown]
        last = len(columns) - 1  # the last column is not cut: nothing is aligned after it
        cells = [
            [_shown(row[j], None if i == last else _CELL_LIMIT) for i, j in enumerate(shown)]
            for row in self.table_rows()
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
        numeric = [c.kind == "int" for c in columns]
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


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return spreadsheet_safe(value) if isinstance(value, str) else value


def _shown(value: Any, limit: int | None = _CELL_LIMIT) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else printable(str(value), keep_newlines=False)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
