"""sheetkit's Sheets API client: gspread's Client with credentials found, retries bounded, requests counted.

Credentials are found the gspread way (a service-account key or OAuth files in gspread's default
folder ~/.config/gspread/), or from the file named by SHEETKIT_CREDENTIALS. SHEETKIT_SHEETS_API_URL
points every request at another base URL (the loopback emulator in tests); with it set and no
credentials, requests go unauthenticated. Tokens and keys never appear in messages or logs.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetkit.errors import CredentialsError

if TYPE_CHECKING:
    import gspread
    import requests
    from gspread.http_client import HTTPClient

log = logging.getLogger("sheetkit.google")

CREDENTIALS_ENV = "SHEETKIT_CREDENTIALS"
API_URL_ENV = "SHEETKIT_SHEETS_API_URL"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.file"]
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}
_CONNECT_ATTEMPTS = 2  # a connection that cannot be opened: one more try...
_CONNECT_RETRY_WAIT = 0.5  # ...half a second later


@dataclass
class RequestStats:
    """What a command cost in Google API quota: requests and bytes sent."""

    requests: int = 0
    retries: int = 0
    bytes_sent: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def count(self, method: str, url: str, body_bytes: int) -> None:
        self.requests += 1
        self.bytes_sent += body_bytes
        kind = f"{method.upper()} {_endpoint_kind(url)}"
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.by_kind.items()))
        counts = f"{self.requests} Google API requests ({kinds or 'none'})"
        return f"{counts}, {self.retries} retries, {self.bytes_sent} bytes sent"


@dataclass(frozen=True)
class SheetsClient:
    """What sheetkit talks to Google through: gspread's HTTPClient, its Client, and what requests cost.

    Built by :func:`connect` (requests counted and retried), or by :func:`sheets_client` around a
    gspread Client or Worksheet a caller brought; sheetkit never sets attributes on gspread's objects.
    ``client`` is None when only a Worksheet was given (it knows its HTTPClient, not its Client).
    """

    http: HTTPClient
    stats: RequestStats = field(default_factory=RequestStats)
    client: gspread.Client | None = None

    @property
    def credentials(self) -> Any:
        """The Google credentials requests are signed with (on the HTTPClient or its session), or None."""
        return getattr(self.http, "auth", None) or getattr(getattr(self.http, "session", None), "credentials", None)


def sheets_client(client: Any = None, *, stats: RequestStats | None = None) -> SheetsClient:
    """The SheetsClient for a ``client=`` argument, made once where a command starts.

    None connects with the credentials found (:func:`connect`, counting into ``stats``); a
    SheetsClient is used as it is; a gspread Client, or a Worksheet's HTTPClient, is wrapped. The
    requests of a client sheetkit did not build go through gspread's own HTTPClient: they are
    neither counted nor retried by sheetkit.
    """
    if client is None:
        return connect(stats)
    if isinstance(client, SheetsClient):
        return client
    http = getattr(client, "http_client", None)
    if http is not None:  # a gspread Client
        return SheetsClient(http, stats if stats is not None else RequestStats(), client)
    return SheetsClient(client, stats if stats is not None else RequestStats())  # an HTTPClient


def _endpoint_kind(url: str) -> str:
    path = url.split("?", 1)[0]
    if ":batchUpdate" in path and "/values" not in path:
        return "spreadsheets:batchUpdate"
    for marker in ("values:batchUpdate", "values:batchGet", "values:batchClear", ":append", ":clear"):
        if marker in path:
            return marker
    if "/values/" in path:
        return "values"
    if "/drive/" in path:
        return "drive"
    return "spreadsheets.get"


def make_http_client_class(
    stats: RequestStats, *, max_attempts: int = 6, max_wait: float = 64.0, sleep: Callable[[float], None] = time.sleep
) -> type:
    """A gspread HTTPClient class that counts requests and retries transient failures.

    429 and 5xx answers and dropped connections are retried with exponential backoff and full
    jitter (honouring Retry-After), at most ``max_attempts`` tries and ``max_wait`` seconds per
    wait. A spreadsheets:batchUpdate that inserts or deletes rows is not repeated after a dropped
    connection or a 5xx (it may have been applied): that error goes to the caller, which re-reads.
    A connection that could not be opened at all (refused, unknown host) is tried once more after
    half a second, and one that timed out while opening is not retried: a wrong URL or port fails in
    seconds, not after a minute of backoff.
    """
    import requests
    from gspread.exceptions import APIError
    from gspread.http_client import HTTPClient

    class CountingRetryingHTTPClient(HTTPClient):
        def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
            body = kwargs.get("json")
            structural = _is_structural(endpoint, body)
            size = 0
            if body is not None:  # sent as compact JSON: requests' default adds a space after every , and :
                data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
                size = len(data)
                headers = {**(kwargs.get("headers") or {}), "Content-Type": "application/json"}
                kwargs = {**kwargs, "json": None, "data": data, "headers": headers}
            attempt = 0
            while True:
                attempt += 1
                stats.count(method, endpoint, size)
                try:
                    response: requests.Response = super().request(method, endpoint, *args, **kwargs)
                    return response
                except APIError as exc:
                    status = exc.response.status_code
                    may_retry = status == 429 or (status in _RETRY_STATUS and not structural)
                    if not may_retry or attempt >= max_attempts:
                        raise
                    wait = _retry_after(exc.response) or _backoff(attempt, max_wait)
                except requests.ConnectionError as exc:
                    if not_connected(exc):  # nothing was sent: safe to repeat, pointless to repeat long
                        if isinstance(exc, requests.ConnectTimeout) or attempt >= _CONNECT_ATTEMPTS:
                            raise
                        wait = _CONNECT_RETRY_WAIT
                    elif structural or attempt >= max_attempts:
                        raise
                    else:
                        wait = _backoff(attempt, max_wait)
                stats.retries += 1
                log.info(
                    "Google API %s %s failed; retry %d in %.1fs",
                    method.upper(),
                    _endpoint_kind(endpoint),
                    attempt,
                    wait,
                )
                sleep(wait)

    return CountingRetryingHTTPClient


def _is_structural(endpoint: str, body: Any) -> bool:
    if ":batchUpdate" not in endpoint or "/values" in endpoint or not isinstance(body, dict):
        return False
    kinds = {key for request in body.get("requests", []) for key in request}
    return bool(kinds & {"insertDimension", "deleteDimension", "appendDimension", "addSheet", "deleteSheet"})


def _backoff(attempt: int, max_wait: float) -> float:
    """Full jitter: a random wait up to 2**attempt seconds, capped."""
    return random.uniform(0, min(max_wait, 2.0**attempt))


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return min(float(value), 120.0) if value else None
    except ValueError:
        return None


def not_connected(exc: BaseException) -> bool:
    """Whether a requests error happened before any byte was sent: refused, unknown host, connect timeout."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def connection_failure(exc: BaseException) -> str:
    """A failed connection in plain words: "connection refused", "unknown host", ..."""
    import requests
    from urllib3.exceptions import NameResolutionError

    if isinstance(exc, requests.ConnectTimeout):
        from sheetkit.google.transport import CONNECT_TIMEOUT

        return f"no answer within {CONNECT_TIMEOUT:.0f} s while connecting"
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NameResolutionError):
        return "unknown host name"
    text = str(reason or exc).lower()
    if "refused" in text:
        return "connection refused"
    if "timed out" in text or isinstance(exc, requests.Timeout):
        return "timed out"
    return "the connection was dropped" if not not_connected(exc) else "cannot connect"


