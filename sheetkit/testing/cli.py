"""``python -m sheetkit.testing.emulator``: the Sheets API emulator as a program, for people and other languages."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sheetkit.testing.model import ApiError
from sheetkit.testing.server import SheetsEmulator, is_resource

ENV_VAR = "SHEETKIT_SHEETS_API_URL"

_EPILOG = f"""\
Point sheetkit at it:
  export {ENV_VAR}=http://127.0.0.1:PORT   (no credentials needed: requests go unauthenticated)

Seed a spreadsheet:
  --seed book.json, where book.json is {{"title": "Jo pipeline", "sheets": {{"Pipeline": [["Name", "Email"],
  ["Ana", "ana@example.org"]]}}}} (values are typed in as a person would: "2024-05-01" becomes a date);
  or, while it runs: curl -X POST http://127.0.0.1:PORT/__emulator__/spreadsheets -d @book.json
  Each answers with the new spreadsheet's id. A Spreadsheet resource works too: what
  GET /v4/spreadsheets/ID?includeGridData=true answers (gspread: sh.fetch_sheet_metadata(
  {{"includeGridData": "true"}}) saved with json.dump) seeds a copy of that spreadsheet, same id.

A gspread client for it, in Python:
  import gspread
  from sheetkit.testing import emulator_session
  client = gspread.Client(auth=None, session=emulator_session("http://127.0.0.1:PORT"))
  client.open_by_key(SPREADSHEET_ID).worksheet("Pipeline").get_all_values()

Other control endpoints: GET /__emulator__/requests (the request log), POST /__emulator__/reset,
POST /__emulator__/faults with {{"at": 1, "kind": 429}} (429, 500, 503 or "drop").
Ctrl-C stops it; nothing is kept.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until Ctrl-C: prints the URL (first line), the environment variable, and seeded ids."""
    parser = argparse.ArgumentParser(
        prog="python -m sheetkit.testing.emulator",
        description="A loopback emulator of the Google Sheets API v4 (and the Drive calls gspread makes).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--user-email", default="emulator@sheetkit.invalid", help="the account it pretends to be")
    parser.add_argument(
        "--seed",
        action="append",
        default=[],
        metavar="FILE.json",
        help='a spreadsheet to create at start: {"title": ..., "sheets": {"Tab": [[...], ...]}} (repeatable)',
    )
    args = parser.parse_args(argv)
    books: list[tuple[str, dict[str, Any]]] = []
    for path in args.seed:
        try:
            spec = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            parser.error(f"--seed {path}: {exc}")
        if not isinstance(spec, dict) or not (is_resource(spec) or isinstance(spec.get("sheets", {}), dict | list)):
            parser.error(
                f'--seed {path}: expected {{"title": ..., "sheets": {{"Tab": [[...]]}}}} '
                "or a Spreadsheet resource (what GET /v4/spreadsheets/ID?includeGridData=true answers)"
            )
        books.append((path, spec))
    # Ctrl-C (SIGINT) is how it stops, also when a script started it in the background, where
    # the shell leaves SIGINT ignored and Python would then never raise KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        emulator = SheetsEmulator(args.host, args.port, user_email=args.user_email).start()
    except OSError as exc:
        print(
            f"python -m sheetkit.testing.emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    try:
        print(emulator.url, flush=True)
        print(f"export {ENV_VAR}={emulator.url}", flush=True)
        for path, spec in books:
            try:
                sid = emulator.seed(spec)
            except (ApiError, TypeError, ValueError, AttributeError) as exc:  # a seed that is not what it claims
                print(f"python -m sheetkit.testing.emulator: --seed {path}: {exc}", file=sys.stderr)
                return 2
            print(f"spreadsheet {emulator.books[sid].title!r}: id {sid}", flush=True)
        idle = threading.Event()
        while not idle.wait(0.5):  # wakes to run Python's signal handlers: Ctrl-C may be delivered
            pass  # to a server thread, and a wait without a timeout would then never see it
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0
