"""CSV files: decoding, the delimiter, reading into a Table, and writing planned cells back.

A CSV is decoded as UTF-8 (with or without BOM), else Windows-1252, and written back in the
encoding and with the delimiter and line endings it had, so only the planned cells change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from sheetkit.core.cells import CellValue
from sheetkit.core.schema import Schema
from sheetkit.core.table import FileOrigin, Table, build_table, locate_header
from sheetkit.core.writeplan import WritePlan
from sheetkit.errors import HeaderError, SourceError, WorkbookFormatError


def read_csv(path: Path, schema: Schema) -> Table:
    """Read a CSV file (comma, semicolon or tab separated; UTF-8, with or without BOM)."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found", path=str(path)) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open the file ({exc.strerror})", path=str(path)) from None
    if not raw.strip():
        raise WorkbookFormatError(f"{name} is empty; expected a header row and data rows", path=str(path))
    text, _ = decode_text(raw)
    delimiter = csv_delimiter(text, schema)
    rows: list[list[Any]] = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header_index = locate_header(rows, schema)
    sheet = path.stem
    if header_index is None:
        raise HeaderError(
            f"{name}: no header row found in the first {schema.header_search_rows} lines; "
            f"expected headers such as {schema.example_headers()}",
            path=str(path),
            sheet=sheet,
        )
    return build_table(rows, header_index, source=name, sheet=sheet, kind="csv", origin=FileOrigin(path))


def csv_delimiter(text: str, schema: Schema) -> str:
    """The delimiter (comma, semicolon or tab) under which the schema's header row is found.

    A sniffer guesses from the first lines, which in an export are often a preamble; asking
    which delimiter makes the header appear is more reliable.
    """
    sample = text[:65536]
    best, best_width = ",", 0
    for delimiter in (",", ";", "\t"):
        rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        index = locate_header(rows, schema)
        width = sum(1 for cell in rows[index] if cell.strip()) if index is not None else 0
        if width > best_width:
            best, best_width = delimiter, width
    return best


def decode_text(raw: bytes) -> tuple[str, str]:
    """Text of a CSV file and its encoding: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def write_csv(plan: WritePlan, source: Path, destination: Path, schema: Schema) -> None:
    """Rewrite a CSV with the planned cells set, keeping its delimiter and every other cell."""
    text, encoding = decode_text(source.read_bytes())
    delimiter = csv_delimiter(text, schema)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    for update in plan.updates:
        while len(rows) < update.row:
            rows.append([])
        row = rows[update.row - 1]
        while len(row) < update.column:
            row.append("")
        row[update.column - 1] = _csv_text(update.value)
    if plan.new_columns:  # keep the table rectangular: appended columns get empty cells too
        width = len(rows[plan.header_row - 1])
        for row in rows[plan.header_row :]:
            if any(cell.strip() for cell in row):
                row.extend([""] * (width - len(row)))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if "\r\n" in text else "\n")
    writer.writerows(rows)
    destination.write_bytes(out.getvalue().encode(encoding, errors="replace"))


def _csv_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
