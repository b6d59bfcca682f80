"""The `sheetkit` command: a thin layer over the library.

It parses options, calls :mod:`sheetkit.api`, prints results, and turns sheetkit errors into
one-line messages and exit codes: 0 all good, 1 the sheet has problems (work that could be done
was done), 2 usage, configuration or I/O error. Heavy libraries are imported only when a
command runs, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from sheetkit.scheduled import EXIT_ERROR, EXIT_OK, problems_line, refresh_config, run_options

_DESCRIPTION = "Validate a contact spreadsheet against a schema and keep its computed columns up to date."
_EPILOG = """exit codes: 0 all good; 1 the sheet has validation problems (work that could be done was done);
2 usage, configuration, credentials or I/O error.

examples:
  sheetkit validate contacts.xlsx
  sheetkit refresh contacts.xlsx --as-of 2026-11-21
  sheetkit refresh contacts.xlsx --output refreshed.xlsx --format json
  sheetkit refresh https://docs.google.com/spreadsheets/d/<id>/edit#gid=0
  sheetkit pull https://docs.google.com/spreadsheets/d/<id>/edit contacts.xlsx
  sheetkit push contacts.xlsx https://docs.google.com/spreadsheets/d/<id>/edit

Google credentials: a service-account key at ~/.config/gspread/service_account.json, an OAuth
login saved by gspread, or SHEETKIT_CREDENTIALS=/path/to/key.json."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors that point to --help (its usage block is noise in cron mail)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value} (leave it out for the default)")
    return value


