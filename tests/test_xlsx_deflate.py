"""The threaded deflate sink: its chunks make one ordinary deflate stream, in a zip any reader takes.

Chunk sizes far below the real one make many chunks out of small data, so every boundary case
(one chunk, an exact multiple, a last chunk of one byte, nothing at all) is cheap to check.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
import zlib
from pathlib import Path

import pytest
from xlsx_factory import SHEET, build_contacts, raw_workbook, sheet_xml

from sheetkit.core.cells import CellUpdate
from sheetkit.errors import PackageUnsupported, WriteError
from sheetkit.excel import deflate as xlsx_deflate
from sheetkit.excel import package as xlsx_package
from sheetkit.excel.deflate import ParallelDeflateSink
from sheetkit.excel.write import write_cells
from sheetkit.excel.zip_writer import ZipAssembler

TEXT = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7) for i in range(4000))
NOISE = os.urandom(50_000)  # incompressible: stored blocks inside the stream


def sink_bytes(sink: ParallelDeflateSink) -> bytes:
    size = sink.finish()
    data = sink.file.read()
    sink.file.close()
    assert len(data) == size
    return data


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("chunk", [1, 1000, 4096, 1 << 20])
@pytest.mark.parametrize("data", [b"", b"x", TEXT, NOISE + TEXT + NOISE], ids=["empty", "one", "text", "noisy"])
def test_chunks_make_one_stream_that_inflates_to_the_input(data: bytes, chunk: int, workers: int) -> None:
    sink = ParallelDeflateSink(zipfile.ZIP_DEFLATED, chunk=chunk, workers=workers)
    for start in range(0, len(data), 777):  # writes that do not line up with chunks
        sink.write(data[start : start + 777])
    stream = sink_bytes(sink)
    assert zlib.decompress(stream, -15) == data
    assert (sink.crc, sink.size) == (zlib.crc32(data), len(data))


def test_chunks_cost_little_compression() -> None:
    sink = ParallelDeflateSink(zipfile.ZIP_DEFLATED, chunk=16_384)
    sink.write(TEXT)
    single = zlib.compressobj(xlsx_deflate.LEVEL, zlib.DEFLATED, -15)
    alone = single.compress(TEXT) + single.flush()
    chunks = -(-len(TEXT) // 16_384)
    assert len(sink_bytes(sink)) <= len(alone) * 1.02 + 8 * chunks  # the 32 KiB dictionary keeps matches


def test_stored_members_are_written_as_they_are() -> None:
    sink = ParallelDeflateSink(zipfile.ZIP_STORED, chunk=100)
    sink.write(TEXT)
    assert sink_bytes(sink) == TEXT and sink.crc == zlib.crc32(TEXT)


def test_other_compression_methods_are_refused() -> None:
    with pytest.raises(PackageUnsupported, match="compression method"):
        ParallelDeflateSink(zipfile.ZIP_BZIP2)


def test_a_zip_member_from_the_sink_reads_back() -> None:
    out = io.BytesIO()
    assembler = ZipAssembler(out)
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2024, 1, 1, 0, 0, 0))
    sink = ParallelDeflateSink(zipfile.ZIP_DEFLATED, chunk=5000)
    sink.write(TEXT)
    assembler.add_sink(info, sink)
    assembler.close()
    with zipfile.ZipFile(out) as package:
        assert package.testzip() is None  # the CRC and sizes in the headers are right
        assert package.read("xl/worksheets/sheet1.xml") == TEXT


def test_close_stops_the_workers_of_an_abandoned_sink() -> None:
    before = threading.active_count()
    sink = ParallelDeflateSink(zipfile.ZIP_DEFLATED, chunk=1000, workers=2)
    sink.write(TEXT)  # many chunks submitted
    assert threading.active_count() > before
    sink.close()
    assert threading.active_count() == before and sink.file.closed


def test_a_sheet_refused_half_way_leaves_no_thread_and_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many deflate chunks are already out when a late row turns out not to be editable."""
    monkeypatch.setattr(xlsx_deflate, "CHUNK", 2000)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 3000))
    rows += '<row r="3000"><c r="A3000"><v>1</v><extLst><ext uri="{X}"/></extLst></c></row>'
    src = raw_workbook(tmp_path / "late.xlsx", sheet_xml(rows))
    updates = [CellUpdate(r, 1, r * 2) for r in range(1, 3001)]
    before = threading.active_count()
    with pytest.raises(WriteError, match="row 3000"):
        write_cells(src, tmp_path / "out.xlsx", SHEET, updates, header_row=1, engine="package")
    assert threading.active_count() == before
    assert not (tmp_path / "out.xlsx").exists()


def test_a_sheet_of_many_chunks_writes_the_same_as_one_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="b"><v>0</v></c></row>' for r in range(1, 3000)
    )
    src = raw_workbook(tmp_path / "src.xlsx", sheet_xml(rows))
    updates = [CellUpdate(r, 2, r % 3 == 0) for r in range(1, 3000)] + [CellUpdate(r, 3, r) for r in range(1, 3000, 7)]
    write_cells(src, tmp_path / "one.xlsx", SHEET, updates, header_row=1, engine="package")
    monkeypatch.setattr(xlsx_deflate, "CHUNK", 3000)
    write_cells(src, tmp_path / "many.xlsx", SHEET, updates, header_row=1, engine="package")
    with zipfile.ZipFile(tmp_path / "one.xlsx") as one, zipfile.ZipFile(tmp_path / "many.xlsx") as many:
        assert many.testzip() is None
        assert many.read("xl/worksheets/sheet1.xml") == one.read("xl/worksheets/sheet1.xml")
        assert many.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_DEFLATED


def test_a_failure_after_the_sheet_is_written_stops_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet is streamed (many chunks out), then a later part cannot be edited."""
    monkeypatch.setattr(xlsx_deflate, "CHUNK", 1000)

    def refuse(*args: object) -> None:
        raise PackageUnsupported("table part refused for the test")

    monkeypatch.setattr(xlsx_package, "extend_table", refuse)
    src = build_contacts(tmp_path / "table.xlsx", table=True, rows=200)
    updates = [CellUpdate(r, 7, f"row {r}") for r in range(3, 203)]
    before = threading.active_count()
    with pytest.raises(WriteError, match="table part refused"):
        write_cells(src, tmp_path / "out.xlsx", SHEET, updates, header_row=2, engine="package")
    assert threading.active_count() == before
    assert not (tmp_path / "out.xlsx").exists()
