"""Sessions and credentials for tests that point a real gspread client at the loopback emulator.

Test support only: the library itself needs just the redirect (sheetkit.google.transport).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from sheetkit.google.transport import redirect_session


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
