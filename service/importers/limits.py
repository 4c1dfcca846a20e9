"""What one import may cost before it is refused: bytes, rows, cell size, JSON depth, wall time.

A published list is a file somebody else wrote; these bounds keep a hostile or broken one (a zip
bomb posing as xlsx, a row repeated 200,000 times, an unbalanced CSV quote that swallows the rest of
the file, a JSON line nested ten thousand deep) from exhausting memory or time.  The defaults are
far above the real lists (the World Bank's 1,285 rows expand to 1.3 MB; the longest cell of the three
published files has 545 characters; our own JSON nests 3 deep) and are settings
(``DEBARLIST_IMPORT_MAX_*``, see service/config.py).

Two kinds of refusal:

* ``ImportLimitError`` (an ``ImportFormatError``): the *file* is over a bound (size, rows, time)
  and is refused whole; the import writes nothing.
* ``RowError``: one row/line is over a bound (a cell too long, JSON nested too deep); it is
  reported like any other row that cannot be taken and the other rows still import.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import accumulate
from typing import Any

from .common import ImportFormatError, RowError

MiB = 1024 * 1024

# Members of an xlsx archive: a real workbook has 6 to 30; each costs memory when the central
# directory is read, so a zip of a million empty members is refused before it is opened.
MAX_ZIP_MEMBERS = 10_000


@dataclass(frozen=True, slots=True)
class Limits:
    # Bytes of the file, and for xlsx the total uncompressed size its zip members declare.
    max_bytes: int = 64 * MiB
    # Rows (spreadsheet rows, CSV records, JSON lines) read from one file, blank ones included; an
    # import is one transaction and holds about 14 KB a row until it commits.
    max_rows: int = 50_000
    # Characters in one cell or one JSON string (the longest entry field takes 4,000).
    max_cell_chars: int = 8_192
    # Nesting of one JSON line ({"a": [1]} is 2).
    max_depth: int = 16
    # Wall time of one whole import, parsing and writing.
    max_seconds: float = 600.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ImportLimitError(ImportFormatError):
    """The file is over one of the limits: refused whole, nothing is written."""


@dataclass
class Budget:
    """One import's running account against its ``Limits``: rows read so far and the deadline."""

    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.monotonic
    rows: int = 0
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def row(self, number: int, unit: str = "row") -> None:
        """Count one row read (blank or not); over the row cap or the deadline the file is refused."""
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise ImportLimitError(
                f"the file has more than {self.limits.max_rows:,} {unit}s (DEBARLIST_IMPORT_MAX_ROWS); "
                "split it into smaller files or raise the limit", row=number)
        self.check_time(number)

    def check_time(self, number: int | None = None) -> None:
        if self.elapsed > self.limits.max_seconds:
            raise ImportLimitError(
                f"still importing after {self.limits.max_seconds:g} s (DEBARLIST_IMPORT_MAX_SECONDS); "
                "split the file or raise the limit", row=number)

    def check_file_size(self, size: int, what: str = "the file") -> None:
        if size > self.limits.max_bytes:
            raise ImportLimitError(
                f"{what} is {size:,} bytes, over the limit of {self.limits.max_bytes:,} "
                "(DEBARLIST_IMPORT_MAX_BYTES); split it or raise the limit")

    def check_cells(self, values: Iterable[Any], columns: Sequence[str] = (), *, span: str = "") -> None:
        """RowError naming the first text cell longer than ``max_cell_chars`` (``span``: where it lies)."""
        cap = self.limits.max_cell_chars
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > cap:
                name = repr(columns[index]) if index < len(columns) else f"in column {index + 1}"
                raise RowError(cell_too_long(f"cell {name}", len(value), cap, span))

    def check_json(self, line: str) -> None:
        """RowError when the JSON text nests deeper than ``max_depth`` (checked before parsing it)."""
        depth = json_depth(line)
        if depth > self.limits.max_depth:
            raise RowError(
                f"JSON nested {depth:,} levels deep, over the limit of {self.limits.max_depth} "
                "(DEBARLIST_IMPORT_MAX_DEPTH); this line is skipped, fix it or raise the limit")

    def check_strings(self, data: Any) -> None:
        """RowError naming the first string (key or value) longer than ``max_cell_chars``."""
        cap = self.limits.max_cell_chars
        stack: list[tuple[str, Any]] = [("", data)]
        while stack:
            where, value = stack.pop()
            if isinstance(value, str):
                if len(value) > cap:
                    raise RowError(cell_too_long(f"value {where or 'of the line'}", len(value), cap))
            elif isinstance(value, dict):
                for key, item in value.items():
                    if len(key) > cap:
                        raise RowError(cell_too_long("a key", len(key), cap))
                    stack.append((f"{where}.{key}" if where else repr(key)[:60], item))
            elif isinstance(value, list):
                stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))


def cell_too_long(what: str, size: int, cap: int, span: str = "") -> str:
    return (f"{what} has {size:,} characters{span}, over the limit of {cap:,} "
            "(DEBARLIST_IMPORT_MAX_CELL_CHARS); this row is skipped: fix the cell (an unbalanced quote?) "
            "or raise the limit")


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """Deepest bracket nesting of a JSON text, in linear time and without parsing it.

    Escapes go first (so ``"\\\\"`` ends its string), then strings, then everything but brackets;
    what is left is summed in C.  Malformed text gets some number and then fails to parse.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", _ESCAPE.sub("", text)))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
