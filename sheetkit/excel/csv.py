"""CSV files: decoding, the delimiter, reading into a Table, and writing planned cells back.

A CSV is decoded strictly: UTF-8 (with or without BOM), else Windows-1252 when the bytes hold no
UTF-8 at all. A file that is neither (a UTF-8 file with one damaged byte) is an error naming the
line and byte, never "repaired" into other characters. Writing back touches only the records that
change, and within them only the changed fields: every other byte (quoting, spacing, line
endings) stays as it was, and the file keeps its encoding.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sheetkit.core.cells import CellValue
from sheetkit.core.schema import Schema
from sheetkit.core.table import FileOrigin, Table, build_table, locate_header
from sheetkit.core.writeplan import WritePlan
from sheetkit.errors import HeaderError, SourceError, WorkbookFormatError, WriteError

MAX_FIELD_CHARS = 16 * 2**20  # one cell; Python's csv stops at 131,072 by default
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def read_csv(path: Path, schema: Schema) -> Table:
    """Read a CSV file (comma, semicolon or tab separated; UTF-8, with or without BOM, or Windows-1252)."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found", path=str(path)) from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open the file ({exc.strerror})", path=str(path)) from None
    if not raw.strip():
        raise WorkbookFormatError(f"{name} is empty; expected a header row and data rows", path=str(path))
    text, _ = decode_text(raw, name=name)
    delimiter = csv_delimiter(text, schema)
    rows = parse_rows(text, delimiter, name=name)
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


def parse_rows(text: str, delimiter: str, *, name: str = "CSV") -> list[list[Any]]:
    """Every record of the text. A quote never closed, or a cell past the size limit, is an error.

    Text after a closing quote (``"Ana" ,``) is read as spreadsheet programs read it ('Ana ').

    Raises:
        WorkbookFormatError: naming the line where the broken record starts and what to fix.
    """
    try:
        return _parse(text, delimiter, name, strict=True)
    except _AfterQuote:
        return _parse(text, delimiter, name, strict=False)


class _AfterQuote(Exception):
    """Strict parsing met text after a closing quote; the lenient parse reads it."""


def _parse(text: str, delimiter: str, name: str, *, strict: bool) -> list[list[Any]]:
    rows: list[list[Any]] = []
    with _field_limit(MAX_FIELD_CHARS):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        line = 1
        while True:
            try:
                rows.append(next(reader))
            except StopIteration:
                return rows
            except csv.Error as exc:
                if "expected after" in str(exc):
                    raise _AfterQuote from None
                raise WorkbookFormatError(f"{name}, line {line}: {_explain(str(exc))}", path=name) from None
            line = reader.line_num + 1