def _score(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"a score is 0 to 100, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sheetkit", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what sheetkit does (to stderr)")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or chatter; problems and errors are still said"
    )
    parser.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="log lines as text or JSON (for log collectors)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)

    base = _Parser(add_help=False)
    base.add_argument(
        "--schema", metavar="S", help="schema YAML file or bundled schema name (default: recruiter_contacts)"
    )
    base.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    base.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    base.add_argument("--log-format", choices=("text", "json"), default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    options = _Parser(add_help=False, parents=[base])
    options.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    where = _Parser(add_help=False)
    where.add_argument("--sheet", metavar="NAME", help="worksheet name (default: the first sheet)")
    where.add_argument("--as-of", metavar="DATE", help="treat DATE (YYYY-MM-DD) as today (default: today)")

    source_help = "a workbook (.xlsx, .xlsm, .xls), a .csv file, or a Google Sheets URL or id"
    common = _Parser(add_help=False, parents=[options, where])
    common.add_argument("path", metavar="SOURCE", help=source_help)

    commands.add_parser(
        "validate",
        parents=[common],
        help="check a sheet and report every problem by cell",
        description="Check a sheet against the schema and report every problem by cell. Writes nothing.",
    )
    refresh = commands.add_parser(
        "refresh",
        parents=[options, where],
        help="validate, compute the computed columns and write them back",
        description=(
            "Validate the sheet, compute Days Since Contact, Non-Responsive and Next Check-In, and write "
            "only the cells that change back into the workbook (atomically, keeping a backup)."
        ),
    )
    refresh.add_argument("path", metavar="SOURCE", nargs="?", help=source_help + " (or use --config)")
    refresh.add_argument(
        "--config",
        metavar="FILE",
        help="refresh every source in a config file (default when no SOURCE: ./sheetkit.toml or pyproject.toml)",
    )
    refresh.add_argument("--output", metavar="OUT", help="write the refreshed workbook here instead of in place")
    refresh.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    refresh.add_argument(
        "--force",
        action="store_true",
        help="with a config: read and recompute every source even when nothing changed since the last run",
    )
    refresh.add_argument(
        "--notify-dry-run", action="store_true", help="with a config: print the digest instead of sending it"
    )
    refresh.add_argument(
        "--allow-signed",
        action="store_true",
        help="write into a digitally signed workbook anyway (its signature will no longer hold)",
    )
    refresh.add_argument(
        "--no-backup", action="store_true", help="do not keep the previous file as NAME.sheetkit-backup.xlsx"
    )
    aids = refresh.add_mutually_exclusive_group()
    aids.add_argument(
        "--aids",
        action="store_true",
        default=None,
        help="keep sheet aids in the sheet: Status dropdown, highlighted rows, notes on problem cells",
    )
    aids.add_argument(
        "--no-aids", dest="aids", action="store_false", help="remove sheetkit's own sheet aids (nothing else)"
    )
    refresh.add_argument(
        "--engine",
        choices=("package", "auto", "openpyxl"),
        default="package",
        help=(
            "how to write .xlsx: package (default) edits the file in place and refuses what it cannot edit "
            "without loss; openpyxl rewrites the whole workbook (drops cached formula results and what "
            "openpyxl does not model); auto tries package, then openpyxl"
        ),
    )
    pull = commands.add_parser(
        "pull",
        parents=[options],
        help="copy a Google worksheet into a workbook (only changed cells)",
        description=(
            "Copy a Google worksheet into OUT.xlsx: a new workbook, or only the changed cells of the "
            "same-named sheet of an existing one (atomically, keeping a backup). Dates stay dates."
        ),
    )
    pull.add_argument("url", metavar="URL", help="Google Sheets URL or spreadsheet id")
    pull.add_argument("output", metavar="OUT", help="the .xlsx file to create or update")
    pull.add_argument("--worksheet", metavar="NAME", help="Google worksheet (default: the URL's gid, else the first)")
    pull.add_argument("--sheet", metavar="NAME", help="local sheet to update (default: same name as the worksheet)")
    pull.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    pull.add_argument("--no-backup", action="store_true", help="do not keep the previous file as a backup")
    push = commands.add_parser(
        "push",
        parents=[options],
        help="copy a workbook's sheet to a Google worksheet (only changed cells, RAW)",
        description=(
            "Make a Google worksheet hold the values of a local sheet: one RAW values:batchUpdate of the "
            "changed cells, plus rows added or removed as needed."
        ),
    )
    push.add_argument("path", metavar="PATH", help="the local workbook or .csv file")
    push.add_argument("url", metavar="URL", help="Google Sheets URL or spreadsheet id")
    push.add_argument("--sheet", metavar="NAME", help="local sheet (default: the first)")
    push.add_argument(
        "--worksheet", metavar="NAME", help="Google worksheet (default: the URL's gid, else the local sheet's name)"
    )
    push.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    sync = commands.add_parser(
        "sync",
        parents=[options],
        help="two-way sync of a workbook and a Google Sheet (three-way merge, no lost edits)",
        description=(
            "Bring a workbook and a Google worksheet to the same content. Edits made on one side since the "
            "last sync are copied to the other; an edit made on both sides differently is a conflict, left "
            "as it is and reported (exit 1) unless --prefer says which side wins. The plan is printed first."
        ),
    )
    sync.add_argument("path", metavar="PATH", help="the local .xlsx/.xlsm workbook")
    sync.add_argument("url", metavar="URL", help="Google Sheets URL or spreadsheet id")
    sync.add_argument("--sheet", metavar="NAME", help="local sheet (default: the first)")
    sync.add_argument("--worksheet", metavar="NAME", help="Google worksheet (default: the URL's gid, else the first)")
    sync.add_argument("--prefer", choices=("local", "remote"), help="which side wins a conflict (default: neither)")
    sync.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    sync.add_argument(
        "--allow-mass-delete", action="store_true", help="allow deleting more than the schema's share of rows"
    )
    sync.add_argument("--as-of", metavar="DATE", help="treat DATE (YYYY-MM-DD) as today for the computed columns")
    sync.add_argument(
        "--rebase",
        action="store_true",
        help="start over with these two sheets: ignore the last sync's state (both copies compared as new)",
    )
    report = commands.add_parser(
        "report",
        parents=[common],
        help="counts, who is due, and charts; as text or a self-contained HTML page",
        description=(
            "Summarise a sheet: rows, problems, non-responsive, due today and overdue, and the due list. "
            "--html writes a self-contained page with the charts (check-ins due per week, contacts by status) "
            "embedded; --charts writes the charts as PNG files."
        ),
    )
    report.add_argument("--html", metavar="FILE", help="write the report as one self-contained HTML file")
    report.add_argument("--charts", metavar="DIR", help="also save the charts as PNG files in DIR")
    lists = _Parser(add_help=False, parents=[base, where])
    lists.add_argument("path", metavar="SOURCE", help=source_help)
    lists.add_argument(
        "--format", choices=("text", "json", "csv"), default="text", help="output format (default: text)"
    )
    lists.add_argument(
        "--write-sheet",
        metavar="NAME",
        nargs="?",
        const="",
        help="also write the list as a worksheet into the workbook or Google Sheet (default name: Due / Matches)",
    )
    due = commands.add_parser(
        "due",
        parents=[lists],
        help="who to contact today (or within a window), most overdue first, with the channel to use",
        description=(
            "List who to contact today (or within --within), most overdue first, with the suggested channel: "
            "where the last touches went unanswered, a different one. Do-not-contact rows never appear."
        ),
    )
    due.add_argument("--within", metavar="WINDOW", default="0", help="e.g. 7d or 2w (default: today only)")
    due.add_argument("--owner", metavar="NAME", help="only this owner's people (the Owner column)")
    match = commands.add_parser(
        "match",
        parents=[lists],
        help="people whose desired title and location fit a new role, ranked",
        description=(
            "Rank the people whose desired title (and desired location) fit a new role, with the score and why. "
            "Do-not-contact people never appear; not-looking ones only with --include-not-looking."
        ),
    )
    match.add_argument("--title", required=True, help='the role, e.g. "Data Engineer"')
    match.add_argument("--location", help="the role's location, e.g. Boston")
    match.add_argument("--remote", action="store_true", help='people who want "Remote" match any location')
    match.add_argument("--include-not-looking", action="store_true", help="also list people who are not looking")
    match.add_argument("--limit", type=_at_least_one, default=20, help="at most this many (default: 20)")
    match.add_argument(
        "--min-score", type=_score, default=60, help="lowest score listed, 0-100 (default: 60)"
    )
    dedupe = commands.add_parser(
        "dedupe",
        parents=[base, where],
        help="rows that are probably the same person, with the evidence and which row to keep",
        description=(
            "List groups of rows that are probably one person: the same email, LinkedIn profile or phone number "
            "(however written), or the same name with another field in common. Says which row to keep and why; "
            "nothing is merged or deleted."
        ),
    )
    dedupe.add_argument("path", metavar="SOURCE", help=source_help)
    dedupe.add_argument(
        "--format", choices=("text", "json", "csv"), default="text", help="output format (default: text)"
    )
    importing = commands.add_parser(
        "import",
        parents=[base],
        help="append the people of a LinkedIn Connections export who are not in the sheet yet",
        description=(
            "Read LinkedIn's Connections.csv and append, below the table, the people the sheet does not have yet "
            "(matched like `sheetkit dedupe`), with status new. People already there are reported, never changed. "
            "The plan is printed first; a workbook is written atomically with a backup."
        ),
    )
    importing.add_argument("connections", metavar="CONNECTIONS_CSV", help="LinkedIn's Connections.csv export")
    importing.add_argument("target", metavar="TARGET", help="the workbook, or a Google Sheets URL or id")
    importing.add_argument("--sheet", metavar="NAME", help="worksheet name (default: the first sheet)")
    importing.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    importing.add_argument("--no-backup", action="store_true", help="do not keep the previous version of a workbook")
    init = commands.add_parser(
        "init",
        help="write a starter sheetkit.toml (and a schema copy to edit) in the current folder",
        description="Write a starter sheetkit.toml in the current folder; with --copy-schema also a copy of the "
        "default schema to edit, which the config then uses.",
    )
    init.add_argument("--copy-schema", action="store_true", help="also write recruiter_contacts.yaml here to edit")
    init.add_argument("--timezone", metavar="TZ", default="UTC", help="time zone for 'today' (default: UTC)")
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    doctor = commands.add_parser(
        "doctor",
        parents=[base],
        help="explain the setup: credentials, who to share with, API URL, config, schema, LibreOffice",
        description="Explain the setup in plain words and, with SOURCE, whether sheetkit can read it and if not why.",
    )
    doctor.add_argument("path", metavar="SOURCE", nargs="?", help=source_help)
    doctor.add_argument("--config", metavar="FILE", help="the config file (default: ./sheetkit.toml or pyproject.toml)")
    return parser


def console() -> NoReturn:
    """The `sheetkit` command (console script and ``python -m sheetkit``): :func:`main`, then exit
    without freeing the run's objects one by one.

    A 100,000-row sheet is a few million Python objects; the interpreter's own exit frees each
    of them, about 0.3 s that cron pays on every run. Here exit handlers run (log files are
    flushed and closed, temporary folders removed) and output is flushed, then the process
    ends and the system takes the memory back at once.

    For the same reason the cyclic garbage collector is off for the whole command (reference
    counting still frees everything as it goes): a command makes hardly any reference cycles
    (a 100,000-row refresh left ~2,800 objects in them), but once a big sheet is read, every
    collection walks its millions of cells. At 100,000 rows that was ~0.2 s of a refresh
    (medians of 10 alternating whole-process rounds: 4.25 -> 4.05 s) and ~0.06 s of a
    validate, the peak memory unchanged. The library leaves the collector alone, apart from
    pausing it while a sheet is built (sheetkit.runtime.gc_pause).
    """
    import atexit

    gc.disable()
    try:
        code = main()
    except SystemExit as exc:  # argparse's usage errors and --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_ERROR)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:  # before a command ran (a running one answers for itself in _run)
        print("sheetkit: interrupted; nothing was written", file=sys.stderr)
        code = 130
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the reader left, or the stream is closed
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from sheetkit.runtime.logs import configure

    configure(verbose=args.verbose, quiet=args.quiet, fmt=args.log_format)
    handlers = {
        "validate": _validate,
        "refresh": _refresh,
        "pull": _pull,
        "push": _push,
        "sync": _sync,
        "init": _init,
        "report": _report,
        "due": _due,
        "match": _match,
        "dedupe": _dedupe,
        "import": _import,
        "doctor": _doctor,
    }
    _start_reading(args)
    with _printable_output(args):
        return _run(handlers[args.command], args)


_READS_A_WORKBOOK = frozenset({"validate", "refresh", "report", "due", "dedupe"})


def _start_reading(args: argparse.Namespace) -> None:
    """Start parsing a local workbook on a thread while the command imports pandas and pandera.

    The parse runs without the GIL, so on a big sheet the two overlap (sheetkit.excel.grid.prefetch).
    """
    path = getattr(args, "path", None)
    if args.command in _READS_A_WORKBOOK and isinstance(path, str) and not getattr(args, "config", None):
        from sheetkit.excel.grid import prefetch

        prefetch(path, sheet=getattr(args, "sheet", None))


def _run(handler: Any, args: argparse.Namespace) -> int:
    from sheetkit.errors import LockedError, SheetkitError

    try:
        return handler(args)
    except LockedError as exc:  # another run has it: skip cleanly (cron runs every few minutes)
        logging.getLogger("sheetkit").warning("skipped: %s", exc)
        if not args.quiet:
            print(f"sheetkit: skipped: {exc}", file=sys.stderr)
        return EXIT_OK
    except SheetkitError as exc:
        return _fail(str(exc), args)
    except BrokenPipeError:  # `sheetkit report ... | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("sheetkit: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line; the traceback is behind --verbose
        logging.getLogger("sheetkit").debug("unexpected error", exc_info=True)
        return _fail(f"unexpected error ({type(exc).__name__}: {exc}); run with --verbose for details", args)


@contextlib.contextmanager
def _printable_output(args: argparse.Namespace) -> Iterator[None]:
    """Text output shows a cell's control characters escaped (a cell cannot drive the terminal).

    JSON and CSV are data for other programs and stay exact (JSON escapes control characters itself).
    """
    from sheetkit.runtime.text import printable

    class Printable(io.TextIOBase):
        def __init__(self, stream: Any) -> None:
            self.stream = stream
            self.unfiltered = stream  # progress bars draw with their own control characters

        def isatty(self) -> bool:
            return bool(self.stream.isatty())

        def write(self, text: str) -> int:
            self.stream.write(printable(text))
            return len(text)

        def flush(self) -> None:
            self.stream.flush()

        def fileno(self) -> int:
            return int(self.stream.fileno())

    with contextlib.ExitStack() as stack:
        if getattr(args, "format", "text") == "text":
            stack.enter_context(contextlib.redirect_stdout(Printable(sys.stdout)))
        stack.enter_context(contextlib.redirect_stderr(Printable(sys.stderr)))
        yield


def _validate(args: argparse.Namespace) -> int:
    from sheetkit.api import validate

    report = validate(args.path, schema=args.schema, sheet=args.sheet, as_of=args.as_of)
    if args.format == "json":
        print(report.to_json())
    else:
        print(report.to_text())
    return report.exit_code


def _refresh(args: argparse.Namespace) -> int:
    if args.config or not args.path:
        return refresh_config(args)
    from sheetkit.api import refresh

    result = refresh(args.path, schema=args.schema, sheet=args.sheet, output=args.output, **run_options(args))
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif not args.quiet:
        print(result.report.to_text())
        print()
        print(result.summary())
    elif not result.report.ok:  # quiet, but a problem is never silent
        print(f"sheetkit: {problems_line(result.report)}", file=sys.stderr)
    return result.report.exit_code


def _doctor(args: argparse.Namespace) -> int:
    from sheetkit.doctor import diagnose

    findings = diagnose(args.path, schema=args.schema, config=args.config)
    for line in findings.lines:
        print(line)
    return EXIT_OK if findings.ok else EXIT_ERROR


def _report(args: argparse.Namespace) -> int:
    """Summary counts and the due list (text or JSON); the HTML page and PNG charts on request."""
    from pathlib import Path

    from sheetkit.api import check
    from sheetkit.core.display import due_table
    from sheetkit.core.facts import due_text, summary_counts
    from sheetkit.errors import UsageError

    checked = check(args.path, schema=args.schema, sheet=args.sheet, as_of=args.as_of)
    counts = summary_counts(checked)
    due = due_table(checked)
    written: list[str] = []
    if args.html:
        from sheetkit.views.html_report import write_html_report

        written.append(str(write_html_report(checked, Path(args.html))))
    if args.charts:
        from sheetkit.runtime.atomic import atomic_replace
        from sheetkit.views.charts import contacts_by_status, due_per_week, figure_png

        folder = Path(args.charts)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"--charts {folder}: cannot make that folder ({exc.strerror or exc}); give a folder that exists "
                "or can be created"
            ) from None
        for name, figure in (
            ("due_per_week.png", due_per_week(checked)),
            ("contacts_by_status.png", contacts_by_status(checked)),
        ):
            with atomic_replace(folder / name, backup=False) as temporary:
                temporary.write_bytes(figure_png(figure))
            written.append(str(folder / name))
    if args.format == "json":
        payload = {
            "as_of": checked.as_of.isoformat(),
            "counts": counts,
            "due": json.loads(due.to_json(orient="records", date_format="iso")),
            "written": written,
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    elif not args.quiet:
        print(f"{checked.report.summary()} (as of {checked.as_of.isoformat()})")
        print(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items()))
        if len(due):
            print()
            when = [due_text(int(days)) for days in due["Days Overdue"]]
            print(due.drop(columns="Days Overdue").assign(When=when).to_string(index=False))
        for path in written:
            print(f"Wrote {path}")
    return checked.report.exit_code