def unreachable(what: str, exc: BaseException | None = None) -> str:
    """The message for a Sheets API that cannot be reached: where, why, and what to check."""
    override = api_url()
    where = "the Google Sheets API" + (f" at {override}" if override else "")
    if exc is not None and not not_connected(exc):  # it answered once: not a wrong address
        return f"cannot reach {where} {what} ({connection_failure(exc)}); run again"
    reason = f" ({connection_failure(exc)})" if exc is not None else ""
    check = f"check {API_URL_ENV} (wrong URL or port?)" if override else "check the network"
    return f"cannot reach {where} {what}{reason}; nothing was written: {check}"


def api_url() -> str | None:
    """The Sheets API base URL override (SHEETKIT_SHEETS_API_URL), if any."""
    value = os.environ.get(API_URL_ENV, "").strip()
    return value.rstrip("/") or None


def connect(stats: RequestStats | None = None, *, sleep: Callable[[float], None] = time.sleep) -> SheetsClient:
    """An authorised gspread Client with sheetkit's retrying HTTP client, its requests counted in ``stats``.

    Raises:
        CredentialsError: no credentials were found, or they cannot be used; the message says
            where sheetkit looked and what to do.
    """
    import gspread
    import requests

    stats = stats if stats is not None else RequestStats()
    http_class = make_http_client_class(stats, sleep=sleep)
    override = api_url()
    credentials = load_credentials(required=override is None)
    session: requests.Session
    from sheetkit.google.transport import bounded_session

    if credentials is None:
        session = bounded_session(requests.Session())
    else:
        from google.auth.transport.requests import AuthorizedSession, Request

        # Token refreshes go through their own session: redirect it too, so an override reaches
        # everything (the emulator answers the token endpoint as Google does for a dead login).
        token_session = bounded_session(requests.Session())
        if override:
            token_session = _redirected(token_session, override)
        session = bounded_session(AuthorizedSession(credentials, auth_request=Request(token_session)))
    if override:
        session = _redirected(session, override)
    client = gspread.Client(auth=credentials, session=session, http_client=http_class)
    return SheetsClient(client.http_client, stats, client)


def _redirected(session: requests.Session, override: str) -> requests.Session:
    from sheetkit.errors import UsageError
    from sheetkit.google.transport import redirect_session

    try:
        return redirect_session(session, override)
    except ValueError:
        raise UsageError(
            f"{API_URL_ENV} must be an http(s) URL such as http://127.0.0.1:8765 (got {override!r})"
        ) from None


def credentials_file() -> tuple[Path, str] | None:
    """The credentials file sheetkit uses and how it was found (said the way a person would), or None."""
    explicit = os.environ.get(CREDENTIALS_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser(), CREDENTIALS_ENV
    folder = _gspread_folder()
    for name, how in (
        ("service_account.json", "gspread's default service account file"),
        ("authorized_user.json", "gspread's saved OAuth login"),
    ):
        if (folder / name).is_file():
            return folder / name, how
    return None


def load_credentials(*, required: bool = True) -> Any:
    """Google credentials from SHEETKIT_CREDENTIALS or gspread's default files, or None if not required."""
    found = credentials_file()
    if found is not None:
        return _credentials_from_file(found[0], source=found[1])
    if not required:
        return None
    raise CredentialsError(
        "no Google credentials found: save a service-account key as "
        f"{_gspread_folder() / 'service_account.json'} (and share the sheet with its client_email), "
        f"or set {CREDENTIALS_ENV}=/path/to/key.json"
    )


def share_with(credentials: Any) -> str:
    """Who a Google Sheet must be shared with for ``credentials``: the service account's client_email, or words."""
    email = getattr(credentials, "service_account_email", None)
    if isinstance(email, str) and email:
        return email
    if credentials is None:
        return "the account sheetkit uses (no Google credentials are set)"
    return "the Google account you logged in with"


def _gspread_folder() -> Path:
    base = os.environ.get("GSPREAD_CONFIG_DIR") or (
        Path(os.environ.get("APPDATA", "~")) if os.name == "nt" else "~/.config"
    )
    return Path(base).expanduser() / "gspread"


def _credentials_from_file(path: Path, *, source: str) -> Any:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CredentialsError(f"the credentials file named by {source} does not exist: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = type(exc).__name__ if not isinstance(exc, OSError) else exc.strerror
        raise CredentialsError(
            f"cannot read the credentials file {path} ({reason}); expected a Google JSON key"
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    try:
        if kind == "service_account":
            from google.oauth2.service_account import Credentials as ServiceAccountCredentials

            return ServiceAccountCredentials.from_service_account_info(info, scopes=SCOPES)
        if kind == "authorized_user":
            from google.oauth2.credentials import Credentials as UserCredentials

            return UserCredentials.from_authorized_user_info(info, scopes=SCOPES)
    except (ValueError, KeyError) as exc:
        raise CredentialsError(
            f"the credentials file {path} is incomplete ({exc.__class__.__name__}); download it again"
        ) from None
    if isinstance(info, dict) and ("installed" in info or "web" in info):
        raise CredentialsError(
            f'{path} is an OAuth client file, not a login: run `python -c "import gspread; gspread.oauth()"` once '
            "to log in (it saves authorized_user.json), or use a service-account key"
        )
    raise CredentialsError(f'{path} is not a Google service-account key or OAuth login (its "type" is {kind!r})')
