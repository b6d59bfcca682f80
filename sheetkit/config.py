"""The config file for scheduled runs: sheetkit.toml, or [tool.sheetkit] in pyproject.toml.

    [sheetkit]
    schema = "recruiter_contacts"          # bundled name or a path (relative to this file)
    timezone = "America/New_York"          # what "today" means for the computed columns
    day_first = true                       # optional: "3/4/2026" is 3 April (false: March 4; "auto")

    [sheetkit.rules]                       # optional overrides of the schema's numbers
    non_responsive_follow_ups = 4
    cadence_days = { contacted = 5 }

    [[sheetkit.sources]]
    name = "team workbook"
    path = "contacts.xlsx"                 # relative to this file
    output = "refreshed/contacts.xlsx"     # optional: write a copy instead of in place
    # sync_with = "https://docs.google.com/spreadsheets/d/<id>/edit"   # optional: sync after refresh

    [[sheetkit.sources]]
    name = "shared sheet"
    url = "https://docs.google.com/spreadsheets/d/<id>/edit#gid=0"
    sheet = "Contacts"                     # optional worksheet
    aids = true                            # optional: keep the sheet aids (or a list, or false)

    [sheetkit.notify]                      # optional: a digest after each run that finds something
    email_to = ["jo@example.org"]
    email_from = "sheetkit@example.org"
    smtp_url = "smtp://jo@mail.example.org:587"   # or smtps://; password: SHEETKIT_SMTP_PASSWORD
    webhook_url = "https://hooks.slack.com/services/..."   # and/or a Slack-compatible webhook

Mistakes are reported with the file and key; unknown keys are errors, not ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetkit.core.schema import NonResponsiveRule, Schema
from sheetkit.core.schema_file import load_schema
from sheetkit.errors import ConfigError

CONFIG_NAMES = ("sheetkit.toml",)


@dataclass(frozen=True)
class Source:
    """One sheet a scheduled refresh keeps up to date."""

    name: str
    path: Path | None = None
    url: str | None = None
    sheet: str | None = None
    output: Path | None = None
    aids: bool | tuple[str, ...] | None = None  # the sheet aids this source keeps (None: the schema's)
    sync_with: str | None = None  # a Google Sheet the workbook is synced with after its refresh

    @property
    def target(self) -> str | Path:
        return self.url if self.url is not None else self.path  # type: ignore[return-value]


@dataclass(frozen=True)
class Notify:
    """Where the digest goes: email through an SMTP server, and/or a Slack-compatible webhook.

    The SMTP password is never in the file: it comes from SHEETKIT_SMTP_PASSWORD when sent.
    """

    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_url: str | None = None
    webhook_url: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    schema: Schema
    sources: tuple[Source, ...] = field(default_factory=tuple)
    notify: Notify | None = None


_TOP = {"schema", "timezone", "day_first", "date_format", "rules", "sources", "notify"}
_NOTIFY = {"email_to", "email_from", "smtp_url", "webhook_url"}
_RULES = {"non_responsive_follow_ups", "non_responsive_channels", "non_responsive_cadence_days", "cadence_days"}
_SOURCE = {"name", "path", "url", "sheet", "output", "aids", "sync_with"}


def find_config(folder: Path | None = None) -> Path | None:
    """sheetkit.toml in the folder, else a pyproject.toml there with a [tool.sheetkit] table."""
    folder = folder or Path.cwd()
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "sheetkit" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return pyproject
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None
    return None


def load_config(path: str | Path) -> Config:
    """Read and check a config file (sheetkit.toml, or a pyproject.toml with [tool.sheetkit])."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; create one with `sheetkit init`") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc})") from None
    section = data.get("tool", {}).get("sheetkit") if path.name == "pyproject.toml" else data.get("sheetkit")
    prefix = "tool.sheetkit" if path.name == "pyproject.toml" else "sheetkit"
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: no [{prefix}] table; see `sheetkit init` for a starter file")
    _no_unknown(path, prefix, section, _TOP)
    base = path.parent
    schema_ref = section.get("schema")
    if schema_ref is not None and not isinstance(schema_ref, str):
        raise ConfigError(f"{path}: {prefix}.schema must be a schema name or a path")
    if isinstance(schema_ref, str) and (schema_ref.endswith((".yaml", ".yml")) or "/" in schema_ref):
        schema_ref = str((base / schema_ref).resolve())
    schema = _override(path, prefix, load_schema(schema_ref), section)
    sources_data = section.get("sources", [])
    if not isinstance(sources_data, list) or not sources_data:
        raise ConfigError(f"{path}: add at least one [[{prefix}.sources]] table with a path or a url")
    sources = tuple(_source(path, f"{prefix}.sources[{i}]", item, base) for i, item in enumerate(sources_data))
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{path}: source names must be unique (repeated: {', '.join(duplicates)})")
    notify = _notify(path, f"{prefix}.notify", section["notify"]) if "notify" in section else None
    return Config(path=path, schema=schema, sources=sources, notify=notify)