def _due(args: argparse.Namespace) -> int:
    from sheetkit.api import check
    from sheetkit.lists.due import due, parse_window

    checked = check(args.path, schema=args.schema, sheet=args.sheet, as_of=args.as_of)
    listing = due(checked, within_days=parse_window(args.within), owner=args.owner)
    return _show_list(args, checked, listing, "Due")


def _match(args: argparse.Namespace) -> int:
    from sheetkit.api import check
    from sheetkit.lists.match import match

    checked = check(args.path, schema=args.schema, sheet=args.sheet, as_of=args.as_of)
    listing = match(
        checked,
        title=args.title,
        location=args.location,
        remote_ok=args.remote,
        include_not_looking=args.include_not_looking,
        limit=args.limit,
        min_score=args.min_score,
    )
    return _show_list(args, checked, listing, "Matches")


def _dedupe(args: argparse.Namespace) -> int:
    from sheetkit.api import check
    from sheetkit.lists.dedupe import dedupe

    checked = check(args.path, schema=args.schema, sheet=args.sheet, as_of=args.as_of)
    args.write_sheet = None
    return _show_list(args, checked, dedupe(checked), "Duplicates")


def _import(args: argparse.Namespace) -> int:
    from sheetkit.lists.linkedin import import_connections

    quiet = args.quiet
    result = import_connections(
        args.connections,
        args.target,
        schema=args.schema,
        sheet=args.sheet,
        dry_run=args.dry_run,
        backup=not args.no_backup,
        show_plan=None if quiet else lambda plan: print(plan.to_text()),
    )
    if not quiet and result.written:
        print(f"Wrote {result.written}" + (f" (backup: {result.backup})" if result.backup else ""))
    return EXIT_OK


