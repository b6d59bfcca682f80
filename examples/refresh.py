"""Refresh contact sheets from a script: copy this file and adapt it.

Each SOURCE is a workbook path or a Google Sheets URL. For each one, sheetkit validates the
sheet, computes Days Since Contact, Non-Responsive and Next Check-In, and writes only the cells
that changed. One source that fails does not stop the others.

    python refresh.py contacts.xlsx "https://docs.google.com/spreadsheets/d/<id>/edit#gid=0"
    python refresh.py contacts.xlsx --as-of 2026-11-21 --verbose

Google credentials are found as sheetkit finds them (see the README): a service-account key at
~/.config/gspread/service_account.json, or SHEETKIT_CREDENTIALS=/path/to/key.json.

Exit codes, as the sheetkit command line: 0 all good; 1 a sheet has validation problems (the
computed columns were still written where they could be); 2 a source could not be read or written.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import sheetkit

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_ERROR = 2

log = logging.getLogger("refresh")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Refresh the computed columns of contact sheets.")
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="a workbook path or a Google Sheets URL")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="treat this date as today (default: today)")
    parser.add_argument("--schema", help="schema file or bundled schema name (default: recruiter_contacts)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step (to stderr)")
    return parser.parse_args(argv)


def refresh_one(source: str, *, as_of: str | None, schema: str | None, dry_run: bool) -> tuple[int, str]:
    """Refresh one workbook or Google Sheet; returns its exit code and a one-line summary."""
    log.info("refreshing %s", source)
    try:
        result = sheetkit.refresh(source, as_of=as_of, schema=schema, dry_run=dry_run, progress=False)
    except sheetkit.LockedError as exc:  # another run is refreshing it right now: skip it, not an error
        log.warning("%s: skipped: %s", source, exc)
        return EXIT_OK, f"{source}: skipped: another run is refreshing it"
    except sheetkit.SheetkitError as exc:  # an expected failure: one line, no traceback
        log.debug("%s failed", source, exc_info=True)
        return EXIT_ERROR, f"{source}: error: {exc}"
    report = result.report
    for problem in report.problems:
        log.warning("%s %s: %s", problem.severity, problem.cell or "-", problem.message)
    log.info("%s: %s", source, result.summary())
    return report.exit_code, f"{source}: {report.summary()}. {result.summary()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Refresh every SOURCE, print one summary line per source, and return the worst exit code."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    outcomes = [refresh_one(s, as_of=args.as_of, schema=args.schema, dry_run=args.dry_run) for s in args.sources]
    for code, line in outcomes:
        print(line, file=sys.stderr if code == EXIT_ERROR else sys.stdout)
    return max(code for code, _ in outcomes)


if __name__ == "__main__":
    sys.exit(main())
