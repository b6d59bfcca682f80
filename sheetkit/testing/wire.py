"""HTTP plumbing of the Sheets emulator: the request handler and JSON/query-string helpers.

Kept apart from emulator.py so that file holds the API surface and routing only.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterable
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
    return json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")


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
