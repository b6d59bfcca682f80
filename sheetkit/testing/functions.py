"""Spreadsheet functions for the emulator's formula evaluator, as Google Sheets computes them.

The common, deterministic ones a recruiting sheet uses: arithmetic and statistics (SUM, AVERAGE,
COUNTIF, SUMIF, ROUND ...), logic (IF, IFS, IFERROR, AND ...), text (CONCAT, LEFT, SUBSTITUTE,
TEXTJOIN ...), lookups (VLOOKUP, HLOOKUP, INDEX, MATCH, XLOOKUP) and dates (DATE, TODAY, NOW,
EDATE, DATEDIF, WEEKDAY ...). Dates are serial numbers (days since 1899-12-30); a function that
gives a date says so (``DATE_RESULTS``) so the cell shows a date, as Google infers the format.
An unknown function is ``#NAME?``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from sheetkit.testing.values import from_serial, to_serial

Value = float | str | bool | None


class FormulaError(Exception):
    """An error value such as #DIV/0! that propagates to the cell."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Range:
    """A block of values a reference gave (rows of columns)."""

    def __init__(self, rows: list[list[Value]]) -> None:
        self.rows = rows

    def flat(self) -> list[Value]:
        return [v for row in self.rows for v in row]


# --------------------------------------------------------------------------- coercions


def scalar(v: Any) -> Value:
    if isinstance(v, Range):
        vals = v.flat()
        return vals[0] if vals else None
    return v


def num(v: Any) -> float:
    if isinstance(v, Range):
        vals = v.flat()
        if len(vals) != 1:
            raise FormulaError("#VALUE!")
        v = vals[0]
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float | int):
        return float(v)
    if isinstance(v, str) and v.startswith("#"):
        raise FormulaError(v)
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        parsed = _date_text(str(v))
        if parsed is not None:
            return parsed
        raise FormulaError("#VALUE!") from None


def text(v: Any) -> str:
    v = scalar(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else repr(v)
    return str(v)


def truthy(v: Any) -> bool:
    v = scalar(v)
    if isinstance(v, str):
        if v.upper() in ("TRUE", "FALSE"):
            return v.upper() == "TRUE"
        if v.startswith("#"):
            raise FormulaError(v)
        raise FormulaError("#VALUE!")
    return bool(num(v))


def numbers(args: list[Any]) -> list[float]:
    """Numbers of the arguments: in ranges only real numbers count, as in Google's SUM."""
    out: list[float] = []
    for a in args:
        if isinstance(a, Range):
            for v in a.flat():
                if isinstance(v, str) and v.startswith("#"):
                    raise FormulaError(v)
                if isinstance(v, float | int) and not isinstance(v, bool):
                    out.append(float(v))
        else:
            out.append(num(a))
    return out


def values(args: list[Any]) -> list[Value]:
    out: list[Value] = []
    for a in args:
        out.extend(a.flat() if isinstance(a, Range) else [a])
    return out


def _date_text(s: str) -> float | None:
    from sheetkit.testing.values import parse_user_entered

    cell = parse_user_entered(s)
    nf = cell.fmt.get("numberFormat") or {}
    if nf.get("type") in ("DATE", "DATE_TIME", "TIME") and isinstance(cell.value, float):
        return cell.value
    return None


def serial(d: dt.date) -> float:
    return to_serial(dt.datetime(d.year, d.month, d.day))


def day_of(v: Any) -> dt.date:
    value = num(v)
    if value < 0:
        raise FormulaError("#NUM!")
    return from_serial(math.floor(value)).date()


# --------------------------------------------------------------------------- criteria (COUNTIF ...)

_CRITERION_RE = re.compile(r"^(<=|>=|<>|=|<|>)?(.*)$", re.S)


def criterion(spec: Any) -> Callable[[Value], bool]:
    """COUNTIF/SUMIF criteria: ">3", "<>x", "a*", 5, "=" (blank)."""
    spec = scalar(spec)
    if not isinstance(spec, str):
        return lambda v: v is not None and not isinstance(v, str) and num(v) == num(spec)
    m = _CRITERION_RE.match(spec)
    op, operand = (m.group(1) or "", m.group(2)) if m else ("", spec)
    try:
        number: float | None = float(operand)
    except ValueError:
        number = None
    if number is not None:

        def compare(v: Value) -> bool:
            if v is None or isinstance(v, str | bool):
                return op == "<>"
            x = float(v)
            return {"": x == number, "=": x == number, "<>": x != number, "<": x < number, ">": x > number}.get(
                op, x <= number if op == "<=" else x >= number
            )

        return compare
    pattern = re.compile(
        "^" + "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in operand) + "$",
        re.I | re.S,
    )
    if op in ("", "="):
        return lambda v: (v is None or v == "") if operand == "" else bool(pattern.match(text(v)))
    if op == "<>":
        return lambda v: (v is not None and v != "") if operand == "" else not pattern.match(text(v))
    return lambda v: (
        isinstance(v, str)
        and {"<": v.lower() < operand.lower(), ">": v.lower() > operand.lower()}.get(
            op, v.lower() <= operand.lower() if op == "<=" else v.lower() >= operand.lower()
        )
    )


def _pairs(args: list[Any]) -> list[tuple[list[Value], Callable[[Value], bool]]]:
    if len(args) % 2:
        raise FormulaError("#N/A")
    return [(values([args[i]]), criterion(args[i + 1])) for i in range(0, len(args), 2)]


def _matching(pairs: list[tuple[list[Value], Callable[[Value], bool]]]) -> list[int]:
    size = len(pairs[0][0])
    if any(len(vals) != size for vals, _ in pairs):
        raise FormulaError("#VALUE!")
    return [i for i in range(size) if all(test(vals[i]) for vals, test in pairs)]


# --------------------------------------------------------------------------- lookups


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return text(a).casefold() == text(b).casefold()
    return a == b


def _rank(v: Value) -> int:
    """Google's order of kinds in sorted lookups: numbers, then text, then booleans."""
    return 0 if _is_number(v) else 1 if isinstance(v, str) else 2


def _less(a: Value, b: Value) -> bool:
    if _rank(a) != _rank(b):
        return _rank(a) < _rank(b)
    return text(a).casefold() < text(b).casefold() if isinstance(a, str) else num(a) < num(b)


def _find(key: Value, line: list[Value], sorted_: bool) -> int:
    if not sorted_:
        for i, v in enumerate(line):
            if isinstance(key, str) and ("*" in key or "?" in key):
                if criterion(key)(v):
                    return i
            elif _equal(v, key):
                return i
        raise FormulaError("#N/A")
    best = -1
    for i, v in enumerate(line):  # the last value not above the key, in a sorted line
        if v is None:
            continue
        if _less(key, v):
            break
        best = i
    if best < 0:
        raise FormulaError("#N/A")
    return best


def _lookup(args: list[Any], by_column: bool) -> Value:
    key, table, index = scalar(args[0]), args[1], int(num(args[2]))
    sorted_ = truthy(args[3]) if len(args) > 3 else True
    if not isinstance(table, Range):
        raise FormulaError("#VALUE!")
    rows = table.rows if by_column else [list(col) for col in zip(*table.rows, strict=False)]
    if index < 1 or (rows and index > len(rows[0])):
        raise FormulaError("#REF!")
    found = _find(key, [r[0] if r else None for r in rows], sorted_)
    return rows[found][index - 1] if index - 1 < len(rows[found]) else None


def _index(args: list[Any]) -> Value:
    table = args[0]
    rows = table.rows if isinstance(table, Range) else [[scalar(table)]]
    r = int(num(args[1])) if len(args) > 1 else 0
    c = int(num(args[2])) if len(args) > 2 else 0
    if len(rows) == 1 and c == 0 and len(args) == 2:
        r, c = 1, r
    r, c = max(r, 1), max(c, 1)
    if r > len(rows) or c > max((len(x) for x in rows), default=0):
        raise FormulaError("#REF!")
    return rows[r - 1][c - 1] if c - 1 < len(rows[r - 1]) else None


def _match(args: list[Any]) -> Value:
    line = values([args[1]])
    kind = int(num(args[2])) if len(args) > 2 else 1
    key = scalar(args[0])
    if kind == 0:
        return float(_find(key, line, False) + 1)
    if kind == -1:
        best = -1
        for i, v in enumerate(line):
            if v is not None and not _less(v, key):
                best = i
        if best < 0:
            raise FormulaError("#N/A")
        return float(best + 1)
    return float(_find(key, line, True) + 1)


def _xlookup(args: list[Any]) -> Value:
    key, keys, results = scalar(args[0]), values([args[1]]), values([args[2]])
    for i, v in enumerate(keys):
        if _equal(v, key):
            return results[i] if i < len(results) else None
    if len(args) > 3:
        return scalar(args[3])
    raise FormulaError("#N/A")


# --------------------------------------------------------------------------- dates


def _date(args: list[Any]) -> float:
    year, month, day = int(num(args[0])), int(num(args[1])), int(num(args[2]))
    if 0 <= year < 1900:
        year += 1900
    month_index = year * 12 + (month - 1)
    year, month = divmod(month_index, 12)
    try:
        base = dt.date(year, month + 1, 1)
    except ValueError:
        raise FormulaError("#NUM!") from None
    return serial(base) + day - 1


def _edate(start: Any, months: Any, end_of_month: bool) -> float:
    d = day_of(start)
    index = d.year * 12 + d.month - 1 + int(num(months))
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return serial(dt.date(year, month + 1, last if end_of_month else min(d.day, last)))


def _datedif(args: list[Any]) -> float:
    start, end, unit = day_of(args[0]), day_of(args[1]), text(args[2]).upper()
    if end < start:
        raise FormulaError("#NUM!")
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    if unit == "D":
        return float((end - start).days)
    if unit == "M":
        return float(months)
    if unit == "Y":
        return float(months // 12)
    if unit == "YM":
        return float(months % 12)
    if unit == "MD":
        return (
            float((end - start.replace(year=end.year, month=end.month)).days % 31)
            if end.day >= start.day
            else float(
                (end - (dt.date(end.year, end.month, 1) - dt.timedelta(days=1)).replace(day=min(start.day, 28))).days
            )
        )
    if unit == "YD":
        anniversary = (
            start.replace(year=end.year)
            if (end.month, end.day) >= (start.month, start.day)
            else start.replace(year=end.year - 1)
        )
        return float((end - anniversary).days)
    raise FormulaError("#NUM!")


def _weekday(args: list[Any]) -> float:
    d = day_of(args[0])
    kind = int(num(args[1])) if len(args) > 1 else 1
    iso = d.isoweekday()  # Monday 1 .. Sunday 7
    if kind == 1:
        return float(iso % 7 + 1)
    if kind == 2:
        return float(iso)
    if kind == 3:
        return float(iso - 1)
    raise FormulaError("#NUM!")


def _networkdays(args: list[Any]) -> float:
    start, end = day_of(args[0]), day_of(args[1])
    holidays = {day_of(v) for v in values(args[2:]) if v not in (None, "")}
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = sum(
        1
        for i in range((end - start).days + 1)
        if (day := start + dt.timedelta(days=i)).weekday() < 5 and day not in holidays
    )
    return float(sign * count)


def _workday(args: list[Any]) -> float:
    d, n = day_of(args[0]), int(num(args[1]))
    holidays = {day_of(v) for v in values(args[2:]) if v not in (None, "")}
    step = 1 if n >= 0 else -1
    while n:
        d += dt.timedelta(days=step)
        if d.weekday() < 5 and d not in holidays:
            n -= step
    return serial(d)


def _today() -> float:
    return serial(dt.datetime.now(dt.UTC).date())


def _now() -> float:
    return to_serial(dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))


# --------------------------------------------------------------------------- text


def _text_fn(args: list[Any]) -> str:
    from sheetkit.testing.values import Cell, format_number

    pattern = text(args[1])
    kind = "DATE" if re.search(r"[dyhs]|m{3,}", pattern, re.I) else "NUMBER"
    return format_number(num(args[0]), Cell(value=0.0, fmt={"numberFormat": {"type": kind, "pattern": pattern}}))


def _find_text(args: list[Any], fold: bool) -> float:
    needle, hay = text(args[0]), text(args[1])
    start = int(num(args[2])) if len(args) > 2 else 1
    if fold:
        needle, hay = needle.casefold(), hay.casefold()
    at = hay.find(needle, start - 1)
    if at < 0 or start < 1:
        raise FormulaError("#VALUE!")
    return float(at + 1)


def _substitute(args: list[Any]) -> str:
    s, old, new = text(args[0]), text(args[1]), text(args[2])
    if len(args) < 4:
        return s.replace(old, new) if old else s
    n = int(num(args[3]))
    at = -1
    for _ in range(n):
        at = s.find(old, at + 1)
        if at < 0:
            return s
    return s[:at] + new + s[at + len(old) :]


def _value(args: list[Any]) -> float:
    v = scalar(args[0])
    if isinstance(v, str):
        stripped = v.strip().replace("$", "")
        if stripped.endswith("%"):
            return num(stripped[:-1]) / 100
        return num(stripped)
    return num(v)


def _ifs(args: list[Any]) -> Value:
    for i in range(0, len(args) - 1, 2):
        if truthy(args[i]):
            return scalar(args[i + 1])
    raise FormulaError("#N/A")


def _switch(args: list[Any]) -> Value:
    key = scalar(args[0])
    rest = args[1:]
    for i in range(0, len(rest) - 1, 2):
        if _equal(key, scalar(rest[i])):
            return scalar(rest[i + 1])
    if len(rest) % 2:
        return scalar(rest[-1])
    raise FormulaError("#N/A")


def _round(value: float, digits: int, mode: str) -> float:
    factor = 10.0**digits
    if mode == "up":
        return math.copysign(math.ceil(abs(value) * factor - 1e-9) / factor, value)
    if mode == "down":
        return math.copysign(math.floor(abs(value) * factor + 1e-9) / factor, value)
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)  # half away from zero


