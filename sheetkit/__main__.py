"""`python -m sheetkit`: the same as the `sheetkit` command."""

from sheetkit.cli import console

console()
