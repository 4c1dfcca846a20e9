"""Reading an xlsx download within the import limits.

Before openpyxl sees the file it is checked as a zip archive: it must open as one (a truncated or
non-zip file is refused with one line, not a traceback), hold at most ``MAX_ZIP_MEMBERS`` members,
use plain deflate, and its members' declared uncompressed sizes must add up to at most
``max_bytes``.  That check reads only the central directory, so a 3 MB file that would expand to
800 MB is refused in milliseconds.  The declared sizes bind: Python's zipfile never returns more
bytes for a member than its header declares and fails the CRC check when the data would run on, so
a member cannot expand past what was checked.

The sheet is then streamed (openpyxl ``read_only=True``) with its declared dimensions ignored
(downloads often declare ``A1:A1288`` for a seven-column sheet, and a hostile one ``A1:XFD1048576``)
and read only as wide as the format's columns; every row read, blank or not, counts against
``max_rows`` and the deadline.
"""

from __future__ import annotations

import os
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl

from .common import ImportFormatError
from .limits import MAX_ZIP_MEMBERS, Budget, ImportLimitError

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 65_535
_AGAIN = "download or export it again as .xlsx"


def check_archive(path: str | Path, budget: Budget) -> None:
    """Refuse a file that is not a sound zip archive or that expands past ``max_bytes``."""
    size = os.stat(path).st_size
    budget.check_file_size(size)
    members = _declared_members(path)
    if members is None:
        raise ImportFormatError(f"not an xlsx workbook: not a zip archive (truncated, or another kind of "
                                f"file); {_AGAIN}")
    if members > MAX_ZIP_MEMBERS:
        raise ImportLimitError(f"a zip archive of {members:,} members; an xlsx workbook has a few dozen "
                               f"(at most {MAX_ZIP_MEMBERS:,} are read); {_AGAIN}")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise ImportFormatError(f"not a readable xlsx workbook ({type(exc).__name__}: {exc}); "
                                f"{_AGAIN}") from None
    for info in infos:
        if info.flag_bits & 0x1:
            raise ImportFormatError(f"the workbook is password-protected ({info.filename!r} is encrypted); "
                                    "save it without a password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFormatError(f"zip member {info.filename!r} uses compression method "
                                    f"{info.compress_type}, which xlsx files do not; {_AGAIN}")
    total = sum(info.file_size for info in infos)
    if total > budget.limits.max_bytes:
        raise ImportLimitError(
            f"the workbook expands to {total:,} bytes uncompressed ({size:,} bytes compressed, "
            f"{total // max(size, 1):,}x), over the limit of {budget.limits.max_bytes:,} "
            "(DEBARLIST_IMPORT_MAX_BYTES): refused before reading it (a zip bomb?); "
            "if the list is really that large, raise the limit")
    # Rows before any parsing: openpyxl reads a whole sheet when it opens it if the sheet does not
    # declare its size, and 200,000 rows should be refused in a fraction of a second, not after
    # parsing 100,000 of them.  Skipped rows (r="1000000") are not elements; the streaming count
    # catches those.
    try:
        with zipfile.ZipFile(path) as archive:
            for info in infos:
                if _SHEET_MEMBER.match(info.filename):
                    rows = _count_rows(archive, info, budget)
                    if rows > budget.limits.max_rows:
                        raise ImportLimitError(
                            f"the sheet {info.filename!r} has {rows:,} rows, more than {budget.limits.max_rows:,} "
                            "(DEBARLIST_IMPORT_MAX_ROWS); split the list into smaller files or raise the limit")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ImportFormatError(f"not a readable xlsx workbook ({type(exc).__name__}: {exc}); "
                                f"{_AGAIN}") from None


def _declared_members(path: str | Path) -> int | None:
    """Member count from the end-of-central-directory record; None when there is none (not a zip)."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - _EOCD_SIZE - _MAX_COMMENT))
        tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    total: int = struct.unpack_from("<H", tail, at + 10)[0]
    return total


@contextmanager
def sheet_rows(path: str | Path, budget: Budget, *, columns: int) -> Iterator[Iterator[tuple[int, tuple[Any, ...]]]]:
    """``(row number, values)`` of the first worksheet, ``columns`` values a row, within the budget."""
    check_archive(path, budget)
    with open(path, "rb") as handle:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
                # A file object, so openpyxl does not judge the file by its name's extension.
                workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (MemoryError, ImportFormatError):
            raise
        except Exception as exc:
            raise ImportFormatError(f"not a readable xlsx workbook ({type(exc).__name__}: {exc}); "
                                    f"{_AGAIN}") from None
        try:
            if not workbook.worksheets:
                raise ImportFormatError(f"the workbook has no worksheet; {_AGAIN}")
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            yield _rows(sheet.iter_rows(max_col=columns, values_only=True), budget)
        finally:
            workbook.close()


_SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_PREFIXED_ROW = re.compile(rb"<[A-Za-z_][\w.-]*:row[\s>/]")
_OVERLAP = 64


def _row_tags(data: bytes) -> int:
    count = data.count(b"<row ") + data.count(b"<row>") + data.count(b"<row/")
    if b":row" in data:  # namespace-prefixed tags (<x:row>), rare: the regex only then
        count += len(_PREFIXED_ROW.findall(data))
    return count


def _count_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> int:
    """``<row>`` elements of one sheet member, by a scan in C (a tag cut by a chunk is counted once)."""
    count, tail = 0, b""
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            data = tail + chunk
            count += _row_tags(data) - _row_tags(tail)
            tail = data[-_OVERLAP:]
            budget.check_time()
    return count


def _rows(source: Iterator[tuple[Any, ...]], budget: Budget) -> Iterator[tuple[int, tuple[Any, ...]]]:
    number = 0
    while True:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = next(source)
        except StopIteration:
            return
        except (MemoryError, ImportFormatError):
            raise
        except Exception as exc:  # damaged XML, a shared string that is not there, a bad CRC...
            raise ImportFormatError(
                f"the sheet cannot be read from this row on ({type(exc).__name__}: {exc}); "
                f"the file is damaged: {_AGAIN}", row=number + 1) from None
        number += 1
        budget.row(number)
        yield number, tuple(values)