def _average(args: list[Any]) -> float:
    nums = numbers(args)
    if not nums:
        raise FormulaError("#DIV/0!")
    return sum(nums) / len(nums)


def _median(args: list[Any]) -> float:
    nums = sorted(numbers(args))
    if not nums:
        raise FormulaError("#NUM!")
    mid = len(nums) // 2
    return nums[mid] if len(nums) % 2 else (nums[mid - 1] + nums[mid]) / 2


def _sumif(args: list[Any]) -> float:
    test = criterion(args[1])
    keys = values([args[0]])
    summed = values([args[2]]) if len(args) > 2 else keys
    return sum(num(v) for k, v in zip(keys, summed, strict=False) if test(k) and _is_number(v))


def _is_number(v: Value) -> bool:
    return isinstance(v, float | int) and not isinstance(v, bool)


def _sumifs(args: list[Any]) -> float:
    summed = values([args[0]])
    return sum(num(summed[i]) for i in _matching(_pairs(args[1:])) if _is_number(summed[i]))


def _averageif(args: list[Any]) -> float:
    test = criterion(args[1])
    keys = values([args[0]])
    averaged = values([args[2]]) if len(args) > 2 else keys
    picked = [num(v) for k, v in zip(keys, averaged, strict=False) if test(k) and _is_number(v)]
    if not picked:
        raise FormulaError("#DIV/0!")
    return sum(picked) / len(picked)