def _notify(path: Path, key: str, table: Any) -> Notify:
    """The [notify] table, checked: complete email settings and/or a webhook, no password in a URL."""
    from urllib.parse import urlsplit

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {key} must be a table with email_to/smtp_url and/or webhook_url")
    _no_unknown(path, key, table, _NOTIFY)
    for name in ("email_from", "smtp_url", "webhook_url"):
        if name in table and (not isinstance(table[name], str) or not table[name].strip()):
            raise ConfigError(f"{path}: {key}.{name} must be a non-empty text")
    recipients = table.get("email_to", [])
    if isinstance(recipients, str):
        recipients = [recipients]
    if not isinstance(recipients, list) or not all(isinstance(r, str) and "@" in r for r in recipients):
        raise ConfigError(f'{path}: {key}.email_to must be a list of email addresses like ["jo@example.org"]')
    if not recipients and "webhook_url" not in table:
        raise ConfigError(f"{path}: {key} needs email_to (with smtp_url and email_from) or webhook_url")
    smtp_url = table.get("smtp_url")
    if recipients:
        missing = [name for name in ("smtp_url", "email_from") if name not in table]
        if missing:
            raise ConfigError(f"{path}: {key}.email_to needs {' and '.join(missing)} too")
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"{path}: {key}.smtp_url must look like smtp://host:587 or smtps://user@host:465")
        if parts.password is not None:
            raise ConfigError(
                f"{path}: {key}.smtp_url must not hold a password: set SHEETKIT_SMTP_PASSWORD instead"
            )
    webhook = table.get("webhook_url")
    if webhook is not None and urlsplit(webhook).scheme not in ("http", "https"):
        raise ConfigError(f"{path}: {key}.webhook_url must be an http(s) URL")
    return Notify(
        email_to=tuple(recipients), email_from=table.get("email_from"), smtp_url=smtp_url, webhook_url=webhook
    )


def _source(path: Path, key: str, item: Any, base: Path) -> Source:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: {key} must be a table with a path or a url")
    _no_unknown(path, key, item, _SOURCE)
    if ("path" in item) == ("url" in item):
        raise ConfigError(f"{path}: {key} needs exactly one of 'path' (a workbook) or 'url' (a Google Sheet)")
    aids = _aids(path, key, item["aids"]) if "aids" in item else None
    for name in (_SOURCE - {"aids"}) & item.keys():
        if not isinstance(item[name], str) or not item[name].strip():
            raise ConfigError(f"{path}: {key}.{name} must be a non-empty text")
    if "output" in item and "url" in item:
        raise ConfigError(f"{path}: {key}.output is for workbooks; a Google Sheet is refreshed in place")
    if "sync_with" in item and ("url" in item or "output" in item):
        raise ConfigError(f"{path}: {key}.sync_with is for a workbook refreshed in place (no url, no output)")
    local = (base / item["path"]) if "path" in item else None
    return Source(
        name=item.get("name") or (item.get("path") or item["url"]),
        path=local,
        url=item.get("url"),
        sheet=item.get("sheet"),
        output=(base / item["output"]) if "output" in item else None,
        aids=aids,
        sync_with=item.get("sync_with"),
    )


def _aids(path: Path, key: str, value: Any) -> bool | tuple[str, ...]:
    """A source's `aids`: true, false, or a list of the aids' names."""
    from sheetkit.core.schema import AID_KINDS

    if isinstance(value, bool):
        return value
    if not isinstance(value, list) or any(v not in AID_KINDS for v in value):
        raise ConfigError(
            f"{path}: {key}.aids must be true, false or a list of: {', '.join(AID_KINDS)} (got {value!r})"
        )
    return tuple(value)


