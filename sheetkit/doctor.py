"""`sheetkit doctor`: the setup explained in plain words, and whether a source can be read.

A new user's first failures are about setup, not sheets: which credentials file sheetkit found,
which email to share the Google Sheet with, a Sheets API URL left pointing at a test server, a
config or schema other than the one they meant. Doctor says each of these, and with a SOURCE it
reads it as every command does, so the reason it cannot (not shared with that email, an uploaded
.xlsx rather than a Google Sheet, the API not enabled, an expired login, a wrong URL or port) is
the same plain message the other commands give. Nothing here prints a key or a token.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetkit.errors import SheetkitError


@dataclass(frozen=True)
class Findings:
    """What doctor found: lines to show, and whether everything asked for works."""

    lines: tuple[str, ...]
    ok: bool


def diagnose(source: str | None = None, *, schema: str | None = None, config: str | Path | None = None) -> Findings:
    """Explain credentials, the API URL, the config and schema in effect and LibreOffice; try to read ``source``."""
    lines = [f"sheetkit {version()} on Python {sys.version.split()[0]}"]
    ok = True
    lines += _credentials()
    lines.append(_api_line())
    config_lines, loaded, config_ok = _config(config)
    lines += config_lines
    ok &= config_ok
    schema_object: Any = None
    try:
        if schema is not None or loaded is None:
            from sheetkit.core.schema_file import load_schema

            schema_object = load_schema(schema)
            lines.append(f"Schema: {schema_object.name} ({_schema_where(schema_object)})")
        else:
            schema_object = loaded.schema
            lines.append(f"Schema: {schema_object.name} from the config ({_schema_where(schema_object)})")
    except SheetkitError as exc:
        lines.append(f"Schema: cannot be used: {exc}")
        ok = False
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    lines.append(
        f"LibreOffice: {soffice}" if soffice else "LibreOffice: not found (only the interop checks need it)"
    )
    if source is not None:
        readable, line = _try_read(source, schema_object)
        lines.append(line)
        ok &= readable
    return Findings(tuple(lines), ok)


def _credentials() -> list[str]:
    """The credentials sheetkit would use, described: file, how found, kind, who to share with."""
    from sheetkit.errors import CredentialsError
    from sheetkit.google.client import credentials_file, load_credentials, share_with

    found = credentials_file()
    if found is None:
        return ["Google credentials: none found (needed for Google Sheets only)"]
    path, how = found
    try:
        credentials = load_credentials(required=False)
    except CredentialsError as exc:
        return [f"Google credentials: {path} (found by {how}) cannot be used: {exc}"]
    email = getattr(credentials, "service_account_email", None)
    kind = "a service-account key" if email else "an OAuth login (authorized user)"
    lines = [f"Google credentials: {path} (found by {how}), {kind}"]
    lines.append(f"Share the Google Sheet with: {share_with(credentials)}")
    return lines


def _api_line() -> str:
    from sheetkit.google.client import API_URL_ENV, api_url

    override = api_url()
    if override:
        return f"Sheets API: {override} (overridden by {API_URL_ENV}; unset it to reach Google)"
    return "Sheets API: https://sheets.googleapis.com (Google; not overridden)"


def _config(given: str | Path | None) -> tuple[list[str], Any, bool]:
    from sheetkit.config import find_config, load_config

    path = Path(given) if given is not None else find_config()
    if path is None:
        return ["Config: none (no sheetkit.toml or [tool.sheetkit] in pyproject.toml here)"], None, True
    try:
        loaded = load_config(path)
    except SheetkitError as exc:
        return [f"Config: cannot be used: {exc}"], None, False
    names = ", ".join(s.name for s in loaded.sources)
    lines = [f"Config: {path} ({len(loaded.sources)} source(s): {names})"]
    notify = loaded.notify
    if notify is not None:
        ways = (["email to " + ", ".join(notify.email_to)] if notify.email_to else []) + (
            ["a webhook"] if notify.webhook_url else []
        )
        lines.append(f"Digest: {' and '.join(ways)}")
    return lines, loaded, True


def _try_read(source: str, schema: Any) -> tuple[bool, str]:
    from sheetkit.api import check

    try:
        checked = check(source, schema=schema)
    except SheetkitError as exc:
        return False, f"{source}: cannot be read: {exc}"
    return True, f"{source}: can be read: {checked.report.summary()}"


def _schema_where(schema: Any) -> str:
    return "bundled with sheetkit" if getattr(schema, "bundled", False) else str(getattr(schema, "path", "") or "?")


def version() -> str:
    """sheetkit's installed version (importlib.metadata is slow to import: only when asked)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sheetkit")
    except PackageNotFoundError:
        return "0+unknown"
