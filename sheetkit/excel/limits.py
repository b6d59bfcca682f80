"""How much a workbook may make sheetkit inflate and materialise, and the checked way to inflate it.

A zip member can claim any size and a 7 MB file can inflate to gigabytes; one stray cell at
XFD1048576 makes a dense reader ask for a 17-billion-cell grid. So before anything is inflated,
every member's declared size and compression ratio are checked (:func:`check_members`); while
sheetkit inflates (:func:`open_member`, :func:`read_member`) the bytes are counted and a member
that inflates past what it declared is refused; and a worksheet's used range must be sane for the
cells in it (:mod:`sheetkit.excel.used_range` applies :attr:`Limits.cells` and friends).

The defaults are generous: a real 1,048,576-row x 20-column sheet is about 1 GB of XML compressed
8-15 to 1 (the most repetitive real parts measured ~21 to 1), while zip bombs run at ~1,000 to 1.
Each limit can be changed with an environment variable (:meth:`Limits.from_env`).
"""

from __future__ import annotations

import io
import os
import struct
import types
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from sheetkit.errors import ConfigError, WorkbookFormatError

inflating: types.ModuleType
try:  # ISA-L's inflate reads the same deflate streams at ~3x zlib's speed (0.15 -> 0.05 s for 85 MB of sheet XML)
    from isal import isal_zlib as inflating
except ImportError:  # a platform without its wheel: zlib does the same, slower
    inflating = zlib

__all__ = ["Limits", "check_members", "open_member", "read_member"]

INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, inflating.error)
"""What a broken deflate stream raises (ISA-L has its own error)."""

RATIO_FLOOR_BYTES = 16 << 20
"""Members smaller than this are not ratio-checked: whatever they compress to, they inflate to little."""

_CHUNK = 256 << 10  # compressed bytes read at a time
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


@dataclass(frozen=True)
class Limits:
    """The safety limits, with the environment variable that sets each.

    Attributes:
        part_bytes: most bytes any zip member may inflate to (SHEETKIT_MAX_PART_BYTES).
        zip_ratio: most a member of 16 MiB or more may be compressed, uncompressed/compressed
            (SHEETKIT_MAX_ZIP_RATIO).
        cells: most cells a worksheet's used range (rows x columns, from A1) may span
            (SHEETKIT_MAX_CELLS): calamine holds the whole range, ~100 bytes a cell at its peak.
        sparse_cells: a used range up to this many cells is read whatever is in it
            (SHEETKIT_SPARSE_CELLS); above it, the range may be at most ``empty_ratio`` times
            the number of cells holding something (SHEETKIT_MAX_EMPTY_RATIO).
    """

    part_bytes: int = 3 << 30
    zip_ratio: float = 100.0
    cells: int = 1 << 26
    sparse_cells: int = 1 << 22
    empty_ratio: float = 8.0

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with any SHEETKIT_MAX_* / SHEETKIT_SPARSE_CELLS variable that is set."""
        default = cls()
        return cls(
            part_bytes=int(_env("SHEETKIT_MAX_PART_BYTES", default.part_bytes)),
            zip_ratio=_env("SHEETKIT_MAX_ZIP_RATIO", default.zip_ratio),
            cells=int(_env("SHEETKIT_MAX_CELLS", default.cells)),
            sparse_cells=int(_env("SHEETKIT_SPARSE_CELLS", default.sparse_cells)),
            empty_ratio=_env("SHEETKIT_MAX_EMPTY_RATIO", default.empty_ratio),
        )


def _env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        value = -1.0
    if not value > 0 or value != value or value == float("inf"):
        raise ConfigError(f"environment variable {name} must be a positive number (got {text!r})")
    return value


def check_members(package: zipfile.ZipFile, limits: Limits | None = None) -> None:
    """Refuse a package any of whose members claims too much before anything inflates it.

    Raises:
        WorkbookFormatError: a member that declares more than ``part_bytes``, is compressed more
            than ``zip_ratio`` to 1, or uses a compression method workbooks do not use.
    """
    limits = limits or Limits.from_env()
    path, name = _where(package)
    for info in package.infolist():
        member = info.filename
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookFormatError(
                f"{name}: zip member {member} uses compression method {info.compress_type}, which workbooks "
                "do not use (Excel writes deflate); open the file in Excel and save it again",
                path=path,
            )
        if info.file_size > limits.part_bytes:
            raise WorkbookFormatError(
                f"{name}: zip member {member} would inflate to {info.file_size:,} bytes, more than the "
                f"{limits.part_bytes:,}-byte limit (SHEETKIT_MAX_PART_BYTES raises it); "
                "a real workbook's parts are far smaller, so the file is not read",
                path=path,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > limits.zip_ratio:
            raise WorkbookFormatError(
                f"{name}: zip member {member} is compressed {ratio:,.0f} to 1 ({info.compress_size:,} bytes "
                f"inflating to {info.file_size:,}); real workbooks stay under 30 to 1, so this looks like "
                f"a zip bomb and is not read (SHEETKIT_MAX_ZIP_RATIO={limits.zip_ratio:g} is the limit)",
                path=path,
            )


def open_member(package: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> IO[bytes]:
    """A member of ``package`` (opened from a path) for reading, inflated by sheetkit itself.

    zipfile stops at the size a member declares and cannot tell whether the deflate stream goes on;
    this reader counts what it inflates, so a member whose stream holds more than it declares
    (or is cut short, or fails its CRC) is refused instead of read in part.

    Raises:
        WorkbookFormatError: there is no such member, or (while reading) it is not what its headers say.
    """
    if isinstance(member, zipfile.ZipInfo):
        info = member
    elif member in package.NameToInfo:
        info = package.NameToInfo[member]
    else:  # named by a relationship, absent from the zip
        path, name = _where(package)
        raise WorkbookFormatError(
            f"{name} is damaged and cannot be read (its part {member} is missing); open it in Excel and save it again",
            path=path,
        )
    return io.BufferedReader(_MemberReader(package, info), buffer_size=_CHUNK)


def read_member(package: zipfile.ZipFile, member: str | zipfile.ZipInfo) -> bytes:
    """A member's whole content, checked as :func:`open_member` checks it."""
    with open_member(package, member) as reader:
        return reader.read()


