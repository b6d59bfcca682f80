"""Cell values for the Sheets emulator: USER_ENTERED parsing and FORMATTED_VALUE rendering.

Google parses typed input for the spreadsheet's locale; the emulator implements en_US only:
numbers (``1,234.5``, ``0042``, ``1e3``), percentages, ``$`` amounts, TRUE/FALSE, dates and
date-times (``2020-01-01``, ``1/2/2020``, ``2020-01-01 10:30``), times (``10:30``), a leading
apostrophe for forced text and ``=`` for formulas. Dates become serial numbers (days since
1899-12-30) with a DATE number format, as in Google.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

EPOCH = dt.datetime(1899, 12, 30)

Scalar = float | str | bool


@dataclass
class Cell:
    """One stored cell: a typed value (or a formula), its format and note.

    A cell stored in a sheet, and the dicts inside it, are never changed in place: code that edits
    a cell stores an edited copy. That lets a batch work on a fork of a spreadsheet that shares its
    cells with the original (see ``Spreadsheet.fork``) and drop the fork if a request fails.
    """

    value: Scalar | None = None
    formula: str | None = None
    fmt: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    validation: dict[str, Any] | None = None

    def has_value(self) -> bool:
        return self.value is not None or self.formula is not None

    def is_blank(self) -> bool:
        return not self.has_value() and not self.fmt and self.note is None and self.validation is None

    def copy(self) -> Cell:
        return Cell(self.value, self.formula, deep_copy(self.fmt), self.note, deep_copy(self.validation))


def deep_copy(obj: Any) -> Any:
    """copy.deepcopy for JSON-like data (dicts, lists, scalars), several times faster."""
    if isinstance(obj, dict):
        return {k: deep_copy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [deep_copy(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- parsing

_NUMBER_RE = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_ISO_DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_US_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?$")


def to_serial(value: dt.datetime) -> float:
    """datetime -> Google serial number (days since 1899-12-30, fraction = time of day)."""
    delta = value - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(serial: float) -> dt.datetime:
    """Google serial number -> datetime, rounded to the second like Google's display."""
    return EPOCH + dt.timedelta(seconds=round(serial * 86400))


def _number(text: str) -> tuple[float, str | None] | None:
    """Parse en_US number text; returns the value and the pattern Google would attach (or None)."""
    m = _NUMBER_RE.match(text)
    if not m or (m.group(2) is None and not m.group(3)):
        return None
    sign, whole, frac, exp = m.groups()
    grouped = whole is not None and "," in whole
    value = float(f"{sign}{(whole or '0').replace(',', '')}.{frac or '0'}e{exp or '0'}")
    if grouped:
        return value, "#,##0.00" if frac else "#,##0"
    if exp:
        return value, "0.00E+00"
    return value, None


def parse_user_entered(raw: Any) -> Cell:
    """Turn one USER_ENTERED input value into a Cell, as Google does for an en_US spreadsheet."""
    if isinstance(raw, bool):
        return Cell(value=raw)
    if isinstance(raw, int | float):
        return Cell(value=float(raw))
    text = str(raw)
    if text == "":
        return Cell()
    if text.startswith("'"):
        return Cell(value=text[1:])
    if text.startswith("=") and len(text) > 1:
        return Cell(formula=text)
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(value=stripped.upper() == "TRUE")
    parsed = _number(stripped)
    if parsed is not None:
        value, pattern = parsed
        fmt = {"numberFormat": {"type": "NUMBER", "pattern": pattern}} if pattern else {}
        if pattern and "E" in pattern:
            fmt = {"numberFormat": {"type": "SCIENTIFIC", "pattern": pattern}}
        return Cell(value=value, fmt=fmt)
    if stripped.endswith("%"):
        parsed = _number(stripped[:-1].strip())
        if parsed is not None:
            decimals = "." in stripped
            pattern = "0.00%" if decimals else "0%"
            return Cell(value=parsed[0] / 100, fmt={"numberFormat": {"type": "PERCENT", "pattern": pattern}})
    money = re.match(r"^([+-]?)\$\s?(.*)$", stripped)
    if money:
        parsed = _number(money.group(2))
        if parsed is not None:
            value = -parsed[0] if money.group(1) == "-" else parsed[0]
            return Cell(value=value, fmt={"numberFormat": {"type": "CURRENCY", "pattern": '"$"#,##0.00'}})
    date = _parse_date(stripped)
    if date is not None:
        return date
    return Cell(value=text)


