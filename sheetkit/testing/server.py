"""A loopback emulator of the Google Sheets API v4 (plus the Drive calls gspread makes).

Start it, point a real gspread client at it with ``sheetkit.testing.emulator_session(emulator.url)``
(or the library's own redirect, ``sheetkit.google.transport.redirect_session``) and it answers
like Google: same URLs, JSON shapes, error bodies and quirks (trailing empty cells omitted,
normalized ranges, USER_ENTERED parsing). Tests steer it with a Python API:
seed spreadsheets, read back typed cells, inspect the request log, deny access, revoke tokens
and inject faults (429/500/503 or a dropped connection).

Run standalone: ``python -m sheetkit.testing.emulator --port 8765`` (Ctrl-C stops it; see cli.py).
Control over HTTP (for non-Python clients): ``GET /__emulator__/requests``,
``POST /__emulator__/reset``, ``POST /__emulator__/faults`` with ``{"at": 1, "kind": 429}``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sheetkit.testing import a1, drive, routes, seed
from sheetkit.testing.meta import spreadsheet_json
from sheetkit.testing.model import ApiError, Sheet, Spreadsheet, Window, new_spreadsheet_id
from sheetkit.testing.values import Cell, parse_raw, parse_user_entered, to_serial
from sheetkit.testing.wire import Handler, Server
from sheetkit.testing.wire import dumps as _dumps
from sheetkit.testing.wire import json_reply as _json
from sheetkit.testing.wire import one as _one
from sheetkit.testing.wire import parse_body as _parse_body

FaultKind = int | str

_FAULT_BODIES: dict[int, tuple[str, str]] = {
    429: ("RESOURCE_EXHAUSTED", "Quota exceeded."),  # the real message names the quota: see _quota_error
    500: ("INTERNAL", "Internal error encountered."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
}
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
    "other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)


class EmulatorLookupError(KeyError):
    """A test asked the emulator for a spreadsheet, worksheet or range it does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator saw (status 0 = connection dropped on purpose)."""

    method: str
    path: str
    query: str
    body: bytes
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Fault:
    kind: FaultKind
    at: int | None = None
    method: str | None = None
    path: re.Pattern[str] | None = None


@dataclass(frozen=True)
class CellInfo:
    """A stored cell as a test sees it: typed value, formula, what Google would display, formats."""

    value: float | str | bool | None
    formula: str | None
    formatted: str
    number_format: dict[str, Any] | None
    user_entered_format: dict[str, Any]
    note: str | None


class SheetsEmulator:
    """The emulator: an HTTP server on 127.0.0.1 plus the hooks tests use to steer it.

    Args:
        host: interface to bind (loopback by default).
        port: 0 picks a free port.
        user_email: the account the emulator pretends to be (owner of files, protected-range editor).
        require_auth: answer 401 to requests without an Authorization header, like Google.
        project_number: the Cloud project the account's quota belongs to (quota errors name it).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        user_email: str = "emulator@sheetkit.invalid",
        require_auth: bool = False,
        project_number: str = "0",
    ) -> None:
        self.host = host
        self.project_number = project_number
        self._port = port
        self.user_email = user_email
        self.require_auth = require_auth
        self.lock = threading.RLock()
        self.books: dict[str, Spreadsheet] = {}
        self._denied: set[str] = set()
        self._revoked: set[str] = set()
        self._faults: list[_Fault] = []
        self._log: list[RecordedRequest] = []
        self._counter = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SheetsEmulator:
        """Bind and serve in a daemon thread; returns self so ``SheetsEmulator().start()`` reads well."""
        server = Server((self.host, self._port), Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sheets-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SheetsEmulator:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1] if self._server is not None else self._port

    @property
    def url(self) -> str:
        """Base URL to hand to ``redirect_session`` (e.g. http://127.0.0.1:54321)."""
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        """Forget every spreadsheet, fault, denial, revoked token and logged request."""
        with self.lock:
            self.books.clear()
            self._denied.clear()
            self._revoked.clear()
            self._faults.clear()
            self._log.clear()

    # ------------------------------------------------------------------ seeding and reading back
    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        sheets: Mapping[str, Sequence[Sequence[Any]]] | Sequence[str] | None = None,
        *,
        spreadsheet_id: str | None = None,
        value_input: str = "RAW",
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        rows: int = 1000,
        columns: int = 26,
    ) -> str:
        """Create a spreadsheet directly (no HTTP); returns its id.

        ``sheets`` maps tab titles to rows of values (or is a list of titles). Values are stored
        as with ``value_input`` ("RAW" or "USER_ENTERED"); ``datetime.date`` values become DATE
        serial numbers. The grid grows to fit the data.
        """
        book = Spreadsheet(
            spreadsheet_id or new_spreadsheet_id(),
            title,
            locale=locale,
            time_zone=time_zone,
            owner=self.user_email,
        )
        layout: Mapping[str, Sequence[Sequence[Any]]]
        if sheets is None:
            layout = {"Sheet1": []}
        elif isinstance(sheets, Mapping):
            layout = sheets
        else:
            layout = {name: [] for name in sheets}
        for index, (name, data) in enumerate(layout.items()):
            sheet = Sheet(0 if index == 0 else book.new_sheet_id(), name, rows, columns)
            for r, row in enumerate(data):
                for c, raw in enumerate(row):
                    cell = _seed_cell(raw, value_input)
                    if cell.has_value():
                        sheet.cells[(r, c)] = cell
                        sheet.row_count = max(sheet.row_count, r + 1)
                        sheet.col_count = max(sheet.col_count, c + 1)
            book.sheets.append(sheet)
        book.check_cell_limit()
        with self.lock:
            self.books[book.spreadsheet_id] = book
        return book.spreadsheet_id

    def seed(self, spec: Mapping[str, Any]) -> str:
        """Create a spreadsheet from a seed file's content; its id.

        Either the short form ``{"title": ..., "sheets": {"Tab": [[...], ...]}}`` (values typed in as a
        person would, unless ``"valueInputOption": "RAW"``) or a Spreadsheet resource (a dump).
        """
        if is_resource(spec):
            return self.import_spreadsheet(spec)
        return self.create_spreadsheet(
            spec.get("title", "Untitled spreadsheet"),
            spec.get("sheets"),
            value_input=spec.get("valueInputOption", "USER_ENTERED"),
        )

    def import_spreadsheet(
        self,
        resource: Mapping[str, Any],
        *,
        spreadsheet_id: str | None = None,
        values: Sequence[Mapping[str, Any]] = (),
        created: str | None = None,
        modified: str | None = None,
    ) -> str:
        """Create a spreadsheet from a Spreadsheet resource (what GET /v4/spreadsheets/{id} answers); its id.

        The resource's id is kept unless ``spreadsheet_id`` is given. Its cells come from grid data
        (``includeGridData=true``) and ``values``, ValueRanges ({"range", "values"}, what values.get
        answers) typed in as a person would. ``created``/``modified`` are the Drive file's times (RFC 3339).
        """
        book = seed.book_from_resource(
            resource, owner=self.user_email, spreadsheet_id=spreadsheet_id, created=created, modified=modified
        )
        stamp = book.modified
        for value_range in values:
            if value_range.get("values"):
                book.write(
                    str(value_range.get("range") or ""),
                    value_range["values"],
                    value_range.get("majorDimension"),
                    "USER_ENTERED",
                )
        book.modified = stamp
        with self.lock:
            if book.spreadsheet_id in self.books:
                raise ValueError(f"the emulator already has a spreadsheet with id {book.spreadsheet_id!r}")
            self.books[book.spreadsheet_id] = book
        return book.spreadsheet_id

    def delete_spreadsheet(self, spreadsheet_id: str) -> None:
        """Delete a spreadsheet as another client would (no request logged); a missing one is ignored."""
        with self.lock:
            self.books.pop(spreadsheet_id, None)

    def spreadsheet(self, spreadsheet_id: str) -> dict[str, Any]:
        """The Spreadsheet resource JSON (what GET /v4/spreadsheets/{id} returns)."""
        with self.lock:
            return spreadsheet_json(self._book(spreadsheet_id))

    def get_values(self, spreadsheet_id: str, range_: str, *, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """Stored values of a range, typed (numbers as numbers), trailing empties trimmed like Google."""
        with self.lock:
            book = self._book(spreadsheet_id)
            return book.read(self._window(book, range_), "ROWS", render, "SERIAL_NUMBER")

    def cell(self, spreadsheet_id: str, a1_cell: str) -> CellInfo:
        """One stored cell with its formula, display text and formats."""
        with self.lock:
            book = self._book(spreadsheet_id)
            win = self._window(book, a1_cell)
            stored = win.sheet.cells.get((win.r1, win.c1)) or Cell()
            value = book.computed(stored)
            return CellInfo(
                value=value,
                formula=stored.formula,
                formatted=str(book.render(stored, "FORMATTED_VALUE", "SERIAL_NUMBER")),
                number_format=copy.deepcopy(stored.fmt.get("numberFormat")),
                user_entered_format=copy.deepcopy(stored.fmt),
                note=stored.note,
            )

    def _book(self, spreadsheet_id: str) -> Spreadsheet:
        book = self.books.get(spreadsheet_id)
        if book is None:
            have = ", ".join(f"{b.title!r} (id {k})" for k, b in self.books.items()) or "none"
            raise EmulatorLookupError(f"the emulator has no spreadsheet with id {spreadsheet_id!r} (it has: {have})")
        return book

    def _window(self, book: Spreadsheet, range_: str) -> Window:
        """A range of a seeded spreadsheet, or an error naming the spreadsheet and what it does have."""
        try:
            return book.resolve(range_)
        except ApiError:
            tabs = ", ".join(repr(s.title) for s in book.sheets)
            sheet_part = a1.split_sheet(range_.strip())[0] if "!" in range_ else None
            if sheet_part is not None and book.sheet_by_title(sheet_part) is None:
                raise EmulatorLookupError(
                    f"spreadsheet {book.title!r} (id {book.spreadsheet_id}) has no worksheet {sheet_part!r} "
                    f"(it has {tabs})"
                ) from None
            raise EmulatorLookupError(
                f"spreadsheet {book.title!r} (id {book.spreadsheet_id}): cannot read range {range_!r} "
                f"(worksheets: {tabs})"
            ) from None

    # ------------------------------------------------------------------ access control
    def deny(self, spreadsheet_id: str) -> None:
        """Answer 403 PERMISSION_DENIED for this id (existing or not), like a file not shared with you."""
        with self.lock:
            self._denied.add(spreadsheet_id)

    def allow(self, spreadsheet_id: str) -> None:
        with self.lock:
            self._denied.discard(spreadsheet_id)

    def revoke_token(self, token: str) -> None:
        """Answer 401 UNAUTHENTICATED to requests with this token (``Bearer <token>`` or the bare token)."""
        with self.lock:
            self._revoked.add(token.removeprefix("Bearer ").strip())

    # ------------------------------------------------------------------ faults
    def fail_at(self, n: int, kind: FaultKind) -> None:
        """Make the n-th request from now (1 = the next one) fail with 429/500/503 or "drop"."""
        _check_kind(kind)
        with self.lock:
            self._faults.append(_Fault(kind, at=self._counter + n))

    def fail_next(self, kind: FaultKind, *, method: str | None = None, path: str | None = None) -> None:
        """Make the next request matching method and path (a regex searched in the URL path) fail once."""
        _check_kind(kind)
        with self.lock:
            self._faults.append(
                _Fault(kind, method=method.upper() if method else None, path=re.compile(path) if path else None)
            )

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _take_fault(self, method: str, path: str, number: int) -> FaultKind | None:
        for fault in self._faults:
            if fault.at is not None:
                hit = fault.at == number
            else:
                hit = (fault.method is None or fault.method == method) and (
                    fault.path is None or bool(fault.path.search(path))
                )
            if hit:
                self._faults.remove(fault)
                return fault.kind
        return None

    # ------------------------------------------------------------------ request log
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request so far (control requests under /__emulator__/ excluded)."""
        with self.lock:
            return list(self._log)

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """How many logged requests match method and path (a regex searched in the URL path)."""
        pattern = re.compile(path) if path else None
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper()) and (pattern is None or pattern.search(r.path))
        )

    def clear_requests(self) -> None:
        with self.lock:
            self._log.clear()

    # ------------------------------------------------------------------ dispatch
    def handle(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes] | None:
        """Answer one request: (status, headers, body), or None to drop the connection."""
        parts = urlsplit(target)
        path, query = parts.path, parts.query
        if path.startswith("/__emulator__/"):
            return self._control(method, path, body)
        if path == "/token":  # OAuth token endpoint: refresh tokens here are never valid (expired login)
            error = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            return 400, {"Content-Type": "application/json; charset=utf-8"}, _dumps(error)
        with self.lock:
            self._counter += 1
            number = self._counter
            fault = self._take_fault(method, path, number)
        status, out_headers, payload = 0, dict[str, str](), b""
        try:
            if fault == "drop":
                return None
            if fault is not None:
                code = int(fault)
                if code == 429:
                    raise _quota_error(method, self.project_number)
                status_name, message = _FAULT_BODIES[code]
                raise ApiError(code, message, status_name)
            self._check_auth(headers)
            status, out_headers, payload = self._route(method, path, parse_qs(query, keep_blank_values=True), body)
        except ApiError as err:
            status = err.code
            out_headers = {"Content-Type": "application/json; charset=UTF-8"}
            if err.code == 401:
                out_headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
            payload = _dumps(err.body())
        except Exception as exc:  # a bug in the emulator must look like Google's 500, not hang the client
            status = 500
            out_headers = {"Content-Type": "application/json; charset=UTF-8"}
            payload = _dumps(
                {
                    "error": {
                        "code": 500,
                        "message": f"Internal error encountered. ({exc!r})",
                        "status": "INTERNAL",
                    }
                }
            )
        finally:
            with self.lock:
                self._log.append(RecordedRequest(method, path, query, body, status, dict(headers)))
        return status, out_headers, payload

    def _check_auth(self, headers: Mapping[str, str]) -> None:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        with self.lock:
            revoked = auth is not None and auth.removeprefix("Bearer ").strip() in self._revoked
        if revoked:
            raise ApiError(401, UNAUTHENTICATED)
        if auth is None and self.require_auth:
            raise ApiError(401, MISSING_CREDENTIALS)

    def _route(
        self,
        method: str,
        path: str,
        params: dict[str, list[str]],
        body: bytes,
    ) -> tuple[int, dict[str, str], bytes]:
        m = re.match(r"^/v4/spreadsheets(?:/([^/:]+))?(.*)$", path)
        if m and path.startswith("/v4/spreadsheets"):
            return routes.sheets(self, method, m.group(1), m.group(2), params, body)
        if path == "/drive/v3/about" and method == "GET":
            return _json(drive.about(self.user_email, _one(params, "fields")))
        m = re.match(r"^/drive/v3/files(?:/([^/]+))?(?:/(copy|export|comments|permissions)(?:/([^/]+))?)?/?$", path)
        if m:
            return self._drive(method, m.group(1), m.group(2), params, body)
        m = re.match(r"^/drive/v2/files(?:/([^/]+))?(/copy)?$", path)
        if m:  # gspread before 5.2 used Drive v2 to create, copy and delete; a name is a "title" there
            return self._drive_v2(method, m.group(1), bool(m.group(2)), body)
        m = re.match(r"^/upload/drive/v[23]/files/([^/]+)$", path)
        if m and method in ("PUT", "PATCH"):
            with self.lock:
                book = self._readable(unquote(m.group(1)), drive_style=True)
                return _json(drive.import_csv(book, body))
        raise ApiError(404, "Method not found.")

    def _readable(self, spreadsheet_id: str, drive_style: bool = False) -> Spreadsheet:
        if spreadsheet_id in self._denied:
            if drive_style:
                raise drive.not_found(spreadsheet_id)
            raise ApiError(403, "The caller does not have permission")
        book = self.books.get(spreadsheet_id)
        if book is None:
            if drive_style:
                raise drive.not_found(spreadsheet_id)
            raise ApiError(404, "Requested entity was not found.")
        return book

    # ------------------------------------------------------------------ Drive API
    def _drive(
        self, method: str, file_id: str | None, action: str | None, params: dict[str, list[str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        fields = _one(params, "fields")
        with self.lock:
            if file_id is None:
                if method == "GET":
                    return _json(
                        drive.list_files({k: v for k, v in self.books.items() if k not in self._denied}, params)
                    )
                if method == "POST":
                    return _json(
                        drive.render_file(drive.create(self.books, _parse_body(body), self.user_email), fields)
                    )
                raise ApiError(404, "Method not found.")
            if file_id == "root" and action is None and method == "GET":
                return _json(drive.root_folder(fields))
            book = self._readable(unquote(file_id), drive_style=True)
            if action is None and method == "GET":
                return _json(drive.render_file(book, fields))
            if action is None and method == "DELETE":
                del self.books[book.spreadsheet_id]
                return 204, {}, b""
            if action is None and method == "PATCH":
                data = _parse_body(body)
                book.title = data.get("name") or book.title
                book.touch()
                return _json(drive.render_file(book, fields))
            if action == "copy" and method == "POST":
                return _json(drive.render_file(drive.copy_file(self.books, book, _parse_body(body)), fields))
            if action == "export" and method == "GET":
                content, mime = drive.export(book, _one(params, "mimeType") or "")
                return 200, {"Content-Type": mime}, content
            if action == "comments" and method == "GET":
                return _json({"comments": []})
            if action == "permissions":
                return self._permissions(book, method, body)
        raise ApiError(404, "Method not found.")

    def _drive_v2(self, method: str, file_id: str | None, copy: bool, body: bytes) -> tuple[int, dict[str, str], bytes]:
        data = _parse_body(body) if body else {}
        with self.lock:
            if file_id is None and method == "POST":
                spec = {"name": data.get("title"), "mimeType": data.get("mimeType")}
                return _json(drive.v2_file(drive.create(self.books, spec, self.user_email)))
            if file_id is None:
                raise ApiError(404, "Method not found.")
            book = self._readable(unquote(file_id), drive_style=True)
            if copy and method == "POST":
                return _json(drive.v2_file(drive.copy_file(self.books, book, {"name": data.get("title")})))
            if not copy and method == "DELETE":
                del self.books[book.spreadsheet_id]
                return 204, {}, b""
            if not copy and method == "GET":
                return _json(drive.v2_file(book))
        raise ApiError(404, "Method not found.")

    def _permissions(self, book: Spreadsheet, method: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        owner = {
            "kind": "drive#permission",
            "id": "owner",
            "type": "user",
            "role": "owner",
            "emailAddress": book.owner,
        }
        perms = book.__dict__.setdefault("_permissions", [owner])
        if method == "GET":
            return _json({"kind": "drive#permissionList", "permissions": perms})
        if method == "POST":
            data = _parse_body(body)
            perm = {
                "kind": "drive#permission",
                "id": str(len(perms) + 1),
                "type": data.get("type", "user"),
                "role": data.get("role", "reader"),
            }
            if data.get("emailAddress"):
                perm["emailAddress"] = data["emailAddress"]
            perms.append(perm)
            return _json(perm)
        if method == "DELETE":
            return 204, {}, b""
        raise ApiError(404, "Method not found.")

    # ------------------------------------------------------------------ control endpoint
    def _control(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        data = _parse_body(body) if body else {}
        if path == "/__emulator__/requests" and method == "GET":
            return _json(
                {
                    "requests": [
                        {
                            "method": r.method,
                            "path": r.path,
                            "query": r.query,
                            "status": r.status,
                            "body": r.body.decode("utf-8", "replace"),
                        }
                        for r in self.requests
                    ]
                }
            )
        if path == "/__emulator__/requests" and method == "DELETE":
            self.clear_requests()
            return 204, {}, b""
        if path == "/__emulator__/reset" and method == "POST":
            self.reset()
            return 204, {}, b""
        if path == "/__emulator__/faults" and method == "POST":
            kind = data.get("kind", 500)
            if "at" in data:
                self.fail_at(int(data["at"]), kind)
            else:
                self.fail_next(kind, method=data.get("method"), path=data.get("path"))
            return 204, {}, b""
        if path == "/__emulator__/spreadsheets" and method == "POST":
            return _json({"spreadsheetId": self.seed(data)})
        if path == "/__emulator__/deny" and method == "POST":
            self.deny(str(data.get("spreadsheetId")))
            return 204, {}, b""
        if path == "/__emulator__/revoke" and method == "POST":
            self.revoke_token(str(data.get("token")))
            return 204, {}, b""
        raise ApiError(404, "Method not found.")


# --------------------------------------------------------------------------- helpers


def _quota_error(method: str, project_number: str) -> ApiError:
    """Google's 429: a GET spends the read quota, anything else the write quota, per minute per user."""
    kind = "Read" if method == "GET" else "Write"
    message = (
        f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per minute per user' "
        f"of service 'sheets.googleapis.com' for consumer 'project_number:{project_number}'."
    )
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "RATE_LIMIT_EXCEEDED",
        "domain": "googleapis.com",
        "metadata": {
            "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
            "service": "sheets.googleapis.com",
            "quota_limit": f"{kind}RequestsPerMinutePerUser",
            "consumer": f"projects/{project_number}",
        },
    }
    return ApiError(429, message, "RESOURCE_EXHAUSTED", details=[info])


def is_resource(spec: Mapping[str, Any]) -> bool:
    """A Spreadsheet resource (a dump of a real or emulated spreadsheet), not the seed files' short form."""
    return isinstance(spec.get("properties"), dict) or "spreadsheetId" in spec


def _check_kind(kind: FaultKind) -> None:
    if kind != "drop" and kind not in _FAULT_BODIES:
        raise ValueError(f"fault kind must be 429, 500, 503 or 'drop' (got {kind!r})")


def _seed_cell(raw: Any, value_input: str) -> Cell:
    if isinstance(raw, dt.datetime):
        return Cell(value=to_serial(raw), fmt={"numberFormat": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm:ss"}})
    if isinstance(raw, dt.date):
        return Cell(
            value=to_serial(dt.datetime(raw.year, raw.month, raw.day)),
            fmt={"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
        )
    if raw is None:
        return Cell()
    return parse_user_entered(raw) if value_input == "USER_ENTERED" else parse_raw(raw)
