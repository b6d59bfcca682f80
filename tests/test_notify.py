"""The digest after a config run, through the real CLI: a real SMTP server (aiosmtpd) and a local webhook.

Sent once, not again when nothing changed, again when a new problem appears; a server that is down
never fails the refresh; no password, key or token in any output.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import socket
import stat
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import WorkbookFactory, contact, run_sheetkit

from sheetkit.config import load_config
from sheetkit.errors import ConfigError
from sheetkit.notify import state_path

aiosmtpd = pytest.importorskip("aiosmtpd.controller")

PASSWORD = "s3cret-Pa55word-never-shown"
AS_OF = "2026-11-21"


class Inbox:
    """An aiosmtpd handler keeping every message it was given."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


class Logins:
    """An aiosmtpd authenticator that accepts one user and password, and remembers who logged in."""

    def __init__(self) -> None:
        self.users: list[str] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        good = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == PASSWORD
        if good:
            self.users.append(auth_data.login.decode())
        return AuthResult(success=good)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[dict[str, Any]]:
    from aiosmtpd.controller import Controller

    inbox, logins = Inbox(), Logins()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=logins, auth_require_tls=False
    )
    controller.start()
    try:
        yield {"inbox": inbox, "logins": logins, "port": port}
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(json.loads(body))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"received": received, "url": f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/tok3n"}
    finally:
        server.shutdown()
        server.server_close()


def team_rows(**extra: Any) -> list[dict[str, Any]]:
    """Ana overdue (owner Sam), Bo due today (owner Kim), Cy not due."""
    return [
        contact(**{"Last Contacted": dt.datetime(2026, 11, 1), **extra}),
        contact(**{"First Name": "Bo", "Last Name": "Diaz", "Email": "bo@example.com", "Owner": "Kim",
                   "Last Contacted": dt.datetime(2026, 11, 18)}),
        contact(**{"First Name": "Cy", "Last Name": "Park", "Email": "cy@example.com", "Status": "Not looking",
                   "Last Contacted": dt.datetime(2026, 11, 20)}),
    ]


def write_config(folder: Path, notify: str, sources: str = '[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\n') -> Path:
    path = folder / "sheetkit.toml"
    path.write_text(f'[sheetkit]\nschema = "recruiter_contacts"\n\n{sources}\n[sheetkit.notify]\n{notify}')
    return path


def email_settings(port: int, user: str = "jo") -> str:
    return (
        'email_to = ["jo@example.org", "sam@example.org"]\nemail_from = "sheetkit@example.org"\n'
        f'smtp_url = "smtp://{user}@127.0.0.1:{port}"\n'
    )