def _parse_date(text: str) -> Cell | None:
    """ISO and US dates/date-times and times of day; None when text is not one."""
    m = _ISO_DATE_RE.match(text)
    us = False
    if not m:
        m = _US_DATE_RE.match(text)
        us = True
    if m:
        try:
            if us:
                month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if len(m.group(3)) == 2:
                    year += 2000 if year < 30 else 1900
                date_pattern = "M/d/yyyy"
            else:
                year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
                date_pattern = "yyyy-mm-dd" if "-" in text else "yyyy/mm/dd"
            hour = int(m.group(4) or 0)
            minute = int(m.group(5) or 0)
            second = int(m.group(6) or 0)
            moment = dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        if m.group(4) is None:
            return Cell(
                value=float(to_serial(moment)),
                fmt={"numberFormat": {"type": "DATE", "pattern": date_pattern}},
            )
        pattern = f"{date_pattern} H:mm:ss"
        return Cell(value=to_serial(moment), fmt={"numberFormat": {"type": "DATE_TIME", "pattern": pattern}})
    t = _TIME_RE.match(text)
    if t:
        hour, minute, second = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
        ampm = (t.group(4) or "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59 or second > 59:
            return None
        serial = (hour * 3600 + minute * 60 + second) / 86400
        return Cell(value=serial, fmt={"numberFormat": {"type": "TIME", "pattern": "h:mm:ss am/pm"}})
    return None


def parse_raw(raw: Any) -> Cell:
    """RAW input: stored exactly as sent (strings stay strings, even "=SUM(A1)" and "007")."""
    if isinstance(raw, bool):
        return Cell(value=raw)
    if isinstance(raw, int | float):
        return Cell(value=float(raw))
    text = str(raw)
    return Cell(value=text) if text != "" else Cell()


# --------------------------------------------------------------------------- formatting


def json_number(value: float) -> int | float:
    """Google's JSON numbers: 53 not 53.0."""
    if math.isfinite(value) and value == int(value) and abs(value) < 2**53:
        return int(value)
    return value


def general_format(value: float) -> str:
    """Google's "General"/automatic number display: 2 not 2.0, up to ~15 significant digits."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "#NUM!"
    if abs(value) >= 1e15 or abs(value) < 1e-10:
        mantissa, exponent = f"{value:.2E}".split("E")
        return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    text = f"{value:.15g}"
    if "e" in text:
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


_DATE_TOKEN_RE = re.compile(
    r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|MMMM|MMM|MM|M|dddd|ddd|dd|d|hh|h|HH|H|ss|s|am/pm|AM/PM|a/p|\.0+|.',
)


def _format_date(value: float, pattern: str) -> str:
    moment = from_serial(value)
    tokens = _DATE_TOKEN_RE.findall(pattern)
    twelve_hour = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        prev = next((t.lower() for t in reversed(tokens[:i]) if t.strip() and t not in ":/-. "), "")
        nxt = next((t.lower() for t in tokens[i + 1 :] if t.strip() and t not in ":/-. "), "")
        is_minute = tok in ("m", "mm") and (prev.startswith("h") or nxt.startswith("s"))
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif is_minute:
            out.append(f"{moment.minute:02d}" if tok == "mm" else str(moment.minute))
        elif low == "mmmm":
            out.append(moment.strftime("%B"))
        elif low == "mmm":
            out.append(moment.strftime("%b"))
        elif low == "mm":
            out.append(f"{moment.month:02d}")
        elif low == "m":
            out.append(str(moment.month))
        elif low == "dddd":
            out.append(moment.strftime("%A"))
        elif low == "ddd":
            out.append(moment.strftime("%a"))
        elif low == "dd":
            out.append(f"{moment.day:02d}")
        elif low == "d":
            out.append(str(moment.day))
        elif low in ("hh", "h"):
            hour = moment.hour % 12 or 12 if twelve_hour else moment.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("ss", "s"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif low in ("am/pm", "a/p"):
            suffix = "AM" if moment.hour < 12 else "PM"
            out.append(suffix if low == "am/pm" else suffix[0])
        else:
            out.append(tok)
    return "".join(out)


def _format_number(value: float, pattern: str) -> str:
    """Enough of Google's number patterns for #,##0.00 / 0% / 0.00E+00 / "$"#,##0.00."""
    section = pattern.split(";")[0]
    if len(pattern.split(";")) > 1 and value < 0:
        section = pattern.split(";")[1]
        value = -value
    prefix_match = re.match(r'^((?:"[^"]*"|[^#0.,%E])*)', section)
    prefix = prefix_match.group(1) if prefix_match else ""
    body = section[len(prefix) :]
    suffix_match = re.search(r'((?:"[^"]*"|[^#0.,%E+-])*)$', body)
    suffix = suffix_match.group(1) if suffix_match else ""
    body = body[: len(body) - len(suffix)] if suffix else body
    literal = lambda s: re.sub(r'"([^"]*)"', r"\1", s)  # noqa: E731
    if "%" in body:
        value *= 100
    if "E" in body.upper():
        mant, _, exp_part = body.upper().partition("E")
        decimals = len(mant.split(".")[1]) if "." in mant else 0
        text = f"{value:.{decimals}E}"
        m, e = text.split("E")
        digits = max(len(exp_part.lstrip("+-")), 1)
        text = f"{m}E{'+' if int(e) >= 0 else '-'}{abs(int(e)):0{digits}d}"
        return literal(prefix) + text + literal(suffix)
    decimals_spec = body.split(".")[1] if "." in body else ""
    decimals_spec = decimals_spec.replace("%", "").replace(",", "")
    min_dec = decimals_spec.count("0")
    max_dec = min_dec + decimals_spec.count("#")
    text = f"{abs(value):,.{max_dec}f}" if "," in body.split(".")[0] else f"{abs(value):.{max_dec}f}"
    if max_dec > min_dec and "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
        frac = frac + "0" * (min_dec - len(frac)) if len(frac) < min_dec else frac
        text = f"{whole}.{frac}" if frac else whole
    sign = "-" if value < 0 and float(text.replace(",", "") or 0) != 0 else ""
    return sign + literal(prefix) + text + ("%" if "%" in body else "") + literal(suffix)


def number_format_type(cell: Cell) -> str | None:
    nf = cell.fmt.get("numberFormat") or {}
    return nf.get("type")


def is_date_like(cell: Cell) -> bool:
    """True when the cell's number format is a date/time one (dateTimeRenderOption applies)."""
    return number_format_type(cell) in ("DATE", "TIME", "DATE_TIME")


DEFAULT_PATTERNS = {
    "DATE": "M/d/yyyy",
    "TIME": "h:mm:ss am/pm",
    "DATE_TIME": "M/d/yyyy H:mm:ss",
    "PERCENT": "0.00%",
    "CURRENCY": '"$"#,##0.00',
    "SCIENTIFIC": "0.00E+00",
    "NUMBER": "#,##0.00",
}


def format_number(value: float, cell: Cell) -> str:
    """FORMATTED_VALUE of a number under the cell's numberFormat."""
    if not cell.fmt:  # most cells: no format to look into
        return general_format(value)
    nf = cell.fmt.get("numberFormat") or {}
    kind = nf.get("type")
    pattern = nf.get("pattern") or DEFAULT_PATTERNS.get(kind or "", "")
    if not kind or kind == "TEXT" or not pattern:
        return general_format(value)
    if kind in ("DATE", "TIME", "DATE_TIME"):
        try:
            return _format_date(value, pattern)
        except (OverflowError, ValueError):
            return general_format(value)
    try:
        return _format_number(value, pattern)
    except (ValueError, IndexError):
        return general_format(value)


def format_scalar(value: Scalar | None, cell: Cell) -> str:
    """FORMATTED_VALUE of any computed value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format_number(value, cell)
    return value