def _override(path: Path, prefix: str, schema: Schema, section: dict[str, Any]) -> Schema:
    """The schema with the config's time zone, date settings and rule numbers applied."""
    changes: dict[str, Any] = {}
    if "timezone" in section:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(str(section["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{path}: {prefix}.timezone {section['timezone']!r} is not a time zone; use a name like 'Europe/Berlin'"
            ) from None
        changes["timezone"] = str(section["timezone"])
    if "day_first" in section:
        value = section["day_first"]
        if value != "auto" and not isinstance(value, bool):
            raise ConfigError(f'{path}: {prefix}.day_first must be true, false or "auto" (got {value!r})')
        changes["day_first"] = None if value == "auto" else value
    if "date_format" in section:
        changes["date_format"] = _typed(path, f"{prefix}.date_format", section["date_format"], str)
    rules = section.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{path}: {prefix}.rules must be a table")
    _no_unknown(path, f"{prefix}.rules", rules, _RULES)
    rule: NonResponsiveRule = schema.non_responsive
    if "non_responsive_follow_ups" in rules:
        count = _typed(path, f"{prefix}.rules.non_responsive_follow_ups", rules["non_responsive_follow_ups"], int)
        rule = dataclasses.replace(rule, follow_ups_at_least=count)
    if "non_responsive_channels" in rules:
        count = _typed(path, f"{prefix}.rules.non_responsive_channels", rules["non_responsive_channels"], int)
        rule = dataclasses.replace(rule, min_distinct_channels=count)
    if "non_responsive_cadence_days" in rules:
        days = _typed(path, f"{prefix}.rules.non_responsive_cadence_days", rules["non_responsive_cadence_days"], int)
        rule = dataclasses.replace(rule, cadence_days=days)
    changes["non_responsive"] = rule
    cadences = rules.get("cadence_days", {})
    if not isinstance(cadences, dict):
        raise ConfigError(f"{path}: {prefix}.rules.cadence_days must be a table like {{ contacted = 5 }}")
    statuses = dict(schema.statuses)
    for name, days in cadences.items():
        if name not in statuses:
            raise ConfigError(
                f"{path}: {prefix}.rules.cadence_days.{name}: unknown status; the statuses are: {', '.join(statuses)}"
            )
        statuses[name] = dataclasses.replace(
            statuses[name], cadence_days=_typed(path, f"{prefix}.rules.cadence_days.{name}", days, int)
        )
    changes["statuses"] = statuses
    return dataclasses.replace(schema, **changes)


def _typed(path: Path, key: str, value: Any, kind: type) -> Any:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ConfigError(f"{path}: {key} must be a whole number >= 0 (got {value!r})")
    if not isinstance(value, kind):
        raise ConfigError(f"{path}: {key} must be a {kind.__name__} (got {value!r})")
    return value


def _no_unknown(path: Path, key: str, table: dict[str, Any], allowed: set[str]) -> None:
    for name in table:
        if name not in allowed:
            raise ConfigError(f"{path}: unknown key {key}.{name}; expected one of: {', '.join(sorted(allowed))}")


STARTER = """\
# sheetkit configuration: `sheetkit refresh --config sheetkit.toml` refreshes every source below.
# Safe to run from cron: each source is locked while it runs, and an up-to-date sheet is not written.

[sheetkit]
schema = "{schema}"          # a bundled schema name, or a path to your own copy
timezone = "{timezone}"      # "today" for Days Since Contact and Next Check-In

# Override the schema's numbers here (uncomment to use):
# [sheetkit.rules]
# non_responsive_follow_ups = 3
# cadence_days = {{ contacted = 3, keep_warm = 90 }}

[[sheetkit.sources]]
name = "contacts workbook"
path = "contacts.xlsx"       # relative to this file

# [[sheetkit.sources]]
# name = "shared Google Sheet"
# url = "https://docs.google.com/spreadsheets/d/<spreadsheet id>/edit#gid=0"
"""


def starter(schema: str = "recruiter_contacts", timezone: str = "UTC") -> str:
    """The text `sheetkit init` writes."""
    return STARTER.format(schema=schema, timezone=timezone)


# ---------------------------------------------------------------- idle scheduled runs
# cron starts a refresh every few minutes; most runs find nothing new. The state file beside the
# config remembers, per source, what the last run saw (a workbook's size, mtime and hash; a Google
# Sheet's Drive modifiedTime) and under which inputs (as-of date, config and schema bytes, options).
# When all of it still holds, the run is answered from the state: no parse, at most one request.


def state_path(config_path: Path) -> Path:
    """The idle-run state beside the config: sheetkit.toml -> .sheetkit.toml.sheetkit-state.json."""
    return config_path.with_name(f".{config_path.name}.sheetkit-state.json")


@dataclass
class IdleRuns:
    """The last run of each source of a config, and what makes a run with the same inputs idle.

    ``inputs`` fingerprints what the results depend on besides the sheet itself: the as-of date
    (a new day always recomputes), the config's and the schema's bytes, the sheetkit version and
    the options a run was given. A workbook is unchanged when its size, mtime and hash (and those
    of its output copy, if any) match; a Google Sheet when Drive's ``modifiedTime`` matches.
    """

    config: Config
    inputs: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # modifiedTime read by this run's check, per source

    @classmethod
    def open(cls, config: Config, as_of: Any, options: dict[str, Any]) -> IdleRuns:
        """The state as the last run left it (nothing, if it is missing, unreadable or another version's)."""
        import hashlib
        import json
        from importlib import metadata

        digest = hashlib.sha256()
        for part in (config.path, Path(config.schema.path) if config.schema.path else None):
            try:
                digest.update(part.read_bytes() if part is not None else b"")
            except OSError:
                digest.update(b"?")
        try:
            version = metadata.version("sheetkit")
        except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout without metadata
            version = "?"
        day = config.schema.as_of(as_of).isoformat()
        inputs = json.dumps([version, day, digest.hexdigest(), options], sort_keys=True, default=str)
        try:
            entries = json.loads(state_path(config.path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entries = {}
        return cls(config, inputs, entries if isinstance(entries, dict) else {})

    def last_outcome(self, source: Source, client: Any = None) -> dict[str, Any] | None:
        """The last run's outcome when nothing it depends on changed since, else None (run it)."""
        from sheetkit.runtime.atomic import FileStamp

        entry = self.entries.get(source.name)
        if source.url is not None:
            from sheetkit.google.sheets import modified_time

            # Asked before the sheet is read, even when the run will read it anyway: a change made
            # while this run reads is then seen by the next one.
            seen = modified_time(source.url, client)
            if seen is not None:
                self.seen[source.name] = seen
        if entry is None or entry.get("inputs") != self.inputs or entry.get("target") != str(source.target):
            return None
        if source.url is not None:
            return entry["outcome"] if seen is not None and seen == entry.get("modified") else None
        stamps = [(source.path, entry.get("stamp")), (source.output, entry.get("output_stamp"))]
        for path, stamp in stamps:
            if path is None:
                continue
            if not isinstance(stamp, dict) or not FileStamp(**stamp).matches(path):
                return None
        outcome: dict[str, Any] = entry["outcome"]
        return outcome

    def remember(self, source: Source, outcome: dict[str, Any], *, wrote: bool, client: Any = None) -> None:
        """Record a finished run (its status, exit code and summary) with what the source is now."""
        import dataclasses as dc

        from sheetkit.runtime.atomic import FileStamp

        entry: dict[str, Any] = {"inputs": self.inputs, "target": str(source.target), "outcome": outcome}
        if source.url is not None:
            from sheetkit.google.sheets import modified_time

            # What this run saw before reading, unless it wrote: then the time is its own write's, asked
            # right after it (an edit landing between the write and this request waits for the next
            # change or the next day to be read).
            seen = self.seen.get(source.name) if not wrote else None
            modified = seen or modified_time(source.url, client)
            if modified is None:
                self.entries.pop(source.name, None)
                return
            entry["modified"] = modified
        else:
            try:
                entry["stamp"] = dc.asdict(FileStamp.of(source.path)) if source.path else None
                if source.output is not None:
                    entry["output_stamp"] = dc.asdict(FileStamp.of(source.output))
            except OSError:
                self.entries.pop(source.name, None)
                return
        self.entries[source.name] = entry

    def save(self) -> None:
        """Write the state beside the config, owner-only (it holds the problems' cell values)."""
        import json

        from sheetkit.runtime.atomic import atomic_replace

        target = state_path(self.config.path)
        if not target.exists():  # owner-only from the start: it names the workbooks and their problems
            with contextlib.suppress(FileExistsError):
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        known = {s.name for s in self.config.sources}
        entries = {name: entry for name, entry in self.entries.items() if name in known}
        with atomic_replace(target, backup=False) as temporary:
            temporary.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")
