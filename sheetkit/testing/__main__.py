"""``python -m sheetkit.testing``: same as ``python -m sheetkit.testing.emulator``."""

from sheetkit.testing.cli import main

raise SystemExit(main())
