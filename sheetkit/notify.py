"""The digest after a config run: who is due, new problems, sync conflicts and failed sources.

People who run sheetkit from cron want to be told when something needs them, not to read logs.
After ``sheetkit refresh --config ...`` one message is built for the whole run (who is due today
or overdue, per owner where the sheet has owners; validation problems new since the last digest;
sync conflicts; sources that failed), each line naming the sheet and cell. It is sent, by email
and/or to a Slack-compatible webhook ([sheetkit.notify] in the config), only when what needs
attention differs from the last digest sent: the state (a fingerprint and the problems already
told) is kept beside the config, owner-only. A failed send is logged as an error; it never fails
or undoes the refresh. Who is due comes from :func:`sheetkit.core.facts.due_rows` (one home).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetkit.config import Config, Notify

if TYPE_CHECKING:
    from sheetkit.api import RefreshResult

log = logging.getLogger("sheetkit.notify")

PASSWORD_ENV = "SHEETKIT_SMTP_PASSWORD"
SEND_TIMEOUT = 15.0  # seconds for a mail server or webhook to answer once connected
MAX_LINES = 50  # per section and source: a digest is read on a phone


@dataclass(frozen=True)
class SourceRun:
    """What one source of a config run gave: its refresh result, or why it failed, and any sync conflicts."""

    name: str
    result: RefreshResult | None = None
    error: str | None = None
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Digest:
    """One message for a run.

    Attributes:
        fingerprint: a hash of everything that needs attention (not of the wording or the time):
            equal fingerprints mean nothing changed, so nothing is sent.
        problems: every current problem's key, remembered when sent so the next digest tells only new ones.
        needs_attention: False when there is nothing to tell (nothing due, no problem, no failure).
    """

    subject: str
    text: str
    fingerprint: str
    problems: tuple[str, ...]
    needs_attention: bool


def sync_conflicts(result: Any) -> tuple[str, ...]:
    """The open conflicts of a SyncResult, each named by person and both cells (as the sync plan names them)."""
    plan = result.plan
    open_ones = [*plan.conflicts, *(c for c in plan.row_conflicts if not c.winner)]
    view = result.view
    return tuple(view.describe(c) if view is not None else str(c) for c in open_ones)


def state_path(config_path: Path) -> Path:
    """Where the last digest sent is remembered: .sheetkit.toml.sheetkit-notify.json beside the config."""
    return config_path.with_name(f".{config_path.name}.sheetkit-notify.json")


def build_digest(config_path: Path, runs: Sequence[SourceRun], *, told: Sequence[str] = ()) -> Digest:
    """The digest for ``runs``; ``told`` holds the problem keys a digest already sent named (not new)."""
    seen = set(told)
    due_lines: list[str] = []
    problem_lines: list[str] = []
    conflict_lines: list[str] = []
    failed_lines: list[str] = []
    keys: list[str] = []
    facts: list[Any] = []
    counts = {"due": 0, "new": 0, "open": 0}
    as_of: dt.date | None = None
    for run in runs:
        if run.error is not None:
            failed_lines.append(f"  {run.name}: {run.error}")
            facts.append(["failed", run.name, run.error])
        conflict_lines.extend(f"  {run.name}: {c}" for c in run.conflicts)
        facts.extend(["conflict", run.name, c] for c in run.conflicts)
        if run.result is None:
            continue
        checked = run.result.checked
        as_of = as_of or checked.as_of
        lines, told_due = _due(run.name, checked, run.result.report.source)
        due_lines += lines
        facts += told_due
        counts["due"] += len(told_due)
        problems = [p for p in run.result.report.problems if p.severity in ("error", "warning")]
        new = []
        for problem in problems:
            key = "|".join((run.name, problem.cell, problem.rule, problem.message))
            keys.append(key)
            if key not in seen:
                new.append(problem)
        counts["new"] += len(new)
        counts["open"] += len(problems) - len(new)
        if new:
            problem_lines.append(f"  {run.name}:")
            problem_lines.extend(f"    {p.severity}: {p}" for p in new[:MAX_LINES])
            if len(new) > MAX_LINES:
                more = len(new) - MAX_LINES
                problem_lines.append(f"    ... and {more} more: sheetkit validate {run.result.report.source}")
    facts.extend(["problem", key] for key in sorted(keys))
    sections = [
        ("Due today and overdue", due_lines),
        ("New problems since the last digest", problem_lines),
        ("Sync conflicts (left as they are)", conflict_lines),
        ("Sources that failed", failed_lines),
    ]
    when = f" as of {as_of.isoformat()}" if as_of else ""
    body = [f"sheetkit digest for {config_path}{when}", ""]
    for title, lines in sections:
        if lines:
            body += [f"{title}:", *lines, ""]
    if counts["open"]:
        body.append(f"{counts['open']} problem(s) told before are still open: sheetkit validate SOURCE for the cells.")
    summary = [
        f"{counts['due']} due" if counts["due"] else "",
        f"{counts['new']} new problem{'s' if counts['new'] != 1 else ''}" if counts["new"] else "",
        f"{len(conflict_lines)} sync conflict{'s' if len(conflict_lines) != 1 else ''}" if conflict_lines else "",
        f"{len(failed_lines)} failed source{'s' if len(failed_lines) != 1 else ''}" if failed_lines else "",
    ]
    subject = "sheetkit: " + (", ".join(s for s in summary if s) or "problems still open")
    fingerprint = hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()
    return Digest(subject, "\n".join(body).rstrip() + "\n", fingerprint, tuple(sorted(keys)), bool(facts))


def _due(name: str, checked: Any, source: str) -> tuple[list[str], list[list[Any]]]:
    """Lines for who is due today or overdue in one source (grouped by owner where the sheet has owners)."""
    from sheetkit.core.facts import due_rows, due_text

    due = due_rows(checked)
    lines: list[str] = []
    told: list[list[Any]] = []
    has_owners = "owner" in checked.normalized.frame
    owners = due["owner"].fillna("(no owner)") if has_owners else None
    groups = due.groupby(owners, sort=True) if owners is not None else [(None, due)]
    for owner, rows in groups:
        if rows.empty:
            continue
        lines.append(f"  {name}" + (f", owner {owner}:" if owner is not None else ":"))
        records: list[dict[Any, Any]] = rows.to_dict("records")
        for row in records:
            who = str(row["name"]) + (f" <{row['email']}>" if row["email"] else "")
            lines.append(f"    {who}, {row['cell']}: {due_text(int(row['days_overdue']))}")
            told.append(["due", name, row["cell"], who, int(row["days_overdue"])])
        if len(records) > MAX_LINES:
            del lines[len(lines) - (len(records) - MAX_LINES) :]
            lines.append(f"    ... and {len(records) - MAX_LINES} more: sheetkit due {source}")
    return lines, told


def load_state(path: Path) -> dict[str, Any]:
    """The last digest sent ({} when none, or when the file cannot be used: then the next one is sent)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(path: Path, digest: Digest) -> None:
    """Remember ``digest`` as the last one sent; the file is owner-only (it names people and problems)."""
    from sheetkit.runtime.atomic import atomic_replace

    with contextlib.suppress(FileExistsError):
        path.touch(mode=0o600, exist_ok=False)  # atomic_replace keeps an existing file's permissions
    os.chmod(path, 0o600)
    state = {
        "fingerprint": digest.fingerprint,
        "problems": list(digest.problems),
        "sent": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with atomic_replace(path, backup=False) as temporary:
        temporary.write_text(json.dumps(state, indent=1), encoding="utf-8")


def digest_after_run(config: Config, runs: Sequence[SourceRun], *, dry_run: bool = False) -> tuple[Digest, bool]:
    """Build the run's digest and send it where the config says, if it changed since the last one sent.

    Returns the digest and whether it is (or, with ``dry_run``, would be) sent. With ``dry_run``
    nothing is sent and the state is left alone. A failed send is logged as an error and the
    state is left alone, so the next run tries again; nothing is raised.
    """
    path = state_path(config.path)
    previous = load_state(path)
    digest = build_digest(config.path, runs, told=previous.get("problems") or ())
    changed = digest.fingerprint != previous.get("fingerprint")
    wanted = changed and digest.needs_attention
    if dry_run:
        return digest, wanted
    if not wanted:
        if changed:  # all clear: remember it, so the same trouble coming back is told again
            _save_quietly(path, digest)
        log.info("digest not sent: %s", "nothing needs attention" if changed else "nothing changed since the last one")
        return digest, False
    if config.notify is None:
        return digest, False
    failures = send(config.notify, digest)
    for failure in failures:
        log.error("digest not sent: %s", failure, extra={"status": "notify_failed"})
    if len(failures) < _channels(config.notify):
        _save_quietly(path, digest)
    return digest, not failures


def _save_quietly(path: Path, digest: Digest) -> None:
    from sheetkit.errors import SheetkitError

    try:
        save_state(path, digest)
    except (OSError, SheetkitError) as exc:
        log.error("cannot remember the digest in %s (%s); the next run may send it again", path, exc)


def _channels(notify: Notify) -> int:
    return int(bool(notify.email_to)) + int(notify.webhook_url is not None)


def send(notify: Notify, digest: Digest) -> list[str]:
    """Send ``digest`` by email and/or webhook; returns what failed, in words without secrets."""
    failures = []
    if notify.email_to:
        try:
            send_email(notify, digest)
            log.info("digest emailed to %d recipient(s)", len(notify.email_to))
        except Exception as exc:  # any failure to send is reported, never raised into the refresh
            failures.append(_scrub(f"email through {_server(notify)}: {_reason(exc)}"))
    if notify.webhook_url is not None:
        try:
            post_webhook(notify.webhook_url, digest)
            log.info("digest posted to the webhook")
        except Exception as exc:
            failures.append(_scrub(f"webhook at {_host(notify.webhook_url)}: {_reason(exc)}"))
    return failures


def send_email(notify: Notify, digest: Digest) -> None:
    """One plain-text email through ``smtp_url``: smtps:// is TLS from the start, smtp:// uses STARTTLS when
    offered; the user comes from the URL and the password from SHEETKIT_SMTP_PASSWORD. A password is never
    sent unencrypted to a server other than this machine."""
    import smtplib
    import ssl
    from email.message import EmailMessage
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(notify.smtp_url or "")
    secure = parts.scheme == "smtps"
    host = parts.hostname or ""
    user = unquote(parts.username) if parts.username else None
    password = os.environ.get(PASSWORD_ENV) or None
    if user and password is None:
        raise _Refused(f"smtp_url names the user {user!r} but {PASSWORD_ENV} is not set")
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = notify.email_from or ""
    message["To"] = ", ".join(notify.email_to)
    message.set_content(digest.text)
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if secure:
        server = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SEND_TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(host, parts.port or 25, timeout=SEND_TIMEOUT)
    with server:
        server.ehlo()
        encrypted = secure
        if not secure and server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
            encrypted = True
        if user and password is not None:
            if not encrypted and host not in ("127.0.0.1", "::1", "localhost"):
                raise _Refused(
                    "the server offers no STARTTLS and sheetkit will not send the password unencrypted: "
                    "use smtps:// or port 587"
                )
            server.login(user, password)
        server.send_message(message)


def post_webhook(url: str, digest: Digest) -> None:
    """POST ``{"text": ...}`` (what Slack, Mattermost and Teams incoming webhooks take); a non-2xx is a failure."""
    import requests

    from sheetkit.google.transport import CONNECT_TIMEOUT

    # Slack reads <...> as links and mentions: a cell holding <!channel> must not ping everyone.
    text = f"*{digest.subject}*\n{digest.text}".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    response = requests.post(url, json={"text": text}, timeout=(CONNECT_TIMEOUT, SEND_TIMEOUT))
    if not 200 <= response.status_code < 300:
        raise _Refused(f"it answered {response.status_code} {response.reason}")


class _Refused(Exception):
    """A send sheetkit gave up on, with the reason in words (caught in :func:`send`, never raised further)."""


def _reason(exc: BaseException) -> str:
    """Why a send failed, in words that hold no URL (a webhook URL is a secret) and no password."""
    import requests

    if isinstance(exc, _Refused):
        return str(exc)
    if isinstance(exc, requests.RequestException):
        from sheetkit.google.client import connection_failure

        return connection_failure(exc)
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"{type(exc).__name__}: {exc}"


def _scrub(text: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    return text.replace(password, "***") if password else text


def _server(notify: Notify) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(notify.smtp_url or "")
    return f"{parts.hostname}:{parts.port or (465 if parts.scheme == 'smtps' else 25)}"


def _host(url: str) -> str:
    """Only the host of a webhook URL: its path is the secret that lets anyone post."""
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "?"