def _show_list(args: argparse.Namespace, checked: Any, listing: Any, default_sheet: str) -> int:
    """Print a due or match list; write it as a worksheet when asked. Problems in the sheet give exit 1."""
    if args.write_sheet is not None:
        from sheetkit.lists.sheet import write_list_sheet

        where = write_list_sheet(checked, listing, sheet_name=args.write_sheet or default_sheet)
        logging.getLogger("sheetkit").info("wrote the %s sheet: %s", default_sheet, where)
    if args.format == "json":
        print(listing.to_json())
    elif args.format == "csv":
        print(listing.to_csv(), end="")
    elif not args.quiet:
        print(listing.to_text())
        if args.write_sheet is not None:
            print(f"Wrote the list to the sheet {args.write_sheet or default_sheet!r}.")
        if not checked.report.ok:
            print(f"\nNote: {checked.report.summary()}; run `sheetkit validate` for the details.")
    return checked.report.exit_code


def _init(args: argparse.Namespace) -> int:
    """Write a starter sheetkit.toml (and, if asked, a copy of the default schema)."""
    from pathlib import Path

    from sheetkit.config import starter
    from sheetkit.core.schema_file import load_schema
    from sheetkit.errors import UsageError
    from sheetkit.runtime.atomic import atomic_replace

    config = Path("sheetkit.toml")
    schema_copy = Path("recruiter_contacts.yaml")
    targets = [config, schema_copy] if args.copy_schema else [config]
    existing = [p for p in targets if p.exists()]
    if existing and not args.force:
        raise UsageError(f"{', '.join(map(str, existing))} already exists; use --force to overwrite")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone {args.timezone!r} is not a time zone; use a name like 'Europe/Berlin'") from None
    if args.copy_schema:
        with atomic_replace(schema_copy, backup=False) as temporary:
            temporary.write_text(Path(load_schema().path).read_text(encoding="utf-8"), encoding="utf-8")
    schema = str(schema_copy) if args.copy_schema else "recruiter_contacts"
    with atomic_replace(config, backup=False) as temporary:
        temporary.write_text(starter(schema=schema, timezone=args.timezone), encoding="utf-8")
    if not args.quiet:
        print(
            "Wrote "
            + " and ".join(map(str, targets))
            + ". Edit the sources, then: sheetkit refresh --config sheetkit.toml"
        )
    return EXIT_OK


