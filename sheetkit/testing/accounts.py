"""Throwaway Google accounts for tests: a service-account key made on the spot, and a token endpoint for it.

A real service-account key file is a secret; tests never use one. :func:`service_account_key`
writes a key file with a fresh RSA key (made with ``cryptography``, which google-auth depends on)
and a ``token_uri`` pointing at a :class:`TokenEndpoint` on 127.0.0.1, which hands out access
tokens like Google's OAuth endpoint does for a service account's signed JWT (without checking the
signature: the emulator does not know the key). Nothing here is ever committed or reused.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DEFAULT_EMAIL = "sheetkit-test@sheetkit-test.iam.gserviceaccount.com"


class TokenEndpoint:
    """An OAuth token endpoint on 127.0.0.1 for service-account JWT grants; every token it issued is kept.

    Use as a context manager; ``url`` is the ``token_uri`` to put in a key file.
    """

    def __init__(self) -> None:
        self.tokens: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = self.rfile.read(length).decode("utf-8", "replace")
                if "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" not in form:
                    self._answer(400, {"error": "unsupported_grant_type"})
                    return
                token = "ya29.test-" + secrets.token_urlsafe(24)
                endpoint.tokens.append(token)
                self._answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read stderr
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def __enter__(self) -> TokenEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def service_account_key(path: Path, *, token_uri: str, email: str = DEFAULT_EMAIL) -> dict[str, str]:
    """Write a service-account key file with a brand-new RSA key to ``path`` (owner-only); return its fields."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "sheetkit-test",
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(secrets.randbelow(10**20)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    path.touch(mode=0o600)
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info