def _mod(a: float, b: float) -> float:
    if b == 0:
        raise FormulaError("#DIV/0!")
    return a - b * math.floor(a / b)


def _iferror(args: list[Any], only_na: bool) -> Value:
    """Called with the first argument already evaluated or caught (see the parser)."""
    first = scalar(args[0])
    if isinstance(first, str) and first.startswith("#") and (not only_na or first == "#N/A"):
        return scalar(args[1]) if len(args) > 1 else ""
    return first


Fn = Callable[[list[Any]], Value]
FUNCTIONS: dict[str, Fn] = {
    "SUM": lambda a: sum(numbers(a)),
    "AVERAGE": _average,
    "MIN": lambda a: min(numbers(a), default=0.0),
    "MAX": lambda a: max(numbers(a), default=0.0),
    "MEDIAN": _median,
    "PRODUCT": lambda a: math.prod(numbers(a)),
    "COUNT": lambda a: float(sum(1 for v in values(a) if _is_number(v))),
    "COUNTA": lambda a: float(sum(1 for v in values(a) if v is not None and v != "")),
    "COUNTBLANK": lambda a: float(sum(1 for v in values(a) if v is None or v == "")),
    "COUNTIF": lambda a: float(sum(1 for v in values([a[0]]) if criterion(a[1])(v))),
    "COUNTIFS": lambda a: float(len(_matching(_pairs(a)))),
    "SUMIF": _sumif,
    "SUMIFS": _sumifs,
    "AVERAGEIF": _averageif,
    "ABS": lambda a: abs(num(a[0])),
    "ROUND": lambda a: _round(num(a[0]), int(num(a[1])) if len(a) > 1 else 0, "half"),
    "ROUNDUP": lambda a: _round(num(a[0]), int(num(a[1])) if len(a) > 1 else 0, "up"),
    "ROUNDDOWN": lambda a: _round(num(a[0]), int(num(a[1])) if len(a) > 1 else 0, "down"),
    "INT": lambda a: float(math.floor(num(a[0]))),
    "MOD": lambda a: _mod(num(a[0]), num(a[1])),
    "POWER": lambda a: num(a[0]) ** num(a[1]),
    "SQRT": lambda a: math.sqrt(x) if (x := num(a[0])) >= 0 else _raise("#NUM!"),
    "SIGN": lambda a: float((x := num(a[0])) > 0) - float(x < 0),
    "IF": lambda a: (
        (scalar(a[1]) if truthy(a[0]) else (scalar(a[2]) if len(a) > 2 else False)) if len(a) >= 2 else _raise("#N/A")
    ),
    "IFS": _ifs,
    "SWITCH": _switch,
    "CHOOSE": lambda a: scalar(a[int(num(a[0]))]) if 1 <= int(num(a[0])) < len(a) else _raise("#VALUE!"),
    "AND": lambda a: all(truthy(v) for v in values(a) if v is not None),
    "OR": lambda a: any(truthy(v) for v in values(a) if v is not None),
    "XOR": lambda a: sum(truthy(v) for v in values(a) if v is not None) % 2 == 1,
    "NOT": lambda a: not truthy(a[0]),
    "TRUE": lambda a: True,
    "FALSE": lambda a: False,
    "ISBLANK": lambda a: scalar(a[0]) in (None, ""),
    "ISNUMBER": lambda a: _is_number(scalar(a[0])),
    "ISTEXT": lambda a: isinstance(scalar(a[0]), str) and not str(scalar(a[0])).startswith("#"),
    "ISERROR": lambda a: isinstance(v := scalar(a[0]), str) and v.startswith("#"),
    "ISNA": lambda a: scalar(a[0]) == "#N/A",
    "LEN": lambda a: float(len(text(a[0]))),
    "UPPER": lambda a: text(a[0]).upper(),
    "LOWER": lambda a: text(a[0]).lower(),
    "PROPER": lambda a: re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), text(a[0])),
    "TRIM": lambda a: " ".join(text(a[0]).split()),
    "CONCATENATE": lambda a: "".join(text(v) for v in values(a)),
    "CONCAT": lambda a: text(a[0]) + text(a[1]),
    "TEXTJOIN": lambda a: text(a[0]).join(
        text(v) for v in values(a[2:]) if not (truthy(a[1]) and (v is None or v == ""))
    ),
    "LEFT": lambda a: text(a[0])[: int(num(a[1])) if len(a) > 1 else 1],
    "RIGHT": lambda a: (s := text(a[0]))[len(s) - (int(num(a[1])) if len(a) > 1 else 1) :],
    "MID": lambda a: text(a[0])[int(num(a[1])) - 1 : int(num(a[1])) - 1 + int(num(a[2]))],
    "FIND": lambda a: _find_text(a, False),
    "SEARCH": lambda a: _find_text(a, True),
    "SUBSTITUTE": _substitute,
    "REPT": lambda a: text(a[0]) * int(num(a[1])),
    "EXACT": lambda a: text(a[0]) == text(a[1]),
    "VALUE": _value,
    "TEXT": _text_fn,
    "VLOOKUP": lambda a: _lookup(a, True),
    "HLOOKUP": lambda a: _lookup(a, False),
    "INDEX": _index,
    "MATCH": _match,
    "XLOOKUP": _xlookup,
    "DATE": _date,
    "DATEVALUE": lambda a: float(math.floor(num(text(a[0])))),
    "TIME": lambda a: (num(a[0]) * 3600 + num(a[1]) * 60 + num(a[2])) / 86400 % 1,
    "TODAY": lambda a: _today(),
    "NOW": lambda a: _now(),
    "YEAR": lambda a: float(day_of(a[0]).year),
    "MONTH": lambda a: float(day_of(a[0]).month),
    "DAY": lambda a: float(day_of(a[0]).day),
    "WEEKDAY": _weekday,
    "DAYS": lambda a: float(math.floor(num(a[0])) - math.floor(num(a[1]))),
    "DATEDIF": _datedif,
    "EDATE": lambda a: _edate(a[0], a[1], False),
    "EOMONTH": lambda a: _edate(a[0], a[1], True),
    "NETWORKDAYS": _networkdays,
    "WORKDAY": _workday,
    "HYPERLINK": lambda a: text(a[1]) if len(a) > 1 else text(a[0]),
    "N": lambda a: num(v) if _is_number(v := scalar(a[0])) else float(v is True),
    "IFERROR": lambda a: _iferror(a, False),
    "IFNA": lambda a: _iferror(a, True),
}
# Functions whose result Google shows as a date, time or date-time (its format inference).
DATE_RESULTS = {
    "DATE": "DATE",
    "DATEVALUE": "DATE",
    "TODAY": "DATE",
    "EDATE": "DATE",
    "EOMONTH": "DATE",
    "WORKDAY": "DATE",
    "NOW": "DATE_TIME",
    "TIME": "TIME",
}
# Functions that take error values as arguments instead of propagating them.
CATCHING = {"IFERROR", "IFNA", "ISERROR", "ISNA", "ISBLANK", "ISNUMBER", "ISTEXT"}


def _raise(code: str) -> Any:
    raise FormulaError(code)


def call(name: str, args: list[Any]) -> Value:
    fn = FUNCTIONS.get(name.upper())
    if fn is None:
        raise FormulaError("#NAME?")
    try:
        result = fn(args)
    except IndexError:
        raise FormulaError("#N/A") from None  # too few arguments
    except (OverflowError, ZeroDivisionError, ValueError):
        raise FormulaError("#NUM!") from None
    if isinstance(result, int) and not isinstance(result, bool):
        return float(result)
    if isinstance(result, float) and not math.isfinite(result):
        raise FormulaError("#NUM!")
    return result
