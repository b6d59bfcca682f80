"""A formula evaluator for the Sheets emulator, enough for the formulas recruiters' sheets hold.

Google evaluates every formula; the emulator evaluates the common, deterministic subset so that
reads after a USER_ENTERED write look right: arithmetic (``+ - * / ^ %``), ``&``, comparisons,
cell and range references (also on other sheets, whole columns and rows), error values, and the
functions in functions.py. An unknown function evaluates to ``#NAME?``, a parse error to
``#ERROR!``; FORMULA render returns the text unchanged either way. References move when rows or
columns are inserted, deleted or moved (shifts.py). A formula whose result is a date (``=DATE(...)``,
``=TODAY()``, ``=A1+7`` on a date) is shown as one, as Google infers the result's format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, ClassVar

from sheetkit.testing import functions as fn
from sheetkit.testing.a1 import column_index
from sheetkit.testing.functions import FormulaError

Value = float | str | bool | None
RangeResolver = Callable[[str | None, int, int, int, int], list[list[Value]]]

_TOKEN_RE = re.compile(
    r"""\s*(?:
    (?P<err>\#(?:REF!|N/A|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|ERROR!))
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?(?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d*)?
        |\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}(?![\w(])|\$?\d+:\$?\d+)(?![\w(]))
  | (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
  | (?P<str>"(?:[^"]|"")*")
  | (?P<name>[A-Za-z_][\w.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>(),%:])
)""",
    re.VERBOSE,
)
_REF_RE = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?"
    r"(?:\$?(?P<c1>[A-Za-z]+)\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Za-z]+)\$?(?P<r2>\d*))?"
    r"|\$?(?P<cc1>[A-Za-z]+):\$?(?P<cc2>[A-Za-z]+)|\$?(?P<rr1>\d+):\$?(?P<rr2>\d+))$"
)
# The largest block a formula may read at once (a whole column of a big sheet is fine, A:ZZZ of one is not).
_MAX_CELLS = 2_000_000
# What a reference can reach when it names whole columns or rows: the grid's size, given by the resolver.
Extent = Callable[[str | None], tuple[int, int]]


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


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resolve: RangeResolver, extent: Extent | None) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resolve = resolve
        self.extent = extent
        self.hint: str | None = None  # the number format type Google would give the result (DATE ...)

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
        left_hint = self.hint
        while True:
            tok = self.peek()
            if not tok or tok[0] != "op" or tok[1] not in self._BINARY:
                return left
            prec = self._BINARY[tok[1]]
            if prec < min_prec:
                return left
            self.take()
            self.hint = None
            right = self.expr(prec + (0 if tok[1] == "^" else 1))
            right_hint = self.hint
            left = self.binary(tok[1], left, right)
            # A date plus or minus days is a date; a date minus a date is a number of days.
            if tok[1] == "+":
                left_hint = left_hint or right_hint
            elif tok[1] == "-":
                left_hint = left_hint if not right_hint else None
            else:
                left_hint = None
            self.hint = left_hint

    def binary(self, op: str, a: Any, b: Any) -> Value:
        if op == "&":
            return fn.text(a) + fn.text(b)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            x, y = fn.scalar(a), fn.scalar(b)
            for v in (x, y):
                if isinstance(v, str) and v.startswith("#"):
                    raise FormulaError(v)
            if isinstance(x, str) or isinstance(y, str):
                pair: tuple[Any, Any] = (fn.text(x).lower(), fn.text(y).lower())
            else:
                pair = (fn.num(x), fn.num(y))
            return {
                "=": pair[0] == pair[1],
                "<>": pair[0] != pair[1],
                "<": pair[0] < pair[1],
                ">": pair[0] > pair[1],
                "<=": pair[0] <= pair[1],
                ">=": pair[0] >= pair[1],
            }[op]
        x, y = fn.num(a), fn.num(b)
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
            return -fn.num(self.unary())
        if tok == ("op", "+"):
            self.take()
            return self.unary()
        value = self.primary()
        while self.peek() == ("op", "%"):
            self.take()
            value = fn.num(value) / 100
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        self.hint = None
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "err":
            raise FormulaError(text)
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            if self.peek() == ("op", "("):
                return self.function(text)
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            raise FormulaError("#NAME?")
        if (kind, text) == ("op", "("):
            value = self.expr()
            self.expect(")")
            return value
        raise FormulaError("#ERROR!")

    def function(self, name: str) -> Any:
        self.take()  # "("
        catching = name.upper() in fn.CATCHING
        args: list[Any] = []
        hints: list[str | None] = []
        if self.peek() != ("op", ")"):
            while True:
                args.append(self.argument(catching))
                hints.append(self.hint)
                if self.peek() != ("op", ","):
                    break
                self.take()
        self.expect(")")
        upper = name.upper()
        result = fn.call(upper, args)
        if upper in fn.DATE_RESULTS:
            self.hint = fn.DATE_RESULTS[upper]
        elif upper in ("MIN", "MAX", "IF", "IFS", "IFERROR", "IFNA", "INDEX", "VLOOKUP", "XLOOKUP", "MEDIAN"):
            self.hint = next((h for h in hints if h), None)  # picks one of its arguments: keeps their format
        else:
            self.hint = None
        return result

    def argument(self, catching: bool) -> Any:
        if not catching:
            return self.expr()
        start = self.pos
        try:
            return self.expr()
        except FormulaError as err:
            self._skip_argument(start)
            return err.code

    def _skip_argument(self, start: int) -> None:
        """After an error inside an argument, move to the "," or ")" that ends it."""
        depth = 0
        self.pos = start
        while (tok := self.peek()) is not None:
            if tok == ("op", "("):
                depth += 1
            elif tok == ("op", ")"):
                if depth == 0:
                    return
                depth -= 1
            elif tok == ("op", ",") and depth == 0:
                return
            self.pos += 1

    def reference(self, text: str) -> Any:
        m = _REF_RE.match(text)
        if not m:
            raise FormulaError("#REF!")
        sheet = m.group("sheet")
        if sheet and sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        rows_n, cols_n = self.extent(sheet) if self.extent else (1000, 26)
        if m.group("c1"):
            c1, r1 = column_index(m.group("c1")), int(m.group("r1")) - 1
            if m.group("c2") is None:
                rows = self.resolve(sheet, r1, r1 + 1, c1, c1 + 1)
                value = rows[0][0] if rows and rows[0] else None
                self.hint = self.format_of(sheet, r1, c1)
                return value
            c2 = column_index(m.group("c2"))
            r2 = int(m.group("r2")) - 1 if m.group("r2") else rows_n - 1
        elif m.group("cc1"):
            c1, c2, r1, r2 = column_index(m.group("cc1")), column_index(m.group("cc2")), 0, rows_n - 1
        else:
            r1, r2, c1, c2 = int(m.group("rr1")) - 1, int(m.group("rr2")) - 1, 0, cols_n - 1
        lo_r, hi_r, lo_c, hi_c = min(r1, r2), max(r1, r2) + 1, min(c1, c2), max(c1, c2) + 1
        if (hi_r - lo_r) * (hi_c - lo_c) > _MAX_CELLS:
            raise FormulaError("#REF!")
        return fn.Range(self.resolve(sheet, lo_r, hi_r, lo_c, hi_c))

    def format_of(self, sheet: str | None, r: int, c: int) -> str | None:
        getter = getattr(self.resolve, "format_type", None)
        return getter(sheet, r, c) if getter else None


def evaluate_with_format(
    formula: str, resolve: RangeResolver, extent: Extent | None = None
) -> tuple[Value, str | None]:
    """Evaluate ``=...``: (value, the number format type Google would infer for it or None).

    Error values come back as their code string (e.g. "#DIV/0!").
    """
    try:
        parser = _Parser(_tokenize(formula.lstrip("=")), resolve, extent)
        result = parser.expr()
        if parser.peek() is not None:
            raise FormulaError("#ERROR!")
        value = fn.scalar(result)
        if isinstance(value, float) and not math.isfinite(value):
            return "#NUM!", None
        return value, parser.hint if isinstance(value, float) else None
    except FormulaError as exc:
        return exc.code, None
    except RecursionError:
        return "#REF!", None


def evaluate(formula: str, resolve: RangeResolver, extent: Extent | None = None) -> Value:
    """Evaluate ``=...``; error values come back as their code string (e.g. "#DIV/0!")."""
    return evaluate_with_format(formula, resolve, extent)[0]
