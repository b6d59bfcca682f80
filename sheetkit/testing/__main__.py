"""``python -m sheetkit.testing``: same as ``python -m sheetkit.testing.emulator``."""

from sheetkit.testing.emulator import main

raise SystemExit(main())
