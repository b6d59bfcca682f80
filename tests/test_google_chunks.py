"""A huge Google worksheet is read in blocks of whole rows, each answer bounded (Google allows 10M cells).

Tested at a small scale with a small block: the block sizing, the rows Google leaves out between
blocks, and the request count from the emulator's log.
"""

from __future__ import annotations

from typing import Any

import pytest

from sheetkit.google import sheets
from sheetkit.google.sheets import read_blocks, read_google_grid


def test_block_sizing() -> None:
    assert read_blocks(1000, 26) == [(1, 1000)]  # small: one request, as before
    assert read_blocks(100_001, 26) == [(1, 100_001)]  # 100,000 rows in Google's default 26 columns: one too
    assert len(read_blocks(160_000, 26)) == 3  # over twice the block: blocks of 76,923 rows
    assert read_blocks(0, 0) == [(1, 1)]
    # Google's limit, 10 million cells (400,000 rows x 25 columns): five reads of 80,000 rows
    blocks = read_blocks(400_000, 25)
    assert blocks == [(1 + i * 80_000, (i + 1) * 80_000) for i in range(5)]
    assert all((last - first + 1) * 25 <= sheets.READ_CHUNK_CELLS for first, last in blocks)
    assert read_blocks(10, 3, chunk_cells=9) == [(1, 3), (4, 6), (7, 9), (10, 10)]
    assert read_blocks(5, 100, chunk_cells=10) == [(r, r) for r in range(1, 6)]  # never less than a row


def test_a_big_sheet_is_read_in_blocks_with_the_same_values(
    google_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[list[Any]] = [["Name", "Email", "Count"]]
    rows += [[f"P{i}", f"p{i}@example.com", i] for i in range(1, 700)]
    rows += [[] for _ in range(400)]  # an empty stretch: Google leaves those rows out of a block's answer
    rows += [[f"Q{i}", "", i] for i in range(1, 300)]
    key = google_env.create_spreadsheet("Big", {"Contacts": rows}, rows=1500)
    whole = read_google_grid(key).rows

    monkeypatch.setattr(sheets, "READ_CHUNK_CELLS", 600)  # 1,500 rows x 26 columns: blocks of 23 rows
    google_env.clear_requests()
    blocked = read_google_grid(key).rows
    assert blocked == whole and len(blocked) == len(rows)
    reads = [r for r in google_env.requests if "values:batchGet" in r.path]
    assert len(reads) == len(read_blocks(1500, 26, chunk_cells=600)) == 66
    assert all(len(r.path) + len(r.query) < 2_000 for r in google_env.requests)  # small requests, bounded answers
