"""Point a requests session (and so a real gspread client) at another Sheets/Drive endpoint.

gspread hard-codes ``https://sheets.googleapis.com`` and ``https://www.googleapis.com``. Rather
than patching gspread, :func:`redirect_session` mounts a transport adapter that rewrites those
URLs to ``api_url`` (the loopback emulator in tests, or whatever SHEETKIT_SHEETS_API_URL names),
so ``gspread.Client(auth, session=session)`` works unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com")


class RedirectAdapter(HTTPAdapter):
    """Sends requests for Google API hosts to ``api_url`` instead; path and query are kept."""

    def __init__(self, api_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(api_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"api_url must be an http(s) URL such as http://127.0.0.1:8765 (got {api_url!r})"
            )
        self.scheme, self.netloc, self.prefix = parts.scheme, parts.netloc, parts.path

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        if parts.hostname in GOOGLE_HOSTS:
            request.url = urlunsplit((self.scheme, self.netloc, self.prefix + parts.path, parts.query, ""))
        return super().send(request, *args, **kwargs)


def redirect_session(session: requests.Session, api_url: str) -> requests.Session:
    """Mount the redirect on ``session`` (a plain Session or google.auth's AuthorizedSession) and return it.

    Example:
        >>> session = redirect_session(requests.Session(), "http://127.0.0.1:8765")
        >>> client = gspread.Client(auth=None, session=session)  # doctest: +SKIP
    """
    adapter = RedirectAdapter(api_url)
    for host in GOOGLE_HOSTS:
        session.mount(f"https://{host}/", adapter)
    return session


class AnonymousCredentials:
    """Stand-in credentials for tests that build a client with ``auth=...``: never expires, never refreshes.

    ``gspread.Client(auth=None, session=...)`` is enough for the emulator; use this when code under
    test insists on a credentials object (``client.http_client.auth.expiry`` and friends).
    """

    token = "emulator-token"
    expiry = None
    valid = True
    expired = False

    def __init__(self, token: str = "emulator-token") -> None:
        self.token = token

    def refresh(self, request: Any) -> None:
        return None

    def apply(self, headers: dict[str, str], token: str | None = None) -> None:
        headers["authorization"] = f"Bearer {token or self.token}"

    def before_request(self, request: Any, method: str, url: str, headers: dict[str, str]) -> None:
        self.apply(headers)


def emulator_session(
    api_url: str, token: str | None = "emulator-token", headers: Mapping[str, str] | None = None
) -> requests.Session:
    """A plain Session redirected to ``api_url`` that sends ``Authorization: Bearer <token>``."""
    session = redirect_session(requests.Session(), api_url)
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    session.headers.update(headers or {})
    return session
