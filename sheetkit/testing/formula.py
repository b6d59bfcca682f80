"""A deliberately small formula evaluator for the Sheets emulator.

Google evaluates every formula; the emulator evaluates the common, deterministic subset so that
reads after a USER_ENTERED write look right: arithmetic (``+ - * / ^ %``), ``&``, comparisons,
cell and range references (also on other sheets), and SUM, AVERAGE, MIN, MAX, COUNT, COUNTA,
IF, AND, OR, NOT, ABS, ROUND, LEN, UPPER, LOWER, TRIM, CONCATENATE. Anything else evaluates to
``#NAME?`` (unknown function) or ``#ERROR!`` (parse error); FORMULA render returns the text
unchanged either way. References are not rewritten when rows/columns are inserted or deleted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from sheetkit.testing.a1 import column_index

Value = float | str | bool | None
RangeResolver = Callable[[str | None, int, int, int, int], list[list[Value]]]

_TOKEN_RE = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>(),%:])
)""",
    re.VERBOSE,
)
_REF_RE = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?\$?([A-Za-z]+)\$?(\d+)(?::\$?([A-Za-z]+)\$?(\d+))?$")


class FormulaError(Exception):
    """An error value such as #DIV/0! that propagates to the cell."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Range:
    def __init__(self, rows: list[list[Value]]) -> None:
        self.rows = rows

    def flat(self) -> list[Value]:
        return [v for row in self.rows for v in row]


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise FormulaError("#ERROR!")
        kind = m.lastgroup or "op"
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


def _num(v: Any) -> float:
    if isinstance(v, _Range):
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
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        raise FormulaError("#VALUE!") from None


def _scalar(v: Any) -> Value:
    if isinstance(v, _Range):
        vals = v.flat()
        return vals[0] if vals else None
    return v


def _text(v: Any) -> str:
    v = _scalar(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else repr(v)
    return str(v)


def _numbers(args: list[Any]) -> list[float]:
    out: list[float] = []
    for a in args:
        if isinstance(a, _Range):
            out.extend(float(v) for v in a.flat() if isinstance(v, float | int) and not isinstance(v, bool))
        else:
            out.append(_num(a))
    return out


def _call(name: str, args: list[Any]) -> Value:
    name = name.upper()
    if name == "SUM":
        return sum(_numbers(args))
    if name == "AVERAGE":
        nums = _numbers(args)
        if not nums:
            raise FormulaError("#DIV/0!")
        return sum(nums) / len(nums)
    if name in ("MIN", "MAX"):
        nums = _numbers(args)
        return (min(nums) if name == "MIN" else max(nums)) if nums else 0.0
    if name == "COUNT":
        return float(len(_numbers(args)))
    if name == "COUNTA":
        count = 0
        for a in args:
            vals = a.flat() if isinstance(a, _Range) else [a]
            count += sum(1 for v in vals if v is not None and v != "")
        return float(count)
    if name == "IF":
        if len(args) < 2:
            raise FormulaError("#N/A")
        cond = _scalar(args[0])
        truthy = bool(_num(cond)) if not isinstance(cond, str) else cond.upper() == "TRUE"
        if truthy:
            return _scalar(args[1])
        return _scalar(args[2]) if len(args) > 2 else False
    if name in ("AND", "OR"):
        flags = [bool(_num(a)) for a in args]
        return all(flags) if name == "AND" else any(flags)
    if name == "NOT":
        return not bool(_num(args[0]))
    if name == "ABS":
        return abs(_num(args[0]))
    if name == "ROUND":
        digits = int(_num(args[1])) if len(args) > 1 else 0
        return float(round(_num(args[0]), digits))
    if name == "LEN":
        return float(len(_text(args[0])))
    if name == "UPPER":
        return _text(args[0]).upper()
    if name == "LOWER":
        return _text(args[0]).lower()
    if name == "TRIM":
        return " ".join(_text(args[0]).split())
    if name == "CONCATENATE":
        return "".join(_text(a) for a in args)
    if name in ("TRUE", "FALSE") and not args:
        return name == "TRUE"
    raise FormulaError("#NAME?")


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolve: RangeResolver) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resolve = resolve

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise FormulaError("#ERROR!")
        self.pos += 1
        return tok

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise FormulaError("#ERROR!")

    _BINARY: ClassVar[dict[str, int]] = {
        "=": 1,
        "<>": 1,
        "<": 1,
        ">": 1,
        "<=": 1,
        ">=": 1,
        "&": 2,
        "+": 3,
        "-": 3,
        "*": 4,
        "/": 4,
        "^": 5,
    }

    def expr(self, min_prec: int = 0) -> Any:
        left = self.unary()
        while True:
            tok = self.peek()
            if not tok or tok[0] != "op" or tok[1] not in self._BINARY:
                return left
            prec = self._BINARY[tok[1]]
            if prec < min_prec:
                return left
            self.take()
            right = self.expr(prec + (0 if tok[1] == "^" else 1))
            left = self.binary(tok[1], left, right)

    def binary(self, op: str, a: Any, b: Any) -> Value:
        if op == "&":
            return _text(a) + _text(b)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            x, y = _scalar(a), _scalar(b)
            if isinstance(x, str) or isinstance(y, str):
                xs, ys = _text(x).lower(), _text(y).lower()
                pair: tuple[Any, Any] = (xs, ys)
            else:
                pair = (_num(x), _num(y))
            return {
                "=": pair[0] == pair[1],
                "<>": pair[0] != pair[1],
                "<": pair[0] < pair[1],
                ">": pair[0] > pair[1],
                "<=": pair[0] <= pair[1],
                ">=": pair[0] >= pair[1],
            }[op]
        x, y = _num(a), _num(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                raise FormulaError("#DIV/0!")
            return x / y
        try:
            return float(x**y)
        except (OverflowError, ZeroDivisionError):
            raise FormulaError("#NUM!") from None

    def unary(self) -> Any:
        tok = self.peek()
        if tok == ("op", "-"):
            self.take()
            return -_num(self.unary())
        if tok == ("op", "+"):
            self.take()
            return self.unary()
        value = self.primary()
        while self.peek() == ("op", "%"):
            self.take()
            value = _num(value) / 100
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take()
                args: list[Any] = []
                if self.peek() != ("op", ")"):
                    args.append(self.expr())
                    while self.peek() == ("op", ","):
                        self.take()
                        args.append(self.expr())
                self.expect(")")
                return _call(text, args)
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            raise FormulaError("#NAME?")
        if (kind, text) == ("op", "("):
            value = self.expr()
            self.expect(")")
            return value
        raise FormulaError("#ERROR!")

    def reference(self, text: str) -> Any:
        m = _REF_RE.match(text)
        if not m:
            raise FormulaError("#REF!")
        sheet = m.group("sheet")
        if sheet and sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        c1, r1 = column_index(m.group(2)), int(m.group(3)) - 1
        c2, r2 = (column_index(m.group(4)), int(m.group(5)) - 1) if m.group(4) else (c1, r1)
        rows = self.resolve(sheet, min(r1, r2), max(r1, r2) + 1, min(c1, c2), max(c1, c2) + 1)
        return _Range(rows) if m.group(4) else (rows[0][0] if rows and rows[0] else None)


def evaluate(formula: str, resolve: RangeResolver) -> Value:
    """Evaluate ``=...``; error values come back as their code string (e.g. "#DIV/0!")."""
    try:
        parser = _Parser(_tokenize(formula.lstrip("=")), resolve)
        result = parser.expr()
        if parser.peek() is not None:
            raise FormulaError("#ERROR!")
        return _scalar(result)
    except FormulaError as exc:
        return exc.code
    except RecursionError:
        return "#REF!"