def _explain(error: str) -> str:
    if "unexpected end of data" in error:
        return (
            'a quoted cell starts here and its closing quote (") is missing, so the rest of the file '
            "would be read as one cell; add the closing quote or remove the opening one"
        )
    if "field larger than field limit" in error:
        return f"a cell is longer than {MAX_FIELD_CHARS // 2**20} MB of text; is a quote left open?"
    return f"not valid CSV ({error})"


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """csv's cell size limit raised for a read (the setting is process-wide: restored after)."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def csv_delimiter(text: str, schema: Schema) -> str:
    """The delimiter (comma, semicolon or tab) under which the schema's header row is found.

    A sniffer guesses from the first lines, which in an export are often a preamble; asking
    which delimiter makes the header appear is more reliable.
    """
    sample = text[:65536]
    best, best_width = ",", 0
    for delimiter in (",", ";", "\t"):
        with _field_limit(MAX_FIELD_CHARS):
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        index = locate_header(rows, schema)
        width = sum(1 for cell in rows[index] if cell.strip()) if index is not None else 0
        if width > best_width:
            best, best_width = delimiter, width
    return best


def decode_text(raw: bytes, *, name: str = "the CSV file") -> tuple[str, str]:
    """Text of a CSV file and its encoding, decoded strictly.

    UTF-8 (a BOM is kept as "utf-8-sig"), else Windows-1252 when the file holds no UTF-8 sequence
    at all (a file saved by an old Excel). A UTF-8 file with a damaged byte is not guessed at.

    Raises:
        WorkbookFormatError: naming the line and byte that cannot be read, and what to do.
    """
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as utf8_error:
        if encoding == "utf-8-sig" or _UTF8_SEQUENCE.search(raw):
            raise _undecodable(name, raw, utf8_error.start, "UTF-8") from None
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as cp1252_error:
        raise _undecodable(name, raw, cp1252_error.start, "UTF-8 or Windows-1252") from None


def _undecodable(name: str, raw: bytes, offset: int, expected: str) -> WorkbookFormatError:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return WorkbookFormatError(
        f"{name} is not valid {expected} text: line {line}, byte {column} of the line (0x{raw[offset]:02X}, "
        f"file offset {offset}) cannot be read; fix that character or save the file again as UTF-8 "
        "(nothing was read or written)",
        path=name,
    )


def write_csv(plan: WritePlan, source: Path, destination: Path, schema: Schema) -> None:
    """Write ``source`` to ``destination`` with the planned cells set and every other byte kept.

    Only the records that hold a planned cell are rebuilt, and in them only the planned fields (a
    new value is quoted only when it must be); new columns give every data record below the header
    an empty field, so the table stays rectangular.

    Raises:
        WriteError: a new value cannot be written in the file's encoding.
    """
    raw = source.read_bytes()
    text, encoding = decode_text(raw, name=source.name)
    delimiter = csv_delimiter(text, schema)
    parse_rows(text, delimiter, name=source.name)  # strict: a broken file is refused, not rewritten
    records = _records(text, delimiter)
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    by_row: dict[int, dict[int, str]] = {}
    for update in plan.updates:
        by_row.setdefault(update.row, {})[update.column] = _csv_text(update.value)
    width = max(plan.new_columns, default=0)  # appended columns end the table
    pieces: list[str] = []
    for number, record in enumerate(records, start=1):
        changes = by_row.pop(number, {})
        pad = width if number > plan.header_row and record.has_data(text) else 0
        pieces.append(record.rebuilt(text, changes, delimiter, pad) if changes or pad else record.text(text))
    last = len(records)
    for number in sorted(by_row):  # rows below the last record
        if pieces and not pieces[-1].endswith(("\n", "\r")):
            pieces.append(newline)
        cells = by_row[number]
        fields = delimiter.join(_quoted(cells.get(c, ""), delimiter) for c in range(1, max(cells) + 1))
        pieces.append(newline * (number - last - 1) + fields + newline)
        last = number
    out = "".join(pieces)
    try:
        destination.write_bytes(out.encode(encoding))
    except UnicodeEncodeError as exc:
        bad = out[exc.start : exc.end]
        raise WriteError(
            f"{source.name} is saved as {encoding}, which cannot hold {bad!r} from a new cell value; "
            "save the file as UTF-8 and run again (nothing was written)",
            path=str(source),
        ) from None


class _Record:
    """One record's place in the text: where it starts and ends (before its line break) and its fields."""

    def __init__(self, start: int, end: int, fields: list[tuple[int, int]], stop: int) -> None:
        self.start, self.end, self.fields, self.stop = start, end, fields, stop

    def text(self, source: str) -> str:
        return source[self.start : self.stop]

    def has_data(self, source: str) -> bool:
        return any(source[a:b].strip().strip('"').strip() for a, b in self.fields)

    def rebuilt(self, source: str, changes: dict[int, str], delimiter: str, width: int) -> str:
        """The record with ``changes`` (1-based column -> text) set, padded to ``width`` fields."""
        fields = [source[a:b] for a, b in self.fields]
        count = max([len(fields), width, *changes])
        fields += [""] * (count - len(fields))
        for column, value in changes.items():
            fields[column - 1] = _quoted(value, delimiter)
        return delimiter.join(fields) + source[self.end : self.stop]


def _records(text: str, delimiter: str) -> list[_Record]:
    """Split CSV text into records and fields by position (quotes kept), as csv reads it."""
    records: list[_Record] = []
    i, n = 0, len(text)
    while i < n:
        start, fields = i, []
        while True:
            field_start = i
            if i < n and text[i] == '"':
                i += 1
                while i < n:
                    if text[i] == '"':
                        if i + 1 < n and text[i + 1] == '"':
                            i += 2
                            continue
                        i += 1
                        break
                    i += 1
            while i < n and text[i] not in (delimiter, "\r", "\n"):
                i += 1
            fields.append((field_start, i))
            if i < n and text[i] == delimiter:
                i += 1
                continue
            break
        end = i
        if text.startswith("\r\n", i):
            i += 2
        elif i < n:
            i += 1
        records.append(_Record(start, end, fields, i))
    return records


def _quoted(value: str, delimiter: str) -> str:
    """A new field's text: quoted (quotes doubled) only when it holds the delimiter, a quote or a line break."""
    if any(c in value for c in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
