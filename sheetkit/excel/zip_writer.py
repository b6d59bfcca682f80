"""Writing the zip container of a package: members copied raw or compressed as they are produced.

zipfile can only recompress what it copies; the package editor copies every unchanged member as
its compressed bytes (kept byte for byte, no work) and streams the members it rewrites through a
:class:`CompressedSink`, so a large worksheet never sits in memory.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from typing import IO

from sheetkit.errors import PackageUnsupported, WorkbookFormatError
from sheetkit.excel.limits import INFLATE_ERRORS, inflating

__all__ = ["CompressedSink", "ZipAssembler"]

_CHUNK = 1 << 20


class CompressedSink:
    """A zip member being produced: compressed as it is written (to a spooled temporary file),
    with its CRC and sizes tracked, so a large worksheet never sits in memory."""

    def __init__(self, method: int) -> None:
        if method not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
            raise PackageUnsupported(f"zip compression method {method}")
        self.method = method
        self._zip = zlib.compressobj(6, zlib.DEFLATED, -15) if method == zipfile.ZIP_DEFLATED else None
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 - add_sink closes it
        self.crc = 0
        self.size = 0
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, data: bytes) -> None:
        self.write_pieces([data])

    def write_pieces(self, pieces: list[bytes]) -> None:
        """Write the concatenation of ``pieces``, joined once with the rest of the chunk."""
        self._pending += pieces
        self._pending_size += sum(map(len, pieces))
        if self._pending_size >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.file.write(self._zip.compress(data) if self._zip is not None else data)

    def finish(self) -> int:
        """Flush everything; return the compressed size and rewind for reading."""
        self._flush()
        if self._zip is not None:
            self.file.write(self._zip.flush())
            self._zip = None
        size = self.file.tell()
        self.file.seek(0)
        return size


class ZipAssembler:
    """Writes a zip from members copied raw (compressed bytes untouched) or freshly compressed.

    zipfile can only recompress what it copies; copying the compressed bytes keeps unchanged
    parts byte for byte and skips the work.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.central: list[bytes] = []

    def _header(self, info: zipfile.ZipInfo, method: int, crc: int, csize: int, usize: int, flags: int) -> None:
        offset = self.out.tell()
        if max(csize, usize, offset) >= 0xFFFFFFFF or len(self.central) >= 0xFFFF:
            raise PackageUnsupported("the workbook needs ZIP64")
        try:
            name = info.filename.encode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeEncodeError:
            name, flags = info.filename.encode("utf-8"), flags | 0x800
        year, month, day, hour, minute, second = info.date_time
        dos_time = hour << 11 | minute << 5 | second // 2
        dos_date = max(0, year - 1980) << 9 | month << 5 | day
        version = 20 if method == zipfile.ZIP_DEFLATED else 10
        # what the local header and the central directory entry both say, in the same order
        shared = struct.pack("<5H3LH", version, flags, method, dos_time, dos_date, crc, csize, usize, len(name))
        self.out.write(b"PK\x03\x04" + shared + struct.pack("<H", 0) + name)
        made_by = info.create_system << 8 | max(info.create_version, 20)
        directory_tail = struct.pack("<4H2L", 0, 0, 0, info.internal_attr, info.external_attr & 0xFFFFFFFF, offset)
        self.central.append(b"PK\x01\x02" + struct.pack("<H", made_by) + shared + directory_tail + name)

    def copy_raw(self, info: zipfile.ZipInfo, raw: IO[bytes]) -> None:
        """Copy a member's compressed bytes as they are, checking they inflate to what its CRC says:
        a damaged member is refused here rather than carried into the new file."""
        if info.flag_bits & 0x1:
            raise PackageUnsupported(f"zip member {info.filename} is encrypted")
        raw.seek(info.header_offset)
        local = raw.read(30)
        if local[:4] != b"PK\x03\x04":
            raise self._damaged(raw, info, "its local header is missing")
        name_length, extra_length = struct.unpack("<2H", local[26:30])
        raw.seek(info.header_offset + 30 + name_length + extra_length)
        self._header(info, info.compress_type, info.CRC, info.compress_size, info.file_size, info.flag_bits & 0x806)
        inflater = inflating.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        crc, size, remaining = 0, 0, info.compress_size
        while remaining:
            block = raw.read(min(remaining, _CHUNK))
            if not block:
                raise self._damaged(raw, info, "it is cut short")
            self.out.write(block)
            remaining -= len(block)
            try:
                while block:  # inflated a bounded piece at a time: a forged member cannot balloon here
                    data = inflater.decompress(block, _CHUNK) if inflater is not None else block
                    block = inflater.unconsumed_tail if inflater is not None else b""
                    crc, size = inflating.crc32(data, crc), size + len(data)
                    if size > info.file_size:
                        raise self._damaged(raw, info, f"it inflates past the {info.file_size:,} bytes it declares")
            except INFLATE_ERRORS as error:
                raise self._damaged(raw, info, f"its deflate stream is broken: {error}") from None
        if inflater is not None:
            try:
                rest = inflater.flush()
            except INFLATE_ERRORS as error:
                raise self._damaged(raw, info, f"its deflate stream is broken: {error}") from None
            crc, size = inflating.crc32(rest, crc), size + len(rest)
        if crc != info.CRC or size != info.file_size:
            raise self._damaged(raw, info, "its CRC or size does not match")

    @staticmethod
    def _damaged(raw: IO[bytes], info: zipfile.ZipInfo, why: str) -> WorkbookFormatError:
        name = os.path.basename(str(getattr(raw, "name", "the workbook")))
        return WorkbookFormatError(
            f"{name} is damaged and cannot be written (zip member {info.filename}: {why}); "
            "open it in Excel and save it again",
            path=str(getattr(raw, "name", "")),
        )

    def add_sink(self, info: zipfile.ZipInfo, sink: CompressedSink) -> None:
        csize = sink.finish()
        self._header(info, sink.method, sink.crc, csize, sink.size, info.flag_bits & 0x800)
        shutil.copyfileobj(sink.file, self.out, _CHUNK)
        sink.file.close()

    def close(self) -> None:
        start = self.out.tell()
        directory = b"".join(self.central)
        self.out.write(directory)
        count = len(self.central)
        self.out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
