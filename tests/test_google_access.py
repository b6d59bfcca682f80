"""Reaching Google: a 403 names the account to share with, a wrong URL or port fails in seconds.

A throwaway service-account key is made in each test (sheetkit.testing.accounts) with a token
endpoint on 127.0.0.1, so the real google-auth signs, fetches and sends a token to the emulator.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import AS_OF, run_sheetkit

import sheetkit
from sheetkit.errors import GoogleAPIError, SourceError
from sheetkit.google.client import RequestStats, connect
from sheetkit.testing.accounts import DEFAULT_EMAIL, TokenEndpoint, service_account_key
from sheetkit.testing.emulator import SheetsEmulator

HEADER = ["First Name", "Last Name", "Email", "Status", "Last Contacted", "Follow-ups", "Owner"]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def tokens() -> Iterator[TokenEndpoint]:
    with TokenEndpoint() as endpoint:
        yield endpoint


@pytest.fixture
def keyed_env(
    sheets_emulator: SheetsEmulator, tokens: TokenEndpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, Any]:
    """The emulator, and a throwaway service-account key named by SHEETKIT_CREDENTIALS."""
    key = tmp_path / "key.json"
    info = service_account_key(key, token_uri=tokens.url)
    env = {
        "SHEETKIT_SHEETS_API_URL": sheets_emulator.url,
        "SHEETKIT_CREDENTIALS": str(key),
        "GSPREAD_CONFIG_DIR": str(tmp_path / "no-gspread"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sid = sheets_emulator.create_spreadsheet(
        "Jo pipeline", {"Contacts": [HEADER, ["Ana", "Lima", "ana@example.com", "Contacted", "2026-11-01", 1, "Jo"]]}
    )
    return {"env": env, "key": info, "path": key, "id": sid, "url": f"https://docs.google.com/spreadsheets/d/{sid}/edit"}


def test_the_key_signs_in_and_reads(keyed_env: dict[str, Any], tokens: TokenEndpoint, sheets_emulator: SheetsEmulator) -> None:
    report = sheetkit.validate(keyed_env["url"], as_of=AS_OF)
    assert report.rows == 1
    sent = {r.headers.get("authorization") or r.headers.get("Authorization") for r in sheets_emulator.requests}
    assert sent == {f"Bearer {tokens.tokens[0]}"}  # the token the endpoint issued reached the API


def test_a_403_names_the_client_email(keyed_env: dict[str, Any], sheets_emulator: SheetsEmulator) -> None:
    sheets_emulator.deny(keyed_env["id"])
    with pytest.raises(SourceError, match=f"no permission to open .*share the sheet with {DEFAULT_EMAIL}"):
        sheetkit.validate(keyed_env["url"], as_of=AS_OF)
    result = run_sheetkit("refresh", keyed_env["url"], "--as-of", "2026-11-21", env=keyed_env["env"])
    assert result.returncode == 2 and DEFAULT_EMAIL in result.stderr and "Traceback" not in result.stderr


def test_a_403_without_a_client_names_the_credentials_found(keyed_env: dict[str, Any]) -> None:
    from sheetkit.google.sheets import google_errors

    with pytest.raises(SourceError, match=DEFAULT_EMAIL), google_errors("spreadsheet x"):
        raise _api_error(403, "The caller does not have permission", "PERMISSION_DENIED")


def _api_error(status: int, message: str, name: str) -> Exception:
    from gspread.exceptions import APIError

    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"error": {"code": status, "message": message, "status": name}}).encode()
    return APIError(response)


def test_api_not_enabled_and_an_uploaded_xlsx_are_explained(keyed_env: dict[str, Any]) -> None:
    from sheetkit.google.sheets import google_errors

    disabled = (
        "Google Sheets API has not been used in project 1234 before or it is disabled. Enable it by visiting "
        "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=1234 then retry."
    )
    not_enabled = f"not enabled for the Google Cloud project of {DEFAULT_EMAIL}"
    with pytest.raises(GoogleAPIError, match=not_enabled), google_errors("spreadsheet x"):
        raise _api_error(403, disabled, "PERMISSION_DENIED")
    uploaded = "not a Google Sheet \\(an uploaded .xlsx\\?\\).*Save as Google Sheets"
    with pytest.raises(SourceError, match=uploaded), google_errors("spreadsheet x"):
        raise _api_error(400, "This operation is not supported for this document", "FAILED_PRECONDITION")


def test_a_wrong_port_fails_in_seconds_with_a_clear_message(keyed_env: dict[str, Any]) -> None:
    env = {**keyed_env["env"], "SHEETKIT_SHEETS_API_URL": f"http://127.0.0.1:{closed_port()}"}
    result = run_sheetkit("validate", keyed_env["url"], env=env)
    assert result.returncode == 2
    assert "connection refused" in result.stderr and "check SHEETKIT_SHEETS_API_URL (wrong URL or port?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_opening_a_connection_waits_a_bounded_time() -> None:
    """A host that never answers is given up on after CONNECT_TIMEOUT, whatever the caller asked (the speed: benchmarks)."""
    from sheetkit.google.transport import CONNECT_TIMEOUT, bounded_timeout

    assert CONNECT_TIMEOUT < 5
    assert bounded_timeout(None) == (CONNECT_TIMEOUT, None)
    assert bounded_timeout(120) == (CONNECT_TIMEOUT, 120)
    assert bounded_timeout((60, 90)) == (CONNECT_TIMEOUT, 90)
    assert bounded_timeout((1, 90)) == (1, 90)


def test_a_refused_connection_is_tried_once_more_briefly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHEETKIT_SHEETS_API_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("SHEETKIT_CREDENTIALS", raising=False)
    monkeypatch.setenv("GSPREAD_CONFIG_DIR", str(tmp_path))
    waits: list[float] = []
    stats = RequestStats()
    client = connect(stats, sleep=waits.append)
    with pytest.raises(GoogleAPIError, match="connection refused"):
        sheetkit.validate("1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", client=client)
    assert stats.requests == 2 and waits == [0.5]


def test_a_bad_api_url_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_sheetkit("validate", "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", env={"SHEETKIT_SHEETS_API_URL": "ftp://x"})
    assert result.returncode == 2
    assert "SHEETKIT_SHEETS_API_URL must be an http(s) URL" in result.stderr and "Traceback" not in result.stderr


def test_doctor_explains_the_setup_and_reads_the_sheet(
    keyed_env: dict[str, Any], tokens: TokenEndpoint, tmp_path: Path
) -> None:
    (tmp_path / "sheetkit.toml").write_text(
        f'[sheetkit]\nschema = "recruiter_contacts"\n\n[[sheetkit.sources]]\nname = "jo"\nurl = "{keyed_env["url"]}"\n'
    )
    result = run_sheetkit("doctor", keyed_env["url"], env=keyed_env["env"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"Google credentials: {keyed_env['path']} (found by SHEETKIT_CREDENTIALS), a service-account key" in lines
    assert f"Share the Google Sheet with: {DEFAULT_EMAIL}" in lines
    api = keyed_env["env"]["SHEETKIT_SHEETS_API_URL"]
    assert f"Sheets API: {api} (overridden by SHEETKIT_SHEETS_API_URL; unset it to reach Google)" in lines
    assert f"Config: {tmp_path / 'sheetkit.toml'} (1 source(s): jo)" in lines
    assert "Schema: recruiter_contacts from the config (bundled with sheetkit)" in lines
    assert any(line.startswith("LibreOffice: ") for line in lines)
    assert f"{keyed_env['url']}: can be read: Jo pipeline (Google Sheets), sheet 'Contacts': 1 row" in result.stdout
    assert_no_secrets([result], keyed_env["key"], tokens)


def assert_no_secrets(results: list[Any], key: dict[str, str], tokens: TokenEndpoint) -> None:
    """Neither the private key (any line of it), its id, nor an access token in any output."""
    secrets = [line for line in key["private_key"].splitlines() if "PRIVATE KEY" not in line and line]
    secrets += [key["private_key_id"], *tokens.tokens]
    for result in results:
        for secret in secrets:
            assert secret not in result.stdout and secret not in result.stderr


def test_doctor_says_why_a_sheet_cannot_be_read(
    keyed_env: dict[str, Any], tokens: TokenEndpoint, sheets_emulator: SheetsEmulator, tmp_path: Path
) -> None:
    sheets_emulator.deny(keyed_env["id"])
    denied = run_sheetkit("--verbose", "doctor", keyed_env["url"], env=keyed_env["env"], cwd=tmp_path)
    assert denied.returncode == 2 and "Traceback" not in denied.stderr
    assert f"{keyed_env['url']}: cannot be read: no permission to open" in denied.stdout
    assert f"share the sheet with {DEFAULT_EMAIL}" in denied.stdout

    env = {**keyed_env["env"], "SHEETKIT_SHEETS_API_URL": f"http://127.0.0.1:{closed_port()}"}
    wrong_port = run_sheetkit("doctor", keyed_env["url"], env=env, cwd=tmp_path)
    assert wrong_port.returncode == 2
    assert "cannot be read: cannot reach the Google Sheets API at http://127.0.0.1:" in wrong_port.stdout
    assert "(connection refused); nothing was written: check SHEETKIT_SHEETS_API_URL" in wrong_port.stdout
    assert_no_secrets([denied, wrong_port], keyed_env["key"], tokens)


def test_doctor_without_credentials_or_config(tmp_path: Path) -> None:
    env = {"GSPREAD_CONFIG_DIR": str(tmp_path / "none"), "SHEETKIT_CREDENTIALS": "", "SHEETKIT_SHEETS_API_URL": ""}
    result = run_sheetkit("doctor", env=env, cwd=tmp_path)
    assert result.returncode == 0
    assert "Google credentials: none found (needed for Google Sheets only)" in result.stdout
    assert "Sheets API: https://sheets.googleapis.com (Google; not overridden)" in result.stdout
    assert "Config: none" in result.stdout and "Schema: recruiter_contacts (bundled with sheetkit)" in result.stdout
