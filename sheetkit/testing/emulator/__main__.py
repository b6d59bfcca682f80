"""``python -m sheetkit.testing.emulator --port N``: run the Sheets API emulator until Ctrl-C."""

from sheetkit.testing.cli import main

raise SystemExit(main())
