"""How sheetkit's requests travel: a bounded wait to connect, and the redirect to another endpoint.

gspread hard-codes ``https://sheets.googleapis.com`` and ``https://www.googleapis.com``. Rather
than patching gspread, :func:`redirect_session` mounts a transport adapter that rewrites those
URLs to ``api_url`` (the loopback emulator in tests, or whatever SHEETKIT_SHEETS_API_URL names),
so ``gspread.Client(auth, session=session)`` works unchanged.

Every adapter sheetkit mounts gives up opening a connection after :data:`CONNECT_TIMEOUT`
seconds, so a wrong host or port fails in seconds instead of waiting on the system's TCP timeout
(minutes); once connected, a slow answer is waited for as the caller asked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com")
CONNECT_TIMEOUT = 3.05  # seconds; a little over a multiple of 3, TCP's first retransmission window


def bounded_timeout(timeout: Any) -> Any:
    """``timeout`` (None, seconds, or a (connect, read) pair) with the connect part at most CONNECT_TIMEOUT."""
    if timeout is None:
        return (CONNECT_TIMEOUT, None)
    if isinstance(timeout, (int, float)):
        return (min(float(timeout), CONNECT_TIMEOUT), timeout)
    if isinstance(timeout, tuple) and len(timeout) == 2:
        connect, read = timeout
        return (CONNECT_TIMEOUT if connect is None else min(connect, CONNECT_TIMEOUT), read)
    return timeout  # a urllib3 Timeout object: the caller chose


class BoundedAdapter(HTTPAdapter):
    """An HTTPAdapter that waits at most CONNECT_TIMEOUT seconds to open a connection."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = bounded_timeout(kwargs.get("timeout"))
        return super().send(request, *args, **kwargs)


class RedirectAdapter(BoundedAdapter):
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


def bounded_session(session: requests.Session) -> requests.Session:
    """Mount :class:`BoundedAdapter` for every http(s) URL of ``session`` and return it."""
    adapter = BoundedAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


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
