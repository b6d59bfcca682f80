"""Config runs (`sheetkit refresh --config`): every source refreshed, logged, synced and digested.

Split from the CLI module so each stays readable; the CLI parses, this runs the scheduled job.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from sheetkit.runtime.text import counted

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """The refresh options one SOURCE and every source of a config share."""
    return {
        "as_of": args.as_of,
        "dry_run": args.dry_run,
        "backup": not args.no_backup,
        "engine": args.engine,
        "progress": False if args.quiet else None,
        "aids": args.aids,
        "allow_signed": args.allow_signed,
    }


def problems_line(report: Any) -> str:
    """One line for a sheet with problems: counts and where to see them."""
    return f"{report.summary()}; run `sheetkit validate {report.source}` for the cells" + (
        f" ({counted(len(report.not_computed), 'row')} left without computed values)" if report.not_computed else ""
    )


def refresh_config(args: argparse.Namespace) -> int:
    """Refresh every source of a config file; one failing source does not stop the others."""
    from pathlib import Path

    from sheetkit.config import IdleRuns, find_config, load_config
    from sheetkit.errors import LockedError, SheetkitError, UsageError
    from sheetkit.google.client import connect

    path = Path(args.config) if args.config else find_config()
    if path is None:
        raise UsageError(
            "give a SOURCE to refresh, or --config FILE (no sheetkit.toml here; `sheetkit init` writes one)"
        )
    if args.output or args.sheet:
        raise UsageError("--output and --sheet apply to one SOURCE; in a config file set them per source")
    config = load_config(path)
    from sheetkit.notify import SourceRun

    log = logging.getLogger("sheetkit")
    runs: list[SourceRun] = []
    options = {"engine": args.engine, "backup": not args.no_backup, "aids": args.aids, "signed": args.allow_signed}
    # A digest needs every source's due list, so a run that may send one reads every source.
    digest = args.notify_dry_run or config.notify is not None
    idle = None if args.dry_run or args.force or digest else IdleRuns.open(config, args.as_of, options)
    outcomes: list[dict[str, Any]] = []
    worst = EXIT_OK
    for source in config.sources:
        outcome: dict[str, Any] = {"source": source.name}
        try:
            client = connect() if source.url is not None and idle is not None else None
            last = idle.last_outcome(source, client) if idle is not None else None
            if last is None:
                from sheetkit.api import refresh  # pandas and pandera: only when a source is read

                result = refresh(
                    source.target,
                    schema=config.schema,
                    sheet=source.sheet,
                    output=source.output,
                    client=client,
                    **{**run_options(args), "aids": args.aids if args.aids is not None else source.aids},
                )
                report = result.report
                last = {
                    "status": "problems" if report.exit_code else "ok",
                    "exit_code": report.exit_code,
                    "counts": {"errors": len(report.errors), "warnings": len(report.warnings)},
                    "problems_line": problems_line(report),
                    **result.to_dict(),
                }
                if idle is not None:
                    idle.remember(source, last, wrote=result.written is not None, client=client)
            else:
                result = None  # nothing changed since the last run: its outcome stands, nothing read or written
                requests = client.stats.requests if client is not None else None
                last = {
                    **last,
                    "idle": True,
                    "cells_changed": 0,
                    "written": None,
                    "backup": None,
                    "engine": "unchanged",
                    "requests": requests,
                    "summary": f"Unchanged since the last run as of {last['as_of']}: not read again, nothing written.",
                }
        except LockedError as exc:
            outcome.update(status="skipped", message=str(exc))
            log.warning("%s: skipped: %s", source.name, exc, extra={"source": source.name, "status": "skipped"})
        except SheetkitError as exc:
            outcome.update(status="error", message=str(exc))
            log.error("%s: failed: %s", source.name, exc, extra={"source": source.name, "status": "error"})
            worst = EXIT_ERROR
            runs.append(SourceRun(source.name, error=str(exc)))
        else:
            code = last["exit_code"]
            outcome.update(last)
            counts = {**last["counts"], "cells": last["cells_changed"]}
            extra = {"source": source.name, "status": outcome["status"], **counts}
            if code:  # a problem is a warning, whatever else happened: cron mail must show it
                log.warning("%s: %s. %s", source.name, last["problems_line"], last["summary"], extra=extra)
            else:
                log.info("%s: %s", source.name, last["summary"], extra=extra)
            worst = max(worst, code) if worst != EXIT_ERROR else worst
            conflicts, failure = _sync_after(args, config, source)
            runs.append(SourceRun(source.name, result=result, error=failure, conflicts=conflicts))
            if conflicts or failure:
                outcome.update(status="error" if failure else "problems", sync_conflicts=list(conflicts))
                worst = EXIT_ERROR if failure else max(worst, EXIT_PROBLEMS)
        outcomes.append(outcome)
    if idle is not None:
        try:
            idle.save()
        except SheetkitError as exc:  # the runs are done; only the next run's shortcut is lost
            log.warning("cannot save the idle-run state beside %s: %s", path, exc)
    if args.format == "json":  # one object per source, one per line (JSON Lines), then nothing else
        for outcome in outcomes:
            print(json.dumps({"config": str(path), **outcome}, ensure_ascii=False, default=str))
    elif not args.quiet:
        for outcome in outcomes:
            detail = outcome.get("summary") or outcome.get("message", "")
            print(f"{outcome['source']}: {outcome['status']}: {detail}")
    elif args.log_format == "text" and worst:  # quiet: the warnings above said it in the log; say the result
        failed = [o["source"] for o in outcomes if o["status"] in ("problems", "error")]
        sources = counted(len(outcomes), "source")
        print(f"sheetkit: {len(failed)} of {sources} need a look: {', '.join(failed)}", file=sys.stderr)
    if args.notify_dry_run or (config.notify is not None and not args.dry_run):
        _digest(args, config, runs)
    return worst


def _sync_after(args: argparse.Namespace, config: Any, source: Any) -> tuple[tuple[str, ...], str | None]:
    """Sync a source's workbook with its ``sync_with`` Google Sheet: (open conflicts, failure) for the digest."""
    from sheetkit.errors import SheetkitError
    from sheetkit.notify import sync_conflicts
    from sheetkit.syncing.engine import sync

    if source.sync_with is None or args.dry_run:
        return (), None
    log = logging.getLogger("sheetkit")
    try:
        result = sync(source.path, source.sync_with, schema=config.schema, sheet=source.sheet, as_of=args.as_of)
    except SheetkitError as exc:
        log.error("%s: sync failed: %s", source.name, exc, extra={"source": source.name, "status": "error"})
        return (), f"sync failed: {exc}"
    conflicts = sync_conflicts(result)
    if conflicts:
        extra = {"source": source.name, "status": "conflicts", "conflicts": len(conflicts)}
        log.warning("%s: %d sync conflict(s) left as they are", source.name, len(conflicts), extra=extra)
    return conflicts, None


def _digest(args: argparse.Namespace, config: Any, runs: list[Any]) -> None:
    """Send the run's digest (never fails the run), or print it with --notify-dry-run."""
    from sheetkit.notify import digest_after_run

    digest, send = digest_after_run(config, runs, dry_run=args.notify_dry_run)
    if not args.notify_dry_run:
        return
    if args.format == "json":
        print(json.dumps({"digest": {"subject": digest.subject, "text": digest.text, "would_send": send}}))
    else:
        print(f"\n--- digest ({'would be sent' if send else 'would not be sent: nothing new'}) ---")
        print(f"Subject: {digest.subject}\n\n{digest.text}", end="")
