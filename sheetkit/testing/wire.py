"""HTTP plumbing of the Sheets emulator: the request handler and JSON/query-string helpers.

Kept apart from emulator.py so that file holds the API surface and routing only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import socket
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sheetkit.testing.meta import apply_mask, parse_mask
from sheetkit.testing.model import ApiError, Spreadsheet, Window, bad_request

VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")
DIMENSIONS = ("ROWS", "COLUMNS")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: Any  # the SheetsEmulator answering requests


def dumps(obj: Any) -> bytes:
    """``json.dumps(obj, ensure_ascii=False, indent=2)``, the way Google prints replies, byte for byte.

    json's indenting encoder is pure Python; this writer joins whole lists of scalars at once and is
    several times faster on the 1.8 million values of a 100,000-row sheet. Anything unusual (other
    types, cycles) is left to json.dumps, which answers or raises as ever.
    """
    out: list[str] = []
    try:
        _write(obj, "", out)
    except (_Unusual, RecursionError):
        return json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")
    return "".join(out).encode("utf-8")


_encode_str = json.encoder.encode_basestring  # the str encoder json.dumps(ensure_ascii=False) uses


_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Unusual(Exception):
    """A value the fast writer leaves to json.dumps."""


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (math.inf, -math.inf):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _Unusual


@functools.lru_cache(maxsize=32)
def _flat_encoder(inner: str) -> Callable[[Any], str]:
    """json's C encoder printing list items one per line at this indent (for lists of scalars only).

    JSONEncoder.encode builds a new C encoder on every call, which costs more than encoding a short
    row; this one is built once per indent.
    """
    separator = ",\n" + inner
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is not None:
        try:
            encode = make(None, _unencodable, json.encoder.encode_basestring, None, ": ", separator, False, False, True)
        except TypeError:  # another signature in another Python: use the public API
            pass
        else:
            return lambda row: "".join(encode(row, 0))
    return json.JSONEncoder(ensure_ascii=False, separators=(separator, ": ")).encode


def _unencodable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write(obj: Any, indent: str, out: list[str]) -> None:
    """Append obj as json.dumps(indent=2) prints it at this indent."""
    if isinstance(obj, list | tuple):
        if not obj:
            out.append("[]")
            return
        inner = indent + "  "
        if _SCALARS.issuperset(map(type, obj)):
            # Scalars only: json's C encoder with the indent as item separator prints them alike.
            try:
                flat = _flat_encoder(inner)(obj)
            except (TypeError, ValueError):
                raise _Unusual from None
            out.append("[\n" + inner + flat[1:-1] + "\n" + indent + "]")
            return
        sep = "[\n" + inner
        for value in obj:
            out.append(sep)
            _write(value, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
    elif isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        inner = indent + "  "
        sep = "{\n" + inner
        for key, value in obj.items():
            out.append(sep + (_encode_str(key) if isinstance(key, str) else _encode_str(_scalar(key))) + ": ")
            _write(value, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "}")
    else:
        out.append(_scalar(obj))


def json_reply(obj: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json; charset=UTF-8"}, dumps(obj)


def parse_body(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid JSON payload received. Unexpected token.") from None
    if not isinstance(data, dict):
        raise bad_request(f"Invalid JSON payload received. Expected an object, got {type(data).__name__}.")
    return data


def one(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def flag(params: dict[str, list[str]], key: str) -> bool:
    return (one(params, key) or "false").lower() == "true"


def enum(params: dict[str, list[str]], key: str, allowed: Iterable[str], proto_name: str) -> str:
    allowed = tuple(allowed)
    value = one(params, key) or allowed[0]
    if value not in allowed:
        kind = {"ROWS": "Dimension"}.get(
            allowed[0], "ValueRenderOption" if "VALUE" in allowed[0] else "DateTimeRenderOption"
        )
        raise bad_request(
            f"Invalid value at '{proto_name}' (type.googleapis.com/google.apps.sheets.v4.{kind}), \"{value}\""
        )
    return value


def render_options(params: dict[str, list[str]]) -> tuple[str, str, str]:
    return (
        enum(params, "majorDimension", DIMENSIONS, "major_dimension"),
        enum(params, "valueRenderOption", VALUE_RENDER, "value_render_option"),
        enum(params, "dateTimeRenderOption", DATE_RENDER, "date_time_render_option"),
    )


def mask(reply: dict[str, Any], params: dict[str, list[str]]) -> dict[str, Any]:
    fields = one(params, "fields")
    if not fields:
        return reply
    return apply_mask(reply, parse_mask(fields))


def norm(text: str, book: Spreadsheet) -> str:
    try:
        win: Window = book.resolve(text, clamp=False)
    except ApiError:
        return text
    return win.a1()


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, so a requests.Session reuses its connection like it does with Google."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes; no 40 ms delayed-ACK stalls
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self.rfile.read(length) if length else b""
        result = self.server.emulator.handle(self.command, self.path, dict(self.headers.items()), body)
        if result is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, payload = result
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve
