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
                except requests.ConnectionError:
                    if structural or attempt >= max_attempts:
                        raise
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
    from sheetkit.google.transport import redirect_session

    if credentials is None:
        session = requests.Session()
    else:
        from google.auth.transport.requests import AuthorizedSession, Request

        # Token refreshes go through their own session: redirect it too, so an override reaches
        # everything (the emulator answers the token endpoint as Google does for a dead login).
        token_session = redirect_session(requests.Session(), override) if override else requests.Session()
        session = AuthorizedSession(credentials, auth_request=Request(token_session))
    if override:
        session = redirect_session(session, override)
    client = gspread.Client(auth=credentials, session=session, http_client=http_class)
    return SheetsClient(client.http_client, stats, client)


def load_credentials(*, required: bool = True) -> Any:
    """Google credentials from SHEETKIT_CREDENTIALS or gspread's default files, or None if not required."""
    explicit = os.environ.get(CREDENTIALS_ENV, "").strip()
    if explicit:
        return _credentials_from_file(Path(explicit).expanduser(), source=f"{CREDENTIALS_ENV}")
    folder = _gspread_folder()
    service_account = folder / "service_account.json"
    if service_account.is_file():
        return _credentials_from_file(service_account, source="gspread's default service account file")
    authorized = folder / "authorized_user.json"
    if authorized.is_file():
        return _credentials_from_file(authorized, source="gspread's saved OAuth login")
    if not required:
        return None
    raise CredentialsError(
        "no Google credentials found: save a service-account key as "
        f"{service_account} (and share the sheet with its client_email), or set {CREDENTIALS_ENV}=/path/to/key.json"
    )


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