def _pull(args: argparse.Namespace) -> int:
    from sheetkit.transfer import pull

    result = pull(
        args.url,
        args.output,
        worksheet=args.worksheet,
        sheet=args.sheet,
        schema=args.schema,
        dry_run=args.dry_run,
        backup=not args.no_backup,
    )
    print(json.dumps(result.to_dict(), indent=2) if args.format == "json" else result.summary())
    return EXIT_OK


def _push(args: argparse.Namespace) -> int:
    from sheetkit.transfer import push

    result = push(
        args.path, args.url, sheet=args.sheet, worksheet=args.worksheet, schema=args.schema, dry_run=args.dry_run
    )
    print(json.dumps(result.to_dict(), indent=2) if args.format == "json" else result.summary())
    return EXIT_OK


def _sync(args: argparse.Namespace) -> int:
    from sheetkit.syncing.engine import sync

    def show_plan(view: Any) -> None:
        if args.format == "text":
            print(view.summary(), flush=True)

    result = sync(
        args.path,
        args.url,
        schema=args.schema,
        sheet=args.sheet,
        worksheet=args.worksheet,
        prefer=args.prefer,
        dry_run=args.dry_run,
        allow_mass_delete=args.allow_mass_delete,
        rebase=args.rebase,
        as_of=args.as_of,
        on_plan=show_plan,
    )
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        print(result.outcome())
        if not result.report.ok:
            print()
            print(result.report.to_text())
    return result.exit_code


def _fail(message: str, args: argparse.Namespace) -> int:
    message = re.sub(r"\s*[\r\n]+\s*", " ", message.strip())  # one line, even when a library's error has several
    print(f"sheetkit: error: {message}", file=sys.stderr)
    if getattr(args, "format", "text") == "json":
        print(json.dumps({"error": message}, ensure_ascii=False))
    return EXIT_ERROR


class _Version(argparse.Action):
    """--version, looked up only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"sheetkit {_version()}")
        parser.exit()


def _version() -> str:
    from sheetkit.doctor import version

    return version()