def _where(package: zipfile.ZipFile) -> tuple[str, str]:
    """The package's path and file name, for messages."""
    if package.filename is None:
        raise ValueError("sheetkit reads packages opened from a file path")
    return package.filename, os.path.basename(package.filename)


class _MemberReader(io.RawIOBase):
    """Inflates one stored or deflated member, counting, with its own handle on the file."""

    def __init__(self, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self.info = info
        self.path, self.name = _where(package)
        self.file = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        try:
            self.file.seek(info.header_offset)
            header = self.file.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
                raise self._damaged("its local header is missing")
            fields = _LOCAL_HEADER.unpack(header)
            self.file.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
        except BaseException:
            self.file.close()
            raise
        if info.flag_bits & 0x1:
            self.file.close()
            raise WorkbookFormatError(f"{self.name}: zip member {info.filename} is encrypted", path=self.path)
        self.compressed_left = info.compress_size
        self.inflater = inflating.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        self.tail = b""
        self.produced = 0
        self.crc = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inflate(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        pieces = []
        while data := self._inflate(_CHUNK * 4):
            pieces.append(data)
        return b"".join(pieces)

    def _inflate(self, size: int) -> bytes:
        """Up to ``size`` bytes of the member (b"" at its end), checked as they come."""
        while size and not self.done:
            if self.tail:
                source, self.tail = self.tail, b""
            elif self.compressed_left:
                want = _CHUNK if self.inflater is not None else size
                source = self.file.read(min(want, self.compressed_left))
                if not source:
                    raise self._damaged("it is cut short")
                self.compressed_left -= len(source)
            else:
                source = b""
            if self.inflater is None:
                data, ended = source, not self.compressed_left
            else:
                try:
                    data = self.inflater.decompress(source, size)
                except INFLATE_ERRORS as error:
                    raise self._damaged(f"its deflate stream is broken: {error}") from None
                self.tail = self.inflater.unconsumed_tail
                ended = self.inflater.eof or not (source or data)  # the stream ended, or nothing is left
            self.produced += len(data)
            if self.produced > self.info.file_size:
                raise WorkbookFormatError(
                    f"{self.name}: zip member {self.info.filename} inflates to more than the "
                    f"{self.info.file_size:,} bytes its header declares; the file is damaged or forged "
                    "(a zip bomb hides this way) and is not read",
                    path=self.path,
                )
            self.crc = inflating.crc32(data, self.crc)
            if ended:
                self._finish()
            if data:
                return data
        return b""

    def _finish(self) -> None:
        if self.inflater is not None and not self.inflater.eof:
            raise self._damaged("its deflate stream is cut short")
        if self.produced != self.info.file_size:
            raise self._damaged(f"it holds {self.produced:,} bytes, not the {self.info.file_size:,} it declares")
        if self.crc != self.info.CRC:
            raise self._damaged("its CRC does not match")
        self.done = True

    def _damaged(self, why: str) -> WorkbookFormatError:
        return WorkbookFormatError(
            f"{self.name} is damaged and cannot be read (zip member {self.info.filename}: {why}); "
            "open it in Excel and save it again",
            path=self.path,
        )

    def close(self) -> None:
        self.file.close()
        super().close()