def refresh(config: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return run_sheetkit(
        "--log-format", "json", "refresh", "--config", str(config), "--as-of", AS_OF, *extra,
        env={"SHEETKIT_SMTP_PASSWORD": PASSWORD, **(env or {})},
    )


def test_sent_once_not_again_then_again_for_a_new_problem(
    make_workbook: WorkbookFactory, tmp_path: Path, smtp: dict[str, Any]
) -> None:
    make_workbook(team_rows(), name="team.xlsx")
    config = write_config(tmp_path, email_settings(smtp["port"]))
    outputs = []

    first = refresh(config)
    outputs.append(first)
    assert first.returncode == 0, first.stderr
    assert len(smtp["inbox"].messages) == 1
    recipients, message = smtp["inbox"].messages[0]
    assert recipients == ["jo@example.org", "sam@example.org"] and smtp["logins"].users == ["jo"]
    body = message.get_content().replace("\r\n", "\n")
    assert message["Subject"] == "sheetkit: 2 due"
    assert "team, owner Kim:\n    Bo Diaz <bo@example.com>, Contacts!A3: due today" in body
    assert "team, owner Sam:\n    Ana Lima <ana.lima@example.com>, Contacts!A2: 17 days overdue" in body
    assert "Cy Park" not in body
    state = state_path(config)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600

    again = refresh(config)  # nothing changed: nothing sent
    outputs.append(again)
    assert again.returncode == 0 and len(smtp["inbox"].messages) == 1

    workbook = openpyxl.load_workbook(tmp_path / "team.xlsx")
    workbook["Contacts"]["C4"] = "cy-at-example"  # a new problem
    workbook.save(tmp_path / "team.xlsx")
    third = refresh(config)
    outputs.append(third)
    assert third.returncode == 1 and len(smtp["inbox"].messages) == 2
    _, message = smtp["inbox"].messages[1]
    body = message.get_content().replace("\r\n", "\n")
    assert message["Subject"] == "sheetkit: 2 due, 1 new problem"
    assert "New problems since the last digest:\n  team:\n    error: Contacts!C4: 'cy-at-example'" in body

    fourth = refresh(config)  # the same problem again: told already, nothing changed
    outputs.append(fourth)
    assert len(smtp["inbox"].messages) == 2
    assert_no_secrets(outputs, tmp_path)


def assert_no_secrets(outputs: list[Any], folder: Path, *secrets: str) -> None:
    """No password (or other secret) in stdout, stderr or any file sheetkit left beside the config."""
    for secret in (PASSWORD, *secrets):
        for result in outputs:
            assert secret not in result.stdout and secret not in result.stderr
        for path in folder.iterdir():
            if path.is_file() and path.suffix != ".toml":
                assert secret.encode() not in path.read_bytes(), path


def test_smtp_down_the_refresh_still_succeeds_and_the_error_is_logged(
    make_workbook: WorkbookFactory, tmp_path: Path
) -> None:
    make_workbook(team_rows(), name="team.xlsx")
    config = write_config(tmp_path, email_settings(free_port()))
    result = refresh(config)
    assert result.returncode == 0
    logs = [json.loads(line) for line in result.stderr.splitlines()]
    errors = [entry for entry in logs if entry["level"] == "error"]
    assert len(errors) == 1 and errors[0]["message"].startswith("digest not sent: email through 127.0.0.1:")
    assert "connection refused" in errors[0]["message"]
    workbook = openpyxl.load_workbook(tmp_path / "team.xlsx")
    assert workbook["Contacts"]["P1"].value == "Days Since Contact"  # the refresh was kept
    assert not state_path(config).exists()  # not remembered as sent: the next run tries again
    assert_no_secrets([result], tmp_path)


def test_webhook_gets_slack_json_and_its_url_is_never_shown(
    make_workbook: WorkbookFactory, tmp_path: Path, webhook: dict[str, Any]
) -> None:
    book_path = make_workbook(team_rows(), name="team.xlsx")
    book = openpyxl.load_workbook(book_path)
    book["Contacts"]["C4"] = "<!channel>"  # a cell value in a problem message must not ping a Slack channel
    book.save(book_path)
    sources = (
        '[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\n\n'
        '[[sheetkit.sources]]\nname = "lost"\npath = "missing.xlsx"\n'
    )
    config = write_config(tmp_path, f'webhook_url = "{webhook["url"]}"\n', sources)
    result = refresh(config, "--verbose")
    assert result.returncode == 2, result.stderr  # the missing source; the digest says so
    assert len(webhook["received"]) == 1
    text = webhook["received"][0]["text"]
    assert text.startswith("*sheetkit: 2 due, 1 new problem, 1 failed source*\n")
    assert "Sources that failed:\n  lost: " in text and "missing.xlsx" in text
    assert "Ana Lima &lt;ana.lima@example.com&gt;, Contacts!A2: 17 days overdue" in text  # Slack's escaping
    assert "<" not in text and "&lt;!channel&gt;" in text
    assert "tok3n" not in result.stderr and "tok3n" not in result.stdout


def test_notify_dry_run_prints_instead_of_sending(
    make_workbook: WorkbookFactory, tmp_path: Path, smtp: dict[str, Any]
) -> None:
    make_workbook(team_rows(), name="team.xlsx")
    config = write_config(tmp_path, email_settings(smtp["port"]))
    result = refresh(config, "--notify-dry-run")
    assert result.returncode == 0
    assert "--- digest (would be sent) ---\nSubject: sheetkit: 2 due" in result.stdout
    assert "Bo Diaz <bo@example.com>, Contacts!A3: due today" in result.stdout
    assert smtp["inbox"].messages == [] and not state_path(config).exists()


@pytest.mark.parametrize(
    ("notify", "message"),
    [
        ('email_to = ["jo@example.org"]\n', "email_to needs smtp_url and email_from too"),
        ('email_to = ["jo@example.org"]\nemail_from = "a@b.c"\nsmtp_url = "smtp://jo:pw@host:25"\n', "must not hold a password"),
        ('email_to = ["jo@example.org"]\nemail_from = "a@b.c"\nsmtp_url = "http://host"\n', "smtp://host:587"),
        ('webhook_url = "ftp://x"\n', "webhook_url must be an http(s) URL"),
        ('email_from = "a@b.c"\n', "needs email_to (with smtp_url and email_from) or webhook_url"),
        ('emails = ["a@b.c"]\n', "unknown key sheetkit.notify.emails"),
    ],
)
def test_notify_settings_mistakes_are_named(tmp_path: Path, notify: str, message: str) -> None:
    config = write_config(tmp_path, notify)
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        load_config(config)
    assert "pw@" not in str(error.value)


def test_state_file_is_private_even_beside_a_readable_config(tmp_path: Path) -> None:
    from sheetkit.notify import Digest, save_state

    config = tmp_path / "sheetkit.toml"
    config.write_text("")
    os.chmod(config, 0o644)
    save_state(state_path(config), Digest("s", "t", "f", ("k",), True))
    assert stat.S_IMODE(state_path(config).stat().st_mode) == 0o600


def test_sync_conflicts_of_a_sync_with_source_are_in_the_digest(google_env: Any, tmp_path: Path) -> None:
    from test_sync import AS_OF as SYNC_AS_OF
    from test_sync import HEADER, ROWS, edit_local, gsheet, workbook

    from sheetkit.syncing.engine import sync

    path = workbook(tmp_path / "team.xlsx")
    key = google_env.create_spreadsheet("Pipeline", {"Contacts": [HEADER, *ROWS]})
    assert sync(path, key, as_of=SYNC_AS_OF).exit_code == 0
    edit_local(path, F2="prefers email")
    gsheet(google_env, key).update([["call after 5pm"]], "F2", value_input_option="RAW")
    sources = f'[[sheetkit.sources]]\nname = "team"\npath = "team.xlsx"\nsync_with = "{key}"\n'
    config = write_config(tmp_path, 'webhook_url = "http://127.0.0.1:9/hook"\n', sources)
    env = {"SHEETKIT_SHEETS_API_URL": google_env.url}
    result = refresh(config, "--notify-dry-run", "--format", "json", env=env)
    assert result.returncode == 1, result.stderr
    source, digest = (json.loads(line) for line in result.stdout.splitlines())
    assert source["status"] == "problems" and len(source["sync_conflicts"]) == 1
    text = digest["digest"]["text"]
    assert "Sync conflicts (left as they are):\n  team: Ana <ana@example.com>: Notes" in text
    assert "'prefers email'" in text and "'call after 5pm'" in text and "Contacts!F2" in text
    assert "1 sync conflict" in digest["digest"]["subject"]


def test_sync_with_is_for_a_workbook_refreshed_in_place(tmp_path: Path) -> None:
    sources = '[[sheetkit.sources]]\nname = "t"\npath = "t.xlsx"\noutput = "o.xlsx"\nsync_with = "abc"\n'
    config = write_config(tmp_path, 'webhook_url = "http://127.0.0.1:9/hook"\n', sources)
    with pytest.raises(ConfigError, match="sync_with is for a workbook refreshed in place"):
        load_config(config)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here (never a real one)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_starttls_is_used_when_offered(make_workbook: WorkbookFactory, tmp_path: Path) -> None:
    import ssl

    from aiosmtpd.controller import Controller

    certs = tmp_path / "certs"
    certs.mkdir()
    cert, key = _self_signed(certs)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, logins = Inbox(), Logins()
    port = free_port()
    # the server takes AUTH only after STARTTLS: a password can only reach it encrypted
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=logins, tls_context=context, require_starttls=True
    )
    controller.start()
    try:
        make_workbook(team_rows(), name="team.xlsx")
        config = write_config(tmp_path, email_settings(port))
        result = refresh(config, env={"SSL_CERT_FILE": str(cert)})
    finally:
        controller.stop()
    assert result.returncode == 0 and "error" not in result.stderr, result.stderr
    assert len(inbox.messages) == 1 and logins.users == ["jo"]
